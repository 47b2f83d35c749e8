import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// Synthetic results for the shipped DPRD Kota Serang map (6 dapil, 45 seats).
enum SampleResults {
    /// Votes per dapil for five parties by ballot number; party 8 (PKS) plays "our party".
    static let votes: [Int: [Int: Int]] = [
        1: [2: 12_000, 4: 10_500, 8: 7_800, 5: 6_100, 14: 5_900],
        2: [2: 11_000, 4: 12_400, 8: 6_900, 5: 5_000, 14: 6_600],
        3: [2: 14_000, 4: 6_000, 8: 3_100, 5: 5_500, 14: 7_700],
        4: [2: 13_500, 4: 11_000, 8: 8_200, 5: 6_800, 14: 9_900],
        5: [2: 8_800, 4: 9_700, 8: 7_000, 5: 4_200, 14: 5_300],
        6: [2: 9_900, 4: 5_600, 8: 4_000, 5: 5_200, 14: 4_800],
    ]

    /// Dapil 4 by kecamatan (Walantaka 36.73.03, Curug 36.73.04) so a split can be simulated.
    static var csv: String {
        var lines = ["dapil;wilayah;partai;calon;jenis_kelamin;suara"]
        for (dapil, parties) in votes.sorted(by: { $0.key < $1.key }) {
            for (party, v) in parties.sorted(by: { $0.key < $1.key }) {
                if dapil == 4 {
                    lines.append("4;36.73.03;\(party);;;\(v * 6 / 10)")
                    lines.append("4;Curug;\(party);;;\(v - v * 6 / 10)")
                } else if party == 8 {
                    lines.append("\(dapil);;\(party);;;\(v - 1_500)")
                    lines.append("\(dapil);;\(party);Siti Rahmah \(dapil);P;1.000")
                    lines.append("\(dapil);;\(party);Ahmad Fauzi \(dapil);L;500")
                } else {
                    lines.append("\(dapil);;\(party);;;\(v)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func importAll(_ web: WebClient, election: UUID) async throws {
        try await web.get("/elections/\(election)/import")
        let res = try await web.postMultipart("/elections/\(election)/import", fields: ["kind": "results"], file: ("file", "hasil.csv", csv))
        #expect(res.status == .seeOther)
    }
}

@Suite("Electoral: dapil, results, seats, planner")
struct ElectoralTests {
    func election(_ app: Application) async throws -> Election {
        try #require(try await Election.query(on: app.db).filter(\.$key == "dprd-kota-serang-2024").first())
    }

    @Test("first start ships DPRD Kota Serang: 6 dapil, 45 seats, 18 parties, every kelurahan in one dapil")
    func referenceSetup() async throws {
        try await withSimpul { app in
            let e = try await election(app)
            #expect(e.totalSeats == 45)
            let dapils = try await Dapil.query(on: app.db).filter(\.$election.$id == e.requireID()).with(\.$areas).all()
            #expect(dapils.map(\.seats).reduce(0, +) == 45)
            #expect(dapils.count == 6)
            #expect(try await Party.query(on: app.db).filter(\.$election.$id == e.requireID()).count() == 18)
            // 2029, the target election, starts with the same map.
            let next = try #require(try await Election.query(on: app.db).filter(\.$key == "dprd-kota-serang-2029").first())
            #expect(try await Dapil.query(on: app.db).filter(\.$election.$id == next.requireID()).count() == 6)
            #expect(try await ElectoralService.previous(of: next, on: app.db)?.key == "dprd-kota-serang-2024")
            let kelurahan = try await Region.query(on: app.db).filter(\.$level == .village).all().filter { $0.id!.hasPrefix("36.73.") }
            #expect(kelurahan.count == 67)
            for k in kelurahan {
                let covering = dapils.filter { d in d.areas.contains { k.id! == $0.regionCode || k.id!.hasPrefix($0.regionCode + ".") } }
                #expect(covering.count == 1, "\(k.name) harus berada di tepat satu dapil")
            }
            // Every area code exists in the territory tree.
            for a in dapils.flatMap(\.areas) { #expect(try await Region.find(a.regionCode, on: app.db) != nil) }
        }
    }

    @Test("results import: a bad file names row and column and stores nothing; a good one gives seats")
    func importAndSeats() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let e = try await election(app)
            let web = WebClient(app: app)
            try await web.login("dpd")
            try await web.get("/elections/\(e.id!)/import")
            let bad = "dapil,partai,suara\n1,2,100\n9,2,5\n1,XYZ,5\n1,4,-3\n1,2,7"
            let refused = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "results"], file: ("file", "salah.csv", bad))
            #expect(refused.status == .unprocessableEntity)
            let body = refused.body.string
            #expect(body.contains("Baris 3, kolom dapil"))
            #expect(body.contains("Baris 4, kolom partai"))
            #expect(body.contains("Baris 5, kolom suara"))
            #expect(body.contains("Baris 6, kolom partai: baris yang sama dengan baris 2"))
            #expect(try await AreaResult.query(on: app.db).count() == 0)

            try await SampleResults.importAll(web, election: e.id!)
            let stored = try await AreaResult.query(on: app.db).count()
            // Running the same import again replaces, never doubles.
            try await SampleResults.importAll(web, election: e.id!)
            #expect(try await AreaResult.query(on: app.db).count() == stored)

            let token = try await f.token("dpd")
            let res = try await app.testing().sendRequest(.GET, "/api/v1/elections/\(e.id!)/seats", headers: .bearer(token))
            #expect(res.status == .ok)
            let seats = try res.content.decode(ElectoralController.SeatsResponse.self)
            #expect(seats.totalSeats.values.reduce(0, +) == 45)
            for d in seats.dapils {
                let votes = SampleResults.votes[d.number]!
                #expect(d.votes["PKS"] == votes[8])
                #expect(d.allocation.values.reduce(0, +) == d.seats)
            }
            // The overview and the dapil page render with the quotient table and candidates.
            let page = try await web.get("/elections/\(e.id!)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Kota Serang 4"))
            let dapil = try await web.get("/elections/\(e.id!)/dapil/1")
            #expect(dapil.body.string.contains("Siti Rahmah 1"))
            #expect(dapil.body.string.contains("÷5"))
        }
    }

