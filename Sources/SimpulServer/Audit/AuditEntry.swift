import Fluent
import SQLKit
import Vapor

/// Who did what to which record. Every change, every unmasked view of personal data and
/// every export lands here; the log is append-only (no route updates or deletes it).
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "username") var username: String
    /// person.create, person.reveal, export.people, user.grant, login.success, …
    @Field(key: "action") var action: String
    @Field(key: "entity") var entity: String
    @OptionalField(key: "entity_id") var entityID: String?
    /// Org path of the record, so an auditor sees only their subtree.
    @Field(key: "scope") var scope: String
    @Field(key: "detail") var detail: String
    @Field(key: "address") var address: String

    init() {}
}

struct CreateAudit: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema)
            .id()
            .field("at", .datetime, .required)
            .field("user_id", .uuid)
            .field("username", .string, .required)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string)
            .field("scope", .string, .required)
            .field("detail", .string, .required)
            .field("address", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "audit_scope_at_idx").on(AuditEntry.schema).column("scope").column("at").run()
        try await sql.create(index: "audit_entity_idx").on(AuditEntry.schema).column("entity").column("entity_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema).delete()
    }
}

extension AuditEntry {
    /// The one place an entry is written, from a request or the command line.
    static func write(userID: UUID?, username: String, action: String, entity: String, id: String?,
                      scope: String, detail: String, address: String, on db: any Database) async throws {
        let entry = AuditEntry()
        entry.at = Date()
        entry.userID = userID
        entry.username = username
        entry.action = action
        entry.entity = entity
        entry.entityID = id
        entry.scope = scope
        entry.detail = detail
        entry.address = address
        try await entry.create(on: db)
        SimpulMetrics.audited(action)
    }

    /// An entry written outside a request (command line).
    static func create(app: Application, user: User?, action: String, entity: String, id: String?, scope: String = "", detail: String) async throws {
        try await write(userID: user?.id, username: user?.username ?? "cli", action: action, entity: entity, id: id,
                        scope: scope, detail: detail, address: "cli", on: app.db)
    }
}

/// Writes audit entries for the current request's user.
struct Auditor {
    let request: Request

    func record(_ action: String, entity: String, id: String? = nil, scope: String, detail: String = "", on db: (any Database)? = nil) async throws {
        let user = request.auth.get(User.self)
        try await AuditEntry.write(userID: user?.id, username: user?.username ?? "-", action: action, entity: entity, id: id,
                                   scope: scope, detail: detail, address: request.clientAddress, on: db ?? request.db)
    }
}

extension Request {
    var audit: Auditor { Auditor(request: self) }

    /// The client's address as the server saw it (a proxy's X-Forwarded-For is not trusted).
    var clientAddress: String { remoteAddress?.ipAddress ?? "-" }
}
