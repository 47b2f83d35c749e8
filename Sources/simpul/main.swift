import SimpulServer
import Vapor

// `simpul serve` (default), `simpul migrate`, `simpul admin create …`, `simpul backup`.
var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
var settings = AppSettings.fromEnvironment()
// `simpul migrate` (and `--revert`) should do exactly what it says, nothing first.
if env.arguments.dropFirst().first == "migrate" { settings.bootstrap = false }
let app = try await Application.make(env)
do {
    try await configure(app, settings: settings)
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
