import Fluent
import FluentSQLiteDriver
import FluentSQL
import SimpulCore
import Vapor

/// Person as lists and the API show it: personal data masked.
struct PersonDTO: Content {
    let id: UUID
    let fullName: String
    let nikMasked: String?
    let birthPlace: String?
    let birthDate: String?
    let sex: String?
    let phoneMasked: String?
    let regionCode: String
    let orgUnitID: UUID
    let createdAt: Date?

    init(_ p: Person) {
        id = p.id!
        fullName = p.fullName
        nikMasked = p.nikMasked
        birthPlace = p.birthPlace
        birthDate = p.birthDate
        sex = p.sex
        phoneMasked = p.phoneMasked
        regionCode = p.regionCode
        orgUnitID = p.$orgUnit.id
        createdAt = p.createdAt
    }
}

/// The unmasked fields, only after an audited reveal.
struct RevealedPersonalData: Content {
    let nik: String?
    let phone: String?
    let address: String?
}

struct TimelineEventDTO: Content {
    let at: Date
    let module: String
    let kind: String
    let summary: String
}

struct PeoplePage: Content {
    let items: [PersonDTO]
    let page: Int
    let per: Int
    /// The number of people found; with `totalExact` false, at least this many.
    let total: Int
    var totalExact = true
}

/// Creating, finding and unmasking people; used by pages and API alike.
struct PeopleService {
    let req: Request

    func create(_ form: PersonForm) async throws -> Person {
        let user = try req.requireUser()
        // Refuse before reading the form: someone who may add people nowhere learns nothing from it.
        guard req.access.hasAny(.editPeople) else { throw Abort(.forbidden, reason: "Anda tidak berwenang menambah data orang.") }
        let (valid, errors) = try await form.validate(on: req.db)
        try errors.throwIfAny()
        guard let valid else { throw ValidationFailure(errors: errors.all) }
        guard req.peoplePolicy.canCreate(in: valid.unit) else {
            throw ValidationFailure(errors: [FieldError(field: "regionCode", message: "Anda tidak berwenang menambah data di kelurahan \(valid.region.name).")])
        }
        if let nik = valid.nik, try await Person.query(on: req.db).filter(\.$nikIndex == req.vault.blindIndex(nik.digits, purpose: "nik")).first() != nil {
            throw ValidationFailure(errors: [FieldError(field: "nik", message: "NIK \(nik.masked) sudah tercatat atas orang lain. Cari orang tersebut dan perbarui datanya, jangan membuat data ganda.")])
        }
        let person = Person()
        try person.fill(from: valid, vault: req.vault)
        try await req.db.transaction { db in
            try await person.create(on: db)
            try await person.indexName(on: db)
            try await PersonEvent(personID: person.requireID(), module: "people", kind: "person.created",
                                  summary: "Data dicatat oleh \(user.displayName) di \(valid.region.name).",
                                  actorID: user.id, scope: person.scope).create(on: db)
            try await req.audit.record("person.create", entity: "person", id: person.id?.uuidString, scope: person.scope, on: db)
        }
        return person
    }

    /// A person the user may see, or 404.
    func find(_ id: UUID?) async throws -> Person {
        _ = try req.requireUser()
        guard let id, let person = try await Person.find(id, on: req.db) else { throw Abort(.notFound, reason: "Data tidak ditemukan.") }
        try req.peoplePolicy.requireView(person)
        return person
    }

