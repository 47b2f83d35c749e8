import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Program kerja: kaskade nasional → provinsi → kota, KPI, Raker")
struct ProgrammesTests {
    func post(_ app: Application, _ path: String, _ token: String, _ body: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/\(path)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    func get(_ app: Application, _ path: String, _ token: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, "/api/v1/\(path)", headers: .bearer(token))
    }

    @Test("a city reads national and province programmes read-only, derives its own, and never sees a sibling city's")
    func cascade() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpp", role: .pengurus, at: nil)
            try await f.user("dpw", role: .pengurus, at: "36")
            try await f.user("dpd", role: .pengurus, at: "36.73")
            try await f.user("cilegon", role: .pengurus, at: "36.72")
            try await f.user("dpc", role: .pengamat, at: "36.73.04")
            let dpp = try await f.token("dpp"), dpw = try await f.token("dpw"), dpd = try await f.token("dpd")
            let cilegon = try await f.token("cilegon"), dpc = try await f.token("dpc")

            let bad = try await post(app, "programmes", dpp, ["unitID": try await f.unit(nil).id!.uuidString, "focus": "x", "startsOn": "2026-12-31", "endsOn": "2026-01-01"])
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(try bad.content.get([FieldError].self, at: "fields").map(\.field)) == ["title", "focus", "owner", "endsOn"])

            let national = try await post(app, "programmes", dpp, ["unitID": try await f.unit(nil).id!.uuidString, "title": "Sekolah Kader Muda",
                                                                   "focus": "kaderisasi", "owner": "Bidang Kaderisasi DPP", "startsOn": "2026-01-01", "endsOn": "2026-12-31"])
            #expect(national.status == .created)
            let nid = try national.content.decode(ProgrammeDTO.self).id
            #expect(try await post(app, "programmes/\(nid)/kpis", dpp, ["name": "Kader muda lulus pelatihan", "unit": "orang", "target": "10.000"]).status == .created)
            // A province cannot create a programme for the national unit.
            let denied = try await post(app, "programmes", dpw, ["unitID": try await f.unit(nil).id!.uuidString, "title": "X", "focus": "pelayanan",
                                                                 "owner": "Y", "startsOn": "2026-01-01", "endsOn": "2026-12-31"])
            #expect(try denied.content.get([FieldError].self, at: "fields").map(\.field) == ["unitID"])
            let cilegonOwn = try await post(app, "programmes", cilegon, ["unitID": try await f.unit("36.72").id!.uuidString, "title": "Posko Cilegon",
                                                                         "focus": "pelayanan", "owner": "DPD Cilegon", "startsOn": "2026-01-01", "endsOn": "2026-12-31"])
            let cilegonID = try cilegonOwn.content.decode(ProgrammeDTO.self).id

            // The city sees the national programme as inherited, read-only.
            let list = try await get(app, "programmes", dpd).content.decode([ProgrammeDTO].self)
            #expect(list.map(\.id) == [nid])
            #expect(list[0].inherited && !list[0].canManage)
            #expect(try await get(app, "programmes/\(nid)", dpd).status == .ok)
            #expect(try await post(app, "programmes/\(nid)/kpis", dpd, ["name": "X", "unit": "orang", "target": "5"]).status == .forbidden)
            // A sibling city's programme does not exist for Kota Serang.
            #expect(try await get(app, "programmes/\(cilegonID)", dpd).status == .notFound)
            #expect(try await post(app, "programmes/\(cilegonID)/derive", dpd, ["unitID": try await f.unit("36.73").id!.uuidString, "owner": "X"]).status == .notFound)

            // The city derives its own; the KPI comes along with a target to set.
            let derived = try await post(app, "programmes/\(nid)/derive", dpd, ["unitID": try await f.unit("36.73").id!.uuidString, "owner": "Bidang Kaderisasi DPD"])
            #expect(derived.status == .created)
            let own = try derived.content.decode(ProgrammeDTO.self)
            #expect(own.derivedFromID == nid && !own.inherited && own.canManage)
            #expect(own.kpis.map(\.name) == ["Kader muda lulus pelatihan"] && own.kpis[0].target == 0)
            let again = try await post(app, "programmes/\(nid)/derive", dpd, ["unitID": try await f.unit("36.73").id!.uuidString, "owner": "X"])
            #expect(try again.content.get([FieldError].self, at: "fields").map(\.field) == ["unitID"])
            // Deriving into a unit that is not below the owner is refused.
            let up = try await post(app, "programmes/\(own.id)/derive", dpd, ["unitID": try await f.unit("36.73").id!.uuidString, "owner": "X"])
            #expect(try up.content.get([FieldError].self, at: "fields").map(\.field) == ["unitID"])

            // Progress: 300 of 400 in the city's own KPI.
            let kpiID = own.kpis[0].id
            let report = try await post(app, "programmes/\(own.id)/kpis/\(kpiID)", dpd, ["actual": "300", "target": "400", "note": "Angkatan 1–3"])
            #expect(report.status == .ok)
            let detail = try report.content.decode(ProgrammeDetail.self)
            #expect(detail.programme.kpis[0].percent == 75 && detail.programme.progress == 75)
            #expect(detail.derivedFrom?.id == nid)
            #expect(detail.updates.map(\.actual) == [300])
            let future = try await post(app, "programmes/\(own.id)/kpis/\(kpiID)", dpd, ["actual": "abc", "onDate": "2999-01-01"])
            #expect(Set(try future.content.get([FieldError].self, at: "fields").map(\.field)) == ["actual", "onDate"])

            // The national view lists the city's derivation under its programme.
            let nat = try await get(app, "programmes/\(nid)", dpp).content.decode(ProgrammeDetail.self)
            #expect(nat.derived.map(\.id) == [own.id])
            // Cilegon reads the national programme but not Kota Serang's derivation.
            let fromCilegon = try await get(app, "programmes/\(nid)", cilegon).content.decode(ProgrammeDetail.self)
            #expect(fromCilegon.derived.isEmpty)
            #expect(try await get(app, "programmes/\(own.id)", cilegon).status == .notFound)

            // A kecamatan observer reads the city's and the national programme, changes nothing.
            let seen = try await get(app, "programmes", dpc).content.decode([ProgrammeDTO].self)
            #expect(Set(seen.map(\.id)) == [nid, own.id])
            #expect(seen.allSatisfy { $0.inherited && !$0.canManage })
            #expect(try await post(app, "programmes/\(own.id)/kpis/\(kpiID)", dpc, ["actual": "399"]).status == .forbidden)
        }
    }

    @Test("Raker: pre-meetings and the final meeting record numbered decisions adopting the unit's programmes")
    func raker() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            try await f.user("curug", role: .pengurus, at: "36.73.04")
            try await f.user("cilegon", role: .pengurus, at: "36.72")
            let dpd = try await f.token("dpd"), curug = try await f.token("curug"), cilegon = try await f.token("cilegon")
            let city = try await f.unit("36.73").id!.uuidString
            let p = try await post(app, "programmes", dpd, ["unitID": city, "title": "Posko Pelayanan 67 Kelurahan", "focus": "pelayanan",
                                                            "owner": "Bidang Pelayanan", "startsOn": "2026-01-01", "endsOn": "2026-12-31"]).content.decode(ProgrammeDTO.self)
            let bad = try await post(app, "raker", dpd, ["unitID": city, "year": "26", "stage": "x"])
            #expect(Set(try bad.content.get([FieldError].self, at: "fields").map(\.field)) == ["year", "stage", "title", "heldOn"])
            let pre = try await post(app, "raker", dpd, ["unitID": city, "year": "2026", "stage": "pre", "title": "Pra-Raker Bidang Pelayanan",
                                                         "heldOn": "2026-01-10", "participants": "24"])
            #expect(pre.status == .created)
            let final = try await post(app, "raker", dpd, ["unitID": city, "year": "2026", "stage": "final", "title": "Raker DPD Kota Serang 2026",
                                                           "heldOn": "2026-01-24", "venue": "Aula DPD"]).content.decode(RakerDTO.self)
            _ = try await post(app, "raker/\(final.id)/decisions", dpd, ["text": "Menetapkan program posko pelayanan.", "programmeID": p.id.uuidString])
            let second = try await post(app, "raker/\(final.id)/decisions", dpd, ["text": "Target 67 posko pada akhir tahun."])
            let meeting = try second.content.decode(RakerDTO.self)
            #expect(meeting.decisions.map(\.number) == [1, 2])
            #expect(meeting.decisions[0].programmeTitle == "Posko Pelayanan 67 Kelurahan")
            let detail = try await get(app, "programmes/\(p.id)", dpd).content.decode(ProgrammeDetail.self)
            #expect(detail.decisions.map(\.number) == [1])
            // A kecamatan reads the city's Raker (inherited) but cannot add decisions; another city cannot see it.
            #expect(try await get(app, "raker", curug).content.decode([RakerDTO].self).count == 2)
            #expect(try await post(app, "raker/\(final.id)/decisions", curug, ["text": "X"]).status == .forbidden)
            #expect(try await get(app, "raker/\(final.id)", cilegon).status == .notFound)
            #expect(try await get(app, "raker", cilegon).content.decode([RakerDTO].self).isEmpty)
        }
    }

    @Test("pages: the programme list, a programme, Raker; the nav shows Program once")
    func pages() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let web = WebClient(app: app)
            try await web.login("dpd")
            let city = try await f.unit("36.73").id!.uuidString
            let invalid = try await web.post("/programmes", form: ["unitID": city, "title": "", "focus": "pelayanan"])
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.body.string.contains("Nama program wajib diisi."))
            let created = try await web.post("/programmes", form: ["unitID": city, "title": "Posko Pelayanan", "focus": "pelayanan", "owner": "Bidang Pelayanan",
                                                                    "startsOn": "2026-01-01", "endsOn": "2026-12-31"])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers.first(name: .location))
            #expect(try await web.post(location + "/kpis", form: ["name": "Kelurahan dengan posko", "unit": "kelurahan", "target": "67"]).status == .seeOther)
            let page = try await web.get(location)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Kelurahan dengan posko"))
            #expect(page.body.string.contains("<svg"))
            let list = try await web.get("/programmes")
            #expect(list.body.string.contains("Posko Pelayanan"))
            #expect(list.body.string.components(separatedBy: "href=\"/programmes\" class=\"active\"").count == 3) // nav + tab
            #expect(try await web.get("/programmes/raker").status == .ok)
        }
    }
}
