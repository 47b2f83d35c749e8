import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Small key/value settings a branch changes from the admin pages (level labels, …).
final class Setting: Model, @unchecked Sendable {
    static let schema = "settings"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}
    init(key: String, value: String) {
        self.id = key
        self.value = value
    }

    static func value(_ key: String, on db: any Database) async throws -> String? {
        try await Setting.find(key, on: db)?.value
    }

    static func set(_ key: String, to value: String, on db: any Database) async throws {
        if let existing = try await Setting.find(key, on: db) {
            existing.value = value
            try await existing.update(on: db)
        } else {
            try await Setting(key: key, value: value).create(on: db)
        }
    }
}

/// The branch an installation serves. Set on first start from SIMPUL_HOME_REGION
/// (default 36.73, DPD Kota Serang); the dashboard opens on it.
enum BranchSettings {
    static let homeRegionKey = "branch.home_region"
    static let defaultHomeRegion = "36.73"
    static let partyNameKey = "party.name"

    /// The party's name for cards; until one is set, the branch's own unit name.
    static func partyName(on db: any Database, labels: OrgLevelLabels) async throws -> String {
        if let name = try await Setting.value(partyNameKey, on: db), !name.isEmpty { return name }
        let home = try await Setting.value(homeRegionKey, on: db) ?? defaultHomeRegion
        guard let unit = try await OrgQueries.unit(at: OrgPath(regionCode: home), on: db) else { return "Partai" }
        return labels.displayName(of: unit)
    }
}

/// PostgreSQL compares text by the server's locale, where a plain index cannot serve
/// `scope LIKE '36.73.%'`; pattern-ops indexes can. (SQLite uses GLOB on the plain
/// indexes instead: see `SubtreeMatch`.)
struct CreatePostgresPatternIndexes: AsyncMigration {
    static let columns = [("people", "scope"), ("memberships", "scope"), ("audit_entries", "scope"),
                          ("org_units", "path"), ("office_terms", "scope"), ("role_grants", "path")]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        for (table, column) in Self.columns {
            try await sql.raw("CREATE INDEX \(ident: "\(table)_\(column)_pattern_idx") ON \(ident: table) (\(ident: column) text_pattern_ops)").run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        for (table, column) in Self.columns {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: "\(table)_\(column)_pattern_idx")").run()
        }
    }
}

/// The member list is newest first: without an index on the registration time, its first
/// page sorted every membership in scope (5.5 s for a million in one DPD).
struct CreateMembershipRegisteredIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("CREATE INDEX memberships_registered_idx ON memberships (registered_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX IF EXISTS memberships_registered_idx").run()
    }
}

/// The duplicate review reads people in birth-date order, a chunk at a time, and compares
/// the records of one date (DuplicateService.candidates); the id makes the order total for
/// its keyset.
struct CreatePeopleBirthDateIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("CREATE INDEX people_birth_date_idx ON people (birth_date, id)").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX IF EXISTS people_birth_date_idx").run()
    }
}
