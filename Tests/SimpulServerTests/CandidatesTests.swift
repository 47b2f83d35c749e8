import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// BCAD on the 2029 DPRD Kota Serang election. Dapil 6 = Taktakan (36.73.06, 6 seats),
/// dapil 5 = Cipocok Jaya (36.73.05).
@Suite("BCAD: proposals, screening, lawful candidate lists, women's representation")
struct CandidatesTests {
    /// An active member with a KTA number.
    @discardableResult
    static func member(_ app: Application, _ name: String, sex: String, in region: String, number: String, nik: String? = nil) async throws -> Membership {
        let f = Fixtures(app: app)
        let person = try await f.person(name, in: region, nik: nik)
        person.sex = sex
        try await person.update(on: app.db)
        let unit = try await f.unit(region)
        let m = Membership()
        m.$person.id = try person.requireID()
        m.$orgUnit.id = try unit.requireID()
        m.scope = unit.path
        m.status = .active
        m.channel = .staff
        m.number = number
        m.registeredAt = Date()
        try await m.create(on: app.db)
        return m
    }

    static func election2029(_ app: Application) async throws -> Election {
        try #require(try await Election.query(on: app.db).filter(\.$key == "dprd-kota-serang-2029").first())
    }

    static func dapil(_ app: Application, _ e: Election, _ number: Int) async throws -> Dapil {
        try #require(try await Dapil.query(on: app.db).filter(\.$election.$id == e.requireID()).filter(\.$number == number).first())
    }

    @Test("a member proposes from the public page, proven by KTA number and NIK; support accumulates")
    func memberProposal() async throws {
        try await withSimpul { app in
            let e = try await Self.election2029(app)
            let d6 = try await Self.dapil(app, e, 6)
            try await Self.member(app, "Ahmad Proposer", sex: "L", in: "36.73.06.1001", number: "3673061001-000001-0", nik: "3673060101900001")
            try await Self.member(app, "Siti Calon", sex: "P", in: "36.73.06.1002", number: "3673061002-000001-0")
            try await Self.member(app, "Budi Pendukung", sex: "L", in: "36.73.06.1002", number: "3673061002-000002-0", nik: "3673060202900002")
            let web = WebClient(app: app)
            let form = try await web.get("/bcad")
            #expect(form.body.string.contains("Kota Serang 6"))
            let stamp = try #require(form.body.string.firstMatch(of: /name="formStamp" value="([^"]+)"/)?.1)
            var fields = ["election": e.id!.uuidString, "dapil": d6.id!.uuidString, "candidateNumber": "3673061002-000001-0",
                          "reason": "Aktif di posyandu dan karang taruna", "supporters": "3673061002-000002-0",
                          "proposerNumber": "3673061001-000001-0", "proposerNIK": "3673060101900009", "formStamp": String(stamp)]
            let wrongNIK = try await web.post("/bcad", form: fields)
            #expect(wrongNIK.status == .unprocessableEntity)
            #expect(wrongNIK.body.string.contains("tidak cocok"))
            #expect(!wrongNIK.body.string.contains("3673060101900009"))
            fields["proposerNIK"] = "3673060101900001"
            fields["candidateNumber"] = "3673069999-000001-0"
            let unknown = try await web.post("/bcad", form: fields)
            #expect(unknown.body.string.contains("Nomor KTA bakal calon tidak ditemukan"))
            #expect(try await Nomination.query(on: app.db).count() == 0)

            fields["candidateNumber"] = "3673061002-000001-0"
            let ok = try await web.post("/bcad", form: fields)
            #expect(ok.status == .ok)
            #expect(ok.body.string.contains("masuk tahap seleksi"))
            let n = try #require(try await Nomination.query(on: app.db).with(\.$person).first())
            #expect(n.person.fullName == "Siti Calon" && n.stageValue == .proposed)
            #expect(try await NominationSupporter.query(on: app.db).count() == 2)
            #expect(try await PersonEvent.query(on: app.db).filter(\.$kind == "bcad.proposed").count() == 1)

            // The supporter proposes the same person through the API: support is added, no second nomination.
            let again = try await app.testing().sendRequest(.POST, "/api/v1/public/nominations", beforeRequest: { req in
                try req.content.encode(["election": e.id!.uuidString, "dapil": "6", "candidateNumber": "3673061002-000001-0",
                                        "reason": "Setuju", "proposerNumber": "3673061002-000002-0", "proposerNIK": "3673060202900002"])
            })
            #expect(again.status == .ok)
            #expect(try await Nomination.query(on: app.db).count() == 1)
            #expect(try await NominationSupporter.query(on: app.db).count() == 2)
        }
    }

    @Test("the public proposal API is rate-limited per address")
    func rateLimit() async throws {
        try await withSimpul { app in
            var last: HTTPResponseStatus = .ok
            for _ in 0...CandidatesController.proposalLimit {
                let res = try await app.testing().sendRequest(.POST, "/api/v1/public/nominations", beforeRequest: { req in
                    try req.content.encode(["proposerNumber": "x", "proposerNIK": "1"])
                })
                last = res.status
            }
            #expect(last == .tooManyRequests)
        }
    }

