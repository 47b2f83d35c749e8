import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A person in the disaster volunteer task force (Satgas Relawan Bencana), from the
/// public form, a cadre signing up, or an official. Always tied to the shared person record.
final class Volunteer: Model, @unchecked Sendable {
    static let schema = "volunteers"

    enum Channel: String, Codable, Sendable {
        case `public`, staff
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "channel") var channel: Channel
    @Field(key: "status") var status: VolunteerStatus
    /// Comma-separated `VolunteerSkill` raw values.
    @Field(key: "skills") var skills: String
    /// Siap diberangkatkan (the volunteer's own availability, kept by officials).
    @Field(key: "available") var available: Bool
    @OptionalField(key: "motivation") var motivation: String?
    @Field(key: "registered_at") var registeredAt: Date
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var skillList: [VolunteerSkill] { skills.split(separator: ",").compactMap { VolunteerSkill(rawValue: String($0)) } }
}

/// One decision in the selection pipeline, with its reason. Append-only: the latest per
/// stage counts, earlier ones stay as history.
final class SelectionDecision: Model, @unchecked Sendable {
    static let schema = "volunteer_decisions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "volunteer_id") var volunteer: Volunteer
    @Field(key: "stage") var stage: SelectionStage
    @Field(key: "passed") var passed: Bool
    @Field(key: "reason") var reason: String
    @Field(key: "decided_by") var decidedBy: String
    @Field(key: "at") var at: Date

    init() {}
}

final class VolunteerCertificate: Model, @unchecked Sendable {
    static let schema = "volunteer_certificates"

    @ID(key: .id) var id: UUID?
    @Parent(key: "volunteer_id") var volunteer: Volunteer
    @Field(key: "name") var name: String
    @Field(key: "issuer") var issuer: String
    @OptionalField(key: "number") var number: String?
    @OptionalField(key: "valid_until") var validUntil: String?

    init() {}
}

/// The decree (Surat Keputusan) that forms a task force, and its members.
final class TaskForceDecree: Model, @unchecked Sendable {
    static let schema = "task_force_decrees"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "number") var number: String
    @Field(key: "title") var title: String
    @Field(key: "issued_on") var issuedOn: String
    @OptionalField(key: "valid_until") var validUntil: String?

    init() {}
}

final class DecreeMember: Model, @unchecked Sendable {
    static let schema = "task_force_members"

    @ID(key: .id) var id: UUID?
    @Parent(key: "decree_id") var decree: TaskForceDecree
    @Parent(key: "volunteer_id") var volunteer: Volunteer
    /// Koordinator, Wakil, Anggota…
    @Field(key: "position") var position: String

    init() {}
}

/// A disaster the task force responds to, inside the city or outside it.
final class Incident: Model, @unchecked Sendable {
    static let schema = "incidents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "title") var title: String
    /// banjir, gempa, longsor, kebakaran, angin, lainnya
    @Field(key: "hazard") var hazard: String
    /// Kelurahan hit, when inside the branch's territory.
    @OptionalField(key: "region_code") var regionCode: String?
    /// Free text location, e.g. "Kab. Cianjur, Jawa Barat" for a deployment outside.
    @Field(key: "location") var location: String
    @Field(key: "outside") var outside: Bool
    @Field(key: "started_on") var startedOn: String
    @OptionalField(key: "closed_on") var closedOn: String?

    init() {}
}

/// A volunteer sent to an incident; each shift is checked in and out.
final class Deployment: Model, @unchecked Sendable {
    static let schema = "deployments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "incident_id") var incident: Incident
    @Parent(key: "volunteer_id") var volunteer: Volunteer
    @Field(key: "scope") var scope: String
    @Field(key: "task") var task: String
    @Field(key: "check_in_at") var checkInAt: Date
    @OptionalField(key: "check_out_at") var checkOutAt: Date?
    @OptionalField(key: "minutes") var minutes: Int?

    init() {}
}

struct CreateVolunteers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(Volunteer.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("skills", .string, .required)
            .field("available", .bool, .required)
            .field("motivation", .string)
            .field("registered_at", .datetime, .required)
            .field("updated_at", .datetime)
            .unique(on: "person_id")
            .create()
        try await sql.create(index: "volunteers_scope_idx").on(Volunteer.schema).column("scope").column("status").run()
        try await database.schema(SelectionDecision.schema)
            .id()
            .field("volunteer_id", .uuid, .required, .references(Volunteer.schema, "id"))
            .field("stage", .string, .required)
            .field("passed", .bool, .required)
            .field("reason", .string, .required)
            .field("decided_by", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.schema(VolunteerCertificate.schema)
            .id()
            .field("volunteer_id", .uuid, .required, .references(Volunteer.schema, "id"))
            .field("name", .string, .required)
            .field("issuer", .string, .required)
            .field("number", .string)
            .field("valid_until", .string)
            .create()
        try await database.schema(TaskForceDecree.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("number", .string, .required)
            .field("title", .string, .required)
            .field("issued_on", .string, .required)
            .field("valid_until", .string)
            .unique(on: "number")
            .create()
        try await database.schema(DecreeMember.schema)
            .id()
            .field("decree_id", .uuid, .required, .references(TaskForceDecree.schema, "id"))
            .field("volunteer_id", .uuid, .required, .references(Volunteer.schema, "id"))
            .field("position", .string, .required)
            .unique(on: "decree_id", "volunteer_id")
            .create()
        try await database.schema(Incident.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("title", .string, .required)
            .field("hazard", .string, .required)
            .field("region_code", .string, .references(Region.schema, "code"))
            .field("location", .string, .required)
            .field("outside", .bool, .required)
            .field("started_on", .string, .required)
            .field("closed_on", .string)
            .create()
        try await database.schema(Deployment.schema)
            .id()
            .field("incident_id", .uuid, .required, .references(Incident.schema, "id"))
            .field("volunteer_id", .uuid, .required, .references(Volunteer.schema, "id"))
            .field("scope", .string, .required)
            .field("task", .string, .required)
            .field("check_in_at", .datetime, .required)
            .field("check_out_at", .datetime)
            .field("minutes", .int)
            .create()
        try await sql.create(index: "deployments_volunteer_idx").on(Deployment.schema).column("volunteer_id").column("check_out_at").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX volunteers_scope_pattern_idx ON volunteers (scope text_pattern_ops)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [Deployment.schema, Incident.schema, DecreeMember.schema, TaskForceDecree.schema,
                       VolunteerCertificate.schema, SelectionDecision.schema, Volunteer.schema] {
            try await database.schema(schema).delete()
        }
    }
}
