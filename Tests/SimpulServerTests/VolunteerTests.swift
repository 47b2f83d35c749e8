import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Satgas relawan: sign-up, selection, decree, incidents, hours")
struct VolunteerTests {
    static let valid: [String: String] = [
        "fullName": "Asep Saepudin", "nik": "3673041208850002", "phone": "081311112222", "regionCode": "36.73.04.1001",
        "consent": "true",
    ]

    func signUp(_ app: Application, _ fields: [String: String], skills: [String] = ["sar", "firstAid"]) async throws -> TestingHTTPResponse {
        let form = VolunteerForm(fullName: fields["fullName"], nik: fields["nik"], phone: fields["phone"], regionCode: fields["regionCode"],
                                 skills: skills, motivation: nil, consent: fields["consent"])
        return try await app.testing().sendRequest(.POST, "/api/v1/public/volunteers", beforeRequest: { req in
            try req.content.encode(form)
        })
    }

    func post(_ app: Application, _ path: String, _ token: String, _ body: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/\(path)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    func fields(_ res: TestingHTTPResponse) throws -> Set<String> { Set(try res.content.get([FieldError].self, at: "fields").map(\.field)) }

    /// Signs up and passes all four stages; returns the volunteer's id.
    func accepted(_ app: Application, _ token: String, _ fields: [String: String]) async throws -> UUID {
        #expect(try await signUp(app, fields).status == .created)
        let person = try #require(try await Person.query(on: app.db).filter(\.$fullName == fields["fullName"]!).first())
        let v = try #require(try await Volunteer.query(on: app.db).filter(\.$person.$id == person.requireID()).first())
        for stage in SelectionStage.allCases {
            #expect(try await post(app, "volunteers/\(v.id!)/decisions", token, ["stage": stage.rawValue, "result": "passed", "reason": "Memenuhi syarat"]).status == .ok)
        }
        return v.id!
    }

    @Test("public sign-up attaches to the one person record; bad input names fields; rate-limited")
    func signUps() async throws {
        try await withSimpul { app in
            let existing = try await Fixtures(app: app).person("Asep Saepudin", in: "36.73.04.1001", nik: "3673041208850002")
            #expect(try await signUp(app, Self.valid).status == .created)
            let v = try #require(try await Volunteer.query(on: app.db).first())
            #expect(v.$person.id == existing.id)
            #expect(v.status == .applied && v.skillList == [.sar, .firstAid] && v.scope == "36.73.04.1001.")
            #expect(try await Person.query(on: app.db).count() == 1)
            let again = try await signUp(app, Self.valid)
            #expect(try fields(again) == ["nik"])
            let bad = try await signUp(app, ["nik": "123", "phone": "0254 123", "regionCode": "99"], skills: ["sulap"])
            #expect(try fields(bad) == ["fullName", "nik", "phone", "regionCode", "skills", "consent"])
            for _ in 3...VolunteerController.registrationLimit { _ = try await signUp(app, [:]) }
            #expect(try await signUp(app, Self.valid).status == .tooManyRequests)
        }
    }

    @Test("selection: every decision needs a reason; four passes accept, a failure rejects; scope and roles hold")
    func selection() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            try await f.user("sibling", role: .pengurus, at: "36.73.04.1002")
            try await f.user("watch", role: .pengamat, at: "36.73.04")
            let dpc = try await f.token("dpc"), sibling = try await f.token("sibling"), watch = try await f.token("watch")
            let id = try await accepted(app, dpc, Self.valid)
            var detail = try await app.testing().sendRequest(.GET, "/api/v1/volunteers/\(id)", headers: .bearer(dpc)).content.decode(VolunteerDetail.self)
            #expect(detail.volunteer.status == .accepted && detail.volunteer.ready)
            #expect(detail.decisions.count == 4)
            #expect(try fields(try await post(app, "volunteers/\(id)/decisions", dpc, ["stage": "health", "result": "failed"])) == ["reason"])
            #expect(try fields(try await post(app, "volunteers/\(id)/decisions", dpc, ["stage": "x", "result": "maybe", "reason": "r"])) == ["stage", "result"])
            #expect(try await post(app, "volunteers/\(id)/decisions", sibling, ["stage": "health", "result": "failed", "reason": "x"]).status == .notFound)
            #expect(try await post(app, "volunteers/\(id)/decisions", watch, ["stage": "health", "result": "failed", "reason": "x"]).status == .forbidden)
            let failed = try await post(app, "volunteers/\(id)/decisions", dpc, ["stage": "health", "result": "failed", "reason": "Hipertensi berat"])
            detail = try failed.content.decode(VolunteerDetail.self)
            #expect(detail.volunteer.status == .rejected && !detail.volunteer.ready)
            #expect(detail.decisions.count == 5)
            // A later passing decision for the same stage (re-examined) counts; the history stays.
            _ = try await post(app, "volunteers/\(id)/decisions", dpc, ["stage": "health", "result": "passed", "reason": "Pemeriksaan ulang normal"])
            #expect(try #require(try await Volunteer.find(id, on: app.db)).status == .accepted)
            #expect(try await SelectionDecision.query(on: app.db).count() == 6)
            let cert = try await post(app, "volunteers/\(id)/certificates", dpc, ["name": "Pelatihan Dasar SAR", "issuer": "Basarnas", "validUntil": "2028-12-31"])
            #expect(try cert.content.decode(VolunteerDetail.self).certificates.map(\.name) == ["Pelatihan Dasar SAR"])
            #expect(try fields(try await post(app, "volunteers/\(id)/certificates", dpc, ["validUntil": "31/12/2028"])) == ["name", "issuer", "validUntil"])
            let roster = try await app.testing().sendRequest(.GET, "/api/v1/volunteers", headers: .bearer(sibling)).content.decode([VolunteerDTO].self)
            #expect(roster.isEmpty)
            let events = try await PersonEvent.query(on: app.db).filter(\.$module == "relief").count()
            #expect(events == 7)
        }
    }

    @Test("a decree lists only accepted volunteers, once; incidents send ready volunteers and count their hours")
    func decreeAndIncidents() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            let dpc = try await f.token("dpc")
            let curug = try await f.unit("36.73.04")
            let asep = try await accepted(app, dpc, Self.valid)
            #expect(try await signUp(app, Self.valid.merging(["fullName": "Dewi Lestari", "nik": "3673045508900001"]) { $1 }).status == .created)
            let dewi = try #require(try await Volunteer.query(on: app.db).filter(\.$status == .applied).first()).id!

            let badDecree = try await post(app, "decrees", dpc, ["unitID": curug.id!.uuidString, "issuedOn": "2026-02-30"])
            #expect(try fields(badDecree) == ["number", "title", "issuedOn"])
            let decree = try await post(app, "decrees", dpc, ["unitID": curug.id!.uuidString, "number": "012/SK/DPC/XI/2026",
                                                               "title": "Pembentukan Satgas Relawan Bencana DPC Curug", "issuedOn": "2026-11-01"])
            let decreeID = try decree.content.decode(DecreeDTO.self).id
            #expect(try fields(try await post(app, "decrees/\(decreeID)/members", dpc, ["volunteerID": dewi.uuidString, "position": "Anggota"])) == ["volunteerID"])
            #expect(try await post(app, "decrees/\(decreeID)/members", dpc, ["volunteerID": asep.uuidString, "position": "Koordinator"]).status == .ok)
            #expect(try fields(try await post(app, "decrees/\(decreeID)/members", dpc, ["volunteerID": asep.uuidString, "position": "Anggota"])) == ["volunteerID"])
            let dup = try await post(app, "decrees", dpc, ["unitID": curug.id!.uuidString, "number": "012/SK/DPC/XI/2026", "title": "x", "issuedOn": "2026-11-02"])
            #expect(try fields(dup) == ["number"])

            let outsideNoPlace = try await post(app, "incidents", dpc, ["unitID": curug.id!.uuidString, "title": "Gempa Cianjur", "hazard": "gempa", "outside": "on"])
            #expect(try fields(outsideNoPlace) == ["location"])
            let wrongPlace = try await post(app, "incidents", dpc, ["unitID": curug.id!.uuidString, "title": "Banjir", "hazard": "banjir", "regionCode": "36.73.05.1001"])
            #expect(try fields(wrongPlace) == ["regionCode"])
            let created = try await post(app, "incidents", dpc, ["unitID": curug.id!.uuidString, "title": "Banjir Curug", "hazard": "banjir", "regionCode": "36.73.04.1001"])
            #expect(created.status == .created)
            let incident = try created.content.decode(IncidentDTO.self)
            #expect(try fields(try await post(app, "incidents/\(incident.id)/deployments", dpc, ["volunteerID": dewi.uuidString, "task": "Dapur umum"])) == ["volunteerID"])
            let sent = try await post(app, "incidents/\(incident.id)/deployments", dpc, ["volunteerID": asep.uuidString, "task": "Evakuasi perahu"])
            #expect(sent.status == .created)
            let again = try await post(app, "incidents/\(incident.id)/deployments", dpc, ["volunteerID": asep.uuidString, "task": "Lagi"])
            #expect(try again.content.get([FieldError].self, at: "fields").first?.message.contains("sedang bertugas") == true)
            let ready = try await app.testing().sendRequest(.GET, "/api/v1/volunteers?ready=on", headers: .bearer(dpc)).content.decode([VolunteerDTO].self)
            #expect(ready.isEmpty)
            #expect(try await post(app, "incidents/\(incident.id)/close", dpc, [:]).status == .unprocessableEntity)
            // A shift of two and a half hours.
            let deployment = try #require(try await Deployment.query(on: app.db).first())
            deployment.checkInAt = Date().addingTimeInterval(-150 * 60 - 5)
            try await deployment.update(on: app.db)
            let out = try await post(app, "deployments/\(deployment.id!)/checkout", dpc, [:])
            #expect(try out.content.decode(IncidentDetail.self).incident.totalMinutes == 150)
            #expect(try out.content.decode(IncidentDetail.self).incident.hoursText == "2 jam 30 menit")
            #expect(try await post(app, "deployments/\(deployment.id!)/checkout", dpc, [:]).status == .conflict)
            let asepNow = try await app.testing().sendRequest(.GET, "/api/v1/volunteers/\(asep)", headers: .bearer(dpc)).content.decode(VolunteerDetail.self)
            #expect(asepNow.volunteer.totalMinutes == 150 && asepNow.volunteer.ready)
            #expect(try await post(app, "incidents/\(incident.id)/close", dpc, [:]).status == .ok)
            #expect(try await post(app, "incidents/\(incident.id)/deployments", dpc, ["volunteerID": asep.uuidString, "task": "x"]).status == .conflict)
        }
    }

    @Test("the public page form: skills as checkboxes, bots refused; officials' pages render")
    func pages() async throws {
        try await withSimpul { app in
            let web = WebClient(app: app)
            let form = try await web.get("/relawan")
            #expect(form.body.string.contains("Dapur umum"))
            let stamp = String(try #require(form.body.string.firstMatch(of: /name="formStamp" value="([^"]+)"/)?.1))
            let sent = try await web.post("/relawan", form: Self.valid.merging(["formStamp": stamp, "consent": "on", "skills[]": "publicKitchen"]) { $1 })
            #expect(sent.status == .ok)
            #expect(sent.body.string.contains("Terima kasih"))
            #expect(try #require(try await Volunteer.query(on: app.db).first()).skillList == [.publicKitchen])
            let bot = try await web.post("/relawan", form: Self.valid.merging(["formStamp": stamp, "website": "x", "nik": "3673045508900001"]) { $1 })
            #expect(bot.status == .unprocessableEntity)
            #expect(try await Volunteer.query(on: app.db).count() == 1)
            try await Fixtures(app: app).user("dpc", role: .pengurus, at: "36.73.04")
            let staff = WebClient(app: app)
            _ = try await staff.login("dpc")
            let v = try #require(try await Volunteer.query(on: app.db).first())
            #expect(try await staff.get("/volunteers").body.string.contains("Asep Saepudin"))
            let refused = try await staff.post("/volunteers/\(v.id!)/decisions", form: ["stage": "documents", "result": "passed"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Alasan/catatan keputusan wajib diisi."))
            #expect(try await staff.post("/volunteers/\(v.id!)/decisions", form: ["stage": "documents", "result": "passed", "reason": "KTP lengkap"]).status == .seeOther)
            // An official registers a cadre; a kelurahan outside the official's units is refused.
            #expect(try await staff.get("/volunteers/new").body.string.contains("Daftarkan relawan"))
            let outside = try await staff.post("/volunteers", form: ["fullName": "Kader Lain", "nik": "3673051507880003", "phone": "081322223333",
                                                                   "regionCode": "36.73.05.1001", "consent": "on"])
            #expect(outside.status == .unprocessableEntity)
            #expect(outside.body.string.contains("Anda tidak berwenang mendaftarkan relawan di kelurahan"))
            let cadre = try await staff.post("/volunteers", form: ["fullName": "Kader Curug", "nik": "3673051507880003", "phone": "081322223333",
                                                                 "regionCode": "36.73.04.1002", "consent": "on", "skills[]": "radio"])
            #expect(cadre.status == .seeOther)
            #expect(try await Volunteer.query(on: app.db).filter(\.$channel == .staff).count() == 1)
            #expect(try await staff.get("/incidents").status == .ok)
            #expect(try await staff.get("/decrees").status == .ok)
        }
    }
}
