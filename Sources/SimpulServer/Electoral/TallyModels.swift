import Fluent
import Foundation
import SQLKit
import SimpulCore
import Vapor

/// Tempat pemungutan suara. It belongs to its kelurahan's org unit (`scope`), so a
/// witness or official granted on that kelurahan reaches it and nobody else below the city.
final class PollingStation: Model, @unchecked Sendable {
    static let schema = "polling_stations"

    enum Status: String, Codable, Sendable {
        /// No tally yet.
        case waiting
        /// A tally is counted.
        case reported
        /// Two different tallies arrived; the first still counts until an official decides.
        case conflict
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "election_id") var electionID: UUID
    @Field(key: "dapil_id") var dapilID: UUID
    /// Kelurahan code.
    @Field(key: "region_code") var regionCode: String
    @Field(key: "number") var number: Int
    /// Pemilih terdaftar (DPT + DPTb + DPK).
    @Field(key: "registered") var registered: Int
    @Field(key: "scope") var scope: String
    @Enum(key: "status") var status: Status
    @OptionalField(key: "accepted_submission_id") var acceptedSubmissionID: UUID?
    @OptionalField(key: "reported_at") var reportedAt: Date?

    init() {}

    var label: String { Self.label(number) }

    /// "TPS 007": the number with at least three digits.
    static func label(_ number: Int) -> String {
        guard number >= 0 else { return "TPS \(String(format: "%03d", number))" }
        let digits = String(number)
        return digits.count >= 3 ? "TPS " + digits : "TPS " + String(repeating: "0", count: 3 - digits.count) + digits
    }
}

final class WitnessAssignment: Model, @unchecked Sendable {
    static let schema = "witness_assignments"

    @ID(key: .id) var id: UUID?
    @Field(key: "polling_station_id") var pollingStationID: UUID
    @Field(key: "user_id") var userID: UUID

    init() {}
}

/// Every tally ever sent, kept: the history of a TPS is its submissions in order.
final class TallySubmission: Model, @unchecked Sendable {
    static let schema = "tally_submissions"

    enum Status: String, Codable, Sendable {
        /// Counts in the roll-up.
        case accepted
        /// The same numbers as the accepted one (a resend): kept, not counted twice.
        case duplicate
        /// Different numbers from the accepted one: waits for an official.
        case conflict
        /// Was accepted, then an official chose another submission.
        case superseded
        /// An official decided against it.
        case rejected

        var label: String {
            switch self {
            case .accepted: return "Dihitung"
            case .duplicate: return "Kiriman ulang (sama)"
            case .conflict: return "Berbeda — perlu ditinjau"
            case .superseded: return "Diganti"
            case .rejected: return "Ditolak"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "polling_station_id") var pollingStationID: UUID
    @Field(key: "election_id") var electionID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "username") var username: String
    /// The sender's own id for this form: a retry with the same id is answered, not stored again.
    @OptionalField(key: "client_ref") var clientRef: String?
    /// The TallySheet as JSON, party and candidate keys being party ids.
    @Field(key: "sheet") var sheetJSON: String
    @Field(key: "voters_present") var votersPresent: Int
    @Field(key: "valid_votes") var validVotes: Int
    @Field(key: "invalid_votes") var invalidVotes: Int
    @Enum(key: "status") var status: Status
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "decided_by") var decidedBy: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var sheet: TallySheet? { try? JSONDecoder().decode(TallySheet.self, from: Data(sheetJSON.utf8)) }
}

/// Accepted votes summed per kelurahan, per party ("" candidate = the party's valid total)
/// and per candidate; kept up to date in the transaction that accepts or replaces a tally,
/// so the roll-up reads kelurahan totals instead of every TPS.
enum TallyTotals {
    static let schema = "tally_totals"
    static let dapilSchema = "tally_dapil_totals"

    /// Adds (sign +1) or removes (sign -1) sheets' votes: summed per kelurahan, party
    /// and candidate, and per dapil and party, one upsert statement each.
    static func apply(_ sheets: [(station: PollingStation, sheet: TallySheet)], sign: Int, on db: any Database) async throws {
        try await apply(sheets.map { (Place(election: $0.station.electionID, dapil: $0.station.dapilID, region: $0.station.regionCode), $0.sheet) },
                        sign: sign, on: db)
    }

    /// Where a TPS's votes are summed: its election, dapil and kelurahan.
    struct Place: Sendable {
        let election: UUID
        let dapil: UUID
        let region: String
    }

