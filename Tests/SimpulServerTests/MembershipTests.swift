import Foundation
import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// 36.73.05.1001 is a kelurahan in Cipocok Jaya (36.73.05).
@Suite("Membership: registration, verification, KTA")
struct MembershipTests {
    @Test("the card check's hand-written JSON reads back as the same answer, whatever the text holds")
    func cardCheckJSON() throws {
        let tricky = PublicCardCheck(valid: true, status: "Anggota \"aktif\" \\ ok", initials: "S. A.",
                                     unit: "DPRa Cigoong\n\t\u{01}é", validUntil: "2031-11-26")
        let plain = PublicCardCheck(valid: false, status: "Kartu tidak dikenal", initials: nil, unit: nil, validUntil: nil)
        for check in [tricky, plain] {
            let response = check.jsonResponse
            #expect(response.headers.contentType == .json)
            let data = Data(response.body.string!.utf8)
            #expect(try JSONDecoder().decode(PublicCardCheck.self, from: data) == check)
        }
    }

    @Test("on a SQLite file the card check is read on the event loop, and sees every change at once")
    func cardCheckOnTheEventLoop() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-loop-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withSimpul(sqliteFile: dir.appendingPathComponent("simpul.sqlite").path) { app in
            let reader = try #require(app.loopLocalSQLite)
            let (_, card) = try await CadreTests.member(app, "Siti Aminah", in: "36.73.05.1001", sequence: 1)
            let code = try #require(card.verifyCode)
            let query = MembershipService.CardRow.query + " ?"
            let loop = app.eventLoopGroup.any()
            func onLoop(_ code: String) async throws -> MembershipService.CardRow? {
                try await loop.submit { try reader.firstRow(query, text: code, on: loop).flatMap(MembershipService.CardRow.init(columns:)) }.get()
            }
            let row = try #require(try await onLoop(code))
            #expect(row.status == "active" && row.fullName == "Siti Aminah" && row.level == 4)
            #expect(try await onLoop("ZZZZZZZZZZ") == nil)
            // Off its event loop the reader refuses, so the caller takes the pool.
            #expect(throws: RawSQLiteConnection.Failure.self) { try reader.firstRow(query, text: code, on: loop) }
            // A change committed through the server's own connection is seen by the next read.
            card.status = .inactive
            try await card.save(on: app.db)
            #expect(try await onLoop(code)?.status == "inactive")
            // The statement is prepared once per connection, not parsed again for each read.
            for _ in 0..<3 { _ = try await onLoop(code) }
            #expect(try await loop.submit { reader.reprepares(query, on: loop) }.get() == 0)

            // End to end through a listening server, where the handler runs on an event loop:
            // with every connection closed first, the route's answer opens one.
            reader.close()
            #expect(try await reader.openConnections() == 0)
            try await app.testing(method: .running(port: 0)).test(.GET, "/api/v1/public/kta/\(code)") { res in
                let body = try res.content.decode(PublicCardCheck.self)
                #expect(!body.valid && body.initials == "S. A." && body.unit?.hasPrefix("DPRa ") == true)
            }
            #expect(try await reader.openConnections() == 1)
        }
    }

    @Test("card checks arriving together each get their own card's answer; on PostgreSQL they share one query")
    func cardChecksTogether() async throws {
        try await withSimpul { app in
            var codes: [String] = []
            for (i, name) in ["Siti Aminah", "Budi Santoso", "Rahmat Hidayat"].enumerated() {
                let (_, card) = try await CadreTests.member(app, name, in: "36.73.05.1001", sequence: i + 1)
                if i == 2 {
                    card.status = .inactive
                    try await card.save(on: app.db)
                }
                codes.append(try #require(card.verifyCode))
            }
            // The same card twice, a lower-case code, unknown and malformed codes, all in one loop turn.
            let asked = [codes[0], codes[1], codes[2], codes[0], codes[1].lowercased(), "ZZZZZZZZZZ", "SHORT"]
            let loop = app.eventLoopGroup.any()
            let db = app.databases.database(logger: app.logger, on: loop)!
            let before = app.cardCheckBatch?.queriesSent
            let answers = try await loop.flatSubmit {
                EventLoopFuture.whenAllSucceed(asked.map {
                    MembershipService.publicCheck(code: $0, on: db, labels: app.levelLabelCache, local: nil, batch: app.cardCheckBatch)
                }, on: loop)
            }.get()
            #expect(answers.map(\.initials) == ["S. A.", "B. S.", "R. H.", "S. A.", "B. S.", nil, nil])
            #expect(answers.map(\.valid) == [true, true, false, true, true, false, false])
            #expect(answers[2].status == MembershipStatus.inactive.label && answers[5].status == "Kartu tidak dikenal")
            if let batch = app.cardCheckBatch, let before {
                #expect(batch.queriesSent == before + 1)
            }
        }
    }

    static let valid: [String: String] = [
        "fullName": "Siti Aminah", "nik": "3673055508900001", "birthPlace": "Serang", "birthDate": "1990-08-15", "sex": "P",
        "phone": "081234567890", "address": "Jl. Bhayangkara No. 5", "rt": "1", "rw": "2", "regionCode": "36.73.05.1001",
        "occupation": "Guru", "maritalStatus": "kawin", "consentMembership": "true", "consentContact": "true",
    ]

    func register(_ app: Application, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/public/registrations", beforeRequest: { req in
            try req.content.encode(fields)
        })
    }

    @Test("a citizen registers without an account and lands in the kelurahan's queue")
    func publicRegistration() async throws {
        try await withSimpul { app in
            let res = try await register(app, Self.valid)
            #expect(res.status == .created)
            let m = try #require(try await Membership.query(on: app.db).with(\.$person).first())
            #expect(m.status == .pending)
            #expect(m.channel == .selfRegistration)
            #expect(m.scope == "36.73.05.1001.")
            #expect(m.person.rt == "001" && m.person.rw == "002")
            #expect(m.person.maritalStatus == "kawin")
            let consents = try await Consent.query(on: app.db).all()
            #expect(Set(consents.filter(\.granted).map(\.purpose)) == [.membership, .contact])
            let events = try await PersonEvent.query(on: app.db).all().map(\.kind)
            #expect(events == ["membership.registered"])
        }
    }

    @Test("each refusal names its field in Indonesian and stores nothing")
    func registrationRefusals() async throws {
        try await withSimpul { app in
            // 15 years old and never married.
            var young = Self.valid
            young["nik"] = "3673055508110001"; young["birthDate"] = "2011-08-15"; young["maritalStatus"] = "belum_kawin"
            let tooYoung = try await register(app, young)
            #expect(tooYoung.status == .unprocessableEntity)
            #expect(try tooYoung.content.get([FieldError].self, at: "fields").map(\.field) == ["birthDate"])
            // The same 15-year-old, married, may join (UU 7/2017).
            young["maritalStatus"] = "kawin"
            #expect(try await register(app, young).status == .created)

            var noConsent = Self.valid
            noConsent["consentMembership"] = nil
            let refused = try await register(app, noConsent)
            #expect(try refused.content.get([FieldError].self, at: "fields").map(\.field) == ["consentMembership"])

            var wrongSex = Self.valid
            wrongSex["sex"] = "L"
            let mismatch = try await register(app, wrongSex)
            #expect(try mismatch.content.get([FieldError].self, at: "fields").first?.message.contains("tidak cocok dengan NIK") == true)

            #expect(try await register(app, Self.valid).status == .created)
            let again = try await register(app, Self.valid.merging(["fullName": "Siti A"]) { $1 })
            #expect(again.status == .unprocessableEntity)
            #expect(try again.content.get([FieldError].self, at: "fields").map(\.field) == ["nik"])
            #expect(try await Membership.query(on: app.db).count() == 2)
        }
    }

    @Test("registration is rate-limited per address")
    func rateLimited() async throws {
        try await withSimpul { app in
            // The limiter counts per clock hour: a run that crosses the hour starts counting
            // again (CI failed once at 02:00). Start after the turn when it is near.
            let intoHour = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 3600)
            if intoHour > 3600 - 120 { try await Task.sleep(for: .seconds(3600 - intoHour + 1)) }
            for _ in 1...MembershipController.registrationLimit {
                #expect(try await register(app, [:]).status == .unprocessableEntity)
            }
            let blocked = try await register(app, Self.valid)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Terlalu banyak pengiriman"))
        }
    }

    @Test("officials verify then activate; the KTA number encodes the kelurahan; the QR check shows initials only")
    func verificationWorkflow() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.05")
            try await f.user("op", role: .operator, at: "36.73.05")
            try await f.user("lain", role: .pengurus, at: "36.73.04")
            #expect(try await register(app, Self.valid).status == .created)
            var second = Self.valid
            second["nik"] = "3673051208850002"; second["fullName"] = "Budi Santoso"; second["birthDate"] = "1985-08-12"; second["sex"] = "L"
            #expect(try await register(app, second).status == .created)
            let ketua = try await f.token("ketua.dpc")
            let op = try await f.token("op")
            let lain = try await f.token("lain")
            let list = try await app.testing().sendRequest(.GET, "/api/v1/members?status=pending", headers: .bearer(ketua))
            let pending = try list.content.decode(MembersPage.self)
            #expect(pending.total == 2)
            let siti = try #require(pending.items.first { $0.fullName == "Siti Aminah" })
            // Another kecamatan sees nothing and cannot act.
            let other = try await app.testing().sendRequest(.GET, "/api/v1/members", headers: .bearer(lain))
            #expect(try other.content.decode(MembersPage.self).total == 0)
            func act(_ action: String, _ token: String, _ id: UUID, reason: String? = nil) async throws -> TestingHTTPResponse {
                try await app.testing().sendRequest(.POST, "/api/v1/members/\(id)/\(action)", headers: .bearer(token), beforeRequest: { req in
                    if let reason { try req.content.encode(["reason": reason]) }
                })
            }
            #expect(try await act("verify", lain, siti.id).status == .notFound)
            #expect(try await act("verify", op, siti.id).status == .forbidden)
            #expect(try await act("activate", ketua, siti.id).status == .conflict)
            #expect(try await act("verify", ketua, siti.id).status == .ok)
            let activated = try await act("activate", ketua, siti.id)
            #expect(activated.status == .ok)
            let dto = try activated.content.decode(MembershipDTO.self)
            #expect(dto.status == .active)
            let number = try MemberNumber(parsing: try #require(dto.number))
            #expect(number.kelurahanCode == "36.73.05.1001")
            #expect(number.sequence == 1)
            #expect(dto.validUntil == CivilDate(Date()).adding(years: 5).iso8601)
            // The second member in the same kelurahan gets the next number.
            let budi = try #require(pending.items.first { $0.fullName == "Budi Santoso" })
            _ = try await act("verify", ketua, budi.id)
            let budiNumber = try MemberNumber(parsing: try #require(try await act("activate", ketua, budi.id).content.decode(MembershipDTO.self).number))
            #expect(budiNumber.sequence == 2)
            // Rejecting needs a reason; a rejected membership cannot be revived.
            #expect(try await act("deactivate", ketua, budi.id).status == .unprocessableEntity)
            #expect(try await act("deactivate", ketua, budi.id, reason: "Pindah domisili").status == .ok)

            let membership = try #require(try await Membership.find(siti.id, on: app.db))
            let code = try #require(membership.verifyCode)
            let check = try await app.testing().sendRequest(.GET, "/api/v1/public/kta/\(code)")
            let body = try check.content.decode(PublicCardCheck.self)
            #expect(body.valid)
            #expect(body.initials == "S. A.")
            #expect(body.unit?.hasPrefix("DPRa ") == true)
            #expect(!check.body.string.contains("3673") && !check.body.string.contains("Aminah"))
            let unknown = try await app.testing().sendRequest(.GET, "/api/v1/public/kta/ZZZZZZZZZZ").content.decode(PublicCardCheck.self)
            #expect(!unknown.valid)
            let page = try await app.testing().sendRequest(.GET, "/kta/\(code)")
            #expect(page.body.string.contains("KTA sah"))

            // A check-in desk finds the member from the scanned QR URL, the bare code or the printed number.
            for scanned in ["https://simpul.example/kta/\(code)?x=1", code.lowercased(), number.formatted, number.compact] {
                let found = try #require(try await MemberCheckIn.find(scanned, on: app.db), "\(scanned)")
                #expect(found.personID == siti.personID && found.active)
            }
            var typo = Array(number.compact); typo[16] = typo[16] == "0" ? "1" : "0"
            #expect(MemberCheckIn.classify(String(typo)) == .unreadable)
            #expect(try await MemberCheckIn.find("3673051208850002", on: app.db) == nil)
            #expect(try await MemberCheckIn.find(budiNumber.compact, on: app.db)?.active == false)

            let timeline = try await PersonEvent.query(on: app.db).filter(\.$person.$id == siti.personID).sort(\.$at).all().map(\.kind)
            #expect(timeline == ["membership.registered", "membership.verify", "membership.activate"])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "membership.activate").count() == 2)
        }
    }

    @Test("the public page form works end to end, and a too-fast bot post is refused")
    func registrationPage() async throws {
        try await withSimpul { app in
            let web = WebClient(app: app)
            let form = try await web.get("/daftar")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("Kecamatan Cipocok Jaya"))
            let stamp = try #require(form.body.string.firstMatch(of: /name="formStamp" value="([^"]+)"/)?.1)
            let sent = try await web.post("/daftar", form: Self.valid.merging(["consentMembership": "on", "formStamp": String(stamp)]) { $1 })
            #expect(sent.status == .ok)
            #expect(sent.body.string.contains("Pendaftaran diterima"))
            // With a photo (multipart, as the page sends it): it is stored encrypted and printed on the card.
            var withPhoto = Self.valid
            withPhoto["nik"] = "3673051208850002"; withPhoto["fullName"] = "Budi Santoso"; withPhoto["birthDate"] = "1985-08-12"; withPhoto["sex"] = "L"
            withPhoto["consentMembership"] = "on"; withPhoto["formStamp"] = String(stamp)
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("JFIF-test".utf8)
            let sentPhoto = try await web.postMultipart("/daftar", fields: withPhoto, file: ("photo", "foto.jpg", jpeg))
            #expect(sentPhoto.status == .ok)
            let budi = try #require(try await Person.query(on: app.db).filter(\.$fullName == "Budi Santoso").first())
            #expect(budi.photoCipher != nil)
            let notJPEG = try await web.postMultipart("/daftar", fields: withPhoto.merging(["nik": "3673051208850003"]) { $1 }, file: ("photo", "foto.png", "PNG"))
            #expect(notJPEG.status == .unprocessableEntity)
            #expect(notJPEG.body.string.contains("Foto harus berkas JPEG"))
            // The page sent back with errors keeps the first render time, so fixing one field
            // quickly does not look like a bot; a forged stamp is not echoed back.
            #expect(notJPEG.body.string.firstMatch(of: /name="formStamp" value="([^"]+)"/)?.1 == stamp)
            let forged = try await web.post("/daftar", form: Self.valid.merging(["nik": "bad", "formStamp": "1.abcdef"]) { $1 })
            #expect(forged.body.string.firstMatch(of: /name="formStamp" value="([^"]+)"/)?.1 != "1.abcdef")
            let bot = try await web.post("/daftar", form: Self.valid.merging(["website": "http://spam", "formStamp": String(stamp)]) { $1 })
            #expect(bot.status == .unprocessableEntity)
            #expect(try await Membership.query(on: app.db).count() == 2)
        }
    }

    @Test("bulk encryption: counted nonces never repeat within a run, start apart between runs, and decrypt")
    func countedNonces() throws {
        let vault = PersonalDataVault(masterKey: .init(size: .bits256))
        var run = NonceSequence(), other = NonceSequence()
        let texts = try (0..<3).map { _ in try vault.encrypt("3673064612610001", nonces: &run) }
        let nonces = texts.map { Array(Data(base64Encoded: $0)!.prefix(12)) }
        #expect(Set(nonces).count == 3)
        // Big-endian 96-bit counter: the last byte steps by one (carrying into the others).
        let values = nonces.map { $0.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        #expect(values[1] &- values[0] == 1 && values[2] &- values[1] == 1)
        let elsewhere = Array(Data(base64Encoded: try vault.encrypt("3673064612610001", nonces: &other))!.prefix(12))
        #expect(!nonces.contains(elsewhere))
        for text in texts { #expect(try vault.decrypt(text) == "3673064612610001") }
    }

    @Test("form stamps: forged, too fast and stale stamps are refused")
    func formGuard() {
        let vault = PersonalDataVault(masterKey: .init(size: .bits256))
        let now = Date()
        let stamp = FormGuard.stamp(vault: vault, now: now)
        #expect(FormGuard.looksHuman(honeypot: "", stamp: stamp, vault: vault, minimumSeconds: 3, now: now.addingTimeInterval(5)))
        #expect(!FormGuard.looksHuman(honeypot: "", stamp: stamp, vault: vault, minimumSeconds: 3, now: now.addingTimeInterval(1)))
        #expect(!FormGuard.looksHuman(honeypot: "", stamp: stamp, vault: vault, minimumSeconds: 3, now: now.addingTimeInterval(90_000)))
        #expect(!FormGuard.looksHuman(honeypot: "x", stamp: stamp, vault: vault, minimumSeconds: 3, now: now.addingTimeInterval(5)))
        let forged = String(stamp.split(separator: ".")[0]) + ".0000000000000000"
        #expect(!FormGuard.looksHuman(honeypot: "", stamp: forged, vault: vault, minimumSeconds: 3, now: now.addingTimeInterval(5)))
    }
}
