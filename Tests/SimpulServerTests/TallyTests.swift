import Fluent
import SQLKit
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// Election night on the shipped DPRD Kota Serang map: 36.73.05.1001 and .1002 lie in
/// Cipocok Jaya (dapil 5), 36.73.02.1001 in Kasemen (dapil 3).
@Suite("Election night: TPS tallies, conflicts, roll-up")
struct TallyTests {
    static let tpsCSV = """
        wilayah,tps,dpt,saksi
        36.73.05.1001,1,250,saksi1
        36.73.05.1001,2,280,
        36.73.05.1002,1,240,saksi2
        36.73.02.1001,1,260,saksi3
        """

    func setUp(_ app: Application) async throws -> (Election, WebClient) {
        let f = Fixtures(app: app)
        try await f.user("dpd", role: .pengurus, at: "36.73")
        try await f.user("saksi1", role: .saksi, at: "36.73.05.1001")
        try await f.user("saksi2", role: .saksi, at: "36.73.05.1002")
        try await f.user("saksi3", role: .saksi, at: "36.73.02.1001")
        let election = try #require(try await Election.query(on: app.db).filter(\.$key == "dprd-kota-serang-2024").first())
        let web = WebClient(app: app)
        try await web.login("dpd")
        try await web.get("/elections/\(election.id!)/tps")
        let res = try await web.postMultipart("/elections/\(election.id!)/tps", fields: [:], file: ("file", "tps.csv", Self.tpsCSV))
        #expect(res.status == .seeOther)
        return (election, web)
    }

    func station(_ app: Application, _ region: String, _ number: Int) async throws -> PollingStation {
        try #require(try await PollingStation.query(on: app.db).filter(\.$regionCode == region).filter(\.$number == number).first())
    }

    func send(_ app: Application, token: String, station: PollingStation, _ body: [String: Any]) async throws -> TestingHTTPResponse {
        let json = try JSONSerialization.data(withJSONObject: body)
        var headers = HTTPHeaders.bearer(token)
        headers.contentType = .json
        return try await app.testing().sendRequest(.POST, "/api/v1/tally/\(station.id!)", headers: headers, body: ByteBuffer(data: json))
    }

    /// PKS (8) 100, Gerindra (2) 80 of 200 voters, 10 invalid.
    nonisolated(unsafe) static let sheet: [String: Any] = ["votersPresent": 200, "validVotes": 190, "invalidVotes": 10,
                                       "parties": ["8": 60, "2": 80, "4": 10], "candidates": ["8": ["Siti Rahmah": 40]]]

