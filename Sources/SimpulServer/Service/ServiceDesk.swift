import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A request as officials see it: contact masked.
struct ServiceRequestDTO: Content {
    let id: UUID
    let code: String
    let kind: ServiceRequest.Kind
    let kindLabel: String
    let category: ServiceCategory
    let categoryLabel: String
    let categoryShortLabel: String
    let ppksType: PPKSType?
    let ppksTypeLabel: String?
    let urgent: Bool
    let summary: String
    let description: String
    let regionCode: String
    let locationDetail: String?
    let orgUnitID: UUID
    let requesterName: String
    let phoneMasked: String
    let personID: UUID?
    let hasPhoto: Bool
    let channel: ServiceRequest.Channel
    let status: ServiceStatus
    let statusLabel: String
    let receivedAt: Date
    let receivedOn: String
    let receivedOnText: String
    let dueOn: String
    let dueOnText: String
    let breached: Bool
    let ageDays: Int
    let assignedUnitID: UUID?
    let advocateID: UUID?
    let referredTo: String?
    let followUpOn: String?
    let outcome: ServiceOutcome?
    let outcomeLabel: String?
    let outcomeNote: String?
    let closedAt: Date?

    init(_ r: ServiceRequest, today: CivilDate = CivilDate(Date())) {
        id = r.id!
        code = r.trackingCode
        kind = r.kind
        kindLabel = r.kind.label
        category = r.category
        categoryLabel = r.category.label
        categoryShortLabel = r.category.shortLabel
        ppksType = r.ppksType
        ppksTypeLabel = r.ppksType?.label
        urgent = r.urgent
        summary = r.summary
        description = r.details
        regionCode = r.regionCode
        locationDetail = r.locationDetail
        orgUnitID = r.$orgUnit.id
        requesterName = r.requesterName
        phoneMasked = r.phoneMasked
        personID = r.$person.id
        hasPhoto = r.photoCipher != nil
        channel = r.channel
        status = r.status
        statusLabel = r.status.label
        receivedAt = r.receivedAt
        receivedOn = r.receivedOn
        receivedOnText = WIB.longDate(r.receivedOn)
        dueOn = r.dueOn
        dueOnText = WIB.longDate(r.dueOn)
        breached = r.isBreached(today: today)
        let end = r.closedAt.map { CivilDate($0) } ?? today
        ageDays = max(0, end.daysSinceEpoch - (CivilDate(iso8601: r.receivedOn) ?? today).daysSinceEpoch)
        assignedUnitID = r.$assignedUnit.id
        advocateID = r.$advocate.id
        referredTo = r.referredTo
        followUpOn = r.followUpOn
        outcome = r.outcome
        outcomeLabel = r.outcome?.label
        outcomeNote = r.outcomeNote
        closedAt = r.closedAt
    }
}

struct ServiceNoteDTO: Content {
    let at: Date
    /// "26-11-2026 14:05" (WIB).
    let atText: String
    let action: String
    let body: String
    let isPublic: Bool
    let authorName: String
}

struct ServiceRequestDetail: Content {
    let request: ServiceRequestDTO
    let notes: [ServiceNoteDTO]
    let regionName: String
    let unitName: String
    let assignedUnitName: String?
    let advocateName: String?
    /// Actions this user may take now.
    let actions: [ServiceAction]
}

struct ServiceRequestsPage: Content {
    let items: [ServiceRequestDTO]
    let page: Int
    let per: Int
    let total: Int
}

/// What the requester learns with the tracking code: no names, no phone, no address.
struct PublicServiceStatus: Content {
    struct Update: Content {
        let at: Date
        let atText: String
        let text: String
    }

    let code: String
    let kind: String
    let category: String
    let kelurahan: String
    let status: ServiceStatus
    let statusLabel: String
    let receivedOn: String
    let dueOn: String
    /// "26 November 2026"
    let dueOnText: String
    let overdue: Bool
    let outcome: String?
    let updates: [Update]
}

/// The receipt after filing: the tracking code and what happens next.
struct ServiceReceipt: Content {
    let code: String
    let status: ServiceStatus
    let dueOn: String
    let message: String
}

