import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Likely duplicates among people (same phone; same birth date and a shared name word,
/// compared as phonetic keys), reviewed by an official who merges them or marks them
/// distinct. The same NIK twice cannot happen: the blind index is unique.
struct DuplicatePair: Encodable {
    let keep: PersonDTO
    let other: PersonDTO
    let reasons: [String]
}

final class DuplicateDismissal: Model, @unchecked Sendable {
    static let schema = "duplicate_dismissals"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_a") var personA: UUID
    @Field(key: "person_b") var personB: UUID
    @Field(key: "decided_by") var decidedBy: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(_ a: UUID, _ b: UUID, by user: UUID) {
        (personA, personB) = a.uuidString < b.uuidString ? (a, b) : (b, a)
        decidedBy = user
    }
}

struct CreateDuplicateDismissals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DuplicateDismissal.schema)
            .id()
            .field("person_a", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("person_b", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("decided_by", .uuid, .required)
            .field("created_at", .datetime)
            .unique(on: "person_a", "person_b")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DuplicateDismissal.schema).delete()
    }
}

struct DuplicateService {
    let req: Request

    /// What the search reads about one person.
    struct Candidate {
        let id: UUID
        let facts: PersonFacts
        let phoneIndex: String?
        let phoneMasked: String?
    }

    /// Up to `limit` likely pairs inside the subtrees where the user may edit people: first
    /// those sharing a phone, then those sharing a birth date and a similar name. Both
    /// passes stop as soon as the page is full, and neither holds more than one birth
    /// date's records at a time: at a million people in scope the page used to take 90 s
    /// (a self-join of every name word with every other), and a national list is larger.
    func candidates(limit: Int = 100, chunk: Int = 2_000) async throws -> [DuplicatePair] {
        _ = try req.requireUser()
        let roots = req.access.roots(for: .editPeople)
        guard !roots.isEmpty else { throw Abort(.forbidden, reason: "Anda tidak berwenang memeriksa data ganda.") }
        let sql = req.db as! any SQLDatabase
        func inScope(broad: Bool) -> SQLQueryString {
            if roots.contains(.national) { return "1 = 1" }
            let column: SQLQueryString = broad ? "+p.scope" : "p.scope"
            return "(" + roots.map { "(" + SubtreeMatch($0, on: req.db).sql(column) + ")" }.joined(separator: " OR ") + ")"
        }
        func candidate(_ row: any SQLRow) throws -> Candidate {
            let id = try row.decode(column: "id", as: UUID.self)
            return Candidate(id: id, facts: PersonFacts(id: id.uuidString, fullName: try row.decode(column: "full_name", as: String.self),
                                                        birthDate: try row.decode(column: "birth_date", as: String?.self).flatMap(CivilDate.init(iso8601:))),
                             phoneIndex: try row.decode(column: "phone_index", as: String?.self),
                             phoneMasked: try row.decode(column: "phone_masked", as: String?.self))
        }
        let columns: SQLQueryString = "p.id, p.full_name, p.birth_date, p.phone_index, p.phone_masked"
        var found: [(a: UUID, b: UUID, reasons: [String])] = []
        // Pairs marked distinct are few (each is an official's decision): all of them, once.
        var passed = Set(try await DuplicateDismissal.query(on: req.db).all().map { Self.key($0.personA, $0.personB) })
        /// Lists the pair unless it is listed already or marked distinct; true while the page has room.
        func keep(_ a: Candidate, _ b: Candidate, _ reasons: [String]) -> Bool {
            if found.count < limit, passed.insert(Self.key(a.id, b.id)).inserted { found.append((a.id, b.id, reasons)) }
            return found.count < limit
        }
        func reasons(_ a: Candidate, _ b: Candidate, _ byName: [DuplicateReason]) -> [String] {
            var reasons = byName.map(\.message)
            if let phone = a.phoneIndex, phone == b.phoneIndex { reasons.append("Nomor HP sama (\(a.phoneMasked ?? "")).") }
            return reasons
        }

        let total = try await sql.raw("SELECT COUNT(p.scope) AS n FROM people p WHERE \(inScope(broad: false))")
            .first()?.decode(column: "n", as: Int.self) ?? 0

        // Same phone: groups of more than one, in phone-index order, 500 at a time, then the
        // people of each group in scope. When the scope holds at least half of everyone, the
        // groups come from the phone index alone (a million people: 0.3 s on SQLite, 0.7 s on
        // PostgreSQL, against 4.4 s and 4.1 s through the scope); a group outside the scope
        // then simply yields nobody.
        let groupsFromIndex = try await total * 2 >= ListPagePlan.approximateRows(of: Person.schema, on: req.db)
        var phonesAfter = ""
        while found.count < limit {
            let grouped: SQLQueryString = groupsFromIndex
                ? "SELECT phone_index FROM people WHERE phone_index > \(bind: phonesAfter)"
                : "SELECT p.phone_index AS phone_index FROM people p WHERE p.phone_index > \(bind: phonesAfter) AND p.anonymised_at IS NULL AND \(inScope(broad: false))"
            let phones = try await sql.raw(grouped + " GROUP BY phone_index HAVING COUNT(*) > 1 ORDER BY phone_index LIMIT 500")
                .all().map { try $0.decode(column: "phone_index", as: String.self) }
            guard let last = phones.last else { break }
            let sharing = try await sql.raw("""
                SELECT \(columns) FROM people p
                WHERE p.phone_index IN (\(binds: phones)) AND p.anonymised_at IS NULL AND \(inScope(broad: false))
                ORDER BY p.phone_index, p.id
                """).all().map(candidate)
            for group in Dictionary(grouping: sharing, by: { $0.phoneIndex! }).sorted(by: { $0.key < $1.key }).map(\.value) {
                for (n, a) in group.enumerated() {
                    for b in group[(n + 1)...] { _ = keep(a, b, reasons(a, b, DuplicateRules.reasons(a.facts, b.facts))) }
                }
            }
            if phones.count < 500 { break }
            phonesAfter = last
        }

        // Same birth date and a similar name: people in birth-date order (people_birth_date_idx),
        // `chunk` at a time; one date's records are compared once all of them are read.
        if found.count < limit {
            let broad = try await ListPagePlan.broad(matching: total, table: Person.schema, pageEnd: chunk, on: req.db)
            var day: [Candidate] = [], dayDate = ""
            var after: (date: String, id: UUID)?
            func compareDay() -> Bool {
                DuplicateRules.sameBirthDatePairs(day.map(\.facts)) { i, j, byName in keep(day[i], day[j], reasons(day[i], day[j], byName)) }
                return found.count < limit
            }
            reading: while true {
                let next: SQLQueryString = after.map { "(p.birth_date, p.id) > (\(bind: $0.date), \(bind: $0.id))" } ?? "p.birth_date IS NOT NULL"
                let rows = try await sql.raw("""
                    SELECT \(columns) FROM people p
                    WHERE \(next) AND p.anonymised_at IS NULL AND \(inScope(broad: broad))
                    ORDER BY p.birth_date, p.id LIMIT \(literal: chunk)
                    """).all()
                for row in rows {
                    let c = try candidate(row)
                    let date = try row.decode(column: "birth_date", as: String.self)
                    if date != dayDate {
                        guard compareDay() else { break reading }
                        day.removeAll(keepingCapacity: true)
                        dayDate = date
                    }
                    day.append(c)
                    after = (date, c.id)
                }
                if rows.count < chunk {
                    _ = compareDay()
                    break
                }
            }
        }

        let ids = Array(Set(found.flatMap { [$0.a, $0.b] }))
        guard !ids.isEmpty else { return [] }
        let people = Dictionary(uniqueKeysWithValues: try await Person.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        return found.compactMap { pair in
            guard let pa = people[pair.a], let pb = people[pair.b], !pair.reasons.isEmpty else { return nil }
            // Keep the older record: it usually has the longer history.
            let (keep, other) = (pa.createdAt ?? .distantPast) <= (pb.createdAt ?? .distantPast) ? (pa, pb) : (pb, pa)
            return DuplicatePair(keep: PersonDTO(keep), other: PersonDTO(other), reasons: pair.reasons)
        }
    }

    /// One spelling of an unordered pair (as DuplicateDismissal stores it).
    static func key(_ a: UUID, _ b: UUID) -> String {
        a.uuidString < b.uuidString ? "\(a)|\(b)" : "\(b)|\(a)"
    }

    static func facts(_ p: Person) -> PersonFacts {
        PersonFacts(id: p.id!.uuidString, fullName: p.fullName, birthDate: p.birthDate.flatMap(CivilDate.init(iso8601:)))
    }

    func dismiss(_ a: Person, _ b: Person) async throws {
        let user = try req.requireUser()
        try req.peoplePolicy.requireEdit(a)
        try req.peoplePolicy.requireEdit(b)
        try await DuplicateDismissal(try a.requireID(), try b.requireID(), by: user.requireID()).create(on: req.db)
        try await req.audit.record("person.not_duplicate", entity: "person", id: a.id?.uuidString, scope: a.scope, detail: b.id!.uuidString)
    }

    /// Merges `other` into `keep`: history, memberships, offices and consents move over,
    /// blanks in `keep` are filled from `other`, then `other` is deleted. One transaction.
    func merge(keep: Person, other: Person) async throws {
        let user = try req.requireUser()
        try req.peoplePolicy.requireEdit(keep)
        try req.peoplePolicy.requireEdit(other)
        let keepID = try keep.requireID(), otherID = try other.requireID()
        guard keepID != otherID else { throw Abort(.badRequest, reason: "Tidak dapat menggabungkan data dengan dirinya sendiri.") }
        try await req.db.transaction { db in
            let memberships = try await Membership.query(on: db).filter(\.$person.$id ~~ [keepID, otherID]).all()
            let rank: [MembershipStatus: Int] = [.active: 5, .verified: 4, .pending: 3, .inactive: 2, .rejected: 1]
            var note = ""
            if memberships.count == 2 {
                // One person, one membership: the stronger status stays.
                let sorted = memberships.sorted { (rank[$0.status] ?? 0) > (rank[$1.status] ?? 0) }
                let (stay, drop) = (sorted[0], sorted[1])
                note = " Keanggotaan ganda (\(drop.status.label)\(drop.number.map { ", KTA \($0)" } ?? "")) dihapus; yang dipertahankan: \(stay.status.label)."
                try await drop.delete(on: db)
                stay.$person.id = keepID
                try await stay.save(on: db)
            } else if let only = memberships.first, only.$person.id == otherID {
                only.$person.id = keepID
                try await only.save(on: db)
            }
            try await PersonEvent.query(on: db).filter(\.$person.$id == otherID).set(\.$person.$id, to: keepID).update()
            try await OfficeTerm.query(on: db).filter(\.$person.$id == otherID).set(\.$person.$id, to: keepID).update()
            try await Consent.query(on: db).filter(\.$person.$id == otherID).set(\.$person.$id, to: keepID).update()
            try await User.query(on: db).filter(\.$personID == otherID).set(\.$personID, to: keepID).update()
            try await PublicServiceRecords.movePerson(from: otherID, to: keepID, on: db)
            try await CadreRecords.movePerson(from: otherID, to: keepID, on: db)
            // Blanks in the kept record are filled from the other one; the NIK moves last
            // because its blind index is unique.
            let nik = (other.nikCipher, other.nikIndex, other.nikMasked, other.nikRegion)
            if keep.phoneCipher == nil { (keep.phoneCipher, keep.phoneIndex, keep.phoneMasked) = (other.phoneCipher, other.phoneIndex, other.phoneMasked) }
            if keep.addressCipher == nil { keep.addressCipher = other.addressCipher }
            if keep.photoCipher == nil { keep.photoCipher = other.photoCipher }
            keep.birthPlace = keep.birthPlace ?? other.birthPlace
            keep.birthDate = keep.birthDate ?? other.birthDate
            keep.sex = keep.sex ?? other.sex
            keep.rt = keep.rt ?? other.rt
            keep.rw = keep.rw ?? other.rw
            keep.occupation = keep.occupation ?? other.occupation
            keep.maritalStatus = keep.maritalStatus ?? other.maritalStatus
            let otherName = other.fullName, otherMasked = other.nikMasked ?? "tanpa NIK"
            try await DuplicateDismissal.query(on: db).group(.or) { $0.filter(\.$personA == otherID).filter(\.$personB == otherID) }.delete()
            try await other.delete(on: db)
            if keep.nikCipher == nil, nik.0 != nil { (keep.nikCipher, keep.nikIndex, keep.nikMasked, keep.nikRegion) = nik }
            try await keep.save(on: db)
            try await keep.indexName(on: db)
            try await PersonEvent(personID: keepID, module: "people", kind: "person.merged",
                                  summary: "Digabung dengan data ganda \(otherName) (\(otherMasked)) oleh \(user.displayName); riwayatnya dipindahkan ke sini.\(note)",
                                  actorID: user.id, scope: keep.scope).create(on: db)
            try await req.audit.record("person.merge", entity: "person", id: keepID.uuidString, scope: keep.scope,
                                       detail: "menyerap \(otherID.uuidString)", on: db)
        }
    }
}

extension Request {
    var duplicates: DuplicateService { DuplicateService(req: self) }
}

/// Pages for the review.
struct DuplicatesController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("people", "duplicates", use: page)
        routes.post("people", "duplicates", "merge", use: merge)
        routes.post("people", "duplicates", "dismiss", use: dismiss)
    }

    @Sendable func page(req: Request) async throws -> Response {
        try await req.render("people/duplicates", title: "Kemungkinan data ganda", try await req.duplicates.candidates())
    }

    struct PairForm: Content {
        var keep: UUID
        var other: UUID
    }

    private func pair(_ req: Request) async throws -> (Person, Person) {
        let form = try req.content.decode(PairForm.self)
        return (try await req.people.find(form.keep), try await req.people.find(form.other))
    }

    @Sendable func merge(req: Request) async throws -> Response {
        let (keep, other) = try await pair(req)
        try await req.duplicates.merge(keep: keep, other: other)
        req.flash("\(other.fullName) digabung ke \(keep.fullName).")
        return req.redirect(to: "/people/duplicates")
    }

    @Sendable func dismiss(req: Request) async throws -> Response {
        let (a, b) = try await pair(req)
        try await req.duplicates.dismiss(a, b)
        req.flash("Ditandai bukan data ganda.")
        return req.redirect(to: "/people/duplicates")
    }
}
