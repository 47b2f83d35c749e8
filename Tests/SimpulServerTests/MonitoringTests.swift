import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Pemantauan: laporan situasi, peta kerawanan 67 kelurahan, partisipasi, pendidikan politik")
struct MonitoringTests {
    func post(_ app: Application, _ path: String, _ token: String, _ body: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/\(path)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    func get(_ app: Application, _ path: String, _ token: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, "/api/v1/\(path)", headers: .bearer(token))
    }

    @Test("a kelurahan operator reports only in their kelurahan; neighbours cannot read it; the kecamatan verifies; risk follows")
    func reports() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("rt", role: .operator, at: "36.73.04.1001")
            try await f.user("tetangga", role: .pengurus, at: "36.73.04.1002")
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            try await f.user("dpd", role: .pengamat, at: "36.73")
            let rt = try await f.token("rt"), tetangga = try await f.token("tetangga"), dpc = try await f.token("dpc"), dpd = try await f.token("dpd")

            let bad = try await post(app, "monitoring/reports", rt, ["regionCode": "36.73.04.1002", "category": "hoax", "severity": "9", "source": "socialMedia"])
            #expect(Set(try bad.content.get([FieldError].self, at: "fields").map(\.field)) == ["regionCode", "severity", "sourceURL", "summary"])
            let filed = try await post(app, "monitoring/reports", rt, ["regionCode": "36.73.04.1001", "category": "moneyPolitics", "severity": "4",
                                                                       "source": "cadre", "summary": "Pembagian amplop di RW 04"])
            #expect(filed.status == .created)
            let report = try filed.content.decode(SituationDTO.self)
            #expect(report.status == .unverified && report.kelurahan == "Curug" && !report.canVerify)

            // The neighbouring kelurahan neither lists nor opens it.
            #expect(try await get(app, "monitoring/reports", tetangga).content.decode([SituationDTO].self).isEmpty)
            #expect(try await get(app, "monitoring/reports/\(report.id)", tetangga).status == .notFound)
            #expect(try await post(app, "monitoring/reports/\(report.id)/verification", tetangga, ["status": "verified", "note": "x"]).status == .notFound)
            // The operator who filed it cannot verify it; the kecamatan can.
            #expect(try await post(app, "monitoring/reports/\(report.id)/verification", rt, ["status": "verified", "note": "x"]).status == .forbidden)
            let noNote = try await post(app, "monitoring/reports/\(report.id)/verification", dpc, ["status": "unverified"])
            #expect(Set(try noNote.content.get([FieldError].self, at: "fields").map(\.field)) == ["status", "note"])

            // Risk: unverified critical (40) is siaga; verified (80) still siaga; a verified high one more (120) is rawan.
            func cell(_ token: String, _ code: String) async throws -> RiskCell? {
                try await get(app, "monitoring/risk", token).content.decode(RiskView.self).districts.flatMap(\.cells).first { $0.regionCode == code }
            }
            #expect(try await cell(dpd, "36.73.04.1001")?.level == .alert)
            #expect(try await post(app, "monitoring/reports/\(report.id)/verification", dpc, ["status": "verified", "note": "Dikonfirmasi ketua RW"]).status == .ok)
            _ = try await post(app, "monitoring/reports", dpc, ["regionCode": "36.73.04.1001", "category": "intimidation", "severity": "3",
                                                                "source": "socialMedia", "sourceURL": "https://x.com/a/status/1", "summary": "Ancaman di grup WA"])
            let high = try await get(app, "monitoring/reports?status=unverified", dpc).content.decode([SituationDTO].self)
            #expect(high.count == 1)
            _ = try await post(app, "monitoring/reports/\(high[0].id)/verification", dpc, ["status": "verified", "note": "Tangkapan layar dicek"])
            #expect(try await cell(dpd, "36.73.04.1001")?.level == .high)
            // A false report adds nothing.
            _ = try await post(app, "monitoring/reports", dpc, ["regionCode": "36.73.04.1002", "category": "hoax", "severity": "4", "source": "citizen", "summary": "Isu kerusuhan"])
            let rumour = try await get(app, "monitoring/reports?region=36.73.04.1002", dpc).content.decode([SituationDTO].self)
            _ = try await post(app, "monitoring/reports/\(rumour[0].id)/verification", dpc, ["status": "rejected", "note": "Tidak ada kejadian"])
            #expect(try await cell(dpd, "36.73.04.1002")?.level == .calm)

