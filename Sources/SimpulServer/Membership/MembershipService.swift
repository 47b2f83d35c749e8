import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit
import SimpulCore
import Vapor

/// A membership registration, from the public form, an official or the API.
struct RegistrationForm: Content {
    var fullName: String?
    var nik: String?
    var birthPlace: String?
    var birthDate: String?
    var sex: String?
    var phone: String?
    var address: String?
    var rt: String?
    var rw: String?
    var regionCode: String?
    var occupation: String?
    var maritalStatus: String?
    /// Consents per purpose: "on"/"true" when ticked.
    var consentMembership: String?
    var consentContact: String?
    var consentPublication: String?
    /// Passport photo from the page form (JPEG, at most 1 MB); optional.
    var photo: File?

    var person: PersonForm {
        PersonForm(fullName: fullName, nik: nik, birthPlace: birthPlace, birthDate: birthDate, sex: sex, phone: phone,
                   address: address, regionCode: regionCode, rt: rt, rw: rw, occupation: occupation, maritalStatus: maritalStatus)
    }

    static func ticked(_ value: String?) -> Bool { ["on", "true", "1", "ya", "yes"].contains((value ?? "").lowercased()) }
}

struct MembershipDTO: Content {
    let id: UUID
    let personID: UUID
    let fullName: String
    let nikMasked: String?
    let regionCode: String
    let status: MembershipStatus
    let statusLabel: String
    let number: String?
    let validUntil: String?
    let registeredAt: Date
    let rejectionReason: String?

    init(_ m: Membership, person: Person) {
        id = m.id!
        personID = person.id!
        fullName = person.fullName
        nikMasked = person.nikMasked
        regionCode = person.regionCode
        status = m.status
        statusLabel = m.status.label
        number = m.number
        validUntil = m.validUntil
        registeredAt = m.registeredAt
        rejectionReason = m.rejectionReason
    }
}

struct MembersPage: Content {
    let items: [MembershipDTO]
    let page: Int
    let per: Int
    let total: Int
}

/// What the public may learn from a card's QR: initials, unit, validity — nothing else.
struct PublicCardCheck: Content, Equatable {
    let valid: Bool
    let status: String
    let initials: String?
    let unit: String?
    let validUntil: String?

    /// The API's answer, its JSON written directly: this is the busiest public route, and
    /// Foundation's JSONEncoder took 4 % of its time. The same keys as the Codable form.
    var jsonResponse: Response {
        var json = "{\"valid\":\(valid),\"status\":\(JSONText.quoted(status)),\"initials\":\(initials.map(JSONText.quoted) ?? "null")"
        json += ",\"unit\":\(unit.map(JSONText.quoted) ?? "null"),\"validUntil\":\(validUntil.map(JSONText.quoted) ?? "null")}"
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: json))
    }
}

/// Registration, verification and activation of members.
struct MembershipService {
    let req: Request

