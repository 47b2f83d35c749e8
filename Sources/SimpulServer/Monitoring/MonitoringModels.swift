import Fluent
import SQLKit
import SimpulCore
import Vapor

/// What a situation report is about.
enum SituationCategory: String, Codable, CaseIterable, Sendable {
    case moneyPolitics, intimidation, clash, hoax, hateSpeech, neutrality, vandalism, other

    var label: String {
        switch self {
        case .moneyPolitics: return "Politik uang"
        case .intimidation: return "Intimidasi / ancaman"
        case .clash: return "Gesekan antarpendukung"
        case .hoax: return "Hoaks / disinformasi"
        case .hateSpeech: return "Ujaran kebencian / SARA"
        case .neutrality: return "Netralitas ASN / aparat"
        case .vandalism: return "Perusakan alat peraga"
        case .other: return "Lainnya"
        }
    }
}

/// Where the information came from.
enum SituationSource: String, Codable, CaseIterable, Sendable {
    case cadre, citizen, socialMedia, press, authority

    var label: String {
        switch self {
        case .cadre: return "Kader di lapangan"
        case .citizen: return "Laporan warga"
        case .socialMedia: return "Media sosial"
        case .press: return "Media massa"
        case .authority: return "Aparat / penyelenggara pemilu"
        }
    }
}

/// A situation report (laporan situasi) from one kelurahan.
final class SituationReport: Model, @unchecked Sendable {
    static let schema = "situation_reports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "region_code") var regionCode: String
    @Field(key: "category") var category: SituationCategory
    @Field(key: "severity") var severity: Int
    @Field(key: "source") var source: SituationSource
    /// Link to the post or article (media sosial / media massa).
    @Field(key: "source_url") var sourceURL: String
    @Field(key: "summary") var summary: String
    @Field(key: "details") var details: String
    @Field(key: "occurred_on") var occurredOn: String
    @Field(key: "status") var status: VerificationStatus
    @OptionalField(key: "verified_by") var verifiedBy: String?
    @OptionalField(key: "verified_at") var verifiedAt: Date?
    @Field(key: "verification_note") var verificationNote: String
    @Field(key: "reported_by") var reportedBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var level: SituationSeverity { SituationSeverity(rawValue: severity) ?? .low }
}

/// A political-literacy activity (pendidikan politik) for young and first-time voters.
final class LiteracyActivity: Model, @unchecked Sendable {
    static let schema = "literacy_activities"

    enum Format: String, Codable, CaseIterable, Sendable {
        case school, campus, community, online

        var label: String {
            switch self {
            case .school: return "Sekolah (SMA/SMK/MA)"
            case .campus: return "Kampus"
            case .community: return "Komunitas / karang taruna"
            case .online: return "Daring"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "title") var title: String
    @Field(key: "format") var format: Format
    /// School, campus or community partner.
    @Field(key: "partner") var partner: String
    @Field(key: "held_on") var heldOn: String
    @Field(key: "reach_in_person") var reachInPerson: Int
    @Field(key: "reach_online") var reachOnline: Int
    /// Of those reached in person: first-time voters (pemilih pemula, 17–21).
    @Field(key: "first_time_voters") var firstTimeVoters: Int
    @Field(key: "notes") var notes: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
}

struct CreateMonitoring: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(SituationReport.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("category", .string, .required)
            .field("severity", .int, .required)
            .field("source", .string, .required)
            .field("source_url", .string, .required)
            .field("summary", .string, .required)
            .field("details", .string, .required)
            .field("occurred_on", .string, .required)
            .field("status", .string, .required)
            .field("verified_by", .string)
            .field("verified_at", .datetime)
            .field("verification_note", .string, .required)
            .field("reported_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.create(index: "situation_reports_scope_idx").on(SituationReport.schema).column("scope").column("occurred_on").run()
        try await database.schema(LiteracyActivity.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("title", .string, .required)
            .field("format", .string, .required)
            .field("partner", .string, .required)
            .field("held_on", .string, .required)
            .field("reach_in_person", .int, .required)
            .field("reach_online", .int, .required)
            .field("first_time_voters", .int, .required)
            .field("notes", .string, .required)
            .field("recorded_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.create(index: "literacy_activities_scope_idx").on(LiteracyActivity.schema).column("scope").column("held_on").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX situation_reports_scope_pattern_idx ON situation_reports (scope text_pattern_ops)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LiteracyActivity.schema).delete()
        try await database.schema(SituationReport.schema).delete()
    }
}