    @Test("TPS import refuses bad rows by row and column and stores nothing")
    func tpsImportRefusals() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("dpd", role: .pengurus, at: "36.73")
            let election = try #require(try await Election.query(on: app.db).first())
            let web = WebClient(app: app)
            try await web.login("dpd")
            try await web.get("/elections/\(election.id!)/tps")
            let bad = "wilayah,tps,dpt,saksi\nAtlantis,1,100,\n36.73.05.1001,1,350,\n36.73.05.1001,2,100,hantu\n36.73.05.1001,x,100,"
            let res = try await web.postMultipart("/elections/\(election.id!)/tps", fields: [:], file: ("file", "tps.csv", bad))
            #expect(res.status == .unprocessableEntity)
            let body = res.body.string
            for expected in ["Baris 2, kolom wilayah", "Baris 3, kolom dpt", "Baris 4, kolom saksi", "Baris 5, kolom tps"] {
                #expect(body.contains(expected), "\(expected)")
            }
            #expect(try await PollingStation.query(on: app.db).count() == 0)
        }
    }

    @Test("a witness's tally counts once; resends are duplicates; different numbers are conflicts an official resolves")
    func submissionsAndConflicts() async throws {
        try await withSimpul { app in
            let (election, web) = try await setUp(app)
            let tps = try await station(app, "36.73.05.1001", 1)
            let token = try await Fixtures(app: app).token("saksi1")

            var first = Self.sheet
            first["clientRef"] = "hp-saksi1-001"
            let accepted = try await send(app, token: token, station: tps, first)
            #expect(accepted.status == .created)
            #expect(try accepted.content.get(String.self, at: "status") == "accepted")
            // A retry of the same form (lost connection): answered again, stored once.
            let retry = try await send(app, token: token, station: tps, first)
            #expect(retry.status == .ok)
            #expect(try retry.content.get(UUID.self, at: "submission") == (try accepted.content.get(UUID.self, at: "submission")))
            #expect(try await TallySubmission.query(on: app.db).count() == 1)
            // Same numbers sent again without the id: kept as a duplicate, not counted twice.
            let duplicate = try await send(app, token: token, station: tps, Self.sheet)
            #expect(try duplicate.content.get(String.self, at: "status") == "duplicate")

            // Parties belong to an election, and the reference data has more than one with number 8.
            let pks = try #require(try await Party.query(on: app.db).filter(\.$election.$id == election.id!).filter(\.$number == 8).first())
            let data = try await ElectoralService.load(election, on: app.db)
            var rollup = try await TallyService.rollup(data, on: app.db)
            let dapil5 = try #require(rollup.dapils.first { $0.dapil.number == 5 })
            #expect(dapil5.line.votes[pks.id!.uuidString] == 100)
            #expect(dapil5.line.reported == 1 && dapil5.line.stations == 3)

            // Different numbers: a conflict; the first still counts.
            var other = Self.sheet
            other["parties"] = ["8": 50, "2": 90, "4": 10]
            let conflict = try await send(app, token: token, station: tps, other)
            #expect(try conflict.content.get(String.self, at: "status") == "conflict")
            rollup = try await TallyService.rollup(data, on: app.db)
            #expect(rollup.conflicts == 1)
            #expect(rollup.dapils.first { $0.dapil.number == 5 }!.line.votes[pks.id!.uuidString] == 100)

            // The official sees the history and chooses the second sheet: the roll-up swaps.
            let page = try await web.get("/elections/\(election.id!)/tally/stations/\(tps.id!)")
            #expect(page.body.string.contains("Berbeda — perlu ditinjau"))
            let chosen = try #require(try await TallySubmission.query(on: app.db).filter(\.$status == .conflict).first())
            let res = try await web.post("/elections/\(election.id!)/tally/stations/\(tps.id!)/resolve",
                                         form: ["submission": chosen.id!.uuidString, "note": "sesuai foto C.Hasil"])
            #expect(res.status == .seeOther)
            rollup = try await TallyService.rollup(data, on: app.db)
            let after = rollup.dapils.first { $0.dapil.number == 5 }!.line
            #expect(after.votes[pks.id!.uuidString] == 90)
            #expect(rollup.conflicts == 0)
            let statuses = try await TallySubmission.query(on: app.db).sort(\.$createdAt).all().map(\.status)
            #expect(statuses == [.superseded, .duplicate, .accepted])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "tally.resolve").count() == 1)

            // The roll-up API projects seats over every dapil.
            let dpd = try await Fixtures(app: app).token("dpd")
            let api = try await app.testing().sendRequest(.GET, "/api/v1/elections/\(election.id!)/rollup", headers: .bearer(dpd))
            let body = try api.content.decode(TallyController.RollupResponse.self)
            #expect(body.reported == 1 && body.stations == 4)
            #expect(body.dapils.first { $0.code == "5" }?.projectedSeats?["Gerindra"] == 3)
        }
    }

    @Test("concurrent tallies are committed in batches: one accepted per TPS, resends and conflicts kept, totals exact")
    func concurrentBatches() async throws {
        try await withSimpul { app in
            _ = try await setUp(app)
            let token = try await Fixtures(app: app).token("dpd")
            let stations = try await PollingStation.query(on: app.db).all()
            // Every TPS gets the same sheet four times (two with one clientRef), and one different sheet.
            let statuses = try await withThrowingTaskGroup(of: (UUID, Int, String).self) { group in
                for station in stations {
                    for k in 0..<5 {
                        group.addTask {
                            var body = Self.sheet
                            if k == 4 { body["parties"] = ["8": 70, "2": 70, "4": 10] }
                            if k < 2 { body["clientRef"] = "same-form-\(station.id!)" }
                            let res = try await send(app, token: token, station: station, body)
                            return (station.id!, Int(res.status.code), (try? res.content.get(String.self, at: "status")) ?? "")
                        }
                    }
                }
                var out: [(UUID, Int, String)] = []
                for try await r in group { out.append(r) }
                return out
            }
            #expect(statuses.allSatisfy { $0.1 == 200 || $0.1 == 201 })
            for station in stations {
                let subs = try await TallySubmission.query(on: app.db).filter(\.$pollingStationID == station.requireID()).all()
                #expect(subs.count == 4, "the two sends with one clientRef are stored once")
                #expect(subs.filter { $0.status == .accepted }.count == 1)
                let reloaded = try #require(try await PollingStation.find(station.id, on: app.db))
                #expect(reloaded.acceptedSubmissionID == subs.first { $0.status == .accepted }?.id)
                // Every TPS got one different sheet: it waits for an official, whatever the batches were.
                #expect(reloaded.status == .conflict)
            }
            // Kelurahan totals, dapil totals and accepted sheets agree exactly.
            let accepted = try await TallySubmission.query(on: app.db).filter(\.$status == .accepted).all()
            let expected = accepted.reduce(0) { $0 + $1.validVotes }
            let sql = app.db as! any SQLDatabase
            struct Sum: Decodable { let n: Int }
            let area = try await sql.raw("SELECT CAST(COALESCE(SUM(votes), 0) AS BIGINT) AS n FROM tally_totals WHERE candidate = ''").first(decoding: Sum.self)
            let dapil = try await sql.raw("SELECT CAST(COALESCE(SUM(votes), 0) AS BIGINT) AS n FROM tally_dapil_totals").first(decoding: Sum.self)
            #expect(area?.n == expected && dapil?.n == expected)
        }
    }

    @Test("a tally that does not add up is refused with the C.Hasil field named")
    func arithmetic() async throws {
        try await withSimpul { app in
            _ = try await setUp(app)
            let tps = try await station(app, "36.73.05.1001", 1)
            let token = try await Fixtures(app: app).token("saksi1")
            let res = try await send(app, token: token, station: tps, ["votersPresent": 300, "validVotes": 250, "invalidVotes": 10,
                                                                      "parties": ["8": 100, "2": 100, "99": 5]])
            #expect(res.status == .unprocessableEntity)
            #expect(try res.content.get([FieldError].self, at: "fields").map(\.field) == ["parties.99"])
            let sums = try await send(app, token: token, station: tps, ["votersPresent": 260, "validVotes": 250, "invalidVotes": 5,
                                                                       "parties": ["8": 100, "2": 100]])
            let fields = try sums.content.get([FieldError].self, at: "fields").map(\.field)
            #expect(fields == ["Jumlah pengguna hak pilih", "Jumlah suara sah dan tidak sah", "Jumlah suara sah"])
            #expect(try await TallySubmission.query(on: app.db).count() == 0)
        }
    }

    @Test("a witness reaches only the TPS assigned to them")
    func witnessScope() async throws {
        try await withSimpul { app in
            let (election, _) = try await setUp(app)
            let token = try await Fixtures(app: app).token("saksi1")
            // Same kelurahan, not assigned.
            let notMine = try await send(app, token: token, station: try await station(app, "36.73.05.1001", 2), Self.sheet)
            #expect(notMine.status == .notFound)
            // Another kelurahan.
            let elsewhere = try await send(app, token: token, station: try await station(app, "36.73.02.1001", 1), Self.sheet)
            #expect(elsewhere.status == .notFound)
            // A saksi sees no election analysis.
            let seats = try await app.testing().sendRequest(.GET, "/api/v1/elections/\(election.id!)/seats", headers: .bearer(token))
            #expect(seats.status == .notFound)
            let mine = try await app.testing().sendRequest(.GET, "/api/v1/tally/stations", headers: .bearer(token))
            #expect(try mine.content.decode([TallyController.StationRow].self).map(\.label) == ["TPS 001"])
        }
    }

    @Test("the phone form: a witness sends, a double tap is not counted twice, errors name fields")
    func webForm() async throws {
        try await withSimpul { app in
            _ = try await setUp(app)
            let tps = try await station(app, "36.73.05.1002", 1)
            let web = WebClient(app: app)
            try await web.login("saksi2")
            let list = try await web.get("/tally")
            #expect(list.body.string.contains("TPS 001"))
            let form = try await web.get("/tally/\(tps.id!)")
            let ref = try #require(form.body.string.range(of: #"name="clientRef" value="([^"]+)""#, options: .regularExpression)
                .map { String(form.body.string[$0].dropFirst(#"name="clientRef" value=""#.count).dropLast()) })
            let bad = try await web.post("/tally/\(tps.id!)", form: ["clientRef": ref, "votersPresent": "100", "validVotes": "95",
                                                                    "invalidVotes": "5", "party_8": "50", "party_2": "40"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("tidak sama dengan jumlah suara sah"))
            let fields = ["clientRef": ref, "votersPresent": "100", "validVotes": "95", "invalidVotes": "5", "party_8": "55", "party_2": "40"]
            #expect(try await web.post("/tally/\(tps.id!)", form: fields).status == .seeOther)
            #expect(try await web.post("/tally/\(tps.id!)", form: fields).status == .seeOther)
            #expect(try await TallySubmission.query(on: app.db).count() == 1)
            let page = try await web.get("/tally/\(tps.id!)")
            #expect(page.body.string.contains("sudah dihitung"))
        }
    }
}

@Suite("API token cache")
struct APITokenCacheTests {
    @Test("a revoked role stops working for a cached token at once")
    func revocationClearsCache() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let analyst = try await f.user("analis", role: .pengamat, at: "36.73")
            let token = try await f.token("analis")
            func elections() async throws -> Int {
                let res = try await app.testing().sendRequest(.GET, "/api/v1/elections", headers: .bearer(token))
                return try res.content.decode([ElectoralController.ElectionSummary].self).count
            }
            #expect(try await elections() == 2)
            #expect(try await elections() == 2)  // answered from the cache
            let grant = try #require(try await RoleGrant.query(on: app.db).filter(\.$user.$id == analyst.requireID()).first())
            let web = WebClient(app: app)
            try await web.login("dpd")
            try await web.get("/users")
            #expect(try await web.post("/users/\(analyst.id!)/grants/\(grant.id!)/delete", form: [:]).status == .seeOther)
            // No role left: the elections list is refused (a cached grant would still list 2).
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/elections", headers: .bearer(token)).status == .forbidden)
        }
    }
}
