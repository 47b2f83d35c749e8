import Fluent
import SQLKit
import Vapor

/// GET /health: 200 when the database answers, 503 when it does not.
struct HealthController: RouteCollection {
    struct Health: Content {
        let status: String
        let database: String
        let version: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    @Sendable func health(req: Request) async throws -> Response {
        let sql = req.db as! any SQLDatabase
        let ok: Bool
        do {
            _ = try await sql.raw("SELECT 1 AS ok").first()
            ok = true
        } catch {
            req.logger.error("health: database unreachable: \(error)")
            ok = false
        }
        let body = Health(status: ok ? "ok" : "unavailable", database: sql.dialect.name, version: SimpulVersion.current)
        let response = try await body.encodeResponse(for: req)
        response.status = ok ? .ok : .serviceUnavailable
        return response
    }
}

public enum SimpulVersion {
    public static let current = "0.1.0"
}