    /// Six nominees in dapil 6 (6 seats): Laki A–D, Perempuan E–F, all accepted.
    func acceptedNominees(_ app: Application, _ web: WebClient, _ e: Election) async throws -> [String: UUID] {
        let people = [("Laki A", "L"), ("Laki B", "L"), ("Laki C", "L"), ("Laki D", "L"), ("Perempuan E", "P"), ("Perempuan F", "P")]
        var ids: [String: UUID] = [:]
        try await web.get("/elections/\(e.id!)/candidates")
        for (i, (name, sex)) in people.enumerated() {
            let m = try await Self.member(app, name, sex: sex, in: "36.73.06.1003", number: "3673061003-00000\(i)-0")
            ids[name] = m.$person.id
            let d6 = try await Self.dapil(app, e, 6)
            let res = try await web.post("/elections/\(e.id!)/candidates", form: ["dapil": d6.id!.uuidString, "candidateNumber": m.number!, "reason": "Kader"])
            #expect(res.status == .seeOther)
            let n = try #require(try await Nomination.query(on: app.db).filter(\.$person.$id == m.$person.id).first())
            try await web.get("/elections/\(e.id!)/candidates/\(n.id!)")
            #expect(try await web.post("/elections/\(e.id!)/candidates/\(n.id!)/steps", form: ["stage": "survey", "outcome": "lulus", "score": "\(60 + i)"]).status == .seeOther)
            #expect(try await web.post("/elections/\(e.id!)/candidates/\(n.id!)/steps", form: ["stage": "decided", "outcome": "diterima"]).status == .seeOther)
        }
        return ids
    }

    @Test("screening records stages; the list builder refuses unlawful lists and saves a lawful one")
    func listBuilder() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("dpd", role: .pengurus, at: "36.73")
            let e = try await Self.election2029(app)
            let web = WebClient(app: app)
            try await web.login("dpd")
            let ids = try await acceptedNominees(app, web, e)
            // A survey step without a score and a rejection without a reason are refused.
            let someone = try #require(try await Nomination.query(on: app.db).first())
            let noScore = try await web.post("/elections/\(e.id!)/candidates/\(someone.id!)/steps", form: ["stage": "survey", "outcome": "lulus"])
            #expect(noScore.status == .unprocessableEntity)
            #expect(try await NominationStep.query(on: app.db).count() == 12)

            try await web.get("/elections/\(e.id!)/lists/6")
            func pos(_ pairs: [(String, Int)]) -> [String: String] {
                Dictionary(uniqueKeysWithValues: pairs.map { ("pos_\(ids[$0.0]!.uuidString)", String($0.1)) })
            }
            // Men in 1–3: the first block has no woman, and 2 of 6 women is enough for 30% but block 1 fails.
            let bad = try await web.post("/elections/\(e.id!)/lists/6", form: pos([("Laki A", 1), ("Laki B", 2), ("Laki C", 3), ("Perempuan E", 4), ("Laki D", 5), ("Perempuan F", 6)]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Nomor urut 1–3: tidak ada bakal calon perempuan"))
            #expect(try await CandidateListEntry.query(on: app.db).count() == 0)
            // Only one woman among five: under 30% (needs 2).
            let few = try await web.post("/elections/\(e.id!)/lists/6", form: pos([("Perempuan E", 1), ("Laki A", 2), ("Laki B", 3), ("Laki C", 4), ("Laki D", 5)]))
            #expect(few.body.string.contains("Keterwakilan perempuan kurang"))
            // Lawful: a woman in each block of three.
            let good = try await web.post("/elections/\(e.id!)/lists/6", form: pos([("Perempuan E", 1), ("Laki A", 2), ("Laki B", 3), ("Perempuan F", 4), ("Laki C", 5), ("Laki D", 6)]))
            #expect(good.status == .seeOther)
            #expect(try await CandidateListEntry.query(on: app.db).count() == 6)

            // The same person cannot stand in a second dapil in the same year.
            let d5 = try await Self.dapil(app, e, 5)
            let member = try #require(try await Membership.query(on: app.db).filter(\.$person.$id == ids["Laki A"]!).first())
            try await web.get("/elections/\(e.id!)/candidates")
            #expect(try await web.post("/elections/\(e.id!)/candidates", form: ["dapil": d5.id!.uuidString, "candidateNumber": member.number!, "reason": "Pindah"]).status == .seeOther)
            let n5 = try #require(try await Nomination.query(on: app.db).filter(\.$dapilID == d5.requireID()).first())
            try await web.get("/elections/\(e.id!)/candidates/\(n5.id!)")
            _ = try await web.post("/elections/\(e.id!)/candidates/\(n5.id!)/steps", form: ["stage": "decided", "outcome": "diterima"])
            try await web.get("/elections/\(e.id!)/lists/5")
            let twice = try await web.post("/elections/\(e.id!)/lists/5", form: ["pos_\(ids["Laki A"]!.uuidString)": "1"])
            #expect(twice.status == .unprocessableEntity)
            #expect(twice.body.string.contains("sudah tercantum di daftar"))
            #expect(try await CandidateListEntry.query(on: app.db).filter(\.$dapilID == d5.requireID()).count() == 0)

            // Women's dashboard: counts per dapil with the 30% / 15% marks.
            let women = try await web.get("/elections/\(e.id!)/women")
            // Dapil 6: proposals, accepted, list and active members (cadres) are each 2 women of 6.
            #expect(women.body.string.components(separatedBy: "2/6 (33%)").count - 1 == 4)
            #expect(women.body.string.contains("level-ok"))
        }
    }

    @Test("names of prospective candidates need manageElectoral on the election's unit")
    func scope() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("analis", role: .pengamat, at: "36.73")
            try await f.user("kel", role: .pengurus, at: "36.73.06.1001")
            let e = try await Self.election2029(app)
            let analis = WebClient(app: app)
            try await analis.login("analis")
            #expect(try await analis.get("/elections/\(e.id!)/candidates").status == .forbidden)
            #expect(try await analis.get("/elections/\(e.id!)/lists/6").status == .forbidden)
            #expect(try await analis.get("/elections/\(e.id!)/women").status == .ok)
            let kel = WebClient(app: app)
            try await kel.login("kel")
            #expect(try await kel.get("/elections/\(e.id!)/candidates").status == .notFound)
        }
    }
}
