import Vapor

/// The bundled stylesheet and script as two routes. Vapor's FileMiddleware asked the file
/// system (through a thread pool) about the path of every request, API calls included.
struct StaticFilesController: RouteCollection {
    static let files = ["app.css", "scan.js"]

    func boot(routes: any RoutesBuilder) throws {
        for name in Self.files {
            routes.get(PathComponent(stringLiteral: name)) { req async throws -> Response in
                try await req.fileio.asyncStreamFile(at: BundledResources.publicFiles + name)
            }
        }
    }
}