/// Which requests a list shows.
struct ServiceFilter {
    enum State: String { case open, breached, closed, all, followUp }

    var state: State = .open
    var category: ServiceCategory?
    var unit: OrgUnit?
    var q: String?
    var page = 1
    var per = 50
}

/// Filing, triage, assignment, referral, follow-up and closing of service requests.
struct ServiceDesk {
    let req: Request

    /// Files a request from the public (no account) or from staff (walk-in, telephone).
    func file(_ form: ServiceRequestForm, channel: ServiceRequest.Channel) async throws -> ServiceRequest {
        let actor = req.auth.get(User.self)
        if channel == .staff {
            guard actor != nil else { throw Abort(.unauthorized) }
            guard req.access.hasAny(.handleService) else { throw Abort(.forbidden, reason: "Anda tidak berwenang mencatat permohonan.") }
        }
        let valid = try await form.validate(on: req.db)
        if channel == .staff {
            guard req.servicePolicy.canRecord(in: valid.unit) else {
                throw ValidationFailure(errors: [FieldError(field: "regionCode", message: "Anda tidak berwenang mencatat permohonan di kelurahan \(valid.region.name).")])
            }
        }
        let vault = req.vault
        let now = Date()
        let today = CivilDate(now)
        let r = ServiceRequest()
        r.code = TrackingCode().compact
        r.kind = valid.kind
        r.category = valid.category
        r.urgent = false
        r.summary = valid.summary
        r.details = valid.details
        r.regionCode = try valid.region.requireID()
        r.locationDetail = valid.locationDetail
        r.$orgUnit.id = try valid.unit.requireID()
        r.scope = valid.unit.path
        r.requesterName = valid.requesterName
        r.phoneCipher = try vault.encrypt(valid.phone)
        r.phoneMasked = IndonesianPhone.mask(valid.phone)
        r.photoCipher = try valid.photo.map { try vault.encrypt($0) }
        r.channel = channel
        r.status = .received
        r.receivedAt = now
        r.receivedOn = today.iso8601
        r.dueOn = ServiceSLA.dueDate(receivedOn: today, category: valid.category).iso8601
        r.createdBy = actor?.id
        try await req.db.transaction { db in
            if let nik = valid.nik {
                let person = try await Self.person(nik: nik, name: valid.requesterName, phone: valid.phone,
                                                   region: valid.region, unit: valid.unit, vault: vault, on: db)
                r.$person.id = try person.requireID()
            }
            try await r.create(on: db)
            let how = channel == .public ? "lewat formulir publik" : "oleh \(actor?.displayName ?? "petugas")"
            try await ServiceNote(request: r, action: "created", body: "\(valid.kind.label) diterima \(how).",
                                  isPublic: true, author: actor).create(on: db)
            if let personID = r.$person.id {
                try await PersonEvent(personID: personID, module: "service", kind: "service.filed",
                                      summary: "\(valid.kind.label) \(r.trackingCode): \(valid.summary) (\(valid.category.shortLabel)).",
                                      actorID: actor?.id, scope: r.scope).create(on: db)
            }
            try await req.audit.record("service.create", entity: "service_request", id: r.id?.uuidString, scope: r.scope,
                                       detail: channel.rawValue, on: db)
        }
        return r
    }

    /// The shared person with this NIK, or a new one: never a duplicate.
    static func person(nik: NIK, name: String, phone: String?, region: Region, unit: OrgUnit,
                       vault: PersonalDataVault, on db: any Database) async throws -> Person {
        if let existing = try await Person.query(on: db).filter(\.$nikIndex == vault.blindIndex(nik.digits, purpose: "nik")).first() {
            return existing
        }
        let person = Person()
        try person.fill(from: PersonForm.Valid(fullName: name, nik: nik, birthPlace: nil, birthDate: nil, sex: nil, phone: phone,
                                               address: nil, rt: nil, rw: nil, occupation: nil, maritalStatus: nil,
                                               region: region, unit: unit), vault: vault)
        try await person.create(on: db)
        try await person.indexName(on: db)
        return person
    }