    /// Search within the user's scope: `q` is a 16-digit NIK (exact, via the blind index),
    /// a phone number (exact), or part of a name.
    func list(unit: OrgUnit?, query q: String?, page: Int, per: Int) async throws -> PeoplePage {
        try req.requireAnywhere(.viewPeople, "Anda tidak berwenang melihat data orang.")
        var query = visible(under: unit)
        if let q = q?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            let digits = q.filter(\.isNumber)
            if digits.count == 16, digits.count == q.filter({ $0 != " " && $0 != "." }).count {
                query = query.filter(\.$nikIndex == req.vault.blindIndex(digits, purpose: "nik"))
            } else if let phone = IndonesianPhone.normalize(q) {
                query = query.filter(\.$phoneIndex == req.vault.blindIndex(phone, purpose: "phone"))
            } else {
                return try await nameSearch(NameIndex.tokens(of: q), within: query, unit: unit, page: page, per: per)
            }
        }
        // Counted on the scope column, which the scope index covers (COUNT(id) reads every row).
        let total = try await query.count(\.$scope)
        if try await ListPagePlan.broad(matching: total, table: Person.schema, pageEnd: page * per, on: req.db) {
            query = visible(under: unit, broad: true)
        }
        let items = try await query.sort(\.$nameSearch).range(((page - 1) * per)..<(page * per)).all()
        return PeoplePage(items: items.map(PersonDTO.init), page: page, per: per, total: total)
    }

    /// The people the user may see, under `unit` if given (`broad`: see ListPagePlan).
    private func visible(under unit: OrgUnit?, broad: Bool = false) -> QueryBuilder<Person> {
        let query = req.peoplePolicy.visible(Person.query(on: req.db), broad: broad)
        return unit.map { query.within(\.$scope, $0.orgPath, broad: broad) } ?? query
    }

    /// How many people `everyone(in:chunk:_:)` goes through.
    func count(in unit: OrgUnit?) async throws -> Int {
        try req.requireAnywhere(.viewPeople, "Anda tidak berwenang melihat data orang.")
        return try await visible(under: unit).count(\.$scope)
    }

    /// Every person in scope (and under `unit`), in name order, `chunk` at a time: each chunk
    /// starts after the last name and id of the one before, so the whole list costs one pass
    /// however long it is (pages with OFFSET cost a pass each).
    func everyone(in unit: OrgUnit?, chunk: Int = 2_000, _ visit: ([Person]) async throws -> Void) async throws {
        let total = try await count(in: unit)
        let broad = try await ListPagePlan.broad(matching: total, table: Person.schema, pageEnd: chunk, on: req.db)
        var after: (name: String, id: UUID)?
        while true {
            var query = visible(under: unit, broad: broad)
            if let after {
                // A row value, which both databases read as one range of the name index; the
                // same condition spelt with OR made SQLite collect every later row first.
                query = query.filter(.sql(SQLQueryString(
                    "(\(ident: Person.schema).name_search, \(ident: Person.schema).id) > (\(bind: after.name), \(bind: after.id))")))
            }
            let people = try await query.sort(\.$nameSearch).sort(\.$id).limit(chunk).all()
            if !people.isEmpty { try await visit(people) }
            guard people.count == chunk, let last = people.last else { return }
            after = (last.nameSearch, try last.requireID())
        }
    }

    /// Hits beyond this many are not counted: the page says "lebih dari 2.000". Counting
    /// every "Muhammad" among a million members costs more than the page itself.
    static let exactCountLimit = 2000

    /// Every word of the query must start some word of the name, compared as phonetic keys:
    /// "moh rizki" finds "Muhammad Rizky". The word with the fewest index rows drives; the
    /// others are checked against `name_keys` in the same entry of the covering token index
    /// (token, sort_name, person_id, scope, name_keys). Two plans:
    /// - up to `exactCountLimit` hits: all are read, then counted, sorted and paged here;
    /// - more: each token that starts with the driving word is read in name order, only as
    ///   far as the page needs, and the lists are merged (a prefix that starts very many
    ///   different tokens falls back to one sort of all its hits).
    /// Only the page's people are read, through `visible` again: a stale token can hide a
    /// person but never show one.
    private func nameSearch(_ keys: [String], within visible: QueryBuilder<Person>, unit: OrgUnit?, page: Int, per: Int) async throws -> PeoplePage {
        let sql = req.db as! any SQLDatabase
        // Keys are lowercase ASCII letters (IndonesianName); anything else could not match.
        let keys = keys.filter { key in !key.isEmpty && key.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } }
        guard !keys.isEmpty else { return PeoplePage(items: [], page: page, per: per, total: 0) }
        var roots = req.access.roots(for: .viewPeople)
        if roots.contains(.national) { roots = [] }
        var inScope: [SQLQueryString] = []
        if !roots.isEmpty {
            let anyRoot = roots.map { SubtreeMatch($0, on: req.db).sql("t.scope") }
            inScope.append("(" + anyRoot.map { "(" + $0 + ")" }.joined(separator: " OR ") + ")")
        }
        if let unit { inScope.append(SubtreeMatch(unit.orgPath, on: req.db).sql("t.scope")) }
        // name_keys is " key1 key2 …": a word-start match is " key" anywhere in it.
        let sqlite = sql.dialect.name == "sqlite"
        func hasWord(_ key: String) -> SQLQueryString {
            "t.name_keys \(unsafeRaw: sqlite ? "GLOB" : "LIKE") \(bind: sqlite ? "* \(key)*" : "% \(key)%")"
        }
        func startsToken(_ key: String) -> SQLQueryString { "t.token >= \(bind: key) AND t.token < \(bind: key + "\u{7F}")" }
        let limit = Self.exactCountLimit

        var driver = keys[0]
        if keys.count > 1 {
            var fewest = Int.max
            for key in keys {
                let rows = try await sql.raw("""
                    SELECT COUNT(*) AS n FROM (SELECT 1 FROM name_tokens t WHERE \(([startsToken(key)] + inScope).joined(separator: " AND ")) LIMIT \(literal: limit + 1)) c
                    """).first()?.decode(column: "n", as: Int.self) ?? 0
                if rows == 0 { return PeoplePage(items: [], page: page, per: per, total: 0) }
                if rows < fewest { (fewest, driver) = (rows, key) }
            }
        }
        let others = keys.filter { $0 != driver }.map(hasWord)
        let matching = ([startsToken(driver)] + inScope + others).joined(separator: " AND ")
        let (from, to) = ((page - 1) * per, page * per)
        let rows = try await sql.raw("""
            SELECT t.person_id AS id, t.sort_name AS s FROM name_tokens t WHERE \(matching) LIMIT \(literal: limit + 1)
            """).all()
        let pageIDs: [UUID], total: Int, exact: Bool
        if rows.count <= limit {
            // Few enough to count and sort here, in the index's order.
            var seen = Set<UUID>()
            let sorted = NameOrder.sorted(try NameOrder.hits(rows)).filter { seen.insert($0).inserted }
            pageIDs = from < sorted.count ? Array(sorted[from..<min(to, sorted.count)]) : []
            (total, exact) = (sorted.count, true)
        } else {
            pageIDs = try await denseHits(driver: driver, from: from, to: to) { token in
                ([token] + inScope + others).joined(separator: " AND ")
            }
            (total, exact) = (limit, false)
        }
        let people = pageIDs.isEmpty ? [] : try await visible.filter(\.$id ~~ pageIDs).all()
        let byID = Dictionary(uniqueKeysWithValues: people.compactMap { p in p.id.map { ($0, p) } })
        return PeoplePage(items: pageIDs.compactMap { byID[$0] }.map(PersonDTO.init), page: page, per: per, total: total, totalExact: exact)
    }

    /// At most this many different tokens are merged for one prefix ("su": suriani, sulaeman,
    /// …); a prefix that starts more falls back to one top-N sort of all its hits.
    static let mergedTokenLimit = 24

    /// Rows `from..<to` of a name search with more than `exactCountLimit` hits. `condition`
    /// gives the WHERE clause for a token condition on `t.token`.
    private func denseHits(driver: String, from: Int, to: Int, condition: (SQLQueryString) -> SQLQueryString) async throws -> [UUID] {
        let sql = req.db as! any SQLDatabase
        let upper = driver + "\u{7F}"
        // The distinct tokens with this prefix, one index probe each.
        var tokens: [String] = []
        var next = try await sql.raw("SELECT MIN(token) AS k FROM name_tokens WHERE token >= \(bind: driver) AND token < \(bind: upper)")
            .first()?.decode(column: "k", as: String?.self)
        while let token = next, tokens.count <= Self.mergedTokenLimit {
            tokens.append(token)
            next = try await sql.raw("SELECT MIN(token) AS k FROM name_tokens WHERE token > \(bind: token) AND token < \(bind: upper)")
                .first()?.decode(column: "k", as: String?.self)
        }
        var hits: [(name: [UInt8], id: UUID)] = []
        if tokens.count <= Self.mergedTokenLimit {
            // Within one token the index is in name order: each list stops after `to` rows.
            // A person's rank in any list is at most their rank overall, so `to` per list is enough.
            for token in tokens {
                for row in try await sql.raw("""
                    SELECT t.person_id AS id, t.sort_name AS s FROM name_tokens t WHERE \(condition("t.token = \(bind: token)"))
                    ORDER BY t.sort_name, t.person_id LIMIT \(literal: to)
                    """).all() {
                    hits.append(try NameOrder.hit(row))
                }
            }
        } else {
            // A person with two words of the prefix has two rows, next to each other in this
            // order: ask for more rows than the page needs, and more again if that was short.
            var wanted = to * 2
            while true {
                let rows = try await sql.raw("""
                    SELECT t.person_id AS id, t.sort_name AS s FROM name_tokens t
                    WHERE \(condition("t.token >= \(bind: driver) AND t.token < \(bind: upper)"))
                    ORDER BY t.sort_name, t.person_id LIMIT \(literal: wanted)
                    """).all()
                hits = try NameOrder.hits(rows)
                if rows.count < wanted || Set(hits.map(\.id)).count >= to { break }
                wanted *= 2
            }
        }
        var seen = Set<UUID>()
        let ordered = NameOrder.sorted(hits).filter { seen.insert($0).inserted }
        return from < ordered.count ? Array(ordered[from..<min(to, ordered.count)]) : []
    }

    /// The person's history from every module, newest first. Bulk imports write no event
    /// per row; their line comes from the membership and its batch.
    func timeline(of person: Person) async throws -> [TimelineEventDTO] {
        let id = try person.requireID()
        var events = try await PersonEvent.query(on: req.db).filter(\.$person.$id == id).all()
            .map { TimelineEventDTO(at: $0.at, module: $0.module, kind: $0.kind, summary: $0.summary) }
        for m in try await Membership.query(on: req.db).filter(\.$person.$id == id).filter(\.$channel == .import).all() {
            let batch = try await m.importBatchID.asyncFlatMap { try await ImportBatch.find($0, on: req.db) }
            events.append(TimelineEventDTO(at: m.registeredAt, module: "membership", kind: "membership.imported",
                                           summary: "Diimpor dari daftar anggota \(batch?.fileName ?? "") oleh \(batch?.username ?? "pengurus"), status awal \(MembershipStatus(rawValue: batch?.initialStatus ?? "")?.label ?? "-")."))
        }
        return events.sorted { $0.at > $1.at }
    }

    /// Decrypts NIK, phone and address for an authorised user; always audited.
    func reveal(_ person: Person, reason: String?) async throws -> RevealedPersonalData {
        try req.peoplePolicy.requireReveal(person)
        let vault = req.vault
        let data = RevealedPersonalData(nik: try person.nikCipher.map(vault.decrypt),
                                        phone: try person.phoneCipher.map(vault.decrypt),
                                        address: try person.addressCipher.map(vault.decrypt))
        try await req.audit.record("person.reveal", entity: "person", id: person.id?.uuidString, scope: person.scope,
                                   detail: reason ?? "")
        return data
    }
}

