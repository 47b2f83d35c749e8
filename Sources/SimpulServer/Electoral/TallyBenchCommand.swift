import Fluent
import Foundation
import SQLKit
import SimpulCore
import Vapor

/// `simpul bench-tally setup|rollup`: builds a synthetic election of any size (key
/// "bench-tally", synthetic region codes under 99.*, never mixed with real data) and
/// measures the election-night roll-up on it. Used by bench/run.sh; see BENCHMARKS.md.
struct TallyBenchCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["setup": TallyBenchSetup(), "rollup": TallyBenchRollup()]
    var help: String { "Tolok ukur malam pemilu: setup (pemilu sintetis) dan rollup (ukur rekap)" }
}

enum TallyBench {
    static let key = "bench-tally"
    static let witness = "bench-saksi"
}

struct TallyBenchSetup: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "stations", help: "Jumlah TPS (bawaan 820000)") var stations: Int?
        @Option(name: "dapils", help: "Jumlah dapil (bawaan 2700)") var dapils: Int?
        @Flag(name: "reported", help: "Semua TPS sudah melapor (untuk mengukur rekap)") var reported: Bool
        @Option(name: "assign", help: "Tugaskan sekian TPS pertama ke pengguna bench-saksi dan tulis token + ID TPS ke --out") var assign: Int?
        @Option(name: "out", help: "Berkas keluaran untuk wrk (baris 1 token, lalu ID TPS)") var out: String?
    }

    var help: String { "Buat pemilu sintetis 'bench-tally' (menghapus yang lama)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let db = app.db
        let sql = db as! any SQLDatabase
        let stationCount = signature.stations ?? 820_000
        let dapilCount = signature.dapils ?? 2_700
        var rng = SplitMix64(seed: 2029)
        let started = Date()

        if let old = try await Election.query(on: db).filter(\.$key == TallyBench.key).first() {
            let id = try old.requireID()
            // Children first: explicit deletes are faster than cascades over 800k rows.
            try await sql.raw("DELETE FROM tally_totals WHERE election_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM tally_dapil_totals WHERE election_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM tally_submissions WHERE election_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM witness_assignments WHERE polling_station_id IN (SELECT id FROM polling_stations WHERE election_id = \(bind: id))").run()
            try await sql.raw("DELETE FROM polling_stations WHERE election_id = \(bind: id)").run()
            try await old.delete(on: db)
        }
        let election = Election()
        election.key = TallyBench.key
        election.name = "Tolok ukur: \(stationCount) TPS, \(dapilCount) dapil"
        election.year = 2099
        election.body = "dprd_kabkota"
        election.regionCode = "99"
        election.scope = OrgPath.national.rawValue
        election.totalSeats = 0
        election.thresholdBasisPoints = 0
        try await election.create(on: db)
        let electionID = try election.requireID()
        var parties: [UUID] = []
        for n in 1...18 {
            parties.append(try await Party.insert(election: electionID, number: n, abbreviation: "P\(n)", name: "Partai \(n)", on: db).requireID())
        }
        var models: [Dapil] = []
        for d in 1...dapilCount {
            let dapil = Dapil()
            dapil.id = UUID()
            dapil.$election.id = electionID
            dapil.number = d
            dapil.name = "Dapil \(d)"
            dapil.seats = Int.random(in: 3...12, using: &rng)
            models.append(dapil)
        }
        let dapils = models
        try await db.transaction { tx in
            for dapil in dapils {
                try await dapil.create(on: tx)
                let area = DapilArea()
                area.$dapil.id = try dapil.requireID()
                area.regionCode = String(format: "99.%04d", dapil.number)
                try await area.create(on: tx)
            }
        }
        let dapilIDs = dapils.map { $0.id! }
        let seatsTotal = dapils.reduce(0) { $0 + $1.seats }
        election.totalSeats = seatsTotal
        try await election.update(on: db)

        // TPS: ~10 per kelurahan, 10 kelurahan per kecamatan, spread evenly over the dapil.
        var stationIDs: [UUID] = []
        stationIDs.reserveCapacity(stationCount)
        var kelurahanTotals: [String: (dapil: UUID, votes: [Int])] = [:]
        let perDapil = max(1, stationCount / dapilCount)
        let chunk = 1_000
        var index = 0
        while index < stationCount {
            let end = min(index + chunk, stationCount)
            var query = SQLQueryString("INSERT INTO polling_stations (id, election_id, dapil_id, region_code, number, registered, scope, status) VALUES ")
            for i in index..<end {
                let d = min(i / perDapil, dapilCount - 1)
                let local = i - d * perDapil
                let kelurahan = String(format: "99.%04d.%02d.%04d", d + 1, local / 100, 1000 + local / 10)
                let id = UUID()
                stationIDs.append(id)
                let registered = Int.random(in: 200...300, using: &rng)
                if signature.reported {
                    var entry = kelurahanTotals[kelurahan] ?? (dapilIDs[d], Array(repeating: 0, count: parties.count))
                    var left = registered * 3 / 4
                    for p in 0..<parties.count {
                        let v = p == parties.count - 1 ? left : Int.random(in: 0...(left / 3 + 1), using: &rng)
                        let taken = min(v, left)
                        entry.votes[p] += taken
                        left -= taken
                    }
                    kelurahanTotals[kelurahan] = entry
                }
                if i > index { query.appendLiteral(", ") }
                query.appendInterpolation(SQLQueryString("(\(bind: id), \(bind: electionID), \(bind: dapilIDs[d]), \(bind: kelurahan), \(bind: local % 10 + 1), \(bind: registered), \(bind: kelurahan + "."), "))
                query.appendInterpolation(SQLQueryString(signature.reported ? "'reported')" : "'waiting')"))
            }
            try await sql.raw(query).run()
            index = end
        }
        context.console.print("TPS: \(stationCount) di \(dapilCount) dapil (\(seatsTotal) kursi), \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        if signature.reported {
            let rows = kelurahanTotals.flatMap { code, entry in entry.votes.enumerated().map { (code, entry.dapil, parties[$0.offset], $0.element) } }
            for slice in rows.chunked(1_000) {
                var query = SQLQueryString("INSERT INTO tally_totals (election_id, dapil_id, region_code, party_id, candidate, votes) VALUES ")
                for (i, r) in slice.enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(SQLQueryString("(\(bind: electionID), \(bind: r.1), \(bind: r.0), \(bind: r.2), '', \(bind: r.3))"))
                }
                try await sql.raw(query).run()
            }
            var dapilTotals: [UUID: [Int]] = [:]
            for entry in kelurahanTotals.values {
                var sum = dapilTotals[entry.dapil] ?? Array(repeating: 0, count: parties.count)
                for p in 0..<parties.count { sum[p] += entry.votes[p] }
                dapilTotals[entry.dapil] = sum
            }
            let dapilRows = dapilTotals.flatMap { dapil, votes in votes.enumerated().map { (dapil, parties[$0.offset], $0.element) } }
            for slice in dapilRows.chunked(1_000) {
                var query = SQLQueryString("INSERT INTO tally_dapil_totals (election_id, dapil_id, party_id, votes) VALUES ")
                for (i, r) in slice.enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(SQLQueryString("(\(bind: electionID), \(bind: r.0), \(bind: r.1), \(bind: r.2))"))
                }
                try await sql.raw(query).run()
            }
            context.console.print("Total suara: \(kelurahanTotals.count) kelurahan × \(parties.count) partai, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }

        if let assign = signature.assign, assign > 0 {
            let user: User
            if let existing = try await User.query(on: db).filter(\.$username == TallyBench.witness).first() {
                user = existing
            } else {
                user = User(username: TallyBench.witness, displayName: "Saksi tolok ukur", passwordHash: try app.password.hash(UUID().uuidString))
                try await user.create(on: db)
                let national = try await OrgQueries.unit(at: .national, on: db)!
                try await RoleGrant(userID: user.requireID(), role: .saksi, unit: national, grantedBy: nil).create(on: db)
            }
            let assigned = Array(stationIDs.prefix(assign))
            for slice in assigned.chunked(1_000) {
                var query = SQLQueryString("INSERT INTO witness_assignments (id, polling_station_id, user_id) VALUES ")
                for (i, s) in slice.enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(SQLQueryString("(\(bind: UUID()), \(bind: s), \(bind: try user.requireID()))"))
                }
                try await sql.raw(query).run()
            }
            let (token, record) = APIToken.generate(for: try user.requireID(), name: "bench", lifetime: 86_400)
            try await record.create(on: db)
            if let out = signature.out {
                try ([token] + assigned.map(\.uuidString)).joined(separator: "\n").write(toFile: out, atomically: true, encoding: .utf8)
                context.console.print("Token dan \(assigned.count) ID TPS ditulis ke \(out)")
            }
        }
    }
}