            // The city view covers all 67 kelurahan in 6 kecamatan; the kelurahan operator sees one cell.
            let city = try await get(app, "monitoring/risk", dpd).content.decode(RiskView.self)
            #expect(city.districts.count == 6 && city.districts.flatMap(\.cells).count == 67)
            #expect(city.levels.map(\.count).reduce(0, +) == 67 && city.levels.last?.count == 1)
            let own = try await get(app, "monitoring/risk", rt).content.decode(RiskView.self)
            #expect(own.districts.flatMap(\.cells).map(\.regionCode) == ["36.73.04.1001"])
            #expect(try await get(app, "monitoring/reports", dpd).content.decode([SituationDTO].self).count == 3)
        }
    }

    @Test("participation trend between elections from imported turnout, with what is missing named")
    func participation() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengamat, at: "36.73")
            try await f.user("curug", role: .pengamat, at: "36.73.04")
            let e2024 = try #require(try await Election.query(on: app.db).filter(\.$key == "dprd-kota-serang-2024").first())
            let e2019 = Election()
            e2019.key = "dprd-kota-serang-2019"; e2019.name = "DPRD Kota Serang 2019"; e2019.year = 2019; e2019.body = e2024.body
            e2019.regionCode = e2024.regionCode; e2019.scope = e2024.scope; e2019.totalSeats = 45; e2019.thresholdBasisPoints = 0
            try await e2019.create(on: app.db)
            func turnout(_ e: Election, _ code: String, _ registered: Int, _ voters: Int) async throws {
                let t = AreaTurnout()
                t.electionID = try e.requireID(); t.regionCode = code; t.registered = registered; t.voters = voters; t.valid = voters; t.invalid = 0
                try await t.create(on: app.db)
            }
            try await turnout(e2019, "36.73.04.1001", 1000, 800)
            try await turnout(e2019, "36.73.04.1002", 1000, 700)
            try await turnout(e2024, "36.73.04.1001", 1100, 770)
            try await turnout(e2024, "36.73.04.1002", 900, 630)
            try await turnout(e2019, "36.73.05.1001", 2000, 1500)
            let view = try await get(app, "monitoring/participation", "\(try await f.token("dpd"))").content.decode(ParticipationView.self)
            let series = try #require(view.series.first { $0.body == e2024.body })
            #expect(series.elections.map(\.year) == [2019, 2024, 2029])
            #expect(series.elections.map(\.percentText) == ["75,0%", "70,0%", "—"])
            let curug = try #require(series.areas.first { $0.code == "36.73.04" })
            #expect(curug.percents == ["75,0%", "70,0%", "—"] && curug.changeText == "-5,0 poin" && curug.falling)
            #expect(series.missing.contains { $0.contains("2029") })
            #expect(series.missing.contains { $0.contains("Cipocok Jaya") && $0.contains("2024") })
            #expect(series.chart?.contains("<svg") == true)
            // A kecamatan sees only its own figures.
            let own = try await get(app, "monitoring/participation", try await f.token("curug")).content.decode(ParticipationView.self)
            let ownSeries = try #require(own.series.first { $0.body == e2024.body })
            #expect(ownSeries.areas.map(\.code) == ["36.73.04"])
            #expect(ownSeries.elections.map(\.percentText) == ["75,0%", "70,0%", "—"])
        }
    }

    @Test("political literacy for young voters: reach recorded and charted, nonsense refused")
    func literacy() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("op", role: .operator, at: "36.73.04")
            try await f.user("other", role: .pengurus, at: "36.73.05")
            let op = try await f.token("op")
            let curug = try await f.unit("36.73.04").id!.uuidString
            let bad = try await post(app, "monitoring/literacy", op, ["unitID": curug, "title": "X", "format": "school", "heldOn": "2026-01-01",
                                                                      "reachInPerson": "10", "firstTimeVoters": "11"])
            #expect(try bad.content.get([FieldError].self, at: "fields").map(\.field) == ["firstTimeVoters"])
            let ok = try await post(app, "monitoring/literacy", op, ["unitID": curug, "title": "Pemilih Cerdas Goes to School", "format": "school",
                                                                     "partner": "SMAN 1 Kota Serang", "heldOn": "2026-01-15", "reachInPerson": "240",
                                                                     "reachOnline": "1.200", "firstTimeVoters": "180"])
            #expect(ok.status == .created)
            #expect(try await get(app, "monitoring/literacy", op).content.decode([LiteracyDTO].self).map(\.reachOnline) == [1_200])
            #expect(try await get(app, "monitoring/literacy", try await f.token("other")).content.decode([LiteracyDTO].self).isEmpty)
            let web = WebClient(app: app)
            try await web.login("op")
            let page = try await web.get("/monitoring/literacy")
            #expect(page.body.string.contains("1.440") && page.body.string.contains("<svg"))
            let overview = try await web.get("/monitoring")
            #expect(overview.status == .ok && overview.body.string.contains("risk-grid"))
            #expect(try await web.get("/monitoring/reports").status == .ok)
            #expect(try await web.get("/monitoring/participation").status == .ok)
        }
    }
}
