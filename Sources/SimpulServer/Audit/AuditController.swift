import Fluent
import SimpulCore
import Vapor

/// The audit log, read-only, limited to the subtrees where the user holds viewAudit.
struct AuditPolicy: ModulePolicy {
    let access: AccessScope

    func visible(_ query: QueryBuilder<AuditEntry>) -> QueryBuilder<AuditEntry> {
        scopeFilter(query, column: "scope", for: .viewAudit)
    }
}

struct AuditEntryDTO: Content {
    let id: UUID
    let at: Date
    let username: String
    let action: String
    let entity: String
    let entityID: String?
    let scope: String
    let detail: String
    let address: String
}

struct AuditController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("audit", use: page)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("audit", use: list)
    }

    private func entries(_ req: Request) async throws -> [AuditEntryDTO] {
        try req.requireAnywhere(.viewAudit, "Anda tidak berwenang membaca log audit.")
        var query = AuditPolicy(access: req.access).visible(AuditEntry.query(on: req.db))
        if let action = try? req.query.get(String.self, at: "action"), !action.isEmpty {
            query = query.filter(\.$action == action)
        }
        let limit = min(500, max(1, (try? req.query.get(Int.self, at: "limit")) ?? 100))
        return try await query.sort(\.$at, .descending).limit(limit).all().map {
            AuditEntryDTO(id: $0.id!, at: $0.at, username: $0.username, action: $0.action, entity: $0.entity,
                          entityID: $0.entityID, scope: $0.scope, detail: $0.detail, address: $0.address)
        }
    }

    @Sendable func list(req: Request) async throws -> [AuditEntryDTO] { try await entries(req) }

    struct Row: Encodable {
        let at: String
        let username: String
        let action: String
        let entity: String
        let detail: String
    }

    @Sendable func page(req: Request) async throws -> Response {
        let rows = try await entries(req).map {
            Row(at: PeopleController.format($0.at), username: $0.username, action: $0.action,
                entity: $0.entity + ($0.entityID.map { " " + $0.prefix(8) } ?? ""), detail: $0.detail)
        }
        return try await req.render("audit", title: "Log audit", rows)
    }
}
