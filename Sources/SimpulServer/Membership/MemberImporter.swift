import CSV
import Crypto
import Fluent
import Foundation
import SQLKit
import FluentPostgresDriver
import FluentSQLiteDriver
import SimpulCore
import Vapor

/// Reads a member list (CSV from a spreadsheet) in a stream, checks every row, and writes
/// the valid ones in chunks of `chunkSize`, each chunk one transaction that also moves the
/// batch's progress. A crash loses at most the chunk in flight; running the batch again
/// skips every NIK already stored, so the end state is exactly the valid rows.
struct MemberImporter: Sendable {
    let db: any Database
    let vault: PersonalDataVault
    let access: AccessScope
    let logger: Logger
    /// Rows per transaction: bigger transactions touch each index page once for many rows
    /// (with 1,000 rows a chunk rewrote most pages of the random-key indexes every time).
    var chunkSize = 10_000
    /// From this many rows (and at least as many as are stored) the secondary indexes are
    /// built at the end instead of row by row.
    var bulkLoadMinimum = SuspendedIndexes.bulkLoadMinimum
    /// The SQLite file behind `db`, if it is one: chunks are then written through a
    /// connection of the importer's own (SQLiteBulkWriter). Nil: through `db` (PostgreSQL,
    /// or a private in-memory database no other connection can open).
    var sqliteFile: String?

    struct Stats: Sendable, Equatable {
        var total = 0
        var valid = 0
        var errorRows = 0
        var imported = 0
        var existing = 0
        /// Secondary indexes set aside for a big load and built again at its end.
        var rebuiltIndexes: [String] = []
    }

    // MARK: reading

