import Fluent
import SimpulCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("People: validation, encryption, timeline, offices")
struct PeopleTests {
    /// GET /api/v1/people?query as the token's user; must answer 200.
    static func people(_ app: Application, token: String, _ query: String) async throws -> PeoplePage {
        let res = try await app.testing().sendRequest(.GET, "/api/v1/people?\(query)", headers: .bearer(token))
        #expect(res.status == .ok)
        return try res.content.decode(PeoplePage.self)
    }

    func create(_ app: Application, token: String, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/people", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(fields)
        })
    }

    @Test("a list that holds most of the table is read in name order, with the same rows and scope as the sorted plan")
    func broadListKeepsScopeAndOrder() async throws {
        #expect(ListPagePlan.readsInSortOrder(matching: 1_000_000, tableRows: 1_000_000, pageEnd: 50))
        #expect(!ListPagePlan.readsInSortOrder(matching: 4_000, tableRows: 4_000, pageEnd: 50))   // small: sorting is cheap
        #expect(!ListPagePlan.readsInSortOrder(matching: 15_000, tableRows: 1_000_000, pageEnd: 50_000))   // deep page of a kelurahan
        #expect(!ListPagePlan.readsInSortOrder(matching: 10_000, tableRows: 10_000, pageEnd: Int.max / 2))
        try await withSimpul { app in
            let f = Fixtures(app: app)
            let sql = app.db as! any SQLDatabase
            let (a, b) = (try await f.unit("36.73.04.1002"), try await f.unit("36.73.04.1003"))
            // 6,000 people in kelurahan a, each name three times (so a chunk of the export ends
            // inside a run of one name), 30 in b, in no particular order. (Literals for the
            // status and channel: on PostgreSQL they are enum types, which a text bind is not.)
            var names: [(String, OrgUnit)] = (0..<6_000).map { (String(format: "Warga %05d", ($0 * 7_919) % 2_000), a) }
            names += (0..<30).map { (String(format: "Tetangga %02d", $0), b) }
            for part in stride(from: 0, to: names.count, by: 400) {
                var people = sql.insert(into: "people").columns("id", "full_name", "name_search", "region_code", "org_unit_id", "scope")
                var members = sql.insert(into: "memberships").columns("id", "person_id", "org_unit_id", "scope", "status", "channel", "registered_at")
                for (i, (name, unit)) in names[part..<min(part + 400, names.count)].enumerated() {
                    let id = UUID()
                    people = people.values(SQLBind(id), SQLBind(name), SQLBind(name.lowercased()), SQLBind(unit.regionCode!), SQLBind(unit.id!), SQLBind(unit.path))
                    members = members.values(SQLBind(UUID()), SQLBind(id), SQLBind(unit.id!), SQLBind(unit.path), SQLLiteral.string("pending"), SQLLiteral.string("staff"),
                                             SQLBind(Date(timeIntervalSince1970: Double(part + i))))
                }
                try await people.run()
                try await members.run()
            }
            try await f.user("lurah-a", role: .operator, at: "36.73.04.1002")
            try await f.user("lurah-b", role: .operator, at: "36.73.04.1003")
            let (tokenA, tokenB) = (try await f.token("lurah-a"), try await f.token("lurah-b"))
            let inA = names.filter { $0.1.id == a.id }.map(\.0).sorted()
            for page in [1, 3] {
                let listed = try await Self.people(app, token: tokenA, "page=\(page)&per=50")
                #expect(listed.total == 6_000)
                #expect(listed.items.map(\.fullName) == Array(inA[(page - 1) * 50..<page * 50]))
            }
            // A page number past any list is an empty page, not an arithmetic overflow.
            #expect(try await Self.people(app, token: tokenA, "page=9223372036854775807&per=200").items.isEmpty)
            let listedB = try await Self.people(app, token: tokenB, "per=50")
            #expect(listedB.total == 30)
            #expect(Set(listedB.items.map(\.fullName)) == Set(names.filter { $0.1.id == b.id }.map(\.0)))

            let res = try await app.testing().sendRequest(.GET, "/api/v1/members?per=20&page=2", headers: .bearer(tokenA))
            let members = try res.content.decode(MembersPage.self)
            #expect(members.total == 6_000)
            // Newest first: registration times 5,999 down to 0 in a.
            #expect(members.items.map(\.registeredAt.timeIntervalSince1970) == (5_960..<5_980).reversed().map(Double.init))
            #expect(members.items.allSatisfy { $0.regionCode == "36.73.04.1002" })

            // The export streams the same list in chunks of 2,000, each after the last name.
            try await f.user("ketua-a", role: .pengurus, at: "36.73.04.1002")
            let web = WebClient(app: app)
            _ = try await web.login("ketua-a")
            let csv = try await web.get("/people/export.csv")
            #expect(csv.status == .ok)
            let lines = csv.body.string.split(separator: "\r\n").dropFirst()
            #expect(lines.map { $0.split(separator: ",")[1] } == inA.map { Substring($0) })
            #expect(Set(lines.map { $0.split(separator: ",")[0] }).count == 6_000)
        }
    }

    @Test("bad input gets one Indonesian message per field and stores nothing")
    func validationNamesTheField() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("op", role: .operator, at: "36.73.04")
            let token = try await f.token("op")
            let res = try await create(app, token: token, [
                "fullName": "", "nik": "36730455089", "birthDate": "2099-01-01", "sex": "X", "phone": "12345", "regionCode": "99.99",
            ])
            #expect(res.status == .unprocessableEntity)
            let fields = try res.content.get([FieldError].self, at: "fields")
            #expect(Set(fields.map(\.field)) == ["fullName", "nik", "birthDate", "sex", "phone", "regionCode"])
            #expect(fields.first { $0.field == "nik" }?.message == "NIK harus 16 digit angka (terbaca 11 digit).")
            #expect(fields.first { $0.field == "fullName" }?.message == "Nama lengkap wajib diisi.")
            #expect(try await Person.query(on: app.db).count() == 0)
        }
    }

    @Test("NIK that disagrees with birth date and sex is named in the message")
    func nikConsistency() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("op", role: .operator, at: "36.73.04")
            let res = try await create(app, token: try await f.token("op"), [
                "fullName": "Siti Aminah", "nik": "3673045508900001", "birthDate": "1990-08-16", "sex": "L", "regionCode": "36.73.04.1001",
            ])
            #expect(res.status == .unprocessableEntity)
            let fields = try res.content.get([FieldError].self, at: "fields")
            #expect(fields.map(\.field).sorted() == ["birthDate", "sex"])
        }
    }

    @Test("NIK, phone and address are encrypted at rest; the same NIK cannot be recorded twice")
    func encryptedAndUnique() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("op", role: .operator, at: "36.73.04")
            let token = try await f.token("op")
            let fields = ["fullName": "Siti Aminah", "nik": "3673 0455 0890 0001", "birthDate": "1990-08-15", "sex": "P",
                          "phone": "+62 812-3456-7890", "address": "Jl. Raya Curug RT 01/RW 02", "regionCode": "36.73.04.1001"]
            let res = try await create(app, token: token, fields)
            #expect(res.status == .created)
            let dto = try res.content.decode(PersonDTO.self)
            #expect(dto.nikMasked == "3673********0001")
            #expect(dto.phoneMasked == "0812****7890")
            let row = try #require(try await (app.db as! any SQLDatabase).raw("SELECT * FROM people").first())
            for column in ["nik_cipher", "phone_cipher", "address_cipher"] {
                let stored = try row.decode(column: column, as: String.self)
                #expect(!stored.contains("3673045508900001") && !stored.contains("081234567890") && !stored.contains("Curug"))
            }
            let again = try await create(app, token: token, fields.merging(["fullName": "Siti A."]) { $1 })
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.string.contains("sudah tercatat"))
            #expect(try await Person.query(on: app.db).count() == 1)
        }
    }

    @Test("creation and office appointments land on the person's timeline and the unit page")
    func timelineAndOffices() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            let created = try await web.post("/people", form: ["fullName": "Siti Aminah", "regionCode": "36.73.04.1001"])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers.first(name: .location))
            let person = try #require(try await Person.query(on: app.db).first())
            let curug = try await f.unit("36.73.04")
            let assigned = try await web.post("\(location)/offices", form: [
                "orgUnitID": curug.id!.uuidString, "body": "Dewan Pakar", "position": "Ketua", "startedOn": "2026-01-05",
            ])
            #expect(assigned.status == .seeOther)
            let token = try await f.token("ketua.dpc")
            let timeline = try await app.testing().sendRequest(.GET, "/api/v1/people/\(person.id!)/timeline", headers: .bearer(token))
            let kinds = try timeline.content.decode([TimelineEventDTO].self).map(\.kind)
            #expect(kinds == ["office.assigned", "person.created"])
            let unit = try await app.testing().sendRequest(.GET, "/api/v1/org-units/\(curug.id!)", headers: .bearer(token))
            let detail = try unit.content.decode(OrganizationController.UnitDetail.self)
            #expect(detail.offices.map(\.position) == ["Ketua"])
            #expect(detail.offices.first?.body == "Dewan Pakar")
            #expect(detail.totals.people == 1)
            #expect(detail.totals.villages == 10)
            // A DPC official cannot appoint in the DPD above it.
            let dpd = try await f.unit("36.73")
            let refused = try await web.post("\(location)/offices", form: [
                "orgUnitID": dpd.id!.uuidString, "body": "Pengurus Harian", "position": "Ketua", "startedOn": "2026-01-05",
            ])
            #expect(refused.status == .notFound)
        }
    }

    @Test("search is by part of the name, case-insensitive, paginated")
    func nameSearch() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            for i in 1...7 { try await f.person("Warga Curug \(i)", in: "36.73.04.1001") }
            try await f.person("Siti Aminah", in: "36.73.04.1001")
            try await f.user("op", role: .pengamat, at: "36.73.04")
            let token = try await f.token("op")
            let res = try await app.testing().sendRequest(.GET, "/api/v1/people?q=WARGA&per=5&page=2", headers: .bearer(token))
            let page = try res.content.decode(PeoplePage.self)
            #expect(page.total == 7)
            #expect(page.items.count == 2)
        }
    }

    @Test("name search lists each person once, sorted by name across pages, within the chosen unit")
    func nameSearchOrderAndUnit() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            // "Siti Sitiawati" matches "siti" with both words: still one hit.
            for name in ["Siti Zubaedah", "Siti Sitiawati", "Siti Aminah", "Siti Maryam", "Ahmad Siti"] {
                try await f.person(name, in: "36.73.04.1001")
            }
            try await f.person("Siti Baduy", in: "36.73.04.1002")
            try await f.person("Siti Luar", in: "36.73.05.1001")
            try await f.user("op", role: .pengamat, at: "36.73.04")
            let token = try await f.token("op")
            func page(_ query: String) async throws -> PeoplePage { try await Self.people(app, token: token, query) }
            let first = try await page("q=siti&per=4"), second = try await page("q=siti&per=4&page=2")
            #expect(first.total == 6 && second.total == 6)
            #expect(first.items.map(\.fullName) == ["Ahmad Siti", "Siti Aminah", "Siti Baduy", "Siti Maryam"])
            #expect(second.items.map(\.fullName) == ["Siti Sitiawati", "Siti Zubaedah"])
            let past = try await page("q=siti&per=4&page=3")
            #expect(past.items.isEmpty && past.total == 6)
            let village = try await f.unit("36.73.04.1002")
            let inVillage = try await page("q=siti&unit=\(village.id!)")
            #expect(inVillage.items.map(\.fullName) == ["Siti Baduy"] && inVillage.total == 1)
            // Two words: both must match, the rarer one drives the lookup.
            #expect(try await page("q=siti%20maryam").items.map(\.fullName) == ["Siti Maryam"])
            #expect(try await page("q=bambang").total == 0)
        }
    }

    @Test("name search tolerates Indonesian spelling variants and stays in scope")
    func spellingVariants() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.person("Mohammad Rizki Hidajat", in: "36.73.04.1001")
            try await f.person("Soekarno", in: "36.73.04.1002")
            try await f.person("Muhamad Yusuf", in: "36.73.05.1001")
            try await f.user("op", role: .pengamat, at: "36.73.04")
            let token = try await f.token("op")
            func names(_ q: String) async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let res = try await app.testing().sendRequest(.GET, "/api/v1/people?q=\(encoded)", headers: .bearer(token))
                return try res.content.decode(PeoplePage.self).items.map(\.fullName)
            }
            #expect(try await names("muhammad rizky") == ["Mohammad Rizki Hidajat"])
            #expect(try await names("M. Hidayat") == ["Mohammad Rizki Hidajat"])
            #expect(try await names("sukarno") == ["Soekarno"])
            // Muhamad Yusuf lives in another kecamatan: out of this user's scope.
            #expect(try await names("muhammad") == ["Mohammad Rizki Hidajat"])
        }
    }

    @Test("a common name: counted up to 2,000 ('lebih dari 2.000'), paged by name without gaps or repeats; a second word narrows it to an exact count")
    func commonNameIsCappedAndPaged() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let path = try ImportTests.write(ImportTests.validRows(2100))
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await ImportTests().importFile(app, path, as: "ketua.dpc", chunk: 10_000)
            // The importer and the one-by-one path write the same keys.
            try await f.person("Warga Curug Bab", in: "36.73.04.1001")
            let token = try await f.token("ketua.dpc")
            func page(_ query: String) async throws -> PeoplePage { try await Self.people(app, token: token, query) }
            let first = try await page("q=warga&per=100"), second = try await page("q=warga&per=100&page=2")
            #expect(first.total == 2000 && !first.totalExact && first.items.count == 100 && second.items.count == 100)
            let all = try await Person.query(on: app.db).all().map(\.nameSearch).sorted()
            let names = (first.items + second.items).map { $0.fullName.lowercased() }
            #expect(names == Array(all.prefix(200)))
            #expect(Set((first.items + second.items).map(\.id)).count == 200)
            // Far pages still come back full and in order.
            let far = try await page("q=warga&per=100&page=21")
            #expect(far.items.count == 100 && far.items.map { $0.fullName.lowercased() } == Array(all[2000..<2100]))
            #expect(try await page("q=warga&per=100&page=22").items.count == 1)
            // Prefixes of several tokens: "cu" starts "curuk" and third words like "cub" (a
            // person can match twice), merged from lists in name order; "c" starts more than
            // `mergedTokenLimit` tokens and is sorted in one go. Both page like the full sort.
            let everyone = try await Person.query(on: app.db).all()
            func expected(_ q: String) -> [UUID] {
                let keys = NameIndex.tokens(of: q)
                return NameOrder.sorted(everyone.filter { p in
                    let tokens = NameIndex.tokens(of: p.fullName)
                    return keys.allSatisfy { key in tokens.contains { $0.hasPrefix(key) } }
                }.map { (Array($0.nameSearch.utf8), $0.id!) })
            }
            for q in ["cu", "c"] {
                var got: [UUID] = []
                for n in [1, 2, 21] { got += try await page("q=\(q)&per=100&page=\(n)").items.map(\.id) }
                let want = expected(q)
                #expect(want.count > 2000 && got == Array(want[0..<200]) + Array(want[2000..<min(2100, want.count)]), "q=\(q)")
            }
            // "curug bab": the rarer word drives, the other is checked in the same index row.
            let narrow = try await page("q=curug%20bab&per=100")
            let keys = NameIndex.tokens(of: "curug bab")
            let expected = all.filter { name in
                let tokens = NameIndex.tokens(of: name)
                return keys.allSatisfy { key in tokens.contains { $0.hasPrefix(key) } }
            }.count
            #expect(narrow.totalExact && narrow.total == expected && expected >= 2 && narrow.items.count == expected)
            #expect(try await page("q=bab%20zulkarnaen").total == 0)
            // The page says so in words and offers the next page without a page count.
            let web = WebClient(app: app)
            try await web.login("ketua.dpc")
            let html = try await web.get("/people?q=warga").body.string
            #expect(html.contains("Lebih dari 2.000 orang") && html.contains("Berikutnya") && !html.contains("Halaman 1 dari"))
            let counted = try await web.get("/people?q=curug%20bab").body.string
            #expect(counted.contains("\(IndonesianNumber.grouped(expected)) orang"))
        }
    }
}

