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

    /// Candidate pairs inside the subtrees where the user may edit people.
    func candidates(limit: Int = 100) async throws -> [DuplicatePair] {
        _ = try req.requireUser()
        let roots = req.access.roots(for: .editPeople)
        guard !roots.isEmpty else { throw Abort(.forbidden, reason: "Anda tidak berwenang memeriksa data ganda.") }
        let sql = req.db as! any SQLDatabase
        func scope(_ column: String) -> SQLQueryString {
            if roots.contains(.national) { return "1 = 1" }
            var s: SQLQueryString = "("
            for (i, root) in roots.enumerated() {
                if i > 0 { s += " OR " }
                s += SubtreeMatch(root, on: req.db).sql("\(ident: "p").\(ident: column)")
            }
            return s + ")"
        }
        var pairs: [(UUID, UUID)] = []
        let phoneRows = try await sql.raw("""
            SELECT a.id AS a, b.id AS b FROM people a JOIN people b ON a.phone_index = b.phone_index AND a.id < b.id
            JOIN people p ON p.id = a.id WHERE a.phone_index IS NOT NULL AND \(scope("scope")) LIMIT \(bind: limit)
            """).all()
        let nameRows = try await sql.raw("""
            WITH k AS (SELECT p.id AS id, p.birth_date AS bd, t.token AS token FROM people p JOIN name_tokens t ON t.person_id = p.id
                       WHERE p.birth_date IS NOT NULL AND \(scope("scope")))
            SELECT DISTINCT a.id AS a, b.id AS b FROM k a JOIN k b ON a.bd = b.bd AND a.token = b.token AND a.id < b.id
            LIMIT \(bind: limit * 4)
            """).all()
        for row in phoneRows + nameRows {
            pairs.append((try row.decode(column: "a", as: UUID.self), try row.decode(column: "b", as: UUID.self)))
        }
        let ids = Array(Set(pairs.flatMap { [$0.0, $0.1] }))
        guard !ids.isEmpty else { return [] }
        let people = Dictionary(uniqueKeysWithValues: try await Person.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        let dismissed = Set(try await DuplicateDismissal.query(on: req.db).filter(\.$personA ~~ ids).all().map { "\($0.personA)|\($0.personB)" })
        var seen = Set<String>()
        var result: [DuplicatePair] = []
        for (a, b) in pairs {
            let key = a.uuidString < b.uuidString ? "\(a)|\(b)" : "\(b)|\(a)"
            guard seen.insert(key).inserted, !dismissed.contains(key), let pa = people[a], let pb = people[b],
                  pa.anonymisedAt == nil, pb.anonymisedAt == nil else { continue }
            var reasons = DuplicateRules.reasons(Self.facts(pa), Self.facts(pb)).map(\.message)
            if let phone = pa.phoneIndex, phone == pb.phoneIndex { reasons.append("Nomor HP sama (\(pa.phoneMasked ?? "")).") }
            guard !reasons.isEmpty else { continue }
            // Keep the older record: it usually has the longer history.
            let (keep, other) = (pa.createdAt ?? .distantPast) <= (pb.createdAt ?? .distantPast) ? (pa, pb) : (pb, pa)
            result.append(DuplicatePair(keep: PersonDTO(keep), other: PersonDTO(other), reasons: reasons))
            if result.count >= limit { break }
        }
        return result
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