extension Request {
    var people: PeopleService { PeopleService(req: self) }
}

extension Person {
    /// Copies validated input in, encrypting what is personal and keeping the blind indexes
    /// and masks that lists and duplicate checks use.
    func fill(from valid: PersonForm.Valid, vault: PersonalDataVault) throws {
        fullName = valid.fullName
        nameSearch = valid.fullName.lowercased()
        if let nik = valid.nik {
            nikCipher = try vault.encrypt(nik.digits)
            nikIndex = vault.blindIndex(nik.digits, purpose: "nik")
            nikMasked = nik.masked
            nikRegion = nik.regionCode
        }
        birthPlace = valid.birthPlace
        birthDate = valid.birthDate?.iso8601
        sex = valid.sex.map { $0 == .male ? "L" : "P" }
        if let phone = valid.phone {
            phoneCipher = try vault.encrypt(phone)
            phoneIndex = vault.blindIndex(phone, purpose: "phone")
            phoneMasked = IndonesianPhone.mask(phone)
        }
        addressCipher = try valid.address.map { try vault.encrypt($0) }
        rt = valid.rt
        rw = valid.rw
        occupation = valid.occupation
        maritalStatus = valid.maritalStatus?.rawValue
        regionCode = try valid.region.requireID()
        $orgUnit.id = try valid.unit.requireID()
        scope = valid.unit.path
    }

