import Fluent
import Foundation
import SimpulCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Member import from CSV")
struct ImportTests {
    static let header = "Nama Lengkap,NIK,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,RT,RW,Kode Kelurahan,No HP,Pekerjaan,Status Perkawinan"

    /// `count` valid members in Curug (36.73.04) kelurahan 1001–1003.
    static func validRows(_ count: Int, from start: Int = 1) -> [String] {
        (start..<(start + count)).map { i in
            let village = "36.73.04.100\(i % 3 + 1)"
            let day = i % 28 + 1
            let nik = String(format: "367304%02d0885%04d", day + 40, i)
            return "Warga Curug \(letters(i)),\(nik),Serang,\(String(format: "%02d", day))-08-1985,P,Kp. Baru,001,002,\(village),0812345\(String(format: "%05d", i)),Guru,Kawin"
        }
    }

    /// 1 → "Ba", 2 → "Ca": names hold no digits.
    static func letters(_ i: Int) -> String {
        let a = Array("BCDFGHJKLMNPRSTW"), v = Array("aiueo")
        return String(a[i % a.count]) + String(v[(i / a.count) % v.count]) + String(a[(i / 80) % a.count]).lowercased()
    }

    static func write(_ lines: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("impor-\(UUID()).csv").path
        try ([header] + lines).joined(separator: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Where an import writes: through the database of the run (in-memory SQLite, or
    /// PostgreSQL in CI), or to a SQLite file through the importer's own connection.
    enum Store: String, CaseIterable, Sendable { case database, sqliteFile }

    static func withStore(_ store: Store, _ body: (Application) async throws -> Void) async throws {
        switch store {
        case .database:
            try await withSimpul(body)
        case .sqliteFile:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-import-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try await withSimpul(sqliteFile: dir.appendingPathComponent("simpul.sqlite").path, body)
        }
    }

    func importFile(_ app: Application, _ path: String, as user: String, status: String = "active", chunk: Int = 7) async throws {
        var context = CommandContext(console: app.console, input: CommandInput(arguments: [
            "simpul", path, "--as", user, "--status", status, "--chunk", String(chunk),
        ]))
        context.application = app
        try await app.console.run(ImportCommand(), with: context)
    }

    @Test("a chunk bigger than one statement: 2,500 rows in one transaction of three INSERTs per table, numbered without gaps", arguments: Store.allCases)
    func chunkOfSeveralStatements(store: Store) async throws {
        try await Self.withStore(store) { app in
            try await Fixtures(app: app).user("ketua.dpc", role: .pengurus, at: "36.73.04")
            var lines = Self.validRows(2500)
            lines.insert("Tanpa NIK Benar,36730412,Serang,01-01-1980,L,Kp,001,001,36.73.04.1001,,,Kawin", at: 1200)
            let path = try Self.write(lines)
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await importFile(app, path, as: "ketua.dpc", chunk: 10_000)
            #expect(try await Membership.query(on: app.db).count() == 2500)
            let expectedTokens = try await Person.query(on: app.db).all().map { NameIndex.tokens(of: $0.fullName).count }.reduce(0, +)
            #expect(try await NameToken.query(on: app.db).count() == expectedTokens && expectedTokens > 2500)
            let batch = try #require(try await ImportBatch.query(on: app.db).first())
            #expect(batch.totalRows == 2501 && batch.validRows == 2500 && batch.errorRows == 1 && batch.processedRows == 2500)
            #expect(batch.errorCSV?.contains("1202,NIK,") == true)
            // KTA numbers per kelurahan run 1…n without a gap across the statements.
            let numbers = try await Membership.query(on: app.db).all().compactMap(\.number)
            #expect(Set(numbers).count == 2500)
            let seq = try await MemberSequence.query(on: app.db).all().map(\.lastSequence).reduce(0, +)
            #expect(seq == 2500)
        }
    }

    @Test("valid rows land, bad rows are listed by row and column, a re-run adds nothing", arguments: Store.allCases)
    func importAndRerun(store: Store) async throws {
        try await Self.withStore(store) { app in
            try await Fixtures(app: app).user("ketua.dpc", role: .pengurus, at: "36.73.04")
            var lines = Self.validRows(40)
            lines.insert("Tanpa NIK Benar,36730412,Serang,01-01-1980,L,Kp,001,001,36.73.04.1001,,,Kawin", at: 5)        // row 7
            lines.append("Anak Muda,3673044101150001,Serang,01-01-2015,P,Kp,001,001,36.73.04.1001,,,Belum Kawin")         // row 43
            lines.append("Luar Wilayah,3673050101800001,Serang,01-01-1980,L,Kp,001,001,36.73.05.1001,,,Kawin")            // row 44
            lines.append(lines[0].replacingOccurrences(of: "Warga Curug \(Self.letters(1)),", with: "Nama Lain,"))                         // row 45
            let path = try Self.write(lines)
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await importFile(app, path, as: "ketua.dpc")
            #expect(try await Membership.query(on: app.db).count() == 40)
            #expect(try await Person.query(on: app.db).count() == 40)
            let batch = try #require(try await ImportBatch.query(on: app.db).first())
            #expect(batch.totalRows == 44 && batch.validRows == 40 && batch.errorRows == 4)
            let errors = try #require(batch.errorCSV)
            #expect(errors.contains("7,NIK,"))
            #expect(errors.contains("43,"))
            #expect(errors.contains("di luar wilayah kewenangan Anda"))
            #expect(errors.contains("NIK ganda dalam berkas: sama dengan baris 2"))
            // Active on import: numbers per kelurahan, one sequence each, no gaps.
            let numbers = try await Membership.query(on: app.db).all().compactMap(\.number).compactMap { try? MemberNumber(parsing: $0) }
            #expect(numbers.count == 40)
            for (village, group) in Dictionary(grouping: numbers, by: \.kelurahanCode) {
                #expect(group.map(\.sequence).sorted() == Array(1...group.count), "\(village)")
            }
            // The same file again: nothing doubled.
            try await importFile(app, path, as: "ketua.dpc")
            #expect(try await Membership.query(on: app.db).count() == 40)
            let again = try #require(try await ImportBatch.query(on: app.db).sort(\.$createdAt, .descending).first())
            #expect(again.importedRows == 0 && again.existingRows == 40)
        }
    }

    @Test("an import cut short and run again ends with exactly the valid rows", arguments: Store.allCases)
    func interruptedImportResumes(store: Store) async throws {
        try await Self.withStore(store) { app in
            try await Fixtures(app: app).user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let all = Self.validRows(30)
            // What a kill -9 after some chunks leaves: the first rows committed, the rest not.
            let partial = try Self.write(Array(all.prefix(17)))
            let full = try Self.write(all)
            defer { try? FileManager.default.removeItem(atPath: partial); try? FileManager.default.removeItem(atPath: full) }
            try await importFile(app, partial, as: "ketua.dpc", status: "pending")
            #expect(try await Membership.query(on: app.db).count() == 17)
            try await importFile(app, full, as: "ketua.dpc", status: "pending")
            #expect(try await Membership.query(on: app.db).count() == 30)
            #expect(try await Person.query(on: app.db).count() == 30)
            let names = try await Person.query(on: app.db).all().map(\.fullName)
            #expect(Set(names).count == 30)
        }
    }

    @Test("cells in PostgreSQL COPY text: NULL, escapes, UTC timestamps with microseconds")
    func copyText() {
        func text(_ cell: BulkCell) -> String {
            var buffer = ByteBuffer()
            cell.writeCopyText(into: &buffer)
            return String(buffer: buffer)
        }
        #expect(text(.text(nil)) == "\\N")
        #expect(text(.text("Jl. Baru\\2\tRT 1\nRW 2\r")) == "Jl. Baru\\\\2\\tRT 1\\nRW 2\\r")
        #expect(text(.enumCase("active", type: "membership_status")) == "active")
        let id = UUID()
        #expect(text(.uuid(id)) == id.uuidString)
        #expect(text(.date(Date(timeIntervalSince1970: 1_795_676_709.123456))) == "2026-11-26 07:05:09.123456+00")
        #expect(text(.date(Date(timeIntervalSince1970: -1.5))) == "1969-12-31 23:59:58.500000+00")
        #expect(text(.date(nil)) == "\\N")
    }

    @Test("ids written by the import read exactly as Foundation writes them; card codes use the whole alphabet")
    func idTextAndCardCodes() {
        for id in [UUID(), UUID(), UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255))] {
            #expect(Hex.uuidString(id) == id.uuidString)
        }
        let codes = (0..<2000).map { _ in MembershipService.newVerifyCode() }
        #expect(codes.allSatisfy { $0.count == 10 && $0.allSatisfy { "23456789ABCDEFGHJKLMNPQRSTUVWXYZ".contains($0) } })
        #expect(Set(codes.joined()).count == 32)
        #expect(Set(codes).count == codes.count)
    }

    /// The secondary indexes of the tables an import writes, as the database defines them.
    static func secondaryIndexes(_ app: Application) async throws -> [String] {
        try await SuspendedIndexes.definitions(of: MemberImporter.loadedTables, on: app.db as! any SQLDatabase).map { "\($0.name): \($0.definition)" }
    }

    @Test("a load bigger than the stored list builds the secondary indexes at the end, exactly as they were", arguments: Store.allCases)
    func bulkLoadRebuildsIndexes(store: Store) async throws {
        #expect(SuspendedIndexes.worthSuspending(incomingRows: 1_000_000, storedRows: 0))
        #expect(SuspendedIndexes.worthSuspending(incomingRows: 60_000, storedRows: 60_000))
        #expect(!SuspendedIndexes.worthSuspending(incomingRows: 60_000, storedRows: 1_000_000))
        #expect(!SuspendedIndexes.worthSuspending(incomingRows: 2_000, storedRows: 0))
        try await Self.withStore(store) { app in
            let user = try await Fixtures(app: app).user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let before = try await Self.secondaryIndexes(app)
            #expect(before.count >= 5, "\(before)")
            let path = try Self.write(Self.validRows(30))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let batch = try await ImportBatch.commandLine(file: URL(fileURLWithPath: path), by: user, initial: .active)
            try await batch.create(on: app.db)
            let access = AccessScope(grants: try await user.$grants.get(on: app.db).map(\.grant))
            var importer = MemberImporter(app: app, access: access, logger: app.logger)
            #expect((importer.sqliteFile != nil) == (store == .sqliteFile))
            importer.bulkLoadMinimum = 10
            importer.chunkSize = 7
            let stats = try await importer.run(batch)
            #expect(stats.imported == 30)
            // Every secondary index was set aside and built again, exactly as it was.
            #expect(stats.rebuiltIndexes.sorted() == before.map { String($0.prefix { $0 != ":" }) }.sorted())
            #expect(try await Self.secondaryIndexes(app) == before)
            #expect(try await (app.db as! any SQLDatabase).raw("SELECT count(*) AS n FROM suspended_indexes").first()?.decode(column: "n", as: Int.self) == 0)
            #expect(try await NameToken.query(on: app.db).count() >= 60)
            // The same rule keeps a load smaller than the stored list on the row-by-row path.
            let small = try Self.write(Self.validRows(15, from: 31))
            defer { try? FileManager.default.removeItem(atPath: small) }
            let second = try await ImportBatch.commandLine(file: URL(fileURLWithPath: small), by: user, initial: .active)
            try await second.create(on: app.db)
            #expect(try await importer.run(second).rebuiltIndexes.isEmpty)
        }
    }

    @Test("indexes set aside by an import killed half-way are built when the server starts")
    func killedBulkLoadIsRepairedAtStart() async throws {
        try await withSimpul { app in
            let before = try await Self.secondaryIndexes(app)
            let dropped = try await SuspendedIndexes.suspend(tables: MemberImporter.loadedTables, on: app.db)
            #expect(dropped.count == before.count)
            #expect(try await Self.secondaryIndexes(app).isEmpty)
            // Now the process dies; the next start finds the record and builds them.
            try await FirstStart.run(on: app)
            #expect(try await Self.secondaryIndexes(app) == before)
            #expect(try await SuspendedIndexes.restore(on: app.db).isEmpty)
        }
    }

    @Test("a person already known from another module gets the membership, not a second record", arguments: Store.allCases)
    func knownPersonJoins(store: Store) async throws {
        try await Self.withStore(store) { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let row = Self.validRows(1)[0]
            let nik = String(row.split(separator: ",")[1])
            let known = try await f.person("Warga Lama", in: "36.73.04.1002", nik: nik)
            let path = try Self.write([row])
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await importFile(app, path, as: "ketua.dpc", status: "pending")
            #expect(try await Person.query(on: app.db).count() == 1)
            let m = try #require(try await Membership.query(on: app.db).first())
            #expect(m.$person.id == known.id)
        }
    }

    @Test("the web flow: upload, map, check, import, with progress on the batch page", arguments: Store.allCases)
    func webUpload(store: Store) async throws {
        try await Self.withStore(store) { app in
            try await Fixtures(app: app).user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            _ = try await web.get("/imports/new")
            let csv = ([Self.header] + Self.validRows(12) + ["Rusak,123,,,,,,,,,,"]).joined(separator: "\n")
            let uploaded = try await web.postMultipart("/imports", fields: ["initialStatus": "verified", "consent": "on"],
                                                       file: ("file", "anggota.csv", csv))
            #expect(uploaded.status == .seeOther)
            let location = try #require(uploaded.headers.first(name: .location))
            let mappingPage = try await web.get(location)
            #expect(mappingPage.body.string.contains("Petakan kolom"))
            let batch = try #require(try await ImportBatch.query(on: app.db).first())
            let mapping = batch.columnMapping.columns
            #expect(mapping[.fullName] == 0 && mapping[.nik] == 1 && mapping[.villageCode] == 8)
            var form: [String: String] = [:]
            for (field, index) in mapping { form[field.rawValue] = String(index) }
            #expect(try await web.post("\(location)/mapping", form: form).status == .seeOther)
            try await waitFor(app, batch: batch.id!, status: .validated)
            let checked = try await web.get(location)
            #expect(checked.body.string.contains("Mulai impor 12 baris valid"))
            let errors = try await web.get("\(location)/errors.csv")
            #expect(errors.body.string.contains("baris,kolom,pesan"))
            #expect(try await web.post("\(location)/run", form: [:]).status == .seeOther)
            try await waitFor(app, batch: batch.id!, status: .done)
            #expect(try await Membership.query(on: app.db).filter(\.$status == .verified).count() == 12)
            #expect(try await web.get(location).body.string.contains("12</strong> anggota baru masuk"))
        }
    }

    @Test("a file with a quote left open is refused with its line, in Indonesian, and nothing is stored")
    func brokenFileNamesTheLine() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            _ = try await web.get("/imports/new")
            let csv = ([Self.header] + Self.validRows(2) + ["\"Tidak Ditutup,3673045008850003"]).joined(separator: "\n")
            let uploaded = try await web.postMultipart("/imports", fields: ["initialStatus": "active", "consent": "on"],
                                                       file: ("file", "anggota.csv", csv))
            let location = try #require(uploaded.headers.first(name: .location))
            let batch = try #require(try await ImportBatch.query(on: app.db).first())
            var form: [String: String] = [:]
            for (field, index) in batch.columnMapping.columns { form[field.rawValue] = String(index) }
            #expect(try await web.post("\(location)/mapping", form: form).status == .seeOther)
            for _ in 0..<200 where try await ImportBatch.find(batch.id, on: app.db)?.status == .validating {
                try await Task.sleep(for: .milliseconds(50))
            }
            let failed = try #require(try await ImportBatch.find(batch.id, on: app.db))
            #expect(failed.status == .failed)
            #expect(failed.message == "Berkas CSV rusak. Baris 4: tanda kutip (\") tidak ditutup sampai akhir berkas.")
            #expect(try await web.get(location).body.string.contains("Baris 4: tanda kutip"))
            #expect(try await Person.query(on: app.db).count() == 0)
        }
    }

    /// One valid row prepared for its kelurahan's org unit, and the same row for a unit that does not exist.
    static func preparedRowAndOrphan(_ app: Application) async throws
        -> (MemberImporter, MemberRow, OrgUnit, kept: [MemberImporter.PreparedRow], gone: [MemberImporter.PreparedRow]) {
        let importer = MemberImporter(app: app, access: .none, logger: app.logger)
        let validator = try await importer.validator()
        let mapping = ColumnMapping.guess(headers: Self.header.split(separator: ",").map(String.init))
        let member = try validator.validate(Self.validRows(1)[0].split(separator: ",").map(String.init), mapping: mapping, row: 2).get()
        let unit = try #require(try await OrgUnit.query(on: app.db).filter(\.$regionCode == member.villageCode).first())
        let kept = try importer.prepare([member][...], units: [member.villageCode: .init(id: unit.id!, path: unit.path)])
        let gone = try importer.prepare([member][...], units: [member.villageCode: .init(id: UUID(), path: unit.path)])
        return (importer, member, unit, kept, gone)
    }

    @Test("on a SQLite file the writer checks the kelurahan and org unit of each chunk itself (it runs without foreign-key checks)")
    func writerChecksParents() async throws {
        try await Self.withStore(.sqliteFile) { app in
            let (importer, member, unit, kept, gone) = try await Self.preparedRowAndOrphan(app)
            let connection = try RawSQLiteConnection(path: try #require(importer.sqliteFile), pragmas: [])
            defer { connection.close() }
            try MemberImporter.checkParents(of: kept, on: connection)
            #expect(throws: Abort.self) { try MemberImporter.checkParents(of: gone, on: connection) }
            var otherVillage = member
            otherVillage.villageCode = "36.73.04.9999"
            let unknown = try importer.prepare([otherVillage][...], units: [otherVillage.villageCode: .init(id: unit.id!, path: unit.path)])
            #expect(throws: Abort.self) { try MemberImporter.checkParents(of: unknown, on: connection) }
        }
    }

    @Test("on PostgreSQL each chunk locks its kelurahan and org units (a big load sets their foreign keys aside)")
    func postgresChunkLocksParents() async throws {
        try await withSimpul { app in
            let sql = app.db as! any SQLDatabase
            guard sql.dialect.name == "postgresql" else { return }
            let (importer, member, unit, kept, gone) = try await Self.preparedRowAndOrphan(app)
            try await MemberImporter.lockParents(of: kept, on: sql)
            await #expect(throws: Abort.self) { try await MemberImporter.lockParents(of: gone, on: sql) }
            var otherVillage = member
            otherVillage.villageCode = "36.73.04.9999"
            let unknown = try importer.prepare([otherVillage][...], units: [otherVillage.villageCode: .init(id: unit.id!, path: unit.path)])
            await #expect(throws: Abort.self) { try await MemberImporter.lockParents(of: unknown, on: sql) }
            // The set-aside keys are the ones to the reference tables, and only those.
            let suspended = try await SuspendedIndexes.definitions(of: MemberImporter.loadedTables, on: sql).map(\.definition)
            let keys = suspended.filter { $0.hasPrefix("ALTER TABLE") }
            #expect(keys.count == 3, "\(keys)")
            #expect(keys.allSatisfy { $0.contains("REFERENCES regions") || $0.contains("REFERENCES org_units") })
        }
    }

    @Test("a set-aside key that a stored row breaks comes back unvalidated: it holds for new rows, and the start goes on")
    func brokenKeyComesBackUnvalidated() async throws {
        try await withSimpul { app in
            let sql = app.db as! any SQLDatabase
            guard sql.dialect.name == "postgresql" else { return }
            let unit = try #require(try await OrgUnit.query(on: app.db).filter(\.$regionCode == "36.73.04.1002").first())
            try await SuspendedIndexes.suspend(tables: MemberImporter.loadedTables, on: app.db)
            func insertPerson(region: String) async throws {
                try await sql.raw("""
                    INSERT INTO people (id, full_name, name_search, region_code, org_unit_id, scope)
                    VALUES (\(bind: UUID()), 'Uji', 'uji', \(bind: region), \(bind: unit.id!), \(bind: unit.path))
                    """).run()
            }
            try await insertPerson(region: "36.73.04.9999")   // no such kelurahan: nothing checks it now
            try await FirstStart.run(on: app)
            let keys = try await sql.raw("""
                SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'people'::regclass AND contype = 'f'
                AND confrelid = 'regions'::regclass
                """).all()
            #expect(keys.count == 1)
            #expect(try keys.first?.decode(column: "convalidated", as: Bool.self) == false)
            await #expect(throws: (any Error).self) { try await insertPerson(region: "36.73.04.9998") }
            try await insertPerson(region: "36.73.04.1002")
            #expect(SuspendedIndexes.validation(of: "CREATE INDEX a ON b (c)", name: "a") == nil)
        }
    }

    @Test("a start killed between adding a key back and validating it validates the key the next time")
    func keyAddedButNotValidatedIsValidatedNextTime() async throws {
        try await withSimpul { app in
            let sql = app.db as! any SQLDatabase
            guard sql.dialect.name == "postgresql" else { return }
            try await SuspendedIndexes.suspend(tables: MemberImporter.loadedTables, on: app.db)
            // What the first step of `restore` leaves when the process dies right after it.
            for row in try await sql.raw("SELECT name, definition FROM suspended_indexes").all() {
                let name = try row.decode(column: "name", as: String.self)
                let definition = try row.decode(column: "definition", as: String.self)
                let notValid = SuspendedIndexes.validation(of: definition, name: name) == nil ? "" : " NOT VALID"
                try await sql.raw(SQLQueryString(definition + notValid)).run()
            }
            func unvalidated() async throws -> Int {
                try await sql.raw("""
                    SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND NOT convalidated
                    AND conrelid IN ('people'::regclass, 'memberships'::regclass)
                    """).first()!.decode(column: "n", as: Int.self)
            }
            #expect(try await unvalidated() > 0)
            let built = try await SuspendedIndexes.restore(on: app.db)
            #expect(built.isEmpty)
            #expect(try await unvalidated() == 0)
            #expect(try await sql.raw("SELECT name FROM suspended_indexes").all().isEmpty)
        }
    }

    func waitFor(_ app: Application, batch id: UUID, status: ImportBatch.Status) async throws {
        for _ in 0..<200 {
            if let b = try await ImportBatch.find(id, on: app.db), b.status == status { return }
            if let b = try await ImportBatch.find(id, on: app.db), b.status == .failed { Issue.record("failed: \(b.message ?? "")"); return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("batch never reached \(status)")
    }
}
