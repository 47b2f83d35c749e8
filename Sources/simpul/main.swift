import Foundation
import SimpulServer
import Vapor

// `simpul serve` (default), `simpul migrate`, `simpul admin create …`, `simpul import …`,
// `simpul backup`.
var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
var settings = AppSettings.fromEnvironment()
// `simpul migrate` (and `--revert`) should do exactly what it says, nothing first.
if env.arguments.dropFirst().first == "migrate" { settings.bootstrap = false }
let app = try await Application.make(env)
var failed = false
do {
    try await configure(app, settings: settings)
    try await app.execute()
} catch {
    // A clear message (already in Indonesian for our own errors), not a crash dump.
    let reason = (error as? any AbortError)?.reason ?? String(reflecting: error)
    FileHandle.standardError.write(Data("Gagal: \(reason)\n".utf8))
    failed = true
}
try await app.asyncShutdown()
if failed { exit(1) }
