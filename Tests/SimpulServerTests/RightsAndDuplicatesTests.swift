import Foundation
import Crypto
import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Data-subject rights, duplicates, KPU readiness, the printed card")
struct RightsAndDuplicatesTests {
    @Test("a blind index is HMAC-SHA256 of purpose:value under the index subkey, whatever came before it")
    func blindIndexIsPlainHMAC() throws {
        let master = SymmetricKey(size: .bits256)
        let vault = PersonalDataVault(masterKey: master)
        let indexKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("simpul-blind-index-v1".utf8), outputByteCount: 32)
        for (value, purpose) in [("3673064612610001", "nik"), ("081234567890", "phone"), ("3673064612610001", "nik")] {
            let expected = HMAC<SHA256>.authenticationCode(for: Data("\(purpose):\(value)".utf8), using: indexKey)
            #expect(vault.blindIndex(value, purpose: purpose) == expected.map { String(format: "%02x", $0) }.joined())
        }
    }

    @Test("a person's full copy is unmasked, complete and audited; anonymisation removes identity but keeps counts")
    func copyAndAnonymise() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            try await f.user("op", role: .operator, at: "36.73.04")
            let person = try await f.person("Siti Aminah", in: "36.73.04.1001", nik: "3673045508900001", phone: "081234567890")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            let copy = try await web.get("/people/\(person.id!)/data.json")
            #expect(copy.status == .ok)
            let body = try copy.content.decode(DataSubjectRights.Copy.self)
            #expect(body.person["nik"] == "3673045508900001")
            #expect(body.person["hp"] == "081234567890")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export.person").count() == 1)
            let operatorWeb = WebClient(app: app)
            _ = try await operatorWeb.login("op")
            #expect(try await operatorWeb.get("/people/\(person.id!)/data.json").status == .forbidden)

            #expect(try await web.post("/people/\(person.id!)/anonymise", form: ["reason": ""]).status == .seeOther)
            #expect(try await Person.find(person.id, on: app.db)?.anonymisedAt == nil)
            _ = try await web.post("/people/\(person.id!)/anonymise", form: ["reason": "Permintaan ybs. 20-11-2026"])
            let gone = try #require(try await Person.find(person.id, on: app.db))
            #expect(gone.anonymisedAt != nil)
            #expect(gone.fullName.hasPrefix("Anonim "))
            #expect(gone.nikCipher == nil && gone.nikIndex == nil && gone.phoneCipher == nil && gone.birthDate == nil)
            #expect(try await NameToken.query(on: app.db).filter(\.$person.$id == person.id!).count() == 0)
            // Still counted for the unit, no longer findable by name or NIK.
            #expect(try await Person.query(on: app.db).count() == 1)
            let token = try await f.token("ketua.dpc")
            let search = try await app.testing().sendRequest(.GET, "/api/v1/people?q=3673045508900001", headers: .bearer(token))
            #expect(try search.content.decode(PeoplePage.self).total == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "person.anonymise").count() == 1)
        }
    }

    @Test("same phone or same birth date with a similar name shows up for review; merge keeps one record with both histories")
    func duplicatesAndMerge() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let a = try await f.person("Muhammad Rizki", in: "36.73.04.1001", nik: "3673041208900001")
            a.birthDate = "1990-08-12"; try await a.save(on: app.db)
            let b = try await f.person("Mohamad Rizky", in: "36.73.04.1002", phone: "081299990000")
            b.birthDate = "1990-08-12"; try await b.save(on: app.db)
            let c = try await f.person("Budi Santoso", in: "36.73.04.1003", phone: "081299990000")
            let far = try await f.person("Muhammad Rizki", in: "36.73.05.1001")
            far.birthDate = "1990-08-12"; try await far.save(on: app.db)
            // More people outside the official's kecamatan than in it (so phone groups are read
            // through the scope on SQLite), two of them sharing a phone.
            for (name, phone) in [("Luar Satu", "081277770000"), ("Luar Dua", "081277770000"), ("Luar Tiga", nil), ("Luar Empat", nil)] {
                _ = try await f.person(name, in: "36.73.05.1002", phone: phone)
            }
            try await PersonEvent(personID: b.id!, module: "people", kind: "note", summary: "Catatan pada data kedua", actorID: nil, scope: b.scope).create(on: app.db)
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            let page = try await web.get("/people/duplicates")
            #expect(page.status == .ok)
            let pairs = try await DuplicateService(req: Request(application: app, on: app.eventLoopGroup.next())).candidatesFor(app, user: "ketua.dpc")
            let names = Set(pairs.map { Set([$0.keep.fullName, $0.other.fullName]) })
            #expect(names.contains(["Muhammad Rizki", "Mohamad Rizky"]))
            #expect(names.contains(["Mohamad Rizky", "Budi Santoso"]))
            // Cipocok Jaya lies outside this official's kecamatan.
            #expect(!pairs.contains { $0.keep.id == far.id || $0.other.id == far.id })
            #expect(!pairs.contains { $0.keep.fullName.hasPrefix("Luar") })
            _ = try await web.post("/people/duplicates/dismiss", form: ["keep": b.id!.uuidString, "other": c.id!.uuidString])
            _ = try await web.post("/people/duplicates/merge", form: ["keep": a.id!.uuidString, "other": b.id!.uuidString])
            #expect(try await Person.find(b.id, on: app.db) == nil)
            let kept = try #require(try await Person.find(a.id, on: app.db))
            #expect(kept.phoneMasked == "0812****0000")
            let kinds = try await PersonEvent.query(on: app.db).filter(\.$person.$id == a.id!).all().map(\.kind)
            #expect(kinds.contains("note") && kinds.contains("person.merged"))
            // The merged record now carries the shared phone, so it pairs with Budi; the merged-away one is gone.
            #expect(try await web.get("/people/duplicates").body.string.contains("digabung ke Muhammad Rizki"))
            let after = try await web.get("/people/duplicates").body.string
            #expect(after.contains("Budi Santoso") && !after.contains("Mohamad Rizky"))
        }
    }

    @Test("The duplicate review reads birth dates a chunk at a time, compares one date's records together, and fills the page past pairs marked distinct")
    func duplicatesAcrossChunks() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            // Born 12 August 1990: three spellings of one name and one other name; then two more pairs on later dates.
            var made: [String: Person] = [:]
            for (name, born) in [("Muhammad Rizki", "1990-08-12"), ("Siti Aminah", "1990-08-12"), ("Mohamad Rizky", "1990-08-12"),
                                 ("Muhamad Riski", "1990-08-12"), ("Dewi Lestari", "1991-01-01"), ("Dewi Lestary", "1991-01-01"),
                                 ("Budi Santoso", "1992-03-04"), ("Budi Santosa", "1992-03-04"), ("Budi Santoso", "1992-03-05")] {
                let p = try await f.person(name, in: "36.73.04.1001")
                p.birthDate = born
                try await p.save(on: app.db)
                made[name + born] = p
            }
            let service = DuplicateService(req: Request(application: app, on: app.eventLoopGroup.next()))
            func names(_ pairs: [DuplicatePair]) -> Set<Set<String>> { Set(pairs.map { Set([$0.keep.fullName, $0.other.fullName]) }) }
            // A chunk of 2 splits the first date's four records over two reads; they are still compared together.
            let all = try await service.candidatesFor(app, user: "ketua.dpc", chunk: 2)
            #expect(names(all) == [["Muhammad Rizki", "Mohamad Rizky"], ["Muhammad Rizki", "Muhamad Riski"], ["Mohamad Rizky", "Muhamad Riski"],
                                   ["Dewi Lestari", "Dewi Lestary"], ["Budi Santoso", "Budi Santosa"]])
            #expect(try await service.candidatesFor(app, user: "ketua.dpc", chunk: 2_000).count == all.count)
            // The page stops when full, in birth-date order.
            let first = try await service.candidatesFor(app, user: "ketua.dpc", limit: 3, chunk: 2)
            #expect(names(first) == [["Muhammad Rizki", "Mohamad Rizky"], ["Muhammad Rizki", "Muhamad Riski"], ["Mohamad Rizky", "Muhamad Riski"]])
            // Pairs marked distinct leave room for the next ones.
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            for pair in first {
                _ = try await web.post("/people/duplicates/dismiss", form: ["keep": pair.keep.id.uuidString, "other": pair.other.id.uuidString])
            }
            #expect(try await DuplicateDismissal.query(on: app.db).count() == 3)
            #expect(names(try await service.candidatesFor(app, user: "ketua.dpc", limit: 3, chunk: 2))
                    == [["Dewi Lestari", "Dewi Lestary"], ["Budi Santoso", "Budi Santosa"]])
        }
    }

    @Test("KPU readiness counts active members per kab/kota, flags findings, and the full export is guarded and audited")
    func kpuReadiness() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpd", role: .pengurus, at: "36.73")
            try await f.user("op", role: .operator, at: "36.73")
            // A member whose NIK was issued in Kabupaten Serang (36.04) but who is counted in Kota Serang.
            for (name, nik, village) in [("Siti Aminah", "3673045508900001", "36.73.04.1001"), ("Ujang Pendatang", "3604011208850003", "36.73.04.1002")] {
                let p = try await f.person(name, in: village, nik: nik)
                p.birthDate = nik.hasPrefix("3673") ? "1990-08-15" : "1985-08-12"
                p.sex = nik.hasPrefix("3673") ? "P" : "L"
                p.maritalStatus = "kawin"
                try await p.save(on: app.db)
                try await f.activeMembership(of: p)
            }
            // Only active members count: a pending one is neither checked nor exported.
            let pending = try await f.person("Pendaftar Baru", in: "36.73.04.1001", nik: "3673041508950002")
            let m = Membership()
            m.$person.id = pending.id!
            m.$orgUnit.id = try await f.unit("36.73.04.1001").requireID()
            m.scope = pending.scope
            m.status = .pending
            m.channel = .staff
            m.registeredAt = Date()
            try await m.create(on: app.db)
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpd")
            let report = try await web.get("/members/kpu")
            #expect(!report.body.string.contains("Pendaftar Baru"))
            #expect(report.status == .ok)
            let html = report.body.string
            #expect(html.contains("Kota Serang"))
            #expect(html.contains("Ujang Pendatang"))
            #expect(!html.contains("<strong>Siti Aminah</strong>"))
            let csv = try await web.get("/members/kpu.csv")
            #expect(csv.status == .ok)
            #expect(csv.body.string.contains("NO,NIK,NAMA,TEMPAT_LAHIR"))
            #expect(csv.body.string.contains("3673045508900001"))
            #expect(!csv.body.string.contains("Pendaftar Baru"))
            #expect(csv.body.string.split(separator: "\r\n").count == 3)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export.kpu").count() == 1)
            let operatorWeb = WebClient(app: app)
            _ = try await operatorWeb.login("op")
            #expect(try await operatorWeb.get("/members/kpu.csv").status == .forbidden)
        }
    }

    @Test("KPU report and export read the active members a chunk at a time, in KTA-number order, only under the unit")
    func kpuReadsInChunks() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            var numbers: [String: [String]] = [:]
            for (i, village) in ["36.73.04.1001", "36.73.04.1002", "36.73.01.1001", "36.73.04.1001", "36.73.04.1002", "36.73.01.1001", "36.73.04.1001"].enumerated() {
                let p = try await f.person("Anggota \(i)", in: village, nik: "367304" + String(format: "%02d", 10 + i) + "0890" + String(format: "%04d", i + 1))
                let m = try await f.activeMembership(of: p)
                numbers[String(village.prefix(8)), default: []].append(m.number!)
            }
            let city = try await f.unit("36.73").orgPath, district = try await f.unit("36.73.04").orgPath
            for (root, expected) in [(city, numbers.values.flatMap { $0 }.sorted()), (district, numbers["36.73.04"]!.sorted())] {
                let total = try await KPUController.activeCount(under: root, on: app.db)
                #expect(total == expected.count)
                var chunks: [[String]] = []
                try await KPUController.eachActive(under: root, total: total, chunk: 2, on: app.db) { rows in chunks.append(rows.map(\.number)) }
                #expect(chunks.flatMap { $0 } == expected)
                #expect(chunks.dropLast().allSatisfy { $0.count == 2 })
            }
            // The screen keeps the first findings and counts every one: each NIK encodes a birth
            // date in August 1990, so a recorded 1 January 1991 is one finding per member.
            for p in try await Person.query(on: app.db).all() {
                p.birthDate = "1991-01-01"
                try await p.save(on: app.db)
            }
            let report = try await KPUController.screen(under: city, referenceDate: CivilDate(Date()), findingsKept: 3, on: app.db, vault: app.vault)
            #expect(report.findingCount == 7)
            #expect(report.findings.count == 3)
            #expect(report.summaries.map(\.members) == [7])
        }
    }

    @Test("an active member's card prints as SVG with the QR of the public check; others get none")
    func printedCard() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.05")
            let reg = try await app.testing().sendRequest(.POST, "/api/v1/public/registrations", beforeRequest: { req in
                try req.content.encode(MembershipTests.valid)
            })
            #expect(reg.status == .created)
            let m = try #require(try await Membership.query(on: app.db).first())
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            #expect(try await web.get("/members/\(m.id!)/card.svg").status == .conflict)
            _ = try await web.post("/members/\(m.id!)/verify", form: [:])
            _ = try await web.post("/members/\(m.id!)/activate", form: [:])
            let card = try await web.get("/members/\(m.id!)/card.svg")
            #expect(card.status == .ok)
            #expect(card.headers.contentType?.subType == "svg+xml")
            let svg = card.body.string
            #expect(svg.contains("Siti Aminah"))
            let active = try #require(try await Membership.find(m.id, on: app.db))
            #expect(svg.contains(try #require(active.number)))
            #expect(!svg.contains("3673055508900001"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "membership.card").count() == 1)
            let detail = try await web.get("/members/\(m.id!)")
            #expect(detail.body.string.contains("Cetak KTA") && detail.body.string.contains("card.png"))
        }
    }

    @Test("a document the converter refuses fails that request, and the server goes on",
          .enabled(if: PNGRenderer.isAvailable, "needs rsvg-convert (librsvg2-bin)"))
    func refusedDocument() async throws {
        let pool = NIOThreadPool.singleton
        // Larger than a pipe holds: the converter gives up before reading it all.
        let garbage = "<svg" + String(repeating: "&&&& not a document ", count: 200_000)
        await #expect(throws: Abort.self) { try await PNGRenderer.render(garbage, dpi: 300, on: pool) }
        let fine = #"<svg xmlns="http://www.w3.org/2000/svg" width="10mm" height="10mm"><rect width="5" height="5"/></svg>"#
        #expect(try await PNGRenderer.render(fine, dpi: 254, on: pool).starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("the card downloads as a 300 dpi PNG whose QR opens the public check; audited",
          .enabled(if: PNGRenderer.isAvailable, "needs rsvg-convert (librsvg2-bin)"))
    func cardAsPNG() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.05")
            let (_, m) = try await CadreTests.member(app, "Siti Aminah", in: "36.73.05.1001", sequence: 1)
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            let res = try await web.get("/members/\(m.id!)/card.png")
            #expect(res.status == .ok)
            #expect(res.headers.contentType == .png)
            #expect(res.headers.first(name: .contentDisposition)?.contains("kta-\(m.number!).png") == true)
            let png = Data(buffer: res.body)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            // IHDR: width and height, big-endian, at bytes 16–23. ID-1 at 300 dpi.
            func uint32(at offset: Int) -> Int { png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
            #expect(uint32(at: 16) == 1012 && uint32(at: 20) == 638)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "membership.card").all()
            #expect(audit.map(\.detail) == ["png"])
            // A phone's scanner reads the public check's address off the image.
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg") {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-card-\(UUID().uuidString).png")
                defer { try? FileManager.default.removeItem(at: file) }
                try png.write(to: file)
                let zbar = Process(), out = Pipe()
                zbar.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
                zbar.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file.path]
                zbar.standardOutput = out
                try zbar.run()
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                zbar.waitUntilExit()
                #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("/kta/\(m.verifyCode!)"))
            }
        }
    }
}

extension DuplicateService {
    /// The candidate list as a given user sees it (tests).
    func candidatesFor(_ app: Application, user username: String, limit: Int = 100, chunk: Int = 2_000) async throws -> [DuplicatePair] {
        let user = try #require(try await User.query(on: app.db).filter(\.$username == username).with(\.$grants).first())
        req.auth.login(user)
        req.storage[AccessKey.self] = AccessScope(grants: user.grants.map(\.grant))
        return try await candidates(limit: limit, chunk: chunk)
    }
}