@Suite("Exports and the command line")
struct ExportAndCLITests {
    @Test("CSV export is masked, limited to the scope, needs the export right, and is audited")
    func exportIsAudited() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.person("Siti Aminah", in: "36.73.04.1001", nik: "3673045508900001", phone: "081234567890")
            try await f.person("=HYPERLINK(\"x\")", in: "36.73.04.1002")
            try await f.person("Ahmad Fauzi", in: "36.73.05.1001")
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            try await f.user("op", role: .operator, at: "36.73.04")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            let res = try await web.get("/people/export.csv")
            #expect(res.status == .ok)
            #expect(res.headers.contentType?.subType == "csv")
            let csv = res.body.string
            #expect(csv.contains("Siti Aminah") && csv.contains("3673********0001") && csv.contains("0812****7890"))
            #expect(!csv.contains("3673045508900001") && !csv.contains("081234567890"))
            #expect(!csv.contains("Ahmad Fauzi"))
            #expect(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""))
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "export.people").first())
            #expect(entry.username == "ketua.dpc")
            #expect(entry.detail.hasPrefix("2 baris"))
            let operatorWeb = WebClient(app: app)
            _ = try await operatorWeb.login("op")
            #expect(try await operatorWeb.get("/people/export.csv").status == .forbidden)
        }
    }

    @Test("simpul admin create makes an account with a role on a unit")
    func adminCreate() async throws {
        try await withSimpul { app in
            var context = CommandContext(console: app.console, input: CommandInput(arguments: [
                "simpul", "create", "Ketua.DPC", "--name", "Ketua DPC Curug", "--role", "pengurus", "--unit", "36.73.04", "--password", "sandi-rahasia-1",
            ]))
            context.application = app
            try await app.console.run(AdminCommand(), with: context)
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "ketua.dpc").with(\.$grants).first())
            #expect(user.grants.map(\.grant) == [Grant(role: .pengurus, path: OrgPath(regionCode: "36.73.04"))])
            #expect(try app.password.verify("sandi-rahasia-1", created: user.passwordHash))
            var bad = CommandContext(console: app.console, input: CommandInput(arguments: ["simpul", "create", "x1y", "--unit", "99.99"]))
            bad.application = app
            await #expect(throws: (any Error).self) { try await app.console.run(AdminCommand(), with: bad) }
        }
    }

    @Test("simpul backup writes a database that opens and holds the data", .enabled(if: !TestDatabase.isPostgres))
    func backupSQLite() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).person("Siti Aminah", in: "36.73.04.1001")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-backup-\(UUID()).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            var context = CommandContext(console: app.console, input: CommandInput(arguments: ["simpul", "--output", file]))
            context.application = app
            try await app.console.run(BackupCommand(), with: context)
            let restored = try await Application.make(.testing)
            restored.databases.use(.sqlite(.file(file)), as: .sqlite)
            let count = try await Person.query(on: restored.db).count()
            try await restored.asyncShutdown()
            #expect(count == 1)
        }
    }
}