    func find(_ id: UUID?) async throws -> ServiceRequest {
        _ = try req.requireUser()
        guard let id, let r = try await ServiceRequest.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "Permohonan tidak ditemukan.")
        }
        try req.servicePolicy.requireView(r)
        return r
    }

    func list(_ filter: ServiceFilter) async throws -> ServiceRequestsPage {
        try req.requireAnywhere(.viewService, "Anda tidak berwenang melihat permohonan layanan.")
        let today = CivilDate(Date())
        var query = req.servicePolicy.visible(ServiceRequest.query(on: req.db))
        switch filter.state {
        case .open: query = query.filter(\.$status != .closed)
        case .breached: query = query.filter(\.$status != .closed).filter(\.$dueOn < today.iso8601)
        case .closed: query = query.filter(\.$status == .closed)
        case .followUp: query = query.filter(\.$status != .closed).filter(\.$followUpOn <= today.iso8601)
        case .all: break
        }
        if let category = filter.category { query = query.filter(\.$category == category) }
        if let unit = filter.unit { query = query.within(\.$scope, unit.orgPath) }
        if let q = filter.q?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            // Part of the title (LIKE ignores case in SQLite, ILIKE in PostgreSQL), or a
            // tracking code — a nine-letter word can also be a valid code, so both are asked.
            let op = (req.db as? any SQLDatabase)?.dialect.name == "postgresql" ? "ILIKE" : "LIKE"
            let words = q.filter { $0 != "%" && $0 != "_" }
            let code = try? TrackingCode(parsing: q)
            query = query.group(.or) { group in
                group.filter(\.$summary, .custom(op), "%\(words)%")
                if let code { group.filter(\.$code == code.compact) }
            }
        }
        let total = try await query.count()
        let rows = try await query.sort(\.$dueOn).sort(\.$receivedAt)
            .range(((filter.page - 1) * filter.per)..<(filter.page * filter.per)).all()
        return ServiceRequestsPage(items: rows.map { ServiceRequestDTO($0, today: today) }, page: filter.page, per: filter.per, total: total)
    }

    func detail(_ r: ServiceRequest) async throws -> ServiceRequestDetail {
        let labels = try await req.levelLabels()
        let notes = try await ServiceNote.query(on: req.db).filter(\.$request.$id == r.requireID()).sort(\.$at).all()
        let region = try await Region.find(r.regionCode, on: req.db)
        let unit = try await r.$orgUnit.get(on: req.db)
        let assigned = try await r.$assignedUnit.get(on: req.db)
        let advocate = try await r.$advocate.get(on: req.db)
        let policy = req.servicePolicy
        return ServiceRequestDetail(
            request: ServiceRequestDTO(r),
            notes: notes.map { ServiceNoteDTO(at: $0.at, atText: WIB.text($0.at), action: $0.action, body: $0.body, isPublic: $0.isPublic, authorName: $0.authorName) },
            regionName: region?.name ?? r.regionCode, unitName: labels.displayName(of: unit),
            assignedUnitName: assigned.map(labels.displayName(of:)), advocateName: advocate?.fullName,
            actions: ServiceLifecycle.actions(from: r.status).filter { policy.can($0, r) })
    }

    /// Applies an official's action; every one leaves a note and an audit entry.
    func act(_ action: ServiceAction, on r: ServiceRequest, form: ServiceActionForm) async throws {
        let actor = try req.requireUser()
        try req.servicePolicy.require(action, r)
        guard let next = ServiceLifecycle.next(after: action, from: r.status) else {
            throw Abort(.conflict, reason: ServiceLifecycle.refusal(action, from: r.status))
        }
        var errors = FormErrors()
        let note = errors.optional(form.note, field: "note", label: "Catatan", max: 2000)
        let isPublicNote = RegistrationForm.ticked(form.isPublic)
        var lines: [(text: String, isPublic: Bool)] = []
        let labels = try await req.levelLabels()
        let today = CivilDate(Date())
        switch action {
        case .triage:
            var category = r.category
            if let raw = form.category, !raw.isEmpty {
                if let c = ServiceCategory(rawValue: raw) { category = c } else { errors.add("category", "Kategori tidak dikenal.") }
            }
            var ppks: PPKSType?
            if let raw = form.ppksType, !raw.isEmpty {
                if let t = PPKSType(rawValue: raw) { ppks = t } else { errors.add("ppksType", "Jenis PPKS tidak dikenal.") }
            }
            if category.isAdvocacy && ppks == nil && errors.message(for: "ppksType") == nil {
                errors.add("ppksType", "Jenis PPKS wajib dipilih untuk kasus kesejahteraan sosial.")
            }
            try errors.throwIfAny()
            let urgent = RegistrationForm.ticked(form.urgent)
            r.category = category
            r.ppksType = category.isAdvocacy ? ppks : nil
            r.urgent = urgent
            let received = CivilDate(iso8601: r.receivedOn) ?? today
            r.dueOn = ServiceSLA.dueDate(receivedOn: received, category: category, urgent: urgent).iso8601
            lines.append(("Ditelaah: kategori \(category.shortLabel)\(urgent ? ", mendesak" : ""); target selesai \(WIB.longDate(r.dueOn)).", true))
            if let ppks { lines.append(("Jenis kasus PPKS: \(ppks.label).", false)) }
        case .assign:
            guard let unitID = form.unitID.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(unitID, on: req.db),
                  unit.orgPath.contains(r.orgPath), req.access.allows(.viewService, at: unit.orgPath) else {
                errors.add("unitID", "Unit penanggung jawab wajib dipilih: unit kelurahan laporan ini atau unit di atasnya.")
                throw ValidationFailure(errors: errors.all)
            }
            var advocate: Person?
            if let raw = form.advocateID, !raw.isEmpty {
                let advocateID = UUID(uuidString: raw) ?? UUID()
                advocate = try await Person.find(advocateID, on: req.db)
                if advocate == nil || !req.peoplePolicy.canView(advocate!) {
                    errors.add("advocateID", "Pendamping tidak ditemukan di wilayah Anda.")
                }
            }
            try errors.throwIfAny()
            r.$assignedUnit.id = unitID
            r.$advocate.id = advocate?.id
            lines.append(("Ditangani oleh \(labels.displayName(of: unit)).", true))
            if let advocate { lines.append(("Pendamping: \(advocate.fullName).", false)) }
        case .refer:
            let agency = errors.required(form.agency, field: "agency", label: "Instansi rujukan", max: 120)
            try errors.throwIfAny()
            r.referredTo = agency
            lines.append(("Dirujuk ke \(agency).", true))
        case .followUp:
            guard let note else {
                errors.add("note", "Catatan tindak lanjut wajib diisi.")
                throw ValidationFailure(errors: errors.all)
            }
            var nextDate: CivilDate?
            if let raw = form.nextFollowUpOn?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                if let d = CivilDate(iso8601: raw), d >= today { nextDate = d }
                else { errors.add("nextFollowUpOn", "Tanggal tindak lanjut berikutnya harus tanggal hari ini atau sesudahnya (TTTT-BB-HH).") }
            }
            try errors.throwIfAny()
            r.followUpOn = nextDate?.iso8601
            lines.append(("Tindak lanjut: \(note)" + (nextDate.map { " Berikutnya: \($0.indonesian)." } ?? ""), isPublicNote))
        case .note:
            guard let note else {
                errors.add("note", "Catatan wajib diisi.")
                throw ValidationFailure(errors: errors.all)
            }
            try errors.throwIfAny()
            lines.append((note, isPublicNote))
        case .close:
            let outcome = ServiceOutcome(rawValue: form.outcome ?? "")
            if outcome == nil { errors.add("outcome", "Hasil penanganan wajib dipilih.") }
            if note == nil && errors.message(for: "note") == nil { errors.add("note", "Uraian hasil wajib diisi.") }
            try errors.throwIfAny()
            r.outcome = outcome
            r.outcomeNote = note
            r.closedAt = Date()
            r.followUpOn = nil
            lines.append(("Selesai: \(outcome!.label).", true))
        case .reopen:
            guard note != nil else {
                errors.add("note", "Alasan membuka kembali wajib diisi.")
                throw ValidationFailure(errors: errors.all)
            }
            try errors.throwIfAny()
            r.outcome = nil
            r.closedAt = nil
            lines.append(("Dibuka kembali untuk ditangani lagi.", true))
        }
        if let note, action != .note, action != .followUp {
            lines.append((note, action == .close ? false : isPublicNote))
        }
        let previous = r.status
        r.status = next
        let history = lines
        try await req.db.transaction { db in
            try await r.update(on: db)
            for line in history {
                try await ServiceNote(request: r, action: action.rawValue, body: line.text, isPublic: line.isPublic, author: actor).create(on: db)
            }
            if let personID = r.$person.id, previous != next {
                try await PersonEvent(personID: personID, module: "service", kind: "service.\(action.rawValue)",
                                      summary: "Permohonan \(r.trackingCode): \(previous.label) → \(next.label) oleh \(actor.displayName).",
                                      actorID: actor.id, scope: r.scope).create(on: db)
            }
            try await req.audit.record("service.\(action.rawValue)", entity: "service_request", id: r.id?.uuidString, scope: r.scope,
                                       detail: "\(previous.rawValue)→\(next.rawValue)", on: db)
        }
    }

    /// The requester's phone, unmasked, for calling back; audited.
    func revealPhone(_ r: ServiceRequest, reason: String?) async throws -> String {
        try req.servicePolicy.requireReveal(r)
        let phone = try req.vault.decrypt(r.phoneCipher)
        try await req.audit.record("service.reveal", entity: "service_request", id: r.id?.uuidString, scope: r.scope, detail: reason ?? "")
        return phone
    }

    /// The public check with the tracking code. Rate-limited by the caller.
    static func publicStatus(code raw: String, on db: any Database) async throws -> PublicServiceStatus {
        let code: TrackingCode
        do { code = try TrackingCode(parsing: raw) } catch {
            throw ValidationFailure(errors: [FieldError(field: "kode", message: error.message)])
        }
        guard let r = try await ServiceRequest.query(on: db).filter(\.$code == code.compact).first() else {
            throw Abort(.notFound, reason: "Tidak ada laporan dengan kode \(code.formatted). Periksa kembali kode Anda.")
        }
        let region = try await Region.find(r.regionCode, on: db)
        let notes = try await ServiceNote.query(on: db).filter(\.$request.$id == r.requireID()).filter(\.$isPublic == true).sort(\.$at).all()
        return PublicServiceStatus(
            code: code.formatted, kind: r.kind.label, category: r.category.shortLabel,
            kelurahan: region?.name ?? r.regionCode, status: r.status, statusLabel: r.status.label,
            receivedOn: r.receivedOn, dueOn: r.dueOn, dueOnText: WIB.longDate(r.dueOn), overdue: r.isBreached(), outcome: r.outcome?.label,
            updates: notes.map { PublicServiceStatus.Update(at: $0.at, atText: WIB.text($0.at), text: $0.body) })
    }
}

extension Request {
    var serviceDesk: ServiceDesk { ServiceDesk(req: self) }
}

/// Dates and times as people in Serang read them (WIB, UTC+7).
enum WIB {
    static let monthNames = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                             "Oktober", "November", "Desember"]

    /// "26 November 2026" from an ISO date; the input unchanged when it is not one.
    static func longDate(_ iso: String) -> String {
        guard let d = CivilDate(iso8601: iso) else { return iso }
        return "\(d.day) \(monthNames[d.month - 1]) \(d.year)"
    }

    /// "26-11-2026 14:05"
    static func text(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970) + CivilDate.wibOffsetSeconds
        let minutes = ((seconds % 86_400) + 86_400) % 86_400 / 60
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return CivilDate(instant).indonesian + " " + two(minutes / 60) + ":" + two(minutes % 60)
    }
}