    /// Name tokens as phonetic keys (see `IndonesianName`), replacing earlier ones.
    func indexName(on db: any Database) async throws {
        let id = try requireID()
        try await NameToken.query(on: db).filter(\.$person.$id == id).delete()
        let tokens = NameIndex.tokens(of: fullName)
        for token in tokens {
            let row = NameToken()
            row.$person.id = id
            row.token = token
            row.scope = scope
            row.sortName = nameSearch
            row.nameKeys = NameIndex.keyList(tokens)
            try await row.create(on: db)
        }

    }
}

/// The order of name-search hits, as both databases sort the token index: the sort name
/// bytewise (SQLite BINARY, PostgreSQL "C"), then the person's id (upper-case text on
/// SQLite, bytes on PostgreSQL: the same order).
enum NameOrder {
    static func sorted(_ hits: [(name: [UInt8], id: UUID)]) -> [UUID] {
        hits.map { ($0.name, $0.id, $0.id.uuidString) }
            .sorted { a, b in a.0 != b.0 ? a.0.lexicographicallyPrecedes(b.0) : a.2 < b.2 }
            .map(\.1)
    }

    /// (sort name, person id) from a row with columns `s` and `id`. SQLite rows are read
    /// directly: SQLKit's Codable decoding of 2,000 rows took 20 ms, most of a search.
    static func hit(_ row: any SQLRow) throws -> (name: [UInt8], id: UUID) {
        if let lite = row as? SQLiteRow, let name = lite.column("s")?.string,
           let text = lite.column("id")?.string, let id = UUID(uuidString: text) {
            return (Array(name.utf8), id)
        }
        return (Array(try row.decode(column: "s", as: String.self).utf8), try row.decode(column: "id", as: UUID.self))
    }

    static func hits(_ rows: [any SQLRow]) throws -> [(name: [UInt8], id: UUID)] { try rows.map(hit) }
}

/// The searchable form of names: one phonetic key per word, distinct.
enum NameIndex {
    static func tokens(of name: String) -> [String] {
        var seen = Set<String>()
        return IndonesianName.searchKey(name).split(separator: " ").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// All of a name's tokens in one string, " key1 key2 …", stored with each token so a
    /// search for several words checks the others in the same index entry.
    static func keyList(_ tokens: [String]) -> String {
        tokens.map { " " + $0 }.joined()
    }
}