    @Test("the planner finds the cheapest dapil gains for a target, and simulations run")
    func planner() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let e = try await election(app)
            let web = WebClient(app: app)
            try await web.login("dpd")
            try await SampleResults.importAll(web, election: e.id!)
            let pks = try #require(try await Party.query(on: app.db).filter(\.$election.$id == e.id!).filter(\.$abbreviation == "PKS").first())
            try await web.get("/elections/\(e.id!)")
            #expect(try await web.post("/elections/\(e.id!)/own-party", form: ["party": pks.id!.uuidString]).status == .seeOther)

            let token = try await f.token("dpd")
            let data = try await ElectoralService.load(try await election(app), on: app.db)
            let current = data.dapils.reduce(0) { $0 + (SainteLague.allocate(votes: data.votes(in: $1), seats: $1.seats)[pks.id!.uuidString] ?? 0) }
            let res = try await app.testing().sendRequest(.GET, "/api/v1/elections/\(e.id!)/plan?target=\(current + 2)", headers: .bearer(token))
            #expect(res.status == .ok)
            let plan = try res.content.decode(ElectoralController.PlanResponse.self)
            #expect(plan.party == "PKS" && plan.currentSeats == current && plan.reachable)
            #expect(plan.gains.reduce(0) { $0 + $1.seats } >= 2)
            // Adding the planned votes really wins the seats.
            var after = 0
            for d in data.dapils {
                var v = data.votes(in: d)
                v[pks.id!.uuidString]! += plan.gains.first { $0.dapil == d.name }?.extraVotes ?? 0
                after += SainteLague.allocate(votes: v, seats: d.seats)[pks.id!.uuidString]!
            }
            #expect(after >= current + 2)

            let page = try await web.get("/elections/\(e.id!)/plan?target=\(current + 2)&turnout=-5&swing_36_73_05=3")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("suara tambahan"))
            #expect(page.body.string.contains("Kursi simulasi"))
            let dapil4 = try #require(data.dapils.first { $0.number == 4 })
            let split = try await web.get("/elections/\(e.id!)/plan?split=\(dapil4.id!)")
            #expect(split.body.string.contains("Kota Serang 4 — Curug"))
            #expect(split.body.string.contains("Kursi dibagi ulang"))
            let d1 = try #require(data.dapils.first { $0.number == 1 }), d2 = try #require(data.dapils.first { $0.number == 2 })
            let merged = try await web.get("/elections/\(e.id!)/plan?merge_a=\(d1.id!)&merge_b=\(d2.id!)")
            #expect(merged.body.string.contains("Kota Serang 1 + Kota Serang 2"))

            let bad = try await app.testing().sendRequest(.GET, "/api/v1/elections/\(e.id!)/plan?target=99", headers: .bearer(token))
            #expect(bad.status == .unprocessableEntity)
        }
    }

    @Test("scope: a kelurahan official cannot see the city election; a pengamat sees it but cannot import")
    func scope() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("kel", role: .pengurus, at: "36.73.05.1001")
            try await f.user("analis", role: .pengamat, at: "36.73")
            let e = try await election(app)
            let kel = try await f.token("kel")
            let hidden = try await app.testing().sendRequest(.GET, "/api/v1/elections/\(e.id!)/seats", headers: .bearer(kel))
            #expect(hidden.status == .notFound)
            let list = try await app.testing().sendRequest(.GET, "/api/v1/elections", headers: .bearer(kel))
            #expect(try list.content.decode([ElectoralController.ElectionSummary].self).isEmpty)

            let web = WebClient(app: app)
            try await web.login("analis")
            #expect(try await web.get("/elections/\(e.id!)").status == .ok)
            #expect(try await web.get("/elections/\(e.id!)/import").status == .forbidden)
            let refused = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "results"], file: ("file", "h.csv", SampleResults.csv))
            #expect(refused.status == .forbidden)
            #expect(try await AreaResult.query(on: app.db).count() == 0)
        }
    }

    @Test("turnout import checks arithmetic and shows participation per kecamatan")
    func turnout() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let e = try await election(app)
            let web = WebClient(app: app)
            try await web.login("dpd")
            try await web.get("/elections/\(e.id!)/import")
            let bad = "wilayah,dpt,pengguna_hak_pilih,suara_sah,suara_tidak_sah\n36.73.05,1000,1200,1100,100\nKasemen,1000,800,700,50"
            let refused = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "turnout"], file: ("file", "t.csv", bad))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Baris 2, kolom pengguna_hak_pilih"))
            #expect(refused.body.string.contains("Baris 3, kolom suara_sah"))
            let good = "wilayah,dpt,pengguna_hak_pilih,suara_sah,suara_tidak_sah\n36.73.05,80.000,60.000,57.000,3.000\nKasemen,90000,63000,60000,3000"
            let ok = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "turnout"], file: ("file", "t.csv", good))
            #expect(ok.status == .seeOther)
            let page = try await web.get("/elections/\(e.id!)")
            #expect(page.body.string.contains("75.0%"))
        }
    }
}

