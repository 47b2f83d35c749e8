import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A work programme (program kerja) of one unit, e.g. the national "Sekolah Kader Muda"
/// or the city's own "Posko Pelayanan di 67 Kelurahan". A programme derived from one
/// above keeps a link to it (`derivedFrom`), which is how the cascade is traced.
final class Programme: Model, @unchecked Sendable {
    static let schema = "programmes"

    enum Status: String, Codable, CaseIterable, Sendable {
        case active, completed, cancelled

        var label: String {
            switch self {
            case .active: return "Berjalan"
            case .completed: return "Selesai"
            case .cancelled: return "Dibatalkan"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @OptionalField(key: "derived_from_id") var derivedFromID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var details: String
    @Field(key: "focus") var focus: String
    /// Penanggung jawab: the field (bidang) or person who owns it.
    @Field(key: "owner") var owner: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "status") var status: Status
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var focusArea: ProgrammeFocus { ProgrammeFocus(rawValue: focus) ?? .konsolidasi }
}

/// A key performance indicator of a programme: from `baseline` to `target`, now `actual`.
final class ProgrammeKPI: Model, @unchecked Sendable {
    static let schema = "programme_kpis"

    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Field(key: "scope") var scope: String
    @Field(key: "name") var name: String
    /// What is counted: "orang", "kelurahan", "kegiatan".
    @Field(key: "unit") var unit: String
    @Field(key: "baseline") var baseline: Int64
    @Field(key: "target") var target: Int64
    @Field(key: "actual") var actual: Int64
    @OptionalField(key: "updated_on") var updatedOn: String?

    init() {}

    var percent: Int { KPIProgress.percent(baseline: baseline, target: target, actual: actual) }
}

/// One progress report on a KPI (append-only): the history behind `actual`.
final class KPIUpdate: Model, @unchecked Sendable {
    static let schema = "programme_kpi_updates"

    @ID(key: .id) var id: UUID?
    @Parent(key: "kpi_id") var kpi: ProgrammeKPI
    @Field(key: "scope") var scope: String
    @Field(key: "actual") var actual: Int64
    @Field(key: "note") var note: String
    @Field(key: "on_date") var onDate: String
    @Field(key: "username") var username: String
    @Field(key: "at") var at: Date

    init() {}
}

/// A meeting of the Raker cycle (pra-Raker or the final Raker) of one unit and year.
final class RakerMeeting: Model, @unchecked Sendable {
    static let schema = "raker_meetings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "year") var year: Int
    @Field(key: "stage") var stage: String
    @Field(key: "title") var title: String
    @Field(key: "held_on") var heldOn: String
    @Field(key: "venue") var venue: String
    @Field(key: "participants") var participants: Int
    @Field(key: "notes") var notes: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var rakerStage: RakerStage { RakerStage(rawValue: stage) ?? .pre }
}

/// A decision (keputusan) of a Raker meeting, numbered within it, optionally adopting a programme.
final class RakerDecision: Model, @unchecked Sendable {
    static let schema = "raker_decisions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "meeting_id") var meeting: RakerMeeting
    @Field(key: "scope") var scope: String
    @Field(key: "number") var number: Int
    @Field(key: "text") var text: String
    @OptionalField(key: "programme_id") var programmeID: UUID?
    @Field(key: "username") var username: String
    @Field(key: "at") var at: Date

    init() {}
}

struct CreateProgrammes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(Programme.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("derived_from_id", .uuid, .references(Programme.schema, "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("focus", .string, .required)
            .field("owner", .string, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("status", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await sql.create(index: "programmes_scope_idx").on(Programme.schema).column("scope").run()
        try await sql.create(index: "programmes_derived_idx").on(Programme.schema).column("derived_from_id").run()
        try await database.schema(ProgrammeKPI.schema)
            .id()
            .field("programme_id", .uuid, .required, .references(Programme.schema, "id"))
            .field("scope", .string, .required)
            .field("name", .string, .required)
            .field("unit", .string, .required)
            .field("baseline", .int64, .required)
            .field("target", .int64, .required)
            .field("actual", .int64, .required)
            .field("updated_on", .string)
            .create()
        try await sql.create(index: "programme_kpis_programme_idx").on(ProgrammeKPI.schema).column("programme_id").run()
        try await database.schema(KPIUpdate.schema)
            .id()
            .field("kpi_id", .uuid, .required, .references(ProgrammeKPI.schema, "id"))
            .field("scope", .string, .required)
            .field("actual", .int64, .required)
            .field("note", .string, .required)
            .field("on_date", .string, .required)
            .field("username", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await sql.create(index: "programme_kpi_updates_kpi_idx").on(KPIUpdate.schema).column("kpi_id").column("at").run()
        try await database.schema(RakerMeeting.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("year", .int, .required)
            .field("stage", .string, .required)
            .field("title", .string, .required)
            .field("held_on", .string, .required)
            .field("venue", .string, .required)
            .field("participants", .int, .required)
            .field("notes", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await sql.create(index: "raker_meetings_scope_idx").on(RakerMeeting.schema).column("scope").column("year").run()
        try await database.schema(RakerDecision.schema)
            .id()
            .field("meeting_id", .uuid, .required, .references(RakerMeeting.schema, "id"))
            .field("scope", .string, .required)
            .field("number", .int, .required)
            .field("text", .string, .required)
            .field("programme_id", .uuid, .references(Programme.schema, "id"))
            .field("username", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await sql.create(index: "raker_decisions_meeting_idx").on(RakerDecision.schema).column("meeting_id").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX programmes_scope_pattern_idx ON programmes (scope text_pattern_ops)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RakerDecision.schema).delete()
        try await database.schema(RakerMeeting.schema).delete()
        try await database.schema(KPIUpdate.schema).delete()
        try await database.schema(ProgrammeKPI.schema).delete()
        try await database.schema(Programme.schema).delete()
    }
}