    /// Registers a member (pending). `actor` is nil for the public form.
    func register(_ form: RegistrationForm, channel: Membership.Channel) async throws -> Membership {
        let actor = req.auth.get(User.self)
        let today = CivilDate(Date())
        let (validated, formErrors) = try await form.person.validate(on: req.db, today: today)
        var errors = formErrors
        for (value, field, label) in [(form.nik, "nik", "NIK"), (form.birthDate, "birthDate", "Tanggal lahir"), (form.sex, "sex", "Jenis kelamin"),
                                      (form.phone, "phone", "Nomor HP"), (form.address, "address", "Alamat"), (form.maritalStatus, "maritalStatus", "Status perkawinan")]
        where (value ?? "").trimmingCharacters(in: .whitespaces).isEmpty && errors.message(for: field) == nil {
            errors.add(field, "\(label) wajib diisi.")
        }
        if !RegistrationForm.ticked(form.consentMembership) {
            errors.add("consentMembership", "Persetujuan pemrosesan data untuk keanggotaan wajib dicentang.")
        }
        if let valid = validated, let birth = valid.birthDate, let marital = valid.maritalStatus,
           !Eligibility.isEligibleVoter(birthDate: birth, married: marital.hasMarried, on: today) {
            errors.add("birthDate", "Calon anggota harus sudah berusia 17 tahun atau sudah/pernah kawin.")
        }
        let photo = Self.photo(form.photo, errors: &errors)
        try errors.throwIfAny()
        guard let valid = validated, let nik = valid.nik else { throw ValidationFailure(errors: errors.all) }
        if channel == .staff, !req.peoplePolicy.canCreate(in: valid.unit) {
            throw ValidationFailure(errors: [FieldError(field: "regionCode", message: "Anda tidak berwenang mendaftarkan anggota di kelurahan \(valid.region.name).")])
        }
        let vault = req.vault
        let existing = try await Person.query(on: req.db).filter(\.$nikIndex == vault.blindIndex(nik.digits, purpose: "nik")).first()
        if let existing, try await Membership.query(on: req.db).filter(\.$person.$id == existing.requireID()).first() != nil {
            throw ValidationFailure(errors: [FieldError(field: "nik", message: "NIK ini sudah terdaftar sebagai anggota atau sedang diproses. Hubungi pengurus di kelurahan Anda.")])
        }
        let membership = Membership()
        try await req.db.transaction { db in
            let person: Person
            if let existing {
                person = existing
            } else {
                person = Person()
                try person.fill(from: valid, vault: vault)
                person.photoCipher = try photo.map { try vault.encrypt($0) }
                try await person.create(on: db)
                try await person.indexName(on: db)
            }
            let personID = try person.requireID()
            membership.$person.id = personID
            membership.$orgUnit.id = try valid.unit.requireID()
            membership.scope = valid.unit.path
            membership.status = .pending
            membership.channel = channel
            membership.registeredAt = Date()
            try await membership.create(on: db)
            for purpose in Consent.Purpose.allCases {
                let granted = switch purpose {
                case .membership: true
                case .contact: RegistrationForm.ticked(form.consentContact)
                case .publication: RegistrationForm.ticked(form.consentPublication)
                }
                try await Consent(personID: personID, purpose: purpose, granted: granted, source: channel.rawValue).create(on: db)
            }
            let how = channel == .selfRegistration ? "lewat formulir publik" : "oleh \(actor?.displayName ?? "pengurus")"
            try await PersonEvent(personID: personID, module: "membership", kind: "membership.registered",
                                  summary: "Mendaftar sebagai anggota \(how); menunggu verifikasi.",
                                  actorID: actor?.id, scope: person.scope).create(on: db)
            try await req.audit.record("membership.register", entity: "membership", id: membership.id?.uuidString,
                                       scope: membership.scope, detail: channel.rawValue, on: db)
        }
        return membership
    }

    /// A JPEG of at most 1 MB, as base64 for encryption; a wrong file names the field.
    static func photo(_ file: File?, errors: inout FormErrors) -> String? {
        guard let file, file.data.readableBytes > 0 else { return nil }
        let bytes = Array(file.data.readableBytesView)
        guard bytes.count <= 1_048_576 else {
            errors.add("photo", "Foto terlalu besar (\(bytes.count / 1024) KB); maksimal 1 MB.")
            return nil
        }
        guard bytes.starts(with: [0xFF, 0xD8, 0xFF]) else {
            errors.add("photo", "Foto harus berkas JPEG (.jpg).")
            return nil
        }
        return Data(bytes).base64EncodedString()
    }

    func find(_ id: UUID?) async throws -> (Membership, Person) {
        _ = try req.requireUser()
        guard let id, let m = try await Membership.query(on: req.db).filter(\.$id == id).with(\.$person).first() else {
            throw Abort(.notFound, reason: "Data keanggotaan tidak ditemukan.")
        }
        try req.membershipPolicy.requireView(m)
        return (m, m.person)
    }

