import CSV
import Fluent
import SQLKit
import Vapor

/// A Kemendagri administrative area: province (36), regency/city (36.73),
/// kecamatan (36.73.01) or kelurahan/desa (36.73.01.1001).
final class Region: Model, @unchecked Sendable {
    static let schema = "regions"

    enum Level: String, Codable, CaseIterable, Sendable {
        case province, regency, district, village

        /// Indonesian name of the level for pages.
        var label: String {
            switch self {
            case .province: return "Provinsi"
            case .regency: return "Kabupaten/Kota"
            case .district: return "Kecamatan"
            case .village: return "Kelurahan/Desa"
            }
        }
    }

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Enum(key: "level") var level: Level
    @OptionalField(key: "parent_code") var parentCode: String?

    init() {}

    init(code: String, name: String, level: Level, parentCode: String?) {
        self.id = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }
}

struct CreateRegions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let level = try await database.enum("region_level")
            .case("province").case("regency").case("district").case("village").create()
        try await database.schema(Region.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", level, .required)
            .field("parent_code", .string, .references(Region.schema, "code"))
            .create()
        try await (database as! any SQLDatabase).create(index: "regions_parent_idx").on(Region.schema).column("parent_code").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Region.schema).delete()
        try await database.enum("region_level").delete()
    }
}

/// One row of the shipped reference file (Resources/Reference/wilayah.csv).
struct RegionRow: Equatable, Sendable {
    let code: String
    let name: String
    let level: Region.Level
    let parentCode: String?

    /// Reads `code,name,level,parent_code` (RFC 4180, header row first).
    static func parse(csv text: String) throws -> [RegionRow] {
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        var rows: [RegionRow] = []
        while let fields = reader.next() {
            let line = rows.count + 2
            guard fields.count >= 3, let level = Region.Level(rawValue: fields[2]) else {
                throw Abort(.internalServerError, reason: "Data wilayah rusak di baris \(line): \(fields.joined(separator: ","))")
            }
            let parent = fields.count > 3 && !fields[3].isEmpty ? fields[3] : nil
            rows.append(RegionRow(code: fields[0], name: fields[1], level: level, parentCode: parent))
        }
        return rows
    }
}
