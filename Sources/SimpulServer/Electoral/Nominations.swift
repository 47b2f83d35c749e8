import Fluent
import Foundation
import SimpulCore
import Vapor

/// BCAD — bakal calon anggota DPRD: a person proposed for a dapil, by a member from a
/// phone or by an official, and screened in stages before a list is built.
final class Nomination: Model, @unchecked Sendable {
    static let schema = "nominations"

    enum Stage: String, Codable, Sendable, CaseIterable {
        /// Diusulkan.
        case proposed
        /// Seleksi administrasi (documents, eligibility).
        case administrative
        case interview
        /// Survei elektabilitas (score 0–100).
        case survey
        /// Keputusan: accepted or rejected.
        case decided

        var label: String {
            switch self {
            case .proposed: return "Diusulkan"
            case .administrative: return "Seleksi administrasi"
            case .interview: return "Wawancara"
            case .survey: return "Survei"
            case .decided: return "Diputuskan"
            }
        }
    }

    enum Decision: String, Codable, Sendable {
        case accepted, rejected

        var label: String { self == .accepted ? "Diterima" : "Ditolak" }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "election_id") var electionID: UUID
    @Field(key: "dapil_id") var dapilID: UUID
    @Parent(key: "person_id") var person: Person
    /// The proposing member's person record (nil when an official entered it directly).
    @OptionalField(key: "proposer_person_id") var proposerPersonID: UUID?
    @OptionalField(key: "proposer_user_id") var proposerUserID: UUID?
    @Field(key: "reason") var reason: String
    @Field(key: "stage") var stage: String
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "survey_score") var surveyScore: Int?
    @Field(key: "scope") var scope: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var stageValue: Stage { Stage(rawValue: stage) ?? .proposed }
    var decisionValue: Decision? { decision.flatMap(Decision.init(rawValue:)) }
}

/// A member backing a proposal.
final class NominationSupporter: Model, @unchecked Sendable {
    static let schema = "nomination_supporters"

    @ID(key: .id) var id: UUID?
    @Field(key: "nomination_id") var nominationID: UUID
    @Field(key: "person_id") var personID: UUID

    init() {}
}

/// One screening step: the stage, its outcome and the official's note.
final class NominationStep: Model, @unchecked Sendable {
    static let schema = "nomination_steps"

    @ID(key: .id) var id: UUID?
    @Field(key: "nomination_id") var nominationID: UUID
    @Field(key: "stage") var stage: String
    /// "lulus", "tidak_lulus", "diterima", "ditolak" or "catatan".
    @Field(key: "outcome") var outcome: String
    @Field(key: "note") var note: String
    @OptionalField(key: "score") var score: Int?
    @Field(key: "username") var username: String
    @Timestamp(key: "at", on: .create) var at: Date?

    init() {}
}

/// The party's list of candidates for one dapil (daftar bakal calon), saved only when
/// it passes the law (SimpulCore.CandidateListRules) and nobody on it stands elsewhere.
final class CandidateListEntry: Model, @unchecked Sendable {
    static let schema = "candidate_list_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "election_id") var electionID: UUID
    @Field(key: "dapil_id") var dapilID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "position") var position: Int
    @Parent(key: "person_id") var person: Person

    init() {}
}

struct CreateNominations: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Nomination.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("dapil_id", .uuid, .required, .references(Dapil.schema, "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("proposer_person_id", .uuid)
            .field("proposer_user_id", .uuid)
            .field("reason", .string, .required)
            .field("stage", .string, .required)
            .field("decision", .string)
            .field("survey_score", .int)
            .field("scope", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "election_id", "dapil_id", "person_id")
            .create()
        try await db.schema(NominationSupporter.schema)
            .id()
            .field("nomination_id", .uuid, .required, .references(Nomination.schema, "id", onDelete: .cascade))
            .field("person_id", .uuid, .required)
            .unique(on: "nomination_id", "person_id")
            .create()
        try await db.schema(NominationStep.schema)
            .id()
            .field("nomination_id", .uuid, .required, .references(Nomination.schema, "id", onDelete: .cascade))
            .field("stage", .string, .required)
            .field("outcome", .string, .required)
            .field("note", .string, .required)
            .field("score", .int)
            .field("username", .string, .required)
            .field("at", .datetime)
            .create()
        try await db.schema(CandidateListEntry.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("dapil_id", .uuid, .required, .references(Dapil.schema, "id", onDelete: .cascade))
            .field("year", .int, .required)
            .field("position", .int, .required)
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .unique(on: "dapil_id", "position")
            // One person on one list per election year: not two dapil, not two levels.
            .unique(on: "year", "person_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [CandidateListEntry.schema, NominationStep.schema, NominationSupporter.schema, Nomination.schema] {
            try await db.schema(schema).delete()
        }
    }
}