    func list(status: MembershipStatus?, unit: OrgUnit?, query q: String?, page: Int, per: Int) async throws -> MembersPage {
        try req.requireAnywhere(.viewPeople, "Anda tidak berwenang melihat data anggota.")
        var narrowing: [UUID]?, number: String?
        if let q = q?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            if let parsed = try? MemberNumber(parsing: q) {
                number = parsed.formatted
            } else {
                narrowing = try await req.people.list(unit: unit, query: q, page: 1, per: 500).items.map(\.id)
            }
        }
        func matching(broad: Bool) -> QueryBuilder<Membership> {
            var query = req.membershipPolicy.visible(Membership.query(on: req.db), broad: broad)
            if let status { query = query.filter(\.$status == status) }
            if let unit { query = query.within(\.$scope, unit.orgPath, broad: broad) }
            if let number { query = query.filter(\.$number == number) }
            if let narrowing { query = query.filter(\.$person.$id ~~ narrowing) }
            return query
        }
        // Counted on the scope column, which the scope-and-status index covers.
        let total = try await matching(broad: false).count(\.$scope)
        let broad = try await ListPagePlan.broad(matching: total, table: Membership.schema, pageEnd: page * per, on: req.db)
        let rows = try await matching(broad: broad).with(\.$person).sort(\.$registeredAt, .descending)
            .range(((page - 1) * per)..<(page * per)).all()
        return MembersPage(items: rows.map { MembershipDTO($0, person: $0.person) }, page: page, per: per, total: total)
    }

    /// Applies a decision; activation issues the KTA number, QR code and validity.
    func decide(_ action: MembershipAction, on m: Membership, reason rawReason: String?) async throws {
        let actor = try req.requireUser()
        try req.membershipPolicy.requireDecide(m)
        guard let next = MembershipLifecycle.next(after: action, from: m.status) else {
            throw Abort(.conflict, reason: MembershipLifecycle.refusal(action, from: m.status))
        }
        let reason = rawReason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if action.needsReason && reason.isEmpty {
            throw ValidationFailure(errors: [FieldError(field: "reason", message: "Alasan wajib diisi untuk \(action.label.lowercased()).")])
        }
        let previous = m.status
        try await req.db.transaction { db in
            if action == .activate {
                let unit = try await OrgUnit.find(m.$orgUnit.id, on: db)
                guard let code = unit?.regionCode, unit?.level == 4 else {
                    throw Abort(.conflict, reason: "Anggota harus terdaftar di unit kelurahan (DPRa) sebelum diaktifkan.")
                }
                m.number = try await Self.nextNumber(for: code, on: db).formatted
                m.verifyCode = Self.newVerifyCode()
                m.validUntil = CivilDate(Date()).adding(years: MembershipLifecycle.validityYears).iso8601
                m.activatedAt = Date()
            }
            if action == .reject { m.rejectionReason = reason }
            m.status = next
            m.decidedBy = actor.id
            try await m.update(on: db)
            var summary = "Status keanggotaan: \(previous.label) → \(next.label) oleh \(actor.displayName)"
            if let number = m.number, action == .activate { summary += "; nomor KTA \(number)" }
            if !reason.isEmpty { summary += ". Alasan: \(reason)" }
            try await PersonEvent(personID: m.$person.id, module: "membership", kind: "membership.\(action.rawValue)",
                                  summary: summary + ".", actorID: actor.id, scope: m.scope).create(on: db)
            try await req.audit.record("membership.\(action.rawValue)", entity: "membership", id: m.id?.uuidString,
                                       scope: m.scope, detail: reason, on: db)
        }
    }

    /// Next KTA number in a kelurahan; the upsert is atomic on both databases.
    static func nextNumber(for regionCode: String, on db: any Database) async throws -> MemberNumber {
        let sql = db as! any SQLDatabase
        let row = try await sql.raw("""
            INSERT INTO member_sequences (region_code, last_sequence) VALUES (\(bind: regionCode), 1)
            ON CONFLICT (region_code) DO UPDATE SET last_sequence = member_sequences.last_sequence + 1
            RETURNING last_sequence
            """).first()
        let sequence = try row?.decode(column: "last_sequence", as: Int.self) ?? 1
        do {
            return try MemberNumber(kelurahanCode: regionCode, sequence: sequence)
        } catch {
            throw Abort(.internalServerError, reason: error.message)
        }
    }

    /// 10 characters of an alphabet without look-alikes: 50 bits, not guessable. The alphabet
    /// has 32 characters, 5 random bits each, all taken from one draw of the system generator
    /// (a draw is a system call; a bulk import makes a code per row).
    static func newVerifyCode() -> String {
        var bits = UInt64.random(in: 0...UInt64.max)
        return String(decoding: (0..<10).map { _ in
            defer { bits >>= 5 }
            return verifyAlphabet[Int(bits & 31)]
        }, as: UTF8.self)
    }

    private static let verifyAlphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)

    /// The public check behind the QR: initials, unit and validity only, from one indexed
    /// query. This is the public endpoint under the heaviest load (every scanned card), so it
    /// is written with futures and stays on its event loop from start to end; on a SQLite
    /// file with `local` the row is read there too (see LoopLocalSQLite). Measured on the
    /// same 1,000,000-member file: 3,594 req/s async, 4,103 with futures, 6,767–7,502 with
    /// the read on the loop.
    static func publicCheck(code: String, on db: any Database, labels: LevelLabelCache, local: LoopLocalSQLite?,
                            batch: CardCheckBatch?) -> EventLoopFuture<PublicCardCheck> {
        let clean = code.uppercased().filter { $0.isLetter || $0.isNumber }
        let unknown = PublicCardCheck(valid: false, status: "Kartu tidak dikenal", initials: nil, unit: nil, validUntil: nil)
        guard clean.count == 10 else { return db.eventLoop.makeSucceededFuture(unknown) }
        let labelsLoaded = labels.fresh.map(db.eventLoop.makeSucceededFuture)
            ?? db.eventLoop.makeFutureWithTask { try await labels.get(on: db) }
        return CardRow.find(verifyCode: clean, on: db, local: local, batch: batch).and(labelsLoaded).map { row, labels in
            guard let row else { return unknown }
            let status = MembershipStatus(rawValue: row.status) ?? .inactive
            let stillValid = status == .active && (row.validUntil ?? "") >= CivilDate(Date()).iso8601
            let label = status != .active ? status.label : stillValid ? "Anggota aktif" : "Masa berlaku habis"
            return PublicCardCheck(valid: stillValid, status: label, initials: Self.initials(row.fullName),
                                   unit: labels.label(for: row.level) + " " + row.unitName, validUntil: row.validUntil)
        }
    }

    /// What the public check reads about one card.
    struct CardRow {
        let status: String
        let validUntil: String?
        let fullName: String
        let unitName: String
        let level: Int

        static let query = """
            SELECT m.status, m.valid_until, p.full_name, u.name, u.level
            FROM memberships m JOIN people p ON p.id = m.person_id JOIN org_units u ON u.id = m.org_unit_id
            WHERE m.verify_code =
            """

        /// On SQLite the statement goes to SQLiteNIO as it is and the row is read by position:
        /// SQLKit's serializer and generic column decoding were several per cent of the check's time.
        /// With `local` (a SQLite file) the read is answered on the request's event loop.
        static func find(verifyCode: String, on db: any Database, local: LoopLocalSQLite?, batch: CardCheckBatch?) -> EventLoopFuture<CardRow?> {
            if let lite = db as? any SQLiteDatabase {
                // `try?` would flatten "no row" into "failed"; only a failure takes the pool.
                if let local, case .success(let columns) = Result(catching: { try local.firstRow(query + " ?", text: verifyCode, on: db.eventLoop) }) {
                    return db.eventLoop.makeSucceededFuture(columns.flatMap(Self.init(columns:)))
                }
                return lite.query(query + " ?", [.text(verifyCode)]).map { rows in
                    rows.first.flatMap { Self(columns: $0.columns.map(\.data)) }
                }
            }
            // PostgreSQL (the only other driver): the checks of one loop turn share one query.
            // Without the application's batch (not configured) a check is a batch of its own.
            return (batch ?? CardCheckBatch()).find(verifyCode: verifyCode, on: db as! any PostgresDatabase)
        }
    }

    /// "Siti Aminah binti Ahmad" → "S. A. B. A."
    static func initials(_ name: String) -> String {
        name.split(separator: " ").compactMap { $0.first(where: \.isLetter) }.map { "\($0.uppercased())." }.joined(separator: " ")
    }
}

extension MembershipService.CardRow {
    /// The row of `query` read by position (SQLite).
    init?(columns: [SQLiteData]) {
        guard columns.count == 5, let status = columns[0].string, let name = columns[2].string,
              let unit = columns[3].string, let level = columns[4].integer else { return nil }
        self.init(status: status, validUntil: columns[1].string, fullName: name, unitName: unit, level: level)
    }
}

extension Request {
    var memberships: MembershipService { MembershipService(req: self) }
}
