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

/// `simpul bench-hello --port N`: a plain Vapor hello-world (no database, no Simpul
/// middleware) in the same binary, so bench/run.sh can set our routes next to the
/// framework's own ceiling on this machine in the same run.
struct HelloBenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "port", help: "Port (bawaan 8098)") var port: Int?
    }

    var help: String { "Vapor hello-world polos sebagai pembanding tolok ukur (GET /hello)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let hello = try await Application.make(.production)
        hello.get("hello") { _ in "Hello, world!" }
        try await hello.asyncBoot()
        try await hello.server.start(address: .hostname("127.0.0.1", port: signature.port ?? 8098))
        context.console.print("GET http://127.0.0.1:\(signature.port ?? 8098)/hello")
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
