import Crypto
import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A person who signs in: an official (pengurus), operator or analyst.
final class User: Model, Authenticatable, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "active") var active: Bool
    @OptionalField(key: "person_id") var personID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_login_at") var lastLoginAt: Date?
    @Children(for: \.$user) var grants: [RoleGrant]

    init() {}

    init(username: String, displayName: String, passwordHash: String) {
        self.username = username.lowercased()
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.active = true
    }

    /// Usernames: 3–40 of a–z, 0–9, dot, dash, underscore.
    static func validUsername(_ name: String) -> Bool {
        (3...40).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || ".-_".contains($0)) }
    }
}

extension User: ModelSessionAuthenticatable {}

/// A role on an org unit, reaching the unit's whole subtree.
final class RoleGrant: Model, @unchecked Sendable {
    static let schema = "role_grants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Enum(key: "role") var role: Role
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    /// The unit's path, copied so a request's permissions load in one query.
    @Field(key: "path") var path: String
    @OptionalField(key: "granted_by") var grantedBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, role: Role, unit: OrgUnit, grantedBy: UUID?) throws {
        self.$user.id = userID
        self.role = role
        self.$orgUnit.id = try unit.requireID()
        self.path = unit.path
        self.grantedBy = grantedBy
    }

    var grant: Grant { Grant(role: role, path: OrgPath(rawValue: path)) }
}

/// A bearer token for /api/v1. Only its SHA-256 is stored.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }

    /// A new random token (32 bytes, base64url) and its stored row.
    static func generate(for userID: UUID, name: String, lifetime: TimeInterval) -> (String, APIToken) {
        let raw = "smp_" + Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let token = APIToken()
        token.$user.id = userID
        token.tokenHash = hash(raw)
        token.name = name
        token.expiresAt = Date().addingTimeInterval(lifetime)
        return (raw, token)
    }
}

/// A sign-in attempt, kept to throttle password guessing across every app server.
final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "at") var at: Date

    init() {}

    init(username: String, address: String, succeeded: Bool) {
        self.username = username
        self.address = address
        self.succeeded = succeeded
        self.at = Date()
    }
}

extension Digest {
    var hex: String { Hex.encode(self) }
}

struct CreateAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("active", .bool, .required)
            .field("person_id", .uuid)
            .field("created_at", .datetime)
            .field("last_login_at", .datetime)
            .unique(on: "username")
            .create()
        let role = try await database.enum("role")
            .case("admin").case("pengurus").case("operator").case("pengamat").create()
        try await database.schema(RoleGrant.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("role", role, .required)
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("path", .string, .required)
            .field("granted_by", .uuid)
            .field("created_at", .datetime)
            .unique(on: "user_id", "role", "org_unit_id")
            .create()
        try await sql.create(index: "role_grants_path_idx").on(RoleGrant.schema).column("path").run()
        try await database.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(LoginAttempt.schema)
            .id()
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("at", .datetime, .required)
            .create()
        try await sql.create(index: "login_attempts_user_idx").on(LoginAttempt.schema).column("username").column("at").run()
        try await sql.create(index: "login_attempts_addr_idx").on(LoginAttempt.schema).column("address").column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema).delete()
        try await database.schema(APIToken.schema).delete()
        try await database.schema(RoleGrant.schema).delete()
        try await database.enum("role").delete()
        try await database.schema(User.schema).delete()
    }
}
