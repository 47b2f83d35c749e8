import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A member's rung on the cadre ladder. No row means Anggota since activation.
final class CadreProfile: Model, @unchecked Sendable {
    static let schema = "cadre_profiles"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "level") var level: Int
    /// ISO date the current rung was reached.
    @Field(key: "since") var since: String
    /// ISO date the person first became a cadre (Kader Pratama or above): growth targets count this.
    @OptionalField(key: "cadre_since") var cadreSince: String?
    /// Org path of the member's unit, kept in step with the membership.
    @Field(key: "scope") var scope: String

    init() {}

    var cadreLevel: CadreLevel { CadreLevel(rawValue: level) ?? .anggota }
}

/// Kenaikan jenjang: who was promoted, by whom, why. Never edited.
final class CadrePromotion: Model, @unchecked Sendable {
    static let schema = "cadre_promotions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "from_level") var fromLevel: Int
    @Field(key: "to_level") var toLevel: Int
    @Field(key: "promoted_on") var on: String
    @Field(key: "reason") var reason: String
    /// The requirements were not all met and the official said so.
    @Field(key: "exception") var exception: Bool
    @Field(key: "decided_by") var decidedBy: UUID
    @Field(key: "scope") var scope: String

    init() {}
}

/// Kontribusi: work an official credits to a member (campaigning, recruiting, service).
final class CadreContribution: Model, @unchecked Sendable {
    static let schema = "cadre_contributions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "done_on") var on: String
    @Field(key: "activity") var activity: String
    @Field(key: "points") var points: Int
    @Field(key: "recorded_by") var recordedBy: UUID
    @Field(key: "scope") var scope: String

    init() {}
}

/// Pelatihan: a training programme held by an org unit.
final class Training: Model, @unchecked Sendable {
    static let schema = "trainings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "title") var title: String
    /// The rung this training opens (1–3), or 0 for a thematic training.
    @Field(key: "tier") var tier: Int
    /// e.g. "KPPI Kota Serang"; the unit's name when empty.
    @OptionalField(key: "organiser") var organiser: String?
    /// Who it is for, e.g. "Kader perempuan lintas partai".
    @OptionalField(key: "audience") var audience: String?
    /// Topics, one per line.
    @Field(key: "curriculum") var curriculum: String
    @Field(key: "location") var location: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    /// Share of sessions needed for a certificate.
    @Field(key: "minimum_attendance") var minimumAttendance: Int
    @OptionalField(key: "certificates_issued_at") var certificatesIssuedAt: Date?
    @Field(key: "created_by") var createdBy: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var level: CadreLevel? { tier == 0 ? nil : CadreLevel(rawValue: tier) }
    var topics: [String] { curriculum.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}

/// Sesi: one block of the curriculum, with its trainer.
final class TrainingSession: Model, @unchecked Sendable {
    static let schema = "training_sessions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "training_id") var training: Training
    @Field(key: "title") var title: String
    @Field(key: "trainer") var trainer: String
    @Field(key: "day") var day: String
    /// "08:00".
    @Field(key: "starts_at") var startsAt: String

    init() {}
}

/// Peserta: a member (person) or a guest (name, organisation, phone encrypted like
/// everywhere else), with the certificate once issued.
final class TrainingParticipant: Model, @unchecked Sendable {
    static let schema = "training_participants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "training_id") var training: Training
    @OptionalParent(key: "person_id") var person: Person?
    @Field(key: "full_name") var fullName: String
    /// KTA number for members; the guest's party or organisation otherwise.
    @OptionalField(key: "member_number") var memberNumber: String?
    @OptionalField(key: "organisation") var organisation: String?
    @OptionalField(key: "phone_cipher") var phoneCipher: String?
    @OptionalField(key: "phone_masked") var phoneMasked: String?
    @OptionalField(key: "certificate_code") var certificateCode: String?
    @OptionalField(key: "certificate_issued_at") var certificateIssuedAt: Date?
    @Field(key: "scope") var scope: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var isGuest: Bool { $person.id == nil }
}

/// Presensi: one participant present at one session.
final class TrainingAttendance: Model, @unchecked Sendable {
    static let schema = "training_attendance"

    enum Method: String, Codable, Sendable {
        /// Pindai e-KTA (QR) atau ketik nomor KTA.
        case card
        /// Dicentang dari daftar peserta.
        case list
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "participant_id") var participant: TrainingParticipant
    @Parent(key: "session_id") var session: TrainingSession
    @Field(key: "method") var method: String
    @Field(key: "at") var at: Date
    @Field(key: "recorded_by") var recordedBy: UUID

    init() {}
}

/// Target pertumbuhan: e.g. +50 % cadres in two years for a DPD and each unit below it.
final class GrowthTarget: Model, @unchecked Sendable {
    static let schema = "growth_targets"

    enum Measure: String, Codable, Sendable, CaseIterable {
        /// Kader: Kader Pratama and above.
        case cadres
        /// Anggota aktif.
        case members

        var label: String { self == .cadres ? "Kader (Pratama ke atas)" : "Anggota aktif" }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "title") var title: String
    @Field(key: "measure") var measure: String
    @Field(key: "percent") var percent: Int
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "deadline") var deadline: String
    /// Count on the start day, fixed when the target is set.
    @Field(key: "baseline") var baseline: Int
    @Field(key: "target") var target: Int
    @Field(key: "created_by") var createdBy: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var kind: Measure { Measure(rawValue: measure) ?? .cadres }
}