    static func apply(_ sheets: [(place: Place, sheet: TallySheet)], sign: Int, on db: any Database) async throws {
        struct AreaKey: Hashable { let election: UUID; let dapil: UUID; let region: String; let party: String; let candidate: String }
        struct DapilKey: Hashable { let election: UUID; let dapil: UUID; let party: String }
        var areas: [AreaKey: Int] = [:]
        var dapils: [DapilKey: Int] = [:]
        for (place, sheet) in sheets {
            for (party, v) in sheet.totals where v != 0 {
                areas[AreaKey(election: place.election, dapil: place.dapil, region: place.region, party: party, candidate: ""), default: 0] += sign * v
                dapils[DapilKey(election: place.election, dapil: place.dapil, party: party), default: 0] += sign * v
            }
            for (party, candidates) in sheet.candidateVotes {
                for (name, v) in candidates where v != 0 {
                    areas[AreaKey(election: place.election, dapil: place.dapil, region: place.region, party: party, candidate: name), default: 0] += sign * v
                }
            }
        }
        let sql = db as! any SQLDatabase
        for chunk in Array(areas).chunked(300) {
            var query = SQLQueryString("INSERT INTO tally_totals (election_id, dapil_id, region_code, party_id, candidate, votes) VALUES ")
            for (i, (k, v)) in chunk.enumerated() {
                if i > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(SQLQueryString("(\(bind: k.election), \(bind: k.dapil), \(bind: k.region), \(bind: UUID(uuidString: k.party)!), \(bind: k.candidate), \(bind: v))"))
            }
            query.appendLiteral(" ON CONFLICT (election_id, region_code, party_id, candidate) DO UPDATE SET votes = tally_totals.votes + excluded.votes")
            try await sql.raw(query).run()
        }
        for chunk in Array(dapils).chunked(300) {
            var query = SQLQueryString("INSERT INTO tally_dapil_totals (election_id, dapil_id, party_id, votes) VALUES ")
            for (i, (k, v)) in chunk.enumerated() {
                if i > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(SQLQueryString("(\(bind: k.election), \(bind: k.dapil), \(bind: UUID(uuidString: k.party)!), \(bind: v))"))
            }
            query.appendLiteral(" ON CONFLICT (election_id, dapil_id, party_id) DO UPDATE SET votes = tally_dapil_totals.votes + excluded.votes")
            try await sql.raw(query).run()
        }
    }
}

struct CreateTallies: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let stationStatus = try await db.enum("polling_station_status").case("waiting").case("reported").case("conflict").create()
        try await db.schema(PollingStation.schema)
            .id()
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("dapil_id", .uuid, .required, .references(Dapil.schema, "id", onDelete: .cascade))
            .field("region_code", .string, .required)
            .field("number", .int, .required)
            .field("registered", .int, .required)
            .field("scope", .string, .required)
            .field("status", stationStatus, .required)
            .field("accepted_submission_id", .uuid)
            .field("reported_at", .datetime)
            .unique(on: "election_id", "region_code", "number")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "polling_stations_scope_idx").on(PollingStation.schema).column("scope").run()
        try await sql.create(index: "polling_stations_rollup_idx").on(PollingStation.schema)
            .column("election_id").column("dapil_id").column("status").run()
        try await db.schema(WitnessAssignment.schema)
            .id()
            .field("polling_station_id", .uuid, .required, .references(PollingStation.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .unique(on: "polling_station_id", "user_id")
            .create()
        try await sql.create(index: "witness_assignments_user_idx").on(WitnessAssignment.schema).column("user_id").run()
        let submissionStatus = try await db.enum("tally_submission_status")
            .case("accepted").case("duplicate").case("conflict").case("superseded").case("rejected").create()
        try await db.schema(TallySubmission.schema)
            .id()
            .field("polling_station_id", .uuid, .required, .references(PollingStation.schema, "id", onDelete: .cascade))
            .field("election_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("username", .string, .required)
            .field("client_ref", .string)
            .field("sheet", .string, .required)
            .field("voters_present", .int, .required)
            .field("valid_votes", .int, .required)
            .field("invalid_votes", .int, .required)
            .field("status", submissionStatus, .required)
            .field("note", .string)
            .field("decided_by", .string)
            .field("created_at", .datetime)
            .unique(on: "polling_station_id", "client_ref")
            .create()
        try await sql.create(index: "tally_submissions_station_idx").on(TallySubmission.schema).column("polling_station_id").run()
        try await db.schema(TallyTotals.schema)
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("dapil_id", .uuid, .required)
            .field("region_code", .string, .required)
            .field("party_id", .uuid, .required)
            .field("candidate", .string, .required)
            .field("votes", .int, .required)
            .unique(on: "election_id", "region_code", "party_id", "candidate")
            .create()
        try await db.schema(TallyTotals.dapilSchema)
            .field("election_id", .uuid, .required, .references(Election.schema, "id", onDelete: .cascade))
            .field("dapil_id", .uuid, .required)
            .field("party_id", .uuid, .required)
            .field("votes", .int, .required)
            .unique(on: "election_id", "dapil_id", "party_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [TallyTotals.dapilSchema, TallyTotals.schema, TallySubmission.schema, WitnessAssignment.schema, PollingStation.schema] {
            try await db.schema(schema).delete()
        }
        try await db.enum("tally_submission_status").delete()
        try await db.enum("polling_station_status").delete()
    }
}
