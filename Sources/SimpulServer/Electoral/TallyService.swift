import Fluent
import Foundation
import SQLKit
import SimpulCore
import Vapor

/// A tally as a witness sends it: parties and candidates by ballot number.
struct TallyInput: Content, Sendable {
    /// The sender's id for this form (retries with the same id are answered, not doubled).
    var clientRef: String?
    var votersPresent: Int
    var validVotes: Int
    var invalidVotes: Int
    /// Party ballot number → votes for the party only.
    var parties: [String: Int]
    /// Party ballot number → candidate name → votes.
    var candidates: [String: [String: Int]]?
}

struct TallyReceipt: Content {
    let submission: UUID
    let station: String
    /// accepted, duplicate or conflict.
    let status: String
    let message: String
}

enum TallyService {
    /// An election's parties as the tally check needs them: by ballot number, and their
    /// names for messages (built once per election, not once per tally).
    struct PartyTable: Sendable {
        /// Ballot number ("8") → party id (upper-case UUID text, the sheet's key).
        let idByNumber: [String: String]
        /// Party id → "8 PKS".
        let names: [String: String]

        init(_ parties: [Party]) {
            idByNumber = Dictionary(parties.map { (String($0.number), $0.id!.uuidString) }) { a, _ in a }
            names = Dictionary(parties.map { ($0.id!.uuidString, "\($0.number) \($0.abbreviation)") }) { a, _ in a }
        }
    }

    /// The input as a sheet keyed by party ids, checked: unknown party numbers and every
    /// arithmetic problem come back as one ValidationFailure naming the C.Hasil fields.
    static func sheet(_ input: TallyInput, station: PollingStation, parties: [Party]) throws -> TallySheet {
        try sheet(input, registered: station.registered, label: station.label, parties: PartyTable(parties))
    }

