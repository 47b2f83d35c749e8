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
    /// (with 1,000 rows a chunk rewrote most pages of the random-key indexes every time; a
    /// million members went in at 6,277 rows/s in chunks of 10,000, 7,707 in chunks of 50,000).
    var chunkSize = 50_000
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

    static func headers(of url: URL) async throws -> [String] {
        var headers: [String] = []
        try await records(of: url) { _, fields in
            headers = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            return false
        }
        return headers
    }

    /// The first `count` data rows, trimmed, for the mapping page's preview.
    static func preview(of url: URL, count: Int) async throws -> [[String]] {
        var rows: [[String]] = []
        try await records(of: url) { number, fields in
            if number > 1 { rows.append(fields.map { $0.trimmingCharacters(in: .whitespaces) }) }
            return rows.count < count
        }
        return rows
    }

    /// Calls `body` with each data row and its spreadsheet row number (header = row 1).
    /// Cells come untrimmed: the row check cleans every cell anyway.
    static func eachRow(of url: URL, _ body: (Int, [String]) async throws -> Void) async throws {
        try await records(of: url) { number, fields in
            if number > 1 { try await body(number, fields) }
            return true
        }
    }

    /// Every record of the file with its number (1 = the header), read in blocks of 1 MiB,
    /// until `body` returns false.
    static func records(of url: URL, _ body: (Int, [String]) async throws -> Bool) async throws {
        var parser = try parser(for: url)
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw Abort(.notFound, reason: "Berkas impor tidak ditemukan.") }
        defer { try? handle.close() }
        while true {
            let block = try handle.read(upToCount: 1 << 20) ?? Data()
            parser.append(block)
            while let fields = try next(&parser, atEnd: block.isEmpty) {
                if try await !body(parser.records, fields) { return }
            }
            if block.isEmpty { return }
        }
    }

    private static func parser(for url: URL) throws -> CSVRecordParser {
        CSVRecordParser(delimiter: UInt8(try delimiter(of: url).value))
    }

    private static func next(_ parser: inout CSVRecordParser, atEnd: Bool) throws -> [String]? {
        do {
            return try parser.next(atEnd: atEnd)
        } catch {
            throw Abort(.unprocessableEntity, reason: "Berkas CSV rusak. \(error.message)")
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

    /// The kelurahan (codes) where the importer may add people: asked once per import, not
    /// once per row.
    static func editableVillages(_ validator: MemberRowValidator, access: AccessScope) -> Set<String> {
        Set(validator.villagesByCode.keys.filter { access.allows(.editPeople, at: OrgPath(regionCode: $0)) })
    }

    /// Checks one row, including the importer's right to add people in that kelurahan.
    static func check(_ fields: [String], row: Int, mapping: ColumnMapping, validator: MemberRowValidator,
                      editable: Set<String>, seen: inout [String: Int]) -> Result<MemberRow, RowErrors> {
        admit(validator.validate(fields, mapping: mapping, row: row), row: row, mapping: mapping, editable: editable, seen: &seen)
    }

    /// The checks after the row's own (which rows can run side by side, see `inHalves`): the
    /// importer's right to add people in that kelurahan, and the NIK not earlier in the file.
    static func admit(_ validated: Result<MemberRow, RowErrors>, row: Int, mapping: ColumnMapping,
                      editable: Set<String>, seen: inout [String: Int]) -> Result<MemberRow, RowErrors> {
        switch validated {
        case .failure(let errors):
            return .failure(errors)
        case .success(let member):
            var problems: [RowError] = []
            if !editable.contains(member.villageCode) {
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
        let editable = Self.editableVillages(validator, access: access)
        try await Self.eachRow(of: URL(fileURLWithPath: batch.filePath)) { row, fields in
            if fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return }
            stats.total += 1
            switch Self.check(fields, row: row, mapping: mapping, validator: validator, editable: editable, seen: &seen) {
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
        let editable = Self.editableVillages(validator, access: access)
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
        // Two stages side by side: while chunks are written (on a SQLite file by the importer's
        // own connection on a thread of its own, see SQLiteBulkWriter; otherwise on the
        // database's threads), the next is read, checked and encrypted here. Chunks are
        // stored one after the other, each in its own transaction; one more may wait ready,
        // so that neither stage idles while the other finishes a slow chunk.
        let writer = sqliteFile.map(SQLiteBulkWriter.init(path:))
        var writes: [Task<(imported: Int, existing: Int), any Error>] = []
        func collect(leaving pending: Int) async throws {
            while writes.count > pending {
                let done = try await writes.removeFirst().value
                stats.imported += done.imported
                stats.existing += done.existing
            }
        }
        func hand(_ rows: [MemberRow]) async throws {
            let prepared = try await Self.inHalves(rows) { [self] part in try self.prepare(part, units: unitByCode) }
            try await collect(leaving: Self.chunksQueued)
            let previous = writes.last
            writes.append(Task { [self] in
                _ = try await previous?.value
                if let writer { return try await Self.store(prepared, of: rows.count, batchID: batchID, initial: initial, with: writer) }
                return try await self.store(prepared, of: rows.count, batchID: batchID, initial: initial)
            })
        }
        /// A chunk of the file's rows: checked (the rows' own checks in two halves at once),
        /// then its valid rows handed on.
        var records: [(row: Int, fields: [String])] = []
        func check(_ records: [(row: Int, fields: [String])]) async throws {
            let validated = try await Self.inHalves(records) { part in
                part.map { validator.validate($0.fields, mapping: mapping, row: $0.row) }
            }
            var valid: [MemberRow] = []
            valid.reserveCapacity(records.count)
            for (record, result) in zip(records, validated) {
                switch Self.admit(result, row: record.row, mapping: mapping, editable: editable, seen: &seen) {
                case .success(let member):
                    stats.valid += 1
                    valid.append(member)
                case .failure(let rowErrors):
                    stats.errorRows += 1
                    errors.append(rowErrors)
                }
            }
            if !valid.isEmpty { try await hand(valid) }
        }
        do {
            try await Self.eachRow(of: URL(fileURLWithPath: batch.filePath)) { row, fields in
                if fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return }
                stats.total += 1
                records.append((row, fields))
                if records.count >= chunkSize {
                    try await check(records)
                    records.removeAll(keepingCapacity: true)
                }
            }
            if !records.isEmpty { try await check(records) }
            try await collect(leaving: 0)
            await writer?.close()
        } catch {
            // Let the chunks in flight finish (or fail) before the error leaves: never two writers.
            for write in writes { _ = try? await write.value }
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

    /// Chunks prepared and waiting while one is written.
    static let chunksQueued = 1

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
        /// The card's public check code, used if the membership starts active (drawn here,
        /// beside the encryption, and not in the writer's transaction).
        let verifyCode: String
        /// Time-ordered ids (see `TimeOrderedID`): person, membership, then one per name token.
        let personID: UUID
        let membershipID: UUID
        let tokenIDs: [UUID]
    }

    func prepare(_ rows: ArraySlice<MemberRow>, units: [String: UnitRef]) throws -> [PreparedRow] {
        let vault = self.vault
        // Ids need unique, not secret, random bits: one seed from the kernel per call.
        var ids = TimeOrderedID(), random = SplitMix64(seed: .random(in: .min ... .max))
        var nonces = NonceSequence()
        return try rows.compactMap { member in
            guard let unit = units[member.villageCode] else { return nil }
            let phone = member.phone
            let tokens = NameIndex.tokens(of: member.fullName)
            return PreparedRow(
                member: member, unit: unit, nikIndex: vault.blindIndex(member.nik.digits, purpose: "nik"),
                nikCipher: try vault.encrypt(member.nik.digits, nonces: &nonces),
                phoneCipher: try phone.map { try vault.encrypt($0, nonces: &nonces) },
                phoneIndex: phone.map { vault.blindIndex($0, purpose: "phone") }, phoneMasked: phone.map(IndonesianPhone.mask),
                addressCipher: try member.address.map { try vault.encrypt($0, nonces: &nonces) }, nameTokens: tokens,
                verifyCode: MembershipService.newVerifyCode(),
                personID: ids.next(using: &random), membershipID: ids.next(using: &random),
                tokenIDs: tokens.map { _ in ids.next(using: &random) })
        }
    }

    /// `transform` of the first and second half of `items` side by side, joined in order: a
    /// chunk's checks and encryption are most of an import's CPU, and independent per row.
    static func inHalves<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (ArraySlice<T>) throws -> [R]) async throws -> [R] {
        guard items.count >= 2_000 else { return try transform(items[...]) }
        let middle = items.count / 2
        async let first = transform(items[..<middle])
        let second = try transform(items[middle...])
        return try await first + second
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
            if sql.dialect.name == "postgresql" { try await Self.lockParents(of: rows, on: sql) }
            // PostgreSQL: one NIK lookup and one COPY per table for the whole chunk, so the
            // server inserts rows while the rest of the chunk is still being sent (in pieces of
            // 1,000 it idled while each piece was made, and the other way round). SQLite: a
            // statement carries at most `statementRows` rows (32,766 bound values; a person has 23).
            let partRows = sql.dialect.name == "postgresql" ? max(rows.count, 1) : Self.statementRows
            var count = 0
            for start in stride(from: 0, to: rows.count, by: partRows) {
                let part = rows[start..<min(start + partRows, rows.count)]
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
            let known = present[p.nikIndex]?.person
            let personID = known ?? p.personID
            if known == nil {
                out.people.append(personCells(p, now: now))
                out.tokens.append(contentsOf: tokenCells(p))
            }
            out.memberships.append(try membershipCells(p, person: personID, sequences: &sequences, batchID: batchID, initial: initial, now: now))
        }
        return out
    }

    /// The person row of a NIK not stored yet (columns: `personColumns`).
    static func personCells(_ p: PreparedRow, now: Date) -> [BulkCell] {
        let member = p.member, unit = p.unit
        return [
            .uuid(p.personID), .text(member.fullName), .text(member.fullName.lowercased()),
            .text(p.nikCipher), .text(p.nikIndex), .text(member.nik.masked), .text(member.nik.regionCode),
            .text(member.birthPlace), .text(member.birthDate.iso8601), .text(member.sex == .male ? "L" : "P"),
            .text(p.phoneCipher), .text(p.phoneIndex), .text(p.phoneMasked), .text(p.addressCipher),
            .text(member.rt), .text(member.rw), .text(member.occupation), .text(member.maritalStatus?.rawValue),
            .text(member.villageCode), .uuid(unit.id), .text(unit.path), .date(now), .date(now),
        ]
    }

    /// The name tokens of that new person (columns: `tokenColumns`).
    static func tokenCells(_ p: PreparedRow) -> [[BulkCell]] {
        let keys = NameIndex.keyList(p.nameTokens), sortName = p.member.fullName.lowercased()
        return zip(p.nameTokens, p.tokenIDs).map { token, tokenID in
            [.uuid(tokenID), .uuid(p.personID), .text(token), .text(p.unit.path), .text(sortName), .text(keys)]
        }
    }

    /// The membership of `person` (columns: `membershipColumns`), with a KTA number drawn from
    /// `sequences` when members start active.
    static func membershipCells(_ p: PreparedRow, person: UUID, sequences: inout [String: Int],
                                batchID: UUID, initial: MembershipStatus, now: Date) throws -> [BulkCell] {
        let member = p.member, unit = p.unit
        var number: String?, verifyCode: String?, validUntil: String?, activatedAt: Date?
        if initial == .active {
            let next = (sequences[member.villageCode] ?? 0) + 1
            sequences[member.villageCode] = next
            number = try MemberNumber(kelurahanCode: member.villageCode, sequence: next).formatted
            verifyCode = p.verifyCode
            validUntil = CivilDate(now).adding(years: MembershipLifecycle.validityYears).iso8601
            activatedAt = now
        }
        return [
            .uuid(p.membershipID), .uuid(person), .uuid(unit.id), .text(unit.path),
            .enumCase(initial.rawValue, type: "membership_status"), .enumCase(Membership.Channel.import.rawValue, type: "membership_channel"),
            .text(number), .text(verifyCode), .text(validUntil),
            .uuid(batchID), .date(member.joinedOn.map { Self.date($0) } ?? now), .date(activatedAt), .date(now),
        ]
    }

    /// People, name tokens and memberships of part of a chunk, one multi-row INSERT (or COPY)
    /// per table, inside the chunk's transaction. Returns the memberships written.
    private func insert(_ rows: ArraySlice<PreparedRow>, on sql: any SQLDatabase, sequences: inout [String: Int],
                        batchID: UUID, initial: MembershipStatus, now: Date) async throws -> Int {
        var present: Present = [:]
        // On PostgreSQL the chunk's keys go as one array: a bound value each would pass its
        // limit of 65,535 parameters with big chunks.
        let keys = rows.map(\.nikIndex)
        let matching: SQLQueryString = sql.dialect.name == "postgresql" ? "= ANY(\(bind: keys))" : "IN (\(binds: keys))"
        for row in try await sql.raw("""
            SELECT p.nik_index AS nik_index, p.id AS id, m.id AS membership_id FROM people p
            LEFT JOIN memberships m ON m.person_id = p.id WHERE p.nik_index \(matching)
            """).all() {
            present[try row.decode(column: "nik_index", as: String.self)] =
                (try row.decode(column: "id", as: UUID.self), try row.decode(column: "membership_id", as: UUID?.self) != nil)
        }
        let out = try Self.chunkRows(rows, present: present, sequences: &sequences, batchID: batchID, initial: initial, now: now)
        try await BulkInsert(table: Person.schema, columns: Self.personColumns).run(out.people[...], on: sql)
        // A long name has many words: on SQLite tokens go in statements of 5,000 rows (30,000 values).
        let tokens = BulkInsert(table: NameToken.schema, columns: Self.tokenColumns)
        let tokenRows = sql.dialect.name == "postgresql" ? max(out.tokens.count, 1) : 5000
        for start in stride(from: 0, to: out.tokens.count, by: tokenRows) {
            try await tokens.run(out.tokens[start..<min(start + tokenRows, out.tokens.count)], on: sql)
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
            try checkParents(of: rows, on: c)
            // Each person is inserted unless the NIK is stored: the unique index answers that
            // in the same step, so only a NIK already there costs a lookup of its own.
            var count = 0
            for p in rows {
                var person = p.personID
                try c.run(insertPerson, personCells(p, now: now).map(\.sqliteData))
                if c.changes == 1 {
                    for token in tokenCells(p) { try c.run(insertToken, token.map(\.sqliteData)) }
                } else {
                    var known: (person: UUID, member: Bool)?
                    try c.run(presentByNIK, [.text(p.nikIndex)]) { columns in
                        known = columns[0].string.flatMap(UUID.init(uuidString:)).map { ($0, columns[1] != .null) }
                    }
                    guard let known else { throw Abort(.internalServerError, reason: "NIK baris \(p.member.row) tidak dapat dibaca kembali.") }
                    if known.member { continue }
                    person = known.person
                }
                try c.run(insertMembership, try membershipCells(p, person: person, sequences: &sequences, batchID: batchID,
                                                                 initial: initial, now: now).map(\.sqliteData))
                count += 1
            }
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

    /// The kelurahan and org units a chunk refers to still exist: the writer's connection
    /// does not check foreign keys (see SQLiteBulkWriter), so this does, once per unit, inside
    /// the chunk's transaction, where no other writer can remove one before the commit.
    static func checkParents(of rows: [PreparedRow], on c: RawSQLiteConnection) throws {
        var checked = Set<String>()
        for row in rows where checked.insert(row.member.villageCode).inserted {
            var found = 0
            try c.run("SELECT 1 FROM regions WHERE code = ?", [.text(row.member.villageCode)]) { _ in found += 1 }
            try c.run("SELECT 1 FROM org_units WHERE id = ?", [BulkCell.uuid(row.unit.id).sqliteData]) { _ in found += 1 }
            guard found == 2 else {
                throw Abort(.conflict, reason: "Kelurahan \(row.member.villageCode) atau unit organisasinya dihapus selama impor; jalankan impor lagi.")
            }
        }
    }

    /// The kelurahan and org units a chunk refers to exist, and stay until it commits: on
    /// PostgreSQL a big load sets aside the foreign keys to them (see SuspendedIndexes), so
    /// this takes the lock each key's check would have taken, once per unit, not once per row.
    static func lockParents(of rows: [PreparedRow], on sql: any SQLDatabase) async throws {
        let codes = Array(Set(rows.map(\.member.villageCode))), units = Array(Set(rows.map(\.unit.id)))
        let regions = try await sql.raw("SELECT code FROM regions WHERE code = ANY(\(bind: codes)) FOR KEY SHARE").all().count
        let orgUnits = try await sql.raw("SELECT id FROM org_units WHERE id = ANY(\(bind: units)) FOR KEY SHARE").all().count
        guard regions == codes.count, orgUnits == units.count else {
            throw Abort(.conflict, reason: "Kelurahan atau unit organisasi dihapus selama impor; jalankan impor lagi.")
        }
    }

    static func insertStatement(_ table: String, _ columns: [String], suffix: String = "") -> String {
        "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")" + suffix
    }

    static let insertPerson = insertStatement(Person.schema, personColumns, suffix: " ON CONFLICT (nik_index) DO NOTHING")
    static let insertToken = insertStatement(NameToken.schema, tokenColumns)
    static let insertMembership = insertStatement(Membership.schema, membershipColumns)

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