struct CreateCadre: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(CadreProfile.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("level", .int, .required)
            .field("since", .string, .required)
            .field("cadre_since", .string)
            .field("scope", .string, .required)
            .unique(on: "person_id")
            .create()
        try await sql.create(index: "cadre_profiles_scope_idx").on(CadreProfile.schema).column("scope").run()
        try await database.schema(CadrePromotion.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("from_level", .int, .required)
            .field("to_level", .int, .required)
            .field("promoted_on", .string, .required)
            .field("reason", .string, .required)
            .field("exception", .bool, .required)
            .field("decided_by", .uuid, .required)
            .field("scope", .string, .required)
            .create()
        try await sql.create(index: "cadre_promotions_person_idx").on(CadrePromotion.schema).column("person_id").run()
        try await database.schema(CadreContribution.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("done_on", .string, .required)
            .field("activity", .string, .required)
            .field("points", .int, .required)
            .field("recorded_by", .uuid, .required)
            .field("scope", .string, .required)
            .create()
        try await sql.create(index: "cadre_contributions_person_idx").on(CadreContribution.schema).column("person_id").run()
        try await database.schema(Training.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("title", .string, .required)
            .field("tier", .int, .required)
            .field("organiser", .string)
            .field("audience", .string)
            .field("curriculum", .string, .required)
            .field("location", .string, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("minimum_attendance", .int, .required)
            .field("certificates_issued_at", .datetime)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime)
            .create()
        try await sql.create(index: "trainings_scope_idx").on(Training.schema).column("scope").column("starts_on").run()
        try await database.schema(TrainingSession.schema)
            .id()
            .field("training_id", .uuid, .required, .references(Training.schema, "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("trainer", .string, .required)
            .field("day", .string, .required)
            .field("starts_at", .string, .required)
            .create()
        try await sql.create(index: "training_sessions_training_idx").on(TrainingSession.schema).column("training_id").run()
        try await database.schema(TrainingParticipant.schema)
            .id()
            .field("training_id", .uuid, .required, .references(Training.schema, "id", onDelete: .cascade))
            .field("person_id", .uuid, .references(Person.schema, "id", onDelete: .setNull))
            .field("full_name", .string, .required)
            .field("member_number", .string)
            .field("organisation", .string)
            .field("phone_cipher", .string)
            .field("phone_masked", .string)
            .field("certificate_code", .string)
            .field("certificate_issued_at", .datetime)
            .field("scope", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "training_id", "person_id")
            .unique(on: "certificate_code")
            .create()
        try await sql.create(index: "training_participants_person_idx").on(TrainingParticipant.schema).column("person_id").run()
        try await database.schema(TrainingAttendance.schema)
            .id()
            .field("participant_id", .uuid, .required, .references(TrainingParticipant.schema, "id", onDelete: .cascade))
            .field("session_id", .uuid, .required, .references(TrainingSession.schema, "id", onDelete: .cascade))
            .field("method", .string, .required)
            .field("at", .datetime, .required)
            .field("recorded_by", .uuid, .required)
            .unique(on: "participant_id", "session_id")
            .create()
        try await database.schema(GrowthTarget.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("title", .string, .required)
            .field("measure", .string, .required)
            .field("percent", .int, .required)
            .field("starts_on", .string, .required)
            .field("deadline", .string, .required)
            .field("baseline", .int, .required)
            .field("target", .int, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [GrowthTarget.schema, TrainingAttendance.schema, TrainingParticipant.schema, TrainingSession.schema,
                       Training.schema, CadreContribution.schema, CadrePromotion.schema, CadreProfile.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// Person merges (People › duplicates) move cadre records to the kept person. Two cadre
/// profiles keep the higher rung; a training both attended keeps the kept person's row.
enum CadreRecords {
    static func movePerson(from other: UUID, to keep: UUID, on db: any Database) async throws {
        let profiles = try await CadreProfile.query(on: db).filter(\.$person.$id ~~ [other, keep]).all()
        if let drop = profiles.first(where: { $0.$person.id == other }) {
            if let stay = profiles.first(where: { $0.$person.id == keep }) {
                if drop.level > stay.level { (stay.level, stay.since) = (drop.level, drop.since) }
                stay.cadreSince = [stay.cadreSince, drop.cadreSince].compactMap { $0 }.min()
                try await drop.delete(on: db)
                try await stay.save(on: db)
            } else {
                drop.$person.id = keep
                try await drop.save(on: db)
            }
        }
        let kept = Set(try await TrainingParticipant.query(on: db).filter(\.$person.$id == keep).all().map(\.$training.id))
        for p in try await TrainingParticipant.query(on: db).filter(\.$person.$id == other).all() {
            if kept.contains(p.$training.id) { try await p.delete(on: db) } else {
                p.$person.id = keep
                try await p.save(on: db)
            }
        }
        try await CadrePromotion.query(on: db).filter(\.$person.$id == other).set(\.$person.$id, to: keep).update()
        try await CadreContribution.query(on: db).filter(\.$person.$id == other).set(\.$person.$id, to: keep).update()
    }
}