    /// The same for a TPS with `registered` voters, `label` naming it in messages.
    static func sheet(_ input: TallyInput, registered: Int, label: String, parties: PartyTable) throws -> TallySheet {
        var errors = FormErrors()
        var partyVotes: [String: Int] = [:]
        partyVotes.reserveCapacity(input.parties.count)
        for (number, v) in input.parties {
            guard let id = parties.idByNumber[number] ?? parties.idByNumber[number.trimmingCharacters(in: .whitespaces)] else {
                errors.add("parties.\(number)", "Partai nomor \(number) tidak ada dalam pemilu ini."); continue
            }
            partyVotes[id] = v
        }
        var candidateVotes: [String: [String: Int]] = [:]
        for (number, list) in input.candidates ?? [:] {
            guard let id = parties.idByNumber[number] else {
                errors.add("candidates.\(number)", "Partai nomor \(number) tidak ada dalam pemilu ini."); continue
            }
            candidateVotes[id] = list.filter { !$0.key.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        if let ref = input.clientRef, ref.count > 100 { errors.add("clientRef", "clientRef paling panjang 100 karakter.") }
        try errors.throwIfAny()
        let sheet = TallySheet(registeredVoters: registered, votersPresent: input.votersPresent,
                               validVotes: input.validVotes, invalidVotes: input.invalidVotes,
                               partyVotes: partyVotes, candidateVotes: candidateVotes)
        let problems = sheet.problems(partyNames: parties.names)
        if !problems.isEmpty {
            throw ValidationFailure(errors: problems.map { FieldError(field: $0.field, message: "\(label): \($0.message)") })
        }
        return sheet
    }

    /// The first statement of every tally transaction is a write to the TPS row: on
    /// PostgreSQL it locks the row, so submissions for one TPS queue up; on SQLite it takes
    /// the write lock before anything is read, so a concurrent commit can never leave this
    /// transaction on a stale snapshot (SQLITE_BUSY_SNAPSHOT).
    static func lockStation(_ station: PollingStation, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("UPDATE polling_stations SET status = status WHERE id = \(bind: station.requireID())").run()
    }

    static func receipt(_ s: TallySubmission, _ station: PollingStation) -> TallyReceipt {
        receipt(id: s.id!, status: s.status, label: station.label)
    }

    static func receipt(id: UUID, status: TallySubmission.Status, label: String) -> TallyReceipt {
        let message: String
        switch status {
        case .accepted: message = "Terima kasih. Hasil \(label) sudah dihitung."
        case .duplicate: message = "Hasil \(label) dengan angka yang sama sudah diterima sebelumnya; tidak dihitung dua kali."
        case .conflict: message = "Angka berbeda dengan kiriman sebelumnya untuk \(label). Kiriman disimpan dan akan ditinjau pengurus."
        case .superseded, .rejected: message = "Kiriman ini sudah diputuskan pengurus: \(status.label)."
        }
        return TallyReceipt(submission: id, station: label, status: status.rawValue, message: message)
    }

    /// An official chooses which submission counts for a TPS: the roll-up swaps the
    /// previous accepted numbers for the chosen ones; every other open one is rejected.
    static func resolve(station: PollingStation, choose chosenID: UUID, by username: String, note: String?, on db: any Database) async throws {
        try await db.transaction { tx in
            try await lockStation(station, on: tx)
            guard let current = try await PollingStation.find(station.requireID(), on: tx),
                  let chosen = try await TallySubmission.find(chosenID, on: tx), chosen.pollingStationID == current.id,
                  let newSheet = chosen.sheet
            else { throw Abort(.notFound, reason: "Kiriman tidak ditemukan untuk TPS ini.") }
            if let previousID = current.acceptedSubmissionID, previousID != chosenID,
               let previous = try await TallySubmission.find(previousID, on: tx), let oldSheet = previous.sheet {
                try await TallyTotals.apply([(current, oldSheet)], sign: -1, on: tx)
                previous.status = .superseded
                previous.decidedBy = username
                try await previous.update(on: tx)
            }
            if current.acceptedSubmissionID != chosenID {
                try await TallyTotals.apply([(current, newSheet)], sign: 1, on: tx)
            }
            chosen.status = .accepted
            chosen.decidedBy = username
            chosen.note = note
            try await chosen.update(on: tx)
            try await TallySubmission.query(on: tx).filter(\.$pollingStationID == current.requireID())
                .filter(\.$status == .conflict).filter(\.$id != chosenID)
                .set(\.$status, to: .rejected).set(\.$decidedBy, to: username).update()
            current.acceptedSubmissionID = chosenID
            current.status = .reported
            current.reportedAt = current.reportedAt ?? Date()
            try await current.update(on: tx)
        }
    }

    // MARK: Roll-up

    struct Rollup {
        struct Line {
            let code: String
            let name: String
            var stations = 0
            var reported = 0
            var conflicts = 0
            var votes: [String: Int] = [:]
        }
        /// Per dapil, with the seats Sainte-Laguë would give on the votes counted so far.
        var dapils: [(dapil: Dapil, line: Line, seats: [String: Int])]
        var kecamatan: [Line]
        var kelurahan: [Line]
        var totalStations: Int
        var reported: Int
        var conflicts: Int
    }

    /// Elections with more dapil than this show kecamatan and kelurahan lines only for
    /// one chosen dapil (a national roll-up has ~80,000 kelurahan).
    static let detailLimit = 50

    /// TPS → kelurahan → kecamatan → dapil, with projected seats per dapil: dapil votes
    /// come from the dapil totals kept with every accepted tally, TPS progress from one
    /// grouped count over the TPS index. Kecamatan and kelurahan lines cover
    /// the whole election when it is small, else only `dapil`.
    static func rollup(_ data: ElectionData, dapil: UUID? = nil, on db: any Database) async throws -> Rollup {
        // One read-only transaction: a consistent picture, and on PostgreSQL no JIT
        // compilation (it costs more than these index scans save).
        try await db.transaction { tx in
            if (tx as! any SQLDatabase).dialect.name != "sqlite" {
                try await (tx as! any SQLDatabase).raw("SET LOCAL jit = off").run()
            }
            return try await rollupQueries(data, dapil: dapil, on: tx)
        }
    }

    private static func rollupQueries(_ data: ElectionData, dapil: UUID?, on db: any Database) async throws -> Rollup {
        let sql = db as! any SQLDatabase
        let election = try data.election.requireID()
        struct Count: Decodable {
            let key: String
            let status: String
            let n: Int
        }
        struct Total {
            let key: String
            /// Party id, upper case.
            let party: String
            let votes: Int
        }
        // Dapil level: always. Votes come back as one packed row per dapil
        // ("party=votes,…"), 18 times fewer rows to decode for a national roll-up.
        let dapilCounts = try await sql.raw("""
            SELECT CAST(dapil_id AS TEXT) AS key, CAST(status AS TEXT) AS status, COUNT(*) AS n FROM polling_stations
            WHERE election_id = \(bind: election) GROUP BY dapil_id, status
            """).all(decoding: Count.self)
        struct Packed: Decodable {
            let key: String
            let packed: String
        }
        let concat: SQLQueryString = sql.dialect.name == "sqlite"
            ? "group_concat(CAST(party_id AS TEXT) || '=' || CAST(votes AS TEXT), ',')"
            : "string_agg(CAST(party_id AS TEXT) || '=' || CAST(votes AS TEXT), ',')"
        let packed = try await sql.raw("""
            SELECT CAST(dapil_id AS TEXT) AS key, \(concat) AS packed FROM tally_dapil_totals
            WHERE election_id = \(bind: election) GROUP BY dapil_id
            """).all(decoding: Packed.self)
        var dapilTotals: [Total] = []
        for p in packed {
            for pair in p.packed.split(separator: ",") {
                guard let eq = pair.firstIndex(of: "="), let votes = Int(pair[pair.index(after: eq)...]) else { continue }
                dapilTotals.append(Total(key: p.key, party: pair[..<eq].uppercased(), votes: votes))
            }
        }

        func lines(_ counts: [Count], _ totals: [Total], name: (String) -> String) -> [String: Rollup.Line] {
            var out: [String: Rollup.Line] = [:]
            for c in counts {
                var line = out[c.key] ?? .init(code: c.key, name: name(c.key))
                line.stations += c.n
                if c.status != PollingStation.Status.waiting.rawValue { line.reported += c.n }
                if c.status == PollingStation.Status.conflict.rawValue { line.conflicts += c.n }
                out[c.key] = line
            }
            for t in totals {
                out[t.key, default: .init(code: t.key, name: name(t.key))].votes[t.party, default: 0] += t.votes
            }
            return out
        }
        // SQLite stores UUIDs as text of its own case; compare case-insensitively.
        let byDapil = Dictionary(lines(dapilCounts, dapilTotals) { $0 }.map { ($0.key.uppercased(), $0.value) }) { a, _ in a }
        let dapils = data.dapils.map { d -> (Dapil, Rollup.Line, [String: Int]) in
            var line = byDapil[d.id!.uuidString.uppercased()] ?? .init(code: "", name: "")
            line = Rollup.Line(code: String(d.number), name: d.name, stations: line.stations, reported: line.reported,
                               conflicts: line.conflicts, votes: line.votes)
            var votes = Dictionary(uniqueKeysWithValues: data.parties.map { ($0.id!.uuidString, 0) })
            votes.merge(line.votes) { _, new in new }
            return (d, line, SainteLague.allocate(votes: votes, seats: d.seats))
        }

        // Kecamatan and kelurahan: the whole election when small, else one dapil.
        var kecamatan: [Rollup.Line] = []
        var kelurahan: [Rollup.Line] = []
        if data.dapils.count <= detailLimit || dapil != nil {
            let filter: SQLQueryString = dapil.map { " AND dapil_id = \(bind: $0)" } ?? ""
            let counts = try await sql.raw("""
                SELECT region_code AS key, CAST(status AS TEXT) AS status, COUNT(*) AS n FROM polling_stations
                WHERE election_id = \(bind: election)\(filter) GROUP BY region_code, status
                """).all(decoding: Count.self)
            struct Row: Decodable {
                let key: String
                let party_id: UUID
                let votes: Int
            }
            let totals = try await sql.raw("""
                SELECT region_code AS key, party_id, CAST(SUM(votes) AS BIGINT) AS votes FROM tally_totals
                WHERE election_id = \(bind: election) AND candidate = ''\(filter) GROUP BY region_code, party_id
                """).all(decoding: Row.self).map { Total(key: $0.key, party: $0.party_id.uuidString, votes: $0.votes) }
            let codes = Set(counts.map(\.key)).union(totals.map(\.key))
            var names = data.regions.mapValues(\.name)
            let kecamatanCodes = Set(codes.map(ElectoralService.kecamatanCode(of:)))
            for chunk in Array(codes.union(kecamatanCodes)).chunked(500) {
                for r in try await Region.query(on: db).filter(\.$id ~~ chunk).all() { names[r.id!] = r.name }
            }
            let byKelurahan = lines(counts, totals) { names[$0] ?? $0 }
            kelurahan = byKelurahan.values.sorted { $0.code < $1.code }
            kecamatan = Dictionary(grouping: kelurahan) { ElectoralService.kecamatanCode(of: $0.code) }.map { code, members in
                var out = Rollup.Line(code: code, name: names[code] ?? code)
                for l in members {
                    out.stations += l.stations
                    out.reported += l.reported
                    out.conflicts += l.conflicts
                    out.votes.merge(l.votes, uniquingKeysWith: +)
                }
                return out
            }.sorted { $0.code < $1.code }
        }
        return Rollup(dapils: dapils, kecamatan: kecamatan, kelurahan: kelurahan,
                      totalStations: dapils.reduce(0) { $0 + $1.1.stations }, reported: dapils.reduce(0) { $0 + $1.1.reported },
                      conflicts: dapils.reduce(0) { $0 + $1.1.conflicts })
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (for IN lists of bounded length).
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
