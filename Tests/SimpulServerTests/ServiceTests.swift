import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// 36.73.04.1001 and 36.73.04.1002 are sibling kelurahan in Curug (36.73.04);
/// 36.73.05.1001 lies in Cipocok Jaya (36.73.05).
@Suite("Pelayanan: public requests, tracking, triage to closing, scope")
struct ServiceTests {
    static let valid: [String: String] = [
        "kind": "request", "category": "kesehatan", "summary": "Ibu belum terdaftar BPJS PBI",
        "description": "Ibu saya (70 tahun) dirawat di RSUD dan belum punya BPJS. Mohon dibantu pendaftaran PBI.",
        "regionCode": "36.73.04.1001", "locationDetail": "Kp. Sukajaya RT 02/01", "requesterName": "Rina Marlina",
        "phone": "0812-3456-7890", "consent": "true",
    ]

    func file(_ app: Application, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/public/service-requests", beforeRequest: { req in
            try req.content.encode(fields)
        })
    }

    func track(_ app: Application, _ code: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, "/api/v1/public/service-requests/\(code.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!)")
    }

    func act(_ app: Application, _ token: String, _ id: UUID, _ action: String, _ body: [String: String] = [:]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/service-requests/\(id)/\(action)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    func filed(_ app: Application, _ fields: [String: String] = valid) async throws -> (code: String, request: ServiceRequest) {
        let res = try await file(app, fields)
        #expect(res.status == .created)
        let code = try res.content.decode(ServiceReceipt.self).code
        let r = try #require(try await ServiceRequest.query(on: app.db).filter(\.$code == TrackingCode(parsing: code).compact).first())
        return (code, r)
    }

    @Test("a citizen files without an account: code, kelurahan scope, SLA, encrypted phone, one person per NIK")
    func publicFiling() async throws {
        try await withSimpul { app in
            let existing = try await Fixtures(app: app).person("Rina Marlina", in: "36.73.04.1001", nik: "3673045508900001")
            let (code, r) = try await filed(app, Self.valid.merging(["nik": "3673045508900001"]) { $1 })
            #expect((try? TrackingCode(parsing: code)) != nil)
            #expect(r.scope == "36.73.04.1001.")
            #expect(r.status == .received)
            #expect(r.channel == .public)
            #expect(r.dueOn == ServiceSLA.dueDate(receivedOn: CivilDate(iso8601: r.receivedOn)!, category: .kesehatan).iso8601)
            #expect(!r.phoneCipher.contains("3456"))
            #expect(try app.vault.decrypt(r.phoneCipher) == "081234567890")
            #expect(r.phoneMasked != "081234567890" && r.phoneMasked.hasPrefix("0812"))
            #expect(r.$person.id == existing.id)
            // A new NIK makes one new person, and the same NIK again attaches to it.
            let (_, second) = try await filed(app, Self.valid.merging(["nik": "3673041208850002", "requesterName": "Budi"]) { $1 })
            let (_, third) = try await filed(app, Self.valid.merging(["nik": "3673041208850002", "requesterName": "Budi S."]) { $1 })
            #expect(second.$person.id != nil && second.$person.id == third.$person.id)
            #expect(try await Person.query(on: app.db).count() == 2)
            let events = try await PersonEvent.query(on: app.db).filter(\.$person.$id == existing.id!).all()
            #expect(events.map(\.kind) == ["service.filed"])
            // Without a NIK no person record is made.
            let (_, anonymous) = try await filed(app)
            #expect(anonymous.$person.id == nil)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "service.create").count() == 4)
        }
    }

    @Test("bad input names each field in Indonesian and stores nothing")
    func refusals() async throws {
        try await withSimpul { app in
            let empty = try await file(app, [:])
            #expect(empty.status == .unprocessableEntity)
            let fields = Set(try empty.content.get([FieldError].self, at: "fields").map(\.field))
            #expect(fields == ["kind", "category", "summary", "description", "regionCode", "requesterName", "phone", "consent"])
            #expect(try empty.content.get([FieldError].self, at: "fields").contains { $0.message.hasPrefix("Nomor HP/WhatsApp wajib diisi") })
            let bad = try await file(app, Self.valid.merging(["phone": "12345", "nik": "1234", "regionCode": "36.73.99.9999",
                                                              "category": "pajak", "description": "tolong"]) { $1 })
            let errors = try bad.content.get([FieldError].self, at: "fields")
            #expect(Set(errors.map(\.field)) == ["phone", "nik", "regionCode", "category", "description"])
            #expect(errors.first { $0.field == "regionCode" }?.message == "Kelurahan dengan kode 36.73.99.9999 tidak dikenal.")
            #expect(errors.first { $0.field == "description" }?.message.contains("terlalu singkat") == true)
            #expect(try await ServiceRequest.query(on: app.db).count() == 0)
        }
    }

    @Test("public filing and public checks are rate-limited per address")
    func rateLimits() async throws {
        try await withSimpul { app in
            for _ in 1...ServiceController.filingLimit { #expect(try await file(app, [:]).status == .unprocessableEntity) }
            let blocked = try await file(app, Self.valid)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Terlalu banyak pengiriman"))
            for _ in 1...ServiceController.trackingLimit { #expect(try await track(app, "K7M2").status == .unprocessableEntity) }
            #expect(try await track(app, "K7M2").status == .tooManyRequests)
            #expect(try await ServiceRequest.query(on: app.db).count() == 0)
        }
    }

    @Test("the tracking check shows status and public updates only, never personal data")
    func trackingCheck() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            let token = try await f.token("dpc")
            let (code, r) = try await filed(app, Self.valid.merging(["nik": "3673045508900001"]) { $1 })
            #expect(try await act(app, token, r.id!, "note", ["note": "Sudah ditelepon, ibu Rina minta dikunjungi."]).status == .ok)
            #expect(try await act(app, token, r.id!, "note", ["note": "Berkas sedang disiapkan.", "isPublic": "on"]).status == .ok)
            let res = try await track(app, code.lowercased().replacingOccurrences(of: "-", with: " "))
            #expect(res.status == .ok)
            let status = try res.content.decode(PublicServiceStatus.self)
            #expect(status.code == code)
            #expect(status.statusLabel == "Diterima")
            #expect(status.updates.map(\.text) == ["Permohonan bantuan diterima lewat formulir publik.", "Berkas sedang disiapkan."])
            let body = res.body.string
            for secret in ["Rina", "0812", "3673045508900001", "Sukajaya", "70 tahun", "dikunjungi"] {
                #expect(!body.contains(secret), "public status leaks \(secret)")
            }
            // A typo is caught by the check character, before the database is asked.
            var typo = Array(try TrackingCode(parsing: code).compact)
            typo[0] = typo[0] == "A" ? "B" : "A"
            let mistyped = try await track(app, String(typo))
            #expect(mistyped.status == .unprocessableEntity)
            #expect(try mistyped.content.get([FieldError].self, at: "fields").first?.field == "kode")
            #expect(try await track(app, TrackingCode().formatted).status == .notFound)
            let page = try await app.testing().sendRequest(.GET, "/layanan/cek?kode=\(code)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Berkas sedang disiapkan."))
            #expect(!page.body.string.contains("Rina"))
        }
    }

    @Test("triage, assign, refer, follow up, close, reopen: each leaves history and audit")
    func workflow() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            let advocate = try await f.person("Dedi Kader", in: "36.73.04.1001")
            let token = try await f.token("dpc")
            let (code, r) = try await filed(app, Self.valid.merging(["category": "ppks", "summary": "Lansia hidup sendiri tanpa perawatan"]) { $1 })
            let id = r.id!
            // An advocacy case needs a PPKS case type.
            let noType = try await act(app, token, id, "triage", ["category": "ppks"])
            #expect(noType.status == .unprocessableEntity)
            #expect(try noType.content.get([FieldError].self, at: "fields").map(\.field) == ["ppksType"])
            let triaged = try await act(app, token, id, "triage", ["category": "ppks", "ppksType": "lanjutUsiaTerlantar", "urgent": "on"])
            #expect(triaged.status == .ok)
            var stored = try #require(try await ServiceRequest.find(id, on: app.db))
            #expect(stored.status == .triaged && stored.ppksType == .lanjutUsiaTerlantar && stored.urgent)
            #expect(stored.dueOn == ServiceSLA.addWorkingDays(1, to: CivilDate(iso8601: stored.receivedOn)!).iso8601)
            // Refer is not possible before triage… it is now; closing without an outcome is refused.
            let unit = try await f.unit("36.73.04")
            let sibling = try await f.unit("36.73.05")
            #expect(try await act(app, token, id, "assign", ["unitID": sibling.id!.uuidString]).status == .unprocessableEntity)
            #expect(try await act(app, token, id, "assign", ["unitID": unit.id!.uuidString, "advocateID": advocate.id!.uuidString]).status == .ok)
            stored = try #require(try await ServiceRequest.find(id, on: app.db))
            #expect(stored.status == .inProgress && stored.$assignedUnit.id == unit.id && stored.$advocate.id == advocate.id)
            #expect(try await act(app, token, id, "refer", [:]).status == .unprocessableEntity)
            #expect(try await act(app, token, id, "refer", ["agency": "Dinas Sosial Kota Serang"]).status == .ok)
            let badDate = try await act(app, token, id, "followUp", ["note": "Kunjungan rumah.", "nextFollowUpOn": "2001-01-01"])
            #expect(try badDate.content.get([FieldError].self, at: "fields").map(\.field) == ["nextFollowUpOn"])
            let next = CivilDate(Date()).adding(days: 7).iso8601
            #expect(try await act(app, token, id, "followUp", ["note": "Kunjungan rumah bersama pendamping.", "nextFollowUpOn": next]).status == .ok)
            #expect(try #require(try await ServiceRequest.find(id, on: app.db)).followUpOn == next)
            let noOutcome = try await act(app, token, id, "close", ["note": "Sudah ditempatkan di panti."])
            #expect(try noOutcome.content.get([FieldError].self, at: "fields").map(\.field) == ["outcome"])
            let closed = try await act(app, token, id, "close", ["outcome": "resolved", "note": "Ditempatkan di panti werdha."])
            #expect(closed.status == .ok)
            let detail = try closed.content.decode(ServiceRequestDetail.self)
            #expect(detail.request.status == .closed && detail.request.outcome == .resolved)
            #expect(detail.advocateName == "Dedi Kader")
            #expect(try await act(app, token, id, "close", ["outcome": "resolved", "note": "lagi"]).status == .conflict)
            #expect(try await act(app, token, id, "reopen", [:]).status == .unprocessableEntity)
            #expect(try await act(app, token, id, "reopen", ["note": "Keluarga melapor belum ada tempat."]).status == .ok)
            let actions = try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["service.triage", "service.assign", "service.refer",
                                                                                       "service.followUp", "service.close", "service.reopen"]).count()
            #expect(actions == 6)
            let notes = try await ServiceNote.query(on: app.db).filter(\.$request.$id == id).all()
            #expect(notes.contains { $0.body == "Jenis kasus PPKS: Lanjut usia terlantar." && !$0.isPublic })
            #expect(notes.contains { $0.body == "Dirujuk ke Dinas Sosial Kota Serang." && $0.isPublic })
            let status = try await track(app, code).content.decode(PublicServiceStatus.self)
            #expect(status.statusLabel == "Sedang ditangani")
            #expect(!status.updates.contains { $0.text.contains("Dedi") || $0.text.contains("panti werdha") })
        }
    }

    @Test("scope: another kelurahan sees nothing (404), a pengamat cannot act (403), an operator notes but does not decide")
    func scope() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpra1", role: .pengurus, at: "36.73.04.1001")
            try await f.user("dpra2", role: .pengurus, at: "36.73.04.1002")
            try await f.user("watch", role: .pengamat, at: "36.73.04")
            try await f.user("op", role: .operator, at: "36.73.04.1001")
            let (_, r) = try await filed(app)
            let (_, other) = try await filed(app, Self.valid.merging(["regionCode": "36.73.04.1002"]) { $1 })
            let own = try await f.token("dpra1"), sibling = try await f.token("dpra2")
            let watch = try await f.token("watch"), op = try await f.token("op")
            func list(_ token: String) async throws -> Set<UUID> {
                let res = try await app.testing().sendRequest(.GET, "/api/v1/service-requests?state=all", headers: .bearer(token))
                return Set(try res.content.decode(ServiceRequestsPage.self).items.map(\.id))
            }
            #expect(try await list(own) == [r.id!])
            #expect(try await list(sibling) == [other.id!])
            #expect(try await list(watch) == [r.id!, other.id!])
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/service-requests/\(r.id!)", headers: .bearer(sibling)).status == .notFound)
            #expect(try await act(app, sibling, r.id!, "note", ["note": "x"]).status == .notFound)
            #expect(try await act(app, watch, r.id!, "note", ["note": "x"]).status == .forbidden)
            #expect(try await act(app, op, r.id!, "note", ["note": "Pelapor datang ke sekretariat."]).status == .ok)
            #expect(try await act(app, op, r.id!, "triage", ["category": "kesehatan"]).status == .forbidden)
            #expect(try await act(app, own, r.id!, "triage", ["category": "kesehatan"]).status == .ok)
            // Revealing the phone is for those who may unmask personal data, and audited.
            let revealOp = try await app.testing().sendRequest(.POST, "/api/v1/service-requests/\(r.id!)/reveal", headers: .bearer(op))
            #expect(revealOp.status == .forbidden)
            let reveal = try await app.testing().sendRequest(.POST, "/api/v1/service-requests/\(r.id!)/reveal", headers: .bearer(own))
            #expect(try reveal.content.get(String.self, at: "phone") == "081234567890")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "service.reveal").count() == 1)
            // Staff record walk-in requests only where they work.
            let walkIn = try await app.testing().sendRequest(.POST, "/api/v1/service-requests", headers: .bearer(op), beforeRequest: { req in
                try req.content.encode(Self.valid.merging(["regionCode": "36.73.04.1002"]) { $1 })
            })
            #expect(try walkIn.content.get([FieldError].self, at: "fields").map(\.field) == ["regionCode"])
            let allowed = try await app.testing().sendRequest(.POST, "/api/v1/service-requests", headers: .bearer(op), beforeRequest: { req in
                try req.content.encode(Self.valid)
            })
            #expect(allowed.status == .created)
            #expect(try allowed.content.decode(ServiceRequestDTO.self).channel == .staff)
        }
    }

    @Test("lists: overdue requests and due follow-ups")
    func overdue() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let token = try await f.token("dpd")
            let (_, late) = try await filed(app)
            let (_, fresh) = try await filed(app, Self.valid.merging(["category": "infrastruktur"]) { $1 })
            late.dueOn = "2020-01-06"
            late.receivedOn = "2020-01-02"
            late.followUpOn = CivilDate(Date()).iso8601
            try await late.update(on: app.db)
            func ids(_ state: String) async throws -> [UUID] {
                let res = try await app.testing().sendRequest(.GET, "/api/v1/service-requests?state=\(state)", headers: .bearer(token))
                return try res.content.decode(ServiceRequestsPage.self).items.map(\.id)
            }
            #expect(try await ids("breached") == [late.id!])
            #expect(try await ids("followUp") == [late.id!])
            #expect(Set(try await ids("open")) == [late.id!, fresh.id!])
            // Search by tracking code (as typed) or by part of the title.
            let byCode = try await app.testing().sendRequest(.GET, "/api/v1/service-requests?q=\(late.trackingCode.lowercased())", headers: .bearer(token))
            #expect(try byCode.content.decode(ServiceRequestsPage.self).items.map(\.id) == [late.id!])
            let byTitle = try await app.testing().sendRequest(.GET, "/api/v1/service-requests?q=bpjs", headers: .bearer(token))
            #expect(try byTitle.content.decode(ServiceRequestsPage.self).total == 2)
            let dto = try await app.testing().sendRequest(.GET, "/api/v1/service-requests/\(late.id!)", headers: .bearer(token))
                .content.decode(ServiceRequestDetail.self).request
            #expect(dto.breached)
            #expect(dto.ageDays > 365)
        }
    }

    @Test("the phone journey: form, receipt with code, check by code; bots refused; staff page actions")
    func pages() async throws {
        try await withSimpul { app in
            let web = WebClient(app: app)
            let form = try await web.get("/layanan")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("Kecamatan Curug"))
            let stamp = String(try #require(form.body.string.firstMatch(of: /name="formStamp" value="([^"]+)"/)?.1))
            // Rendered a minute ago: the page that comes back with errors keeps that time.
            let earlier = FormGuard.stamp(vault: app.vault, now: Date().addingTimeInterval(-60))
            let refused = try await web.post("/layanan", form: Self.valid.merging(["formStamp": earlier, "phone": ""]) { $1 })
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Nomor HP/WhatsApp wajib diisi"))
            #expect(refused.body.string.contains("Ibu belum terdaftar BPJS PBI"))  // what was typed is kept
            // The first render time is kept: fixing one field quickly is not taken for a bot.
            #expect(refused.body.string.contains(#"name="formStamp" value="\#(earlier)""#))
            let sent = try await web.post("/layanan", form: Self.valid.merging(["formStamp": stamp, "consent": "on"]) { $1 })
            #expect(sent.status == .ok)
            let code = String(try #require(sent.body.string.firstMatch(of: /class="code mono">([^<]+)</)?.1))
            let check = try await web.get("/layanan/cek?kode=\(code)")
            #expect(check.body.string.contains("Diterima"))
            #expect(check.body.string.contains("Kel. "))
            let bot = try await web.post("/layanan", form: Self.valid.merging(["formStamp": stamp, "website": "http://spam"]) { $1 })
            #expect(bot.status == .unprocessableEntity)
            #expect(try await ServiceRequest.query(on: app.db).count() == 1)

            try await Fixtures(app: app).user("dpc", role: .pengurus, at: "36.73.04")
            let staff = WebClient(app: app)
            _ = try await staff.login("dpc")
            let r = try #require(try await ServiceRequest.query(on: app.db).first())
            let list = try await staff.get("/service")
            #expect(list.body.string.contains("Ibu belum terdaftar BPJS PBI"))
            let detail = try await staff.get("/service/\(r.id!)")
            #expect(detail.body.string.contains("Tutup dengan hasil"))
            #expect(!detail.body.string.contains("081234567890"))
            let missing = try await staff.post("/service/\(r.id!)/close", form: ["note": "selesai"])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("Hasil penanganan wajib dipilih."))
            let closed = try await staff.post("/service/\(r.id!)/close", form: ["outcome": "resolved", "note": "Kartu KIS terbit."])
            #expect(closed.status == .seeOther)
            #expect(try #require(try await ServiceRequest.find(r.id, on: app.db)).status == .closed)
            let revealed = try await staff.post("/service/\(r.id!)/reveal", form: [:])
            #expect(revealed.body.string.contains("081234567890"))
        }
    }

    @Test("dashboard: open requests by age and category, breaches per unit, stock, volunteers, funds — in scope, with SVG charts")
    func dashboard() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengamat, at: "36.73.04")
            try await f.user("other", role: .pengurus, at: "36.73.05")
            try await f.user("boss", role: .pengurus, at: "36.73.04")
            let token = try await f.token("dpc"), other = try await f.token("other"), boss = try await f.token("boss")
            let curug = try await f.unit("36.73.04")
            _ = try await filed(app)
            let (_, old) = try await filed(app, Self.valid.merging(["category": "infrastruktur", "regionCode": "36.73.04.1002"]) { $1 })
            let (_, elsewhere) = try await filed(app, Self.valid.merging(["regionCode": "36.73.05.1001"]) { $1 })
            let today = CivilDate(Date())
            old.receivedOn = today.adding(days: -20).iso8601
            old.dueOn = today.adding(days: -2).iso8601
            try await old.update(on: app.db)
            _ = elsewhere
            // A closed one does not count as open.
            let (_, done) = try await filed(app, Self.valid.merging(["regionCode": "36.73.04.1002"]) { $1 })
            #expect(try await act(app, boss, done.id!, "close", ["outcome": "resolved", "note": "Selesai"]).status == .ok)
            // Stock below its threshold, a ready volunteer, a campaign.
            let item = try await app.testing().sendRequest(.POST, "/api/v1/food/items", headers: .bearer(boss), beforeRequest: { req in
                try req.content.encode(["unitID": curug.id!.uuidString, "name": "Beras", "unit": "kg", "lowThreshold": "50"])
            }).content.decode(FoodItemDTO.self)
            _ = try await app.testing().sendRequest(.POST, "/api/v1/food/items/\(item.id)/movements", headers: .bearer(boss), beforeRequest: { req in
                try req.content.encode(["kind": "donationIn", "quantity": "20", "counterparty": "Warga"])
            })
            _ = try await app.testing().sendRequest(.POST, "/api/v1/campaigns", headers: .bearer(boss), beforeRequest: { req in
                try req.content.encode(["unitID": curug.id!.uuidString, "title": "Dana Banjir Curug", "purpose": "Bantuan", "target": "10.000.000"])
            })
            let res = try await app.testing().sendRequest(.GET, "/api/v1/service-dashboard?unit=\(curug.id!)", headers: .bearer(token))
            #expect(res.status == .ok)
            let d = try res.content.decode(ServiceDashboardData.self)
            #expect(d.open == 2 && d.breached == 1 && d.closedLast30Days == 1)
            #expect(d.byAge.map(\.count) == [1, 0, 0, 1, 0])
            #expect(Dictionary(uniqueKeysWithValues: d.byCategory.map { ($0.key, $0.count) }) == ["kesehatan": 1, "infrastruktur": 1])
            let village = try #require(d.children.first { $0.name.hasSuffix("Curug") == false && $0.breached == 1 })
            #expect(village.open == 1)
            #expect(d.children.map(\.open).reduce(0, +) == 2)
            #expect(d.stock.map(\.stock) == [20] && d.lowStock == 1)
            #expect(d.funds.map(\.target) == [10_000_000])
            #expect(d.volunteersReady == 0)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/service-dashboard?unit=\(curug.id!)", headers: .bearer(other)).status == .notFound)
            let web = WebClient(app: app)
            _ = try await web.login("dpc")
            let page = try await web.get("/service/dashboard?unit=\(curug.id!)")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.components(separatedBy: "<svg").count - 1 == 6)
            #expect(html.contains("Laporan terbuka menurut umur") && html.contains("Dana Banjir Curug"))
            #expect(!html.contains("&lt;svg"))
        }
    }

    @Test("merging duplicate people moves requests, distributions and the volunteer record to the kept person")
    func mergeMovesRecords() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            let token = try await f.token("dpc")
            let keep = try await f.person("Rina Marlina", in: "36.73.04.1001", phone: "081234567890")
            let other = try await f.person("Rina M.", in: "36.73.04.1001", nik: "3673045508900001")
            let (_, r) = try await filed(app, Self.valid.merging(["nik": "3673045508900001"]) { $1 })
            #expect(r.$person.id == other.id)
            let item = try await app.testing().sendRequest(.POST, "/api/v1/food/items", headers: .bearer(token), beforeRequest: { req in
                try req.content.encode(["unitID": try await f.unit("36.73.04").id!.uuidString, "name": "Beras", "unit": "kg"])
            }).content.decode(FoodItemDTO.self)
            for body in [["kind": "donationIn", "quantity": "10", "counterparty": "Warga"],
                         ["kind": "distributionOut", "quantity": "5", "counterparty": "Rina M.", "regionCode": "36.73.04.1001", "nik": "3673045508900001"]] {
                _ = try await app.testing().sendRequest(.POST, "/api/v1/food/items/\(item.id)/movements", headers: .bearer(token), beforeRequest: { req in
                    try req.content.encode(body)
                })
            }
            let volunteer = try await app.testing().sendRequest(.POST, "/api/v1/volunteers", headers: .bearer(token), beforeRequest: { req in
                try req.content.encode(VolunteerForm(fullName: "Rina M.", nik: "3673045508900001", phone: "081234567890", regionCode: "36.73.04.1001",
                                                     skills: ["publicKitchen"], motivation: nil, consent: "on"))
            })
            #expect(volunteer.status == .created)
            let web = WebClient(app: app)
            _ = try await web.login("dpc")
            let merged = try await web.post("/people/duplicates/merge", form: ["keep": keep.id!.uuidString, "other": other.id!.uuidString])
            #expect(merged.status == .seeOther)
            #expect(try await Person.find(other.id, on: app.db) == nil)
            #expect(try #require(try await ServiceRequest.find(r.id, on: app.db)).$person.id == keep.id)
            #expect(try await StockEntry.query(on: app.db).filter(\.$kind == .distributionOut).first()?.personID == keep.id)
            #expect(try await Volunteer.query(on: app.db).first()?.$person.id == keep.id)
        }
    }
}
