import Fluent
import NIOConcurrencyHelpers
import SQLKit
import SimpulCore
import Vapor

/// A party unit on the territory tree: national (DPP) → province (DPW) → regency/city (DPD)
/// → kecamatan (DPC) → kelurahan (DPRa). One unit per region, so the unit's path is its
/// region code (see `OrgPath`).
final class OrgUnit: Model, @unchecked Sendable {
    static let schema = "org_units"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// 0 national, 1 province, 2 regency/city, 3 kecamatan, 4 kelurahan.
    @Field(key: "level") var level: Int
    @OptionalField(key: "region_code") var regionCode: String?
    @OptionalParent(key: "parent_id") var parent: OrgUnit?
    @Field(key: "path") var path: String

    init() {}

    init(id: UUID? = nil, name: String, level: Int, regionCode: String?, parentID: UUID?) {
        self.id = id
        self.name = name
        self.level = level
        self.regionCode = regionCode
        self.$parent.id = parentID
        self.path = OrgPath(regionCode: regionCode).rawValue
    }

    var orgPath: OrgPath { OrgPath(rawValue: path) }
}

/// An office held in a unit: a position ("Ketua") in a body ("Pengurus Harian",
/// "Dewan Pakar", "Dewan Pertimbangan") for a term.
final class OfficeTerm: Model, @unchecked Sendable {
    static let schema = "office_terms"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Parent(key: "person_id") var person: Person
    @Field(key: "body") var body: String
    @Field(key: "position") var position: String
    @Field(key: "started_on") var startedOn: String
    @OptionalField(key: "ended_on") var endedOn: String?
    @Field(key: "scope") var scope: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// Level labels are the party's own words; the default is DPP, DPW, DPD, DPC, DPRa.
struct OrgLevelLabels: Sendable, Equatable, Codable {
    static let settingKey = "org.level_labels"
    static let `default` = OrgLevelLabels(labels: ["DPP", "DPW", "DPD", "DPC", "DPRa"])
    /// Long forms of the default labels, for tooltips and documents.
    static let defaultLongForms = [
        "Dewan Pimpinan Pusat", "Dewan Pimpinan Wilayah", "Dewan Pimpinan Daerah",
        "Dewan Pimpinan Cabang", "Dewan Pimpinan Ranting",
    ]

    let labels: [String]

    func label(for level: Int) -> String { labels.indices.contains(level) ? labels[level] : "Unit" }

    func displayName(of unit: OrgUnit) -> String { "\(label(for: unit.level)) \(unit.name)" }

    static func load(on db: any Database) async throws -> OrgLevelLabels {
        guard let raw = try await Setting.value(settingKey, on: db) else { return .default }
        return (try? parse(raw)) ?? .default
    }

    /// Five comma-separated labels, national first.
    static func parse(_ raw: String) throws -> OrgLevelLabels {
        let parts = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 5, parts.allSatisfy({ !$0.isEmpty && $0.count <= 40 }) else {
            throw Abort(.unprocessableEntity, reason: "Label tingkatan: isi tepat 5 label dipisah koma (nasional sampai kelurahan), misalnya DPP, DPW, DPD, DPC, DPRa.")
        }
        return OrgLevelLabels(labels: parts)
    }
}

/// Level labels change perhaps once a year; hot public pages read them from memory for
/// up to a minute instead of querying each time (other app servers see a change within
/// that minute).
final class LevelLabelCache: Sendable {
    private let box = NIOLockedValueBox<(labels: OrgLevelLabels, at: Date)?>(nil)

    /// The labels if loaded less than a minute ago.
    var fresh: OrgLevelLabels? {
        guard let cached = box.withLockedValue({ $0 }), Date().timeIntervalSince(cached.at) < 60 else { return nil }
        return cached.labels
    }

    func get(on db: any Database) async throws -> OrgLevelLabels {
        if let fresh { return fresh }
        let labels = try await OrgLevelLabels.load(on: db)
        box.withLockedValue { $0 = (labels, Date()) }
        return labels
    }

    func invalidate() { box.withLockedValue { $0 = nil } }
}

struct LevelLabelCacheKey: StorageKey { typealias Value = LevelLabelCache }

extension Application {
    /// Set up once in `configure`, before any request runs.
    var levelLabelCache: LevelLabelCache { storage[LevelLabelCacheKey.self]! }
}

extension Request {
    func levelLabels() async throws -> OrgLevelLabels { try await application.levelLabelCache.get(on: db) }
}

struct CreateOrganization: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Setting.schema)
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema(OrgUnit.schema)
            .id()
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("region_code", .string, .references(Region.schema, "code"))
            .field("parent_id", .uuid, .references(OrgUnit.schema, "id"))
            .field("path", .string, .required)
            .unique(on: "path")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "org_units_parent_idx").on(OrgUnit.schema).column("parent_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrgUnit.schema).delete()
        try await database.schema(Setting.schema).delete()
    }
}

struct CreateOfficeTerms: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OfficeTerm.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("body", .string, .required)
            .field("position", .string, .required)
            .field("started_on", .string, .required)
            .field("ended_on", .string)
            .field("scope", .string, .required)
            .field("created_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "office_terms_unit_idx").on(OfficeTerm.schema).column("org_unit_id").run()
        try await sql.create(index: "office_terms_person_idx").on(OfficeTerm.schema).column("person_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OfficeTerm.schema).delete()
    }
}