struct TallyBenchRollup: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "runs", help: "Berapa kali diukur (bawaan 5)") var runs: Int?
    }

    var help: String { "Ukur rekap TPS → dapil + proyeksi kursi pada pemilu 'bench-tally'." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let db = context.application.db
        guard let election = try await Election.query(on: db).filter(\.$key == TallyBench.key).first() else {
            throw Abort(.notFound, reason: "Jalankan dulu: simpul bench-tally setup --reported")
        }
        var times: [Double] = []
        var rollup: TallyService.Rollup?
        var loadTime = 0.0
        for _ in 0..<(signature.runs ?? 5) {
            let start = DispatchTime.now().uptimeNanoseconds
            let data = try await ElectoralService.load(election, on: db)
            loadTime = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            rollup = try await TallyService.rollup(data, on: db)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        let seats = rollup!.dapils.reduce(0) { $0 + $1.seats.values.reduce(0, +) }
        context.console.print("rekap \(rollup!.totalStations) TPS (\(rollup!.reported) melapor), \(rollup!.dapils.count) dapil, \(seats) kursi diproyeksikan")
        context.console.print(String(format: "rollup_ms min %.0f median %.0f max %.0f (muat pemilu %.0f ms)", times.first!, times[times.count / 2], times.last!, loadTime))
    }
}