@Suite("Electoral: new elections and their dapil from CSV")
struct NewElectionTests {
    @Test("a province official creates an election; the dapil CSV is checked row by row and stored whole")
    func createAndImportDapil() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpw", role: .pengurus, at: "36")
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let dpd = WebClient(app: app)
            try await dpd.login("dpd")
            try await dpd.get("/elections/new")
            let form = ["name": "Pemilu 2029 — DPRD Kabupaten Serang", "year": "2029", "body": "dprd_kabkota",
                        "region": "36.04", "totalSeats": "30", "threshold": "0"]
            // Kota Serang's officials do not manage Kabupaten Serang.
            #expect(try await dpd.post("/elections", form: form).status == .unprocessableEntity)

            let web = WebClient(app: app)
            try await web.login("dpw")
            try await web.get("/elections/new")
            let created = try await web.post("/elections", form: form)
            #expect(created.status == .seeOther)
            let e = try #require(try await Election.query(on: app.db).filter(\.$key == "dprd-kabkota-36.04-2029").first())
            #expect(try await Party.query(on: app.db).filter(\.$election.$id == e.requireID()).count() == 18)
            #expect(try await web.post("/elections", form: form).status == .unprocessableEntity)  // already exists

            try await web.get("/elections/\(e.id!)/import")
            let bad = """
                dapil,nama,kursi,wilayah
                1,Serang 1,10,36.04.05 36.04.06
                2,Serang 2,2,36.04.07
                3,Serang 3,10,Atlantis
                4,Serang 4,10,36.04.05
                """
            let refused = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "dapil"], file: ("file", "dapil.csv", bad))
            #expect(refused.status == .unprocessableEntity)
            let body = refused.body.string
            #expect(body.contains("Baris 3, kolom kursi"))
            #expect(body.contains("Baris 4, kolom wilayah: wilayah &quot;Atlantis&quot; tidak dikenal"))
            #expect(body.contains("Baris 5, kolom wilayah: Kramatwatu sudah termasuk dapil di baris 2"))
            #expect(try await Dapil.query(on: app.db).filter(\.$election.$id == e.requireID()).count() == 0)

            let good = """
                dapil,nama,kursi,wilayah
                1,Serang 1,10,36.04.05 36.04.06 36.04.07 36.04.08
                2,Serang 2,10,Ciruas Kragilan Pontang
                3,Serang 3,10,36.04.13;36.04.14;Cikande
                """
            let ok = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "dapil"], file: ("file", "dapil.csv", good))
            #expect(ok.status == .seeOther)
            let dapils = try await Dapil.query(on: app.db).filter(\.$election.$id == e.requireID()).with(\.$areas).sort(\.$number).all()
            #expect(dapils.map(\.seats) == [10, 10, 10])
            #expect(dapils[1].areas.map(\.regionCode).sorted() == ["36.04.09", "36.04.11", "36.04.12"])
            // Seats that do not add up to the body's 30 are refused.
            let short = "dapil,nama,kursi,wilayah\n1,A,10,36.04.05\n2,B,10,36.04.06"
            let r = try await web.postMultipart("/elections/\(e.id!)/import", fields: ["kind": "dapil"], file: ("file", "d.csv", short))
            #expect(r.body.string.contains("harus sama dengan kursi lembaga 30"))
        }
    }
}