    /// Sniffs the delimiter (Indonesian Excel writes ";") from the first line.
    static func delimiter(of url: URL) throws -> UnicodeScalar {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self).split(separator: "\n").first ?? ""
        return MemberImport.delimiter(ofHeaderLine: head)
    }

    static func headers(of url: URL) throws -> [String] {
        let reader = try CSVReader(stream: InputStream(url: url)!, hasHeaderRow: true, trimFields: true, delimiter: try delimiter(of: url))
        return (reader.headerRow ?? []).map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }
    }

    /// The first `count` data rows, trimmed, for the mapping page's preview.
    static func preview(of url: URL, count: Int) throws -> [[String]] {
        guard let stream = InputStream(url: url) else { throw Abort(.notFound, reason: "Berkas impor tidak ditemukan.") }
        let reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: true, delimiter: try delimiter(of: url))
        var rows: [[String]] = []
        while rows.count < count, let fields = reader.next() { rows.append(fields) }
        return rows
    }

    /// Calls `body` with each data row and its spreadsheet row number (header = row 1).
    /// Cells come untrimmed: the row check cleans every cell anyway, and CSV.swift's
    /// trimming (Foundation's trimmingCharacters per cell) was a tenth of an import's CPU.
    static func eachRow(of url: URL, _ body: (Int, [String]) async throws -> Void) async throws {
        guard let stream = InputStream(url: url) else { throw Abort(.notFound, reason: "Berkas impor tidak ditemukan.") }
        let reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: false, delimiter: try delimiter(of: url))
        var row = 1
        while let fields = reader.next() {
            row += 1
            try await body(row, fields)
        }
        // CSV.swift reports the end of the stream as `cannotReadFile`; anything else is real.
        if let error = reader.error {
            if case CSVError.cannotReadFile = error { return }
            throw Abort(.unprocessableEntity, reason: "Berkas CSV rusak setelah baris \(row): \(error)")
        }
    }

    func validator() async throws -> MemberRowValidator {
        let regions = try await Region.query(on: db).filter(\.$level ~~ [.district, .village]).all()
        var villages: [String: String] = [:], districts: [String: String] = [:]
        for r in regions {
            if r.level == .village { villages[r.id!] = r.name } else { districts[r.id!] = r.name }
        }
        return MemberRowValidator(villagesByCode: villages, districtsByCode: districts, today: CivilDate(Date()))
    }

    /// Checks one row, including the importer's right to add people in that kelurahan.
    static func check(_ fields: [String], row: Int, mapping: ColumnMapping, validator: MemberRowValidator,
                      access: AccessScope, seen: inout [String: Int]) -> Result<MemberRow, RowErrors> {
        switch validator.validate(fields, mapping: mapping, row: row) {
        case .failure(let errors):
            return .failure(errors)
        case .success(let member):
            var problems: [RowError] = []
            if !access.allows(.editPeople, at: OrgPath(regionCode: member.villageCode)) {
                problems.append(RowError(row: row, field: mapping.columns[.villageCode] != nil ? .villageCode : .villageName,
                                         message: "Kelurahan \(member.villageName) di luar wilayah kewenangan Anda."))
            }
            if let first = seen[member.nik.digits] {
                problems.append(RowError(row: row, field: .nik, message: "NIK ganda dalam berkas: sama dengan baris \(first)."))
            } else {
                seen[member.nik.digits] = row
            }
            return problems.isEmpty ? .success(member) : .failure(RowErrors(row: row, problems: problems))
        }
    }

    // MARK: checking

    /// Pass 1: every row checked, nothing written but the batch's counts and error file.
    func validate(_ batch: ImportBatch) async throws -> Stats {
        let mapping = batch.columnMapping
        if let missing = mapping.missingRequiredMessage { throw Abort(.unprocessableEntity, reason: missing) }
        let validator = try await validator()
        var stats = Stats()
        var errors: [RowErrors] = []
        var seen: [String: Int] = [:]
        let access = self.access
        try await Self.eachRow(of: URL(fileURLWithPath: batch.filePath)) { row, fields in
            if fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return }
            stats.total += 1
            switch Self.check(fields, row: row, mapping: mapping, validator: validator, access: access, seen: &seen) {
            case .success: stats.valid += 1
            case .failure(let e):
                stats.errorRows += 1
                errors.append(e)
            }
        }
        batch.totalRows = stats.total
        batch.validRows = stats.valid
        batch.errorRows = stats.errorRows
        batch.errorCSV = errors.isEmpty ? nil : MemberImport.errorCSV(errors, byteOrderMark: true)
        batch.status = .validated
        try await batch.save(on: db)
        return stats
    }

    // MARK: importing

    struct UnitRef: Sendable {
        let id: UUID
        let path: String
    }

    /// Pass 2: valid rows written in chunks; progress saved with each chunk. Every row is
    /// checked again on the way, so the batch's counts and error file are also complete when
    /// no check pass ran first (the command line reads a big file once, not twice).
    func run(_ batch: ImportBatch) async throws -> Stats {
        let mapping = batch.columnMapping
        let validator = try await validator()
        let units = try await OrgUnit.query(on: db).filter(\.$level == 4).all()
        let unitByCode = Dictionary(uniqueKeysWithValues: units.compactMap { u in u.regionCode.map { ($0, UnitRef(id: u.id!, path: u.path)) } })
        guard let initial = MembershipStatus(rawValue: batch.initialStatus), [.pending, .verified, .active].contains(initial) else {
            throw Abort(.unprocessableEntity, reason: "Status awal harus pending, verified atau active.")
        }
        var stats = Stats()
        var errors: [RowErrors] = []
        var seen: [String: Int] = [:]
        var chunk: [MemberRow] = []
        let access = self.access
        let batchID = try batch.requireID()
        batch.status = .importing
        batch.processedRows = 0
        batch.importedRows = 0
        batch.existingRows = 0
        try await batch.save(on: db)
        // A load at least as big as the stored list builds the secondary indexes once at the
        // end instead of updating them row by row (see SuspendedIndexes).
        try await SuspendedIndexes.restore(on: db)
        let storedPeople = try await Person.query(on: db).count()
        let suspending = SuspendedIndexes.worthSuspending(incomingRows: try Self.lineCount(of: URL(fileURLWithPath: batch.filePath)) - 1,
                                                          storedRows: storedPeople, minimum: bulkLoadMinimum)
        if suspending {
            let names = try await SuspendedIndexes.suspend(tables: Self.loadedTables, on: db)
            logger.info("Impor besar: \(names.count) indeks sekunder dibangun ulang di akhir (\(names.joined(separator: ", "))).")
        }
        // Two stages side by side: while one chunk is written (on a SQLite file by the
        // importer's own connection on a thread of its own, see SQLiteBulkWriter; otherwise on
        // the database's threads), the next is read, checked and encrypted here. Chunks are
        // stored one after the other, each in its own transaction. (A third stage, encryption
        // on a thread of its own, measured no faster: 5,444 against 5,490 rows/s.)
        let writer = sqliteFile.map(SQLiteBulkWriter.init(path:))
        var writing: Task<(imported: Int, existing: Int), any Error>?
        func hand(_ rows: [MemberRow]) async throws {
            let prepared = try self.prepare(rows, units: unitByCode)
            if let previous = writing {
                let done = try await previous.value
                stats.imported += done.imported
                stats.existing += done.existing
            }
            writing = Task { [self] in
                if let writer { return try await Self.store(prepared, of: rows.count, batchID: batchID, initial: initial, with: writer) }
                return try await self.store(prepared, of: rows.count, batchID: batchID, initial: initial)
            }
        }
        do {
            try await Self.eachRow(of: URL(fileURLWithPath: batch.filePath)) { row, fields in
                if fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return }
                stats.total += 1
                let member: MemberRow
                switch Self.check(fields, row: row, mapping: mapping, validator: validator, access: access, seen: &seen) {
                case .success(let valid): member = valid
                case .failure(let rowErrors):
                    stats.errorRows += 1
                    errors.append(rowErrors)
                    return
                }
                stats.valid += 1
                chunk.append(member)
                if chunk.count >= chunkSize {
                    try await hand(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try await hand(chunk) }
            if let last = writing {
                let done = try await last.value
                stats.imported += done.imported
                stats.existing += done.existing
            }
            await writer?.close()
        } catch {
            // Let a chunk in flight finish (or fail) before the error leaves: never two writers.
            _ = try? await writing?.value
            await writer?.close()
            if suspending { _ = try? await SuspendedIndexes.restore(on: db) }
            throw error
        }
        if suspending {
            let start = Date()
            stats.rebuiltIndexes = try await SuspendedIndexes.restore(on: db)
            logger.info("Indeks sekunder dibangun ulang dalam \(String(format: "%.1f", Date().timeIntervalSince(start))) s.")
        }
        batch.status = .done
        batch.totalRows = stats.total
        batch.validRows = stats.valid
        batch.errorRows = stats.errorRows
        batch.errorCSV = errors.isEmpty ? nil : MemberImport.errorCSV(errors, byteOrderMark: true)
        batch.processedRows = stats.valid
        batch.importedRows = stats.imported
        batch.existingRows = stats.existing
        batch.finishedAt = Date()
        try await batch.save(on: db)
        return stats
    }

    /// The tables a member import writes to.
    static let loadedTables = [Person.schema, NameToken.schema, Membership.schema]

    /// Lines in the file (a CSV field may hold a line break, so this is an estimate of rows).
    static func lineCount(of url: URL) throws -> Int {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var lines = 0
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            lines += data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        return lines
    }

    /// One row with everything personal already encrypted and indexed (CPU work done
    /// outside the transaction, see `run`).
    struct PreparedRow: Sendable {
        let member: MemberRow
        let unit: UnitRef
        let nikIndex: String
        let nikCipher: String
        let phoneCipher: String?
        let phoneIndex: String?
        let phoneMasked: String?
        let addressCipher: String?
        let nameTokens: [String]
        /// Time-ordered ids (see `TimeOrderedID`): person, membership, then one per name token.
        let personID: UUID
        let membershipID: UUID
        let tokenIDs: [UUID]
    }

    func prepare(_ rows: [MemberRow], units: [String: UnitRef]) throws -> [PreparedRow] {
        let vault = self.vault
        var ids = TimeOrderedID()
        return try rows.compactMap { member in
            guard let unit = units[member.villageCode] else { return nil }
            let phone = member.phone
            let tokens = NameIndex.tokens(of: member.fullName)
            return PreparedRow(
                member: member, unit: unit, nikIndex: vault.blindIndex(member.nik.digits, purpose: "nik"),
                nikCipher: try vault.encrypt(member.nik.digits), phoneCipher: try phone.map { try vault.encrypt($0) },
                phoneIndex: phone.map { vault.blindIndex($0, purpose: "phone") }, phoneMasked: phone.map(IndonesianPhone.mask),
                addressCipher: try member.address.map { try vault.encrypt($0) }, nameTokens: tokens,
                personID: ids.next(), membershipID: ids.next(), tokenIDs: tokens.map { _ in ids.next() })
        }
    }

    /// One chunk, one transaction: people, memberships, name tokens, KTA sequences and the
    /// batch's progress together. `chunkRows` counts the chunk's valid rows, including any
    /// `prepare` left out because their kelurahan has no org unit.
    private func store(_ rows: [PreparedRow], of chunkRows: Int, batchID: UUID, initial: MembershipStatus) async throws -> (imported: Int, existing: Int) {
        let now = Date()
        return try await db.transaction { db -> (imported: Int, existing: Int) in
            let sql = db as! any SQLDatabase
            var sequences: [String: Int] = [:]
            if initial == .active {
                let codes = Array(Set(rows.map(\.member.villageCode)))
                for seq in try await MemberSequence.query(on: db).filter(\.$id ~~ codes).all() { sequences[seq.id!] = seq.lastSequence }
            }
            // One transaction, several statements: a statement carries at most
            // `statementRows` rows (SQLite allows 32,766 bound values; a person has 23).
            var count = 0
            for start in stride(from: 0, to: rows.count, by: Self.statementRows) {
                let part = rows[start..<min(start + Self.statementRows, rows.count)]
                count += try await insert(part, on: sql, sequences: &sequences, batchID: batchID, initial: initial, now: now)
            }
            if count > 0 {
                for (code, last) in sequences {
                    try await sql.raw("""
                        INSERT INTO member_sequences (region_code, last_sequence) VALUES (\(bind: code), \(bind: last))
                        ON CONFLICT (region_code) DO UPDATE SET last_sequence = excluded.last_sequence
                        """).run()
                }
            }
            let existing = chunkRows - count
            try await sql.raw("""
                UPDATE import_batches SET processed_rows = processed_rows + \(bind: chunkRows),
                  imported_rows = imported_rows + \(bind: count), existing_rows = existing_rows + \(bind: existing),
                  updated_at = \(bind: now) WHERE id = \(bind: batchID)
                """).run()
            return (count, existing)
        }
    }

    static let statementRows = 1000

    /// NIKs already recorded, by blind index: a person who is already a member is left
    /// alone; a person known from another module (no membership yet) gets the membership.
    typealias Present = [String: (person: UUID, member: Bool)]

    /// The rows of people, name tokens and memberships for `rows`, with KTA numbers drawn
    /// from `sequences` when the members start active.
    struct ChunkRows {
        var people: [[BulkCell]] = []
        var tokens: [[BulkCell]] = []
        var memberships: [[BulkCell]] = []
    }

    static func chunkRows(_ rows: ArraySlice<PreparedRow>, present: Present, sequences: inout [String: Int],
                          batchID: UUID, initial: MembershipStatus, now: Date) throws -> ChunkRows {
        var out = ChunkRows()
        out.people.reserveCapacity(rows.count)
        out.memberships.reserveCapacity(rows.count)
        for p in rows where present[p.nikIndex]?.member != true {
            let member = p.member, unit = p.unit
            let known = present[p.nikIndex]?.person
            let personID = known ?? p.personID
            if known == nil {
                let sortName = member.fullName.lowercased()
                out.people.append([
                    .uuid(personID), .text(member.fullName), .text(sortName),
                    .text(p.nikCipher), .text(p.nikIndex), .text(member.nik.masked), .text(member.nik.regionCode),
                    .text(member.birthPlace), .text(member.birthDate.iso8601), .text(member.sex == .male ? "L" : "P"),
                    .text(p.phoneCipher), .text(p.phoneIndex), .text(p.phoneMasked), .text(p.addressCipher),
                    .text(member.rt), .text(member.rw), .text(member.occupation), .text(member.maritalStatus?.rawValue),
                    .text(member.villageCode), .uuid(unit.id), .text(unit.path), .date(now), .date(now),
                ])
                let keys = NameIndex.keyList(p.nameTokens)
                for (token, tokenID) in zip(p.nameTokens, p.tokenIDs) {
                    out.tokens.append([.uuid(tokenID), .uuid(personID), .text(token), .text(unit.path), .text(sortName), .text(keys)])
                }
            }
            var number: String?, verifyCode: String?, validUntil: String?, activatedAt: Date?
            if initial == .active {
                let next = (sequences[member.villageCode] ?? 0) + 1
                sequences[member.villageCode] = next
                number = try MemberNumber(kelurahanCode: member.villageCode, sequence: next).formatted
                verifyCode = MembershipService.newVerifyCode()
                validUntil = CivilDate(now).adding(years: MembershipLifecycle.validityYears).iso8601
                activatedAt = now
            }
            out.memberships.append([
                .uuid(p.membershipID), .uuid(personID), .uuid(unit.id), .text(unit.path),
                .enumCase(initial.rawValue, type: "membership_status"), .enumCase(Membership.Channel.import.rawValue, type: "membership_channel"),
                .text(number), .text(verifyCode), .text(validUntil),
                .uuid(batchID), .date(member.joinedOn.map { Self.date($0) } ?? now), .date(activatedAt), .date(now),
            ])
        }
        return out
    }

    /// People, name tokens and memberships of up to `statementRows` rows, one multi-row
    /// INSERT per table, inside the chunk's transaction. Returns the memberships written.
    private func insert(_ rows: ArraySlice<PreparedRow>, on sql: any SQLDatabase, sequences: inout [String: Int],
                        batchID: UUID, initial: MembershipStatus, now: Date) async throws -> Int {
        var present: Present = [:]
        for row in try await sql.raw("""
            SELECT p.nik_index AS nik_index, p.id AS id, m.id AS membership_id FROM people p
            LEFT JOIN memberships m ON m.person_id = p.id WHERE p.nik_index IN (\(binds: rows.map(\.nikIndex)))
            """).all() {
            present[try row.decode(column: "nik_index", as: String.self)] =
                (try row.decode(column: "id", as: UUID.self), try row.decode(column: "membership_id", as: UUID?.self) != nil)
        }
        let out = try Self.chunkRows(rows, present: present, sequences: &sequences, batchID: batchID, initial: initial, now: now)
        try await BulkInsert(table: Person.schema, columns: Self.personColumns).run(out.people[...], on: sql)
        // A long name has many words: tokens go in statements of 5,000 rows (30,000 values).
        let tokens = BulkInsert(table: NameToken.schema, columns: Self.tokenColumns)
        for start in stride(from: 0, to: out.tokens.count, by: 5000) {
            try await tokens.run(out.tokens[start..<min(start + 5000, out.tokens.count)], on: sql)
        }
        try await BulkInsert(table: Membership.schema, columns: Self.membershipColumns).run(out.memberships[...], on: sql)
        return out.memberships.count
    }

    /// One chunk through the importer's own SQLite connection: the same transaction as
    /// `store`, with every statement prepared once and run row by row.
    private static func store(_ rows: [PreparedRow], of chunkRows: Int, batchID: UUID, initial: MembershipStatus,
                              with writer: SQLiteBulkWriter) async throws -> (imported: Int, existing: Int) {
        let now = Date()
        return try await writer.transaction { c in
            var sequences: [String: Int] = [:]
            if initial == .active {
                for code in Set(rows.map(\.member.villageCode)) {
                    try c.run("SELECT last_sequence FROM member_sequences WHERE region_code = ?", [.text(code)]) { sequences[code] = $0[0].integer }
                }
            }
            var present: Present = [:]
            for row in rows {
                try c.run(presentByNIK, [.text(row.nikIndex)]) { columns in
                    guard let id = columns[0].string.flatMap(UUID.init(uuidString:)) else { return }
                    present[row.nikIndex] = (id, columns[1] != .null)
                }
            }
            let out = try Self.chunkRows(rows[...], present: present, sequences: &sequences, batchID: batchID, initial: initial, now: now)
            for (table, columns, cells) in [(Person.schema, personColumns, out.people), (NameToken.schema, tokenColumns, out.tokens),
                                            (Membership.schema, membershipColumns, out.memberships)] {
                let sql = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES ("
                    + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
                for row in cells { try c.run(sql, row.map(\.sqliteData)) }
            }
            let count = out.memberships.count
            if count > 0 {
                for (code, last) in sequences {
                    try c.run("""
                        INSERT INTO member_sequences (region_code, last_sequence) VALUES (?, ?)
                        ON CONFLICT (region_code) DO UPDATE SET last_sequence = excluded.last_sequence
                        """, [.text(code), .integer(last)])
                }
            }
            let existing = chunkRows - count
            try c.run("""
                UPDATE import_batches SET processed_rows = processed_rows + ?, imported_rows = imported_rows + ?,
                  existing_rows = existing_rows + ?, updated_at = ? WHERE id = ?
                """, [.integer(chunkRows), .integer(count), .integer(existing), BulkCell.date(now).sqliteData, BulkCell.uuid(batchID).sqliteData])
            return (count, existing)
        }
    }

    static let presentByNIK = """
        SELECT p.id, m.id FROM people p LEFT JOIN memberships m ON m.person_id = p.id WHERE p.nik_index = ?
        """

    static func date(_ d: CivilDate) -> Date {
        Date(timeIntervalSince1970: TimeInterval(d.daysSinceEpoch) * 86400 - TimeInterval(CivilDate.wibOffsetSeconds))
    }

    static let personColumns = [
        "id", "full_name", "name_search", "nik_cipher", "nik_index", "nik_masked", "nik_region", "birth_place", "birth_date", "sex",
        "phone_cipher", "phone_index", "phone_masked", "address_cipher", "rt", "rw", "occupation", "marital_status",
        "region_code", "org_unit_id", "scope", "created_at", "updated_at",
    ]

    static let tokenColumns = ["id", "person_id", "token", "scope", "sort_name", "name_keys"]

    static let membershipColumns = [
        "id", "person_id", "org_unit_id", "scope", "status", "channel", "number", "verify_code", "valid_until",
        "import_batch_id", "registered_at", "activated_at", "updated_at",
    ]
}


extension MemberImporter {
    /// The application's database; on a SQLite file, with the importer's own writer.
    init(app: Application, access: AccessScope, logger: Logger) {
        self.init(db: app.db, vault: app.vault, access: access, logger: logger)
        if case .sqliteFile(let path) = app.settings.storage { sqliteFile = path }
    }
}

/// One value of a bulk-inserted row, stored exactly as Fluent stores it: UUIDs as text on
/// SQLite, dates as seconds since 1970, enum cases as text (cast to the enum type on PostgreSQL).
enum BulkCell: Sendable {
    case text(String?)
    case uuid(UUID?)
    case date(Date?)
    case enumCase(String, type: String)

    var sqliteData: SQLiteData {
        switch self {
        case .text(let v): v.map { .text($0) } ?? .null
        case .uuid(let v): v.map { .text(Hex.uuidString($0)) } ?? .null
        case .date(let v): v.map { .float($0.timeIntervalSince1970) } ?? .null
        case .enumCase(let v, _): .text(v)
        }
    }

    /// The cell in COPY's text format: `\N` for NULL; backslash, tab, line feed and carriage
    /// return escaped; times as UTC timestamps with microseconds.
    func writeCopyText(into buffer: inout ByteBuffer) {
        let text: String?
        switch self {
        case .text(let v): text = v
        case .uuid(let v): text = v.map(Hex.uuidString)
        case .date(let v): text = v.map(Self.copyTimestamp)
        case .enumCase(let v, _): text = v
        }
        guard let text else {
            buffer.writeStaticString("\\N")
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// "2026-11-26 07:05:09.123456+00"
    static func copyTimestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (days, inDay) = micros.quotientAndRemainder(dividingBy: 86_400_000_000)
        let (d, t) = inDay < 0 ? (days - 1, inDay + 86_400_000_000) : (days, inDay)
        let day = CivilDate(daysSinceEpoch: Int(d))
        let seconds = t / 1_000_000, fraction = t % 1_000_000
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(day.iso8601) \(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 6))+00"
    }

    func expression(on sql: any SQLDatabase) -> any SQLExpression {
        switch self {
        case .text(let v): SQLBind(v)
        case .uuid(let v): SQLBind(v)
        case .date(let v): SQLBind(v)
        // Fluent makes enum columns native types on PostgreSQL, where a text bind needs a cast.
        case .enumCase(let v, let type):
            sql.dialect.name == "postgresql" ? SQLQueryString("CAST(\(bind: v) AS \(ident: type))") : SQLBind(v)
        }
    }
}

/// Rows into one table in one go. On SQLite a multi-row INSERT whose text is built once per
/// shape, with the values bound as SQLiteData directly: SQLKit's generic serializer and
/// per-value Encodable binding were a quarter of the import's writer CPU. On PostgreSQL a
/// `COPY … FROM STDIN` in the transaction's connection: binding 23,000 values per INSERT kept
/// two cores busy on our side while PostgreSQL waited.
struct BulkInsert {
    let table: String
    let columns: [String]

    func run(_ rows: ArraySlice<[BulkCell]>, on sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        if let pg = sql as? any PostgresDatabase {
            let (table, columns) = (table, columns)
            try await pg.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.copyFrom(table: table, columns: columns, logger: connection.logger) { writer in
                        var buffer = ByteBuffer()
                        buffer.reserveCapacity(1 << 20)
                        for row in rows {
                            for (i, cell) in row.enumerated() {
                                if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                                cell.writeCopyText(into: &buffer)
                            }
                            buffer.writeInteger(UInt8(ascii: "\n"))
                            if buffer.readableBytes >= 1 << 20 {
                                try await writer.write(buffer)
                                buffer.clear()
                            }
                        }
                        if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    }
                }
            }.get()
            return
        }
        if let lite = sql as? any SQLiteDatabase {
            let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
            let text = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
                + Array(repeating: tuple, count: rows.count).joined(separator: ",")
            var binds: [SQLiteData] = []
            binds.reserveCapacity(rows.count * columns.count)
            for row in rows { for cell in row { binds.append(cell.sqliteData) } }
            _ = try await lite.query(text, binds)
            return
        }
        var insert = sql.insert(into: table).columns(columns)
        for row in rows { insert = insert.values(row.map { $0.expression(on: sql) }) }
        try await insert.run()
    }
}
