import Fluent
import Foundation
import SimpulCore
import Vapor

/// Pemilu for one body (e.g. DPRD Kota Serang 2024): its dapil, parties and results.
/// It belongs to the org unit of the body's region (`scope`), which decides who sees it.
final class Election: Model, @unchecked Sendable {
    static let schema = "elections"

    @ID(key: .id) var id: UUID?
    /// Stable key for reference data and imports, e.g. "dprd-kota-serang-2024".
    @Field(key: "key") var key: String
    @Field(key: "name") var name: String
    @Field(key: "year") var year: Int
    /// "dprd_kabkota", "dprd_provinsi" or "dpr".
    @Field(key: "body") var body: String
    @Field(key: "region_code") var regionCode: String
    @Field(key: "scope") var scope: String
    @Field(key: "total_seats") var totalSeats: Int
    /// National threshold in basis points (400 = 4% for DPR); 0 for DPRD.
    @Field(key: "threshold_bp") var thresholdBasisPoints: Int
    /// "Partai kita": the party the planner works for.
    @OptionalField(key: "own_party_id") var ownPartyID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var path: OrgPath { OrgPath(rawValue: scope) }

    static let bodyLabels = ["dprd_kabkota": "DPRD Kabupaten/Kota", "dprd_provinsi": "DPRD Provinsi", "dpr": "DPR"]
}

/// Daerah pemilihan: seats and the kecamatan/kelurahan it covers.
final class Dapil: Model, @unchecked Sendable {
    /// Creates a dapil with its areas (region codes).
    @discardableResult
    static func insert(election: UUID, number: Int, name: String, seats: Int, areas: [String], on db: any Database) async throws -> Dapil {
        let dapil = Dapil()
        dapil.$election.id = election
        dapil.number = number
        dapil.name = name
        dapil.seats = seats
        try await dapil.create(on: db)
        for code in areas {
            let area = DapilArea()
            area.$dapil.id = try dapil.requireID()
            area.regionCode = code
            try await area.create(on: db)
        }
        return dapil
    }

    static let schema = "dapils"

    @ID(key: .id) var id: UUID?
    @Parent(key: "election_id") var election: Election
    @Field(key: "number") var number: Int
    @Field(key: "name") var name: String
    @Field(key: "seats") var seats: Int
    @Children(for: \.$dapil) var areas: [DapilArea]

    init() {}
}

final class DapilArea: Model, @unchecked Sendable {
    static let schema = "dapil_areas"

    @ID(key: .id) var id: UUID?
    @Parent(key: "dapil_id") var dapil: Dapil
    /// A kecamatan code covers all its kelurahan.
    @Field(key: "region_code") var regionCode: String

    init() {}
}

/// A party on the ballot of one election.
final class Party: Model, @unchecked Sendable {
    @discardableResult
    static func insert(election: UUID, number: Int, abbreviation: String, name: String, on db: any Database) async throws -> Party {
        let party = Party()
        party.$election.id = election
        party.number = number
        party.abbreviation = abbreviation
        party.name = name
        try await party.create(on: db)
        return party
    }

    static let schema = "parties"

    @ID(key: .id) var id: UUID?
    @Parent(key: "election_id") var election: Election
    @Field(key: "number") var number: Int
    @Field(key: "abbreviation") var abbreviation: String
    @Field(key: "name") var name: String

    init() {}
}

/// Official (or imported) valid votes: per dapil, per area where known ("" = the whole
/// dapil), per party, and per candidate ("" = the party's total incl. its candidates).
final class AreaResult: Model, @unchecked Sendable {
    static let schema = "area_results"

    @ID(key: .id) var id: UUID?
    @Field(key: "election_id") var electionID: UUID
    @Field(key: "dapil_id") var dapilID: UUID
    @Field(key: "region_code") var regionCode: String
    @Field(key: "party_id") var partyID: UUID
    @Field(key: "candidate") var candidate: String
    @OptionalField(key: "candidate_sex") var candidateSex: String?
    @Field(key: "votes") var votes: Int

    init() {}
}

/// Voters per area: registered (DPT), who voted, valid and invalid ballots.
final class AreaTurnout: Model, @unchecked Sendable {
    static let schema = "area_turnouts"

    @ID(key: .id) var id: UUID?
    @Field(key: "election_id") var electionID: UUID
    @Field(key: "region_code") var regionCode: String
    @Field(key: "registered") var registered: Int
    @Field(key: "voters") var voters: Int
    @Field(key: "valid") var valid: Int
    @Field(key: "invalid") var invalid: Int

    init() {}
}

struct CreateElectoral: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Election.schema)
            .id()
            .field("key", .string, .required).unique(on: "key")
            .field("name", .string, .required)
            .field("year", .int, .required)
            .field("body", .string, .required)
            .field("region_code", .string, .required)
            .field("scope", .string, .required)
            .field("total_seats", .int, .required)
            .field("threshold_bp", .int, .required)
            .field("own_party_id", .uuid)
            .field("created_at", .datetime)
            .create()
        try await db.schema(Dapil.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("name", .string, .required)
            .field("seats", .int, .required)
            .unique(on: "election_id", "number")
            .create()
        try await db.schema(DapilArea.schema)
            .id()
            .field("dapil_id", .uuid, .required, .references(Dapil.schema, "id", onDelete: .cascade))
            .field("region_code", .string, .required)
            .unique(on: "dapil_id", "region_code")
            .create()
        try await db.schema(Party.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("abbreviation", .string, .required)
            .field("name", .string, .required)
            .unique(on: "election_id", "number")
            .create()
        try await db.schema(AreaResult.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("dapil_id", .uuid, .required, .references(Dapil.schema, "id", onDelete: .cascade))
            .field("region_code", .string, .required)
            .field("party_id", .uuid, .required, .references(Party.schema, "id", onDelete: .cascade))
            .field("candidate", .string, .required)
            .field("candidate_sex", .string)
            .field("votes", .int, .required)
            .unique(on: "election_id", "dapil_id", "region_code", "party_id", "candidate")
            .create()
        try await db.schema(AreaTurnout.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("region_code", .string, .required)
            .field("registered", .int, .required)
            .field("voters", .int, .required)
            .field("valid", .int, .required)
            .field("invalid", .int, .required)
            .unique(on: "election_id", "region_code")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [AreaTurnout.schema, AreaResult.schema, Party.schema, DapilArea.schema, Dapil.schema, Election.schema] {
            try await db.schema(schema).delete()
        }
    }
}

/// The saksi role arrived with the electoral module.
struct AddWitnessRole: AsyncMigration {
    func prepare(on db: any Database) async throws {
        _ = try await db.enum("role").case("saksi").update()
    }

    func revert(on db: any Database) async throws {
        _ = try await db.enum("role").deleteCase("saksi").update()
    }
}
