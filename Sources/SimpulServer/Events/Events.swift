import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Events are seen with viewProgrammes in the event's unit (its subtree: a kelurahan
/// user never sees a neighbour's event), run with manageEvents, and the desk checks
/// people in and registers walk-ins with checkInEvents.
struct EventPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ e: PartyEvent) throws { try require(.viewProgrammes, at: e.orgPath, visibleWith: .viewProgrammes) }
    func requireManage(_ e: PartyEvent) throws { try require(.manageEvents, at: e.orgPath, visibleWith: .viewProgrammes) }
    func requireDesk(_ e: PartyEvent) throws {
        try requireView(e)
        guard canDesk(e) else { throw Abort(.forbidden, reason: "Anda tidak berwenang mencatat kehadiran di kegiatan ini.") }
    }
    func canManage(_ e: PartyEvent) -> Bool { access.allows(.manageEvents, at: e.orgPath) }
    func canDesk(_ e: PartyEvent) -> Bool { canManage(e) || access.allows(.checkInEvents, at: e.orgPath) }
    func canReveal(_ e: PartyEvent) -> Bool { access.allows(.revealPersonalData, at: e.orgPath) }
    func visible<M: Model>(_ q: QueryBuilder<M>) -> QueryBuilder<M> { scopeFilter(q, column: "scope", for: .viewProgrammes) }
}

extension Request {
    var eventPolicy: EventPolicy { EventPolicy(access: access) }
    var events: Events { Events(req: self) }
}

struct EventForm: Content {
    var unitID: String?
    var programmeID: String?
    var title: String?
    var details: String?
    var mode: String?
    var venue: String?
    var onlineURL: String?
    var startsAt: String?
    var endsAt: String?
    var capacity: String?
}

/// Register a member (scan/KTA number in `scan`) or a guest (name + phone).
struct EventRegistrationForm: Content {
    var scan: String?
    var name: String?
    var phone: String?
    var contactConsent: String?
    var attendMode: String?
}

/// Check in: a scanned/typed e-KTA in `scan`, or a registration (guests) in `registrationID`.
struct CheckInForm: Content {
    var scan: String?
    var registrationID: String?
}

struct OnlineCountForm: Content {
    var source: String?
    var viewers: String?
    var note: String?
}

struct EventCounts: Content, Equatable {
    let registered: Int
    let registeredInPerson: Int
    let registeredOnline: Int
    let checkedIn: Int
    let walkIns: Int
    let onlineViewers: Int
    /// In the hall plus online.
    var total: Int { checkedIn + onlineViewers }
}

struct EventDTO: Content {
    let id: UUID
    let unitName: String
    let programmeID: UUID?
    let programmeTitle: String?
    let title: String
    let details: String
    let mode: EventMode
    let modeLabel: String
    let hasHall: Bool
    let hasStream: Bool
    let venue: String
    let onlineURL: String
    let startsAt: Date
    let endsAt: Date
    let whenText: String
    let capacity: Int?
    let cancelled: Bool
    let past: Bool
    let counts: EventCounts
    let totalText: String
    let checkedInText: String
    let onlineText: String
}

struct RegistrationDTO: Content {
    let id: UUID
    let name: String
    let memberNumber: String?
    let phoneMasked: String?
    let contactConsent: Bool
    let attendMode: EventMode
    let attendLabel: String
    let walkIn: Bool
    let checkedIn: Bool
    let checkedInText: String?
}

struct OnlineCountDTO: Content {
    let source: String
    let viewers: Int
    let viewersText: String
    let note: String
    let atText: String
    let username: String
    /// The latest count of its source (the one that stands in the total).
    let current: Bool
}

struct ReminderDTO: Content {
    let id: UUID
    let eventID: UUID
    let eventTitle: String
    let name: String
    let phoneMasked: String?
    let kind: String
    let dueText: String
    let status: EventReminder.Status
    let statusLabel: String
    let channel: String?
    let lastError: String?
}

struct EventDetail: Content {
    let event: EventDTO
    let registrations: [RegistrationDTO]
    let onlineCounts: [OnlineCountDTO]
    let reminders: [ReminderDTO]
}

/// Outcome of a check-in at the desk, said in one sentence.
struct CheckInResult: Content {
    let ok: Bool
    let message: String
    let counts: EventCounts
}

enum EventTime {
    static let wib = TimeZone(secondsFromGMT: CivilDate.wibOffsetSeconds)!

    /// "2026-12-01T09:00" (as a datetime-local input sends it) or "2026-12-01 09:00", in WIB.
    static func parse(_ raw: String?) -> Date? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        let parts = t.split(separator: "T")
        guard parts.count == 2, let day = CivilDate(iso8601: String(parts[0])) else { return nil }
        let hm = parts[1].split(separator: ":")
        guard hm.count >= 2, let h = Int(hm[0]), let m = Int(hm[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400 + h * 3600 + m * 60 - CivilDate.wibOffsetSeconds))
    }

    /// "2026-12-01T09:00" for a datetime-local input.
    static func input(_ date: Date) -> String {
        let d = CivilDate(date)
        let seconds = (Int(date.timeIntervalSince1970) + CivilDate.wibOffsetSeconds) % 86_400
        return d.iso8601 + "T" + String(format: "%02d:%02d", seconds / 3600, (seconds % 3600) / 60)
    }

    /// "01-12-2026 09.00 WIB".
    static func text(_ date: Date) -> String {
        let seconds = ((Int(date.timeIntervalSince1970) + CivilDate.wibOffsetSeconds) % 86_400 + 86_400) % 86_400
        return CivilDate(date).indonesian + " " + String(format: "%02d.%02d", seconds / 3600, (seconds % 3600) / 60) + " WIB"
    }
}

struct Events {
    let req: Request

    static let listedRegistrations = 300

    /// Counted by the database (a big rally has thousands of registrations).
    static func counts(of e: PartyEvent, on db: any Database) async throws -> EventCounts {
        let id = try e.requireID()
        func regs() -> QueryBuilder<EventRegistration> { EventRegistration.query(on: db).filter(\.$event.$id == id) }
        let online = try await OnlineCount.query(on: db).filter(\.$event.$id == id).all()
        let registered = try await regs().count()
        let remote = try await regs().filter(\.$attendMode == .online).count()
        return EventCounts(registered: registered, registeredInPerson: registered - remote, registeredOnline: remote,
                           checkedIn: try await regs().filter(\.$checkedInAt != nil).count(),
                           walkIns: try await regs().filter(\.$walkIn == true).count(),
                           onlineViewers: OnlineAudience.total(online.map { .init(source: $0.source, viewers: $0.viewers, at: $0.at) }))
    }

    func dto(_ e: PartyEvent) async throws -> EventDTO {
        let c = try await Self.counts(of: e, on: req.db)
        var programme: Programme?
        if let pid = e.programmeID { programme = try await Programme.find(pid, on: req.db) }
        return EventDTO(
            id: try e.requireID(), unitName: try await req.levelLabels().displayName(of: try await e.$orgUnit.get(on: req.db)),
            programmeID: programme?.id, programmeTitle: programme?.title, title: e.title, details: e.details, mode: e.mode, modeLabel: e.mode.label,
            hasHall: e.mode.hasHall, hasStream: e.mode.hasStream, venue: e.venue, onlineURL: e.onlineURL, startsAt: e.startsAt, endsAt: e.endsAt,
            whenText: EventTime.text(e.startsAt), capacity: e.capacity, cancelled: e.cancelled, past: e.endsAt < Date(), counts: c,
            totalText: SVGChart.number(c.total), checkedInText: SVGChart.number(c.checkedIn), onlineText: SVGChart.number(c.onlineViewers))
    }

    func list() async throws -> [EventDTO] {
        try req.requireAnywhere(.viewProgrammes, "Anda tidak berwenang membuka kegiatan.")
        var out: [EventDTO] = []
        for e in try await req.eventPolicy.visible(PartyEvent.query(on: req.db)).sort(\.$startsAt, .descending).limit(200).all() {
            out.append(try await dto(e))
        }
        return out
    }

    func find(_ id: UUID?) async throws -> PartyEvent {
        _ = try req.requireUser()
        guard let id, let e = try await PartyEvent.find(id, on: req.db) else { throw Abort(.notFound, reason: "Kegiatan tidak ditemukan.") }
        try req.eventPolicy.requireView(e)
        return e
    }

    func create(_ form: EventForm) async throws -> PartyEvent {
        let user = try req.requireAnywhere(.manageEvents, "Anda tidak berwenang membuat kegiatan.")
        let unit = try await req.programmes.unit(form.unitID, label: "Unit penyelenggara", permission: .manageEvents)
        var errors = FormErrors()
        let title = errors.required(form.title, field: "title", label: "Nama kegiatan", max: 160)
        let details = errors.optional(form.details, field: "details", label: "Uraian", max: 4000) ?? ""
        let mode = EventMode(rawValue: form.mode ?? "")
        if mode == nil { errors.add("mode", "Bentuk kegiatan wajib dipilih: tatap muka, daring atau hibrida.") }
        let venue = errors.optional(form.venue, field: "venue", label: "Tempat", max: 200) ?? ""
        let url = errors.optional(form.onlineURL, field: "onlineURL", label: "Tautan siaran", max: 300) ?? ""
        if let mode, mode.hasHall, venue.isEmpty { errors.add("venue", "Tempat wajib diisi untuk kegiatan tatap muka atau hibrida.") }
        if let mode, mode.hasStream, !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            errors.add("onlineURL", "Tautan siaran harus diawali https://, misalnya https://youtube.com/live/….")
        }
        let starts = EventTime.parse(form.startsAt)
        if starts == nil { errors.add("startsAt", "Waktu mulai wajib diisi (tanggal dan jam WIB), misalnya 2026-12-01 09:00.") }
        var ends = starts.map { $0.addingTimeInterval(3 * 3600) }
        if let raw = form.endsAt, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            ends = EventTime.parse(raw)
            if ends == nil { errors.add("endsAt", "Waktu selesai harus tanggal dan jam WIB, misalnya 2026-12-01 12:00.") }
        }
        if let starts, let e = ends, e <= starts { errors.add("endsAt", "Waktu selesai harus sesudah waktu mulai.") }
        let capacity = Programmes.number(form.capacity, field: "capacity", label: "Kapasitas ruangan", required: false, errors: &errors)
        var programmeID: UUID?
        if let raw = form.programmeID?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if let id = UUID(uuidString: raw), let p = try await Programme.find(id, on: req.db), req.programmePolicy.canRead(p.orgPath) {
                programmeID = id
            } else {
                errors.add("programmeID", "Program tidak ditemukan.")
            }
        }
        try errors.throwIfAny()
        let e = PartyEvent()
        e.$orgUnit.id = try unit.requireID()
        e.scope = unit.path
        e.programmeID = programmeID
        e.title = title
        e.details = details
        e.mode = mode!
        e.venue = mode!.hasHall ? venue : ""
        e.onlineURL = mode!.hasStream ? url : ""
        e.startsAt = starts!
        e.endsAt = ends!
        e.capacity = capacity.map { Int($0) }
        e.cancelled = false
        e.createdBy = user.username
        try await e.create(on: req.db)
        try await req.audit.record("event.create", entity: "event", id: e.id?.uuidString, scope: e.scope, detail: title)
        return e
    }

    /// Members' contact consent: their latest "contact" consent record.
    static func memberConsents(_ personIDs: [UUID], on db: any Database) async throws -> [UUID: Bool] {
        guard !personIDs.isEmpty else { return [:] }
        let rows = try await Consent.query(on: db).filter(\.$person.$id ~~ personIDs).filter(\.$purpose == .contact).sort(\.$at).all()
        var out: [UUID: Bool] = [:]
        for r in rows { out[r.$person.id] = r.granted }
        return out
    }

    /// Registers a member (by e-KTA) or a guest; schedules H-1/H-0 reminders when the
    /// person may be contacted and has a phone number.
    func register(_ e: PartyEvent, _ form: EventRegistrationForm, walkIn: Bool = false, checkIn: Bool = false) async throws -> EventRegistration {
        let user = try req.requireUser()
        try req.eventPolicy.requireDesk(e)
        guard !e.cancelled else { throw Abort(.conflict, reason: "Kegiatan ini dibatalkan.") }
        var errors = FormErrors()
        let reg = EventRegistration()
        reg.$event.id = try e.requireID()
        reg.scope = e.scope
        reg.registeredAt = Date()
        reg.walkIn = walkIn
        let attend = EventMode(rawValue: form.attendMode ?? "") ?? (e.mode == .online ? .online : .inPerson)
        reg.attendMode = e.mode == .hybrid ? (attend == .online ? .online : .inPerson) : (e.mode == .online ? .online : .inPerson)
        var consent = false
        var hasPhone = false
        if let scan = form.scan?.trimmingCharacters(in: .whitespaces), !scan.isEmpty {
            guard let found = try await MemberCheckIn.find(scan, on: req.db) else {
                throw ValidationFailure(errors: [FieldError(field: "scan", message: "Kartu atau nomor KTA tidak dikenali. Periksa nomornya, atau daftarkan sebagai tamu.")])
            }
            if try await EventRegistration.query(on: req.db).filter(\.$event.$id == e.requireID()).filter(\.$personID == found.personID).first() != nil {
                throw ValidationFailure(errors: [FieldError(field: "scan", message: "\(found.fullName) sudah terdaftar di kegiatan ini.")])
            }
            reg.personID = found.personID
            reg.memberNumber = found.number
            reg.name = found.fullName
            let person = try await Person.find(found.personID, on: req.db)
            reg.phoneMasked = person?.phoneMasked
            hasPhone = person?.phoneCipher != nil
            consent = try await Self.memberConsents([found.personID], on: req.db)[found.personID] ?? false
            reg.contactConsent = consent
        } else {
            reg.name = errors.required(form.name, field: "name", label: "Nama peserta", max: 120)
            consent = RegistrationForm.ticked(form.contactConsent)
            reg.contactConsent = consent
            if let raw = form.phone?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                switch IndonesianPhone.validate(raw) {
                case .success(let p):
                    reg.phoneCipher = try req.vault.encrypt(p)
                    reg.phoneMasked = IndonesianPhone.mask(p)
                    hasPhone = true
                case .failure(let err): errors.add("phone", err.message + " Contoh: 081234567890.")
                }
            } else if consent {
                errors.add("phone", "Nomor HP wajib diisi bila peserta setuju diingatkan.")
            }
            try errors.throwIfAny()
        }
        if reg.attendMode == .inPerson, let cap = e.capacity {
            let seats = try await EventRegistration.query(on: req.db).filter(\.$event.$id == e.requireID()).filter(\.$attendMode == .inPerson).count()
            if seats >= cap {
                throw ValidationFailure(errors: [FieldError(field: "name", message: "Kursi di lokasi sudah penuh (\(cap) orang).")])
            }
        }
        if checkIn {
            reg.checkedInAt = Date()
            reg.checkedInBy = user.username
        }
        let schedule = consent && hasPhone && !checkIn
        try await req.db.transaction { db in
            try await reg.create(on: db)
            if schedule {
                for r in ReminderSchedule.due(startsAt: e.startsAt, now: Date()) {
                    let rem = EventReminder()
                    rem.$event.id = try e.requireID()
                    rem.$registration.id = try reg.requireID()
                    rem.scope = e.scope
                    rem.kind = r.kind.rawValue
                    rem.dueAt = r.at
                    rem.status = .pending
                    rem.attempts = 0
                    try await rem.create(on: db)
                }
            }
            try await req.audit.record(checkIn ? "event.walk_in" : "event.register", entity: "event_registration", id: reg.id?.uuidString,
                                       scope: e.scope, detail: "\(e.title): \(reg.name)", on: db)
        }
        return reg
    }

    /// Checks a person into the hall: by e-KTA (a member not registered yet comes in as a
    /// walk-in) or by a guest's registration.
    func checkIn(_ e: PartyEvent, _ form: CheckInForm) async throws -> CheckInResult {
        let user = try req.requireUser()
        try req.eventPolicy.requireDesk(e)
        guard e.mode.hasHall else {
            throw ValidationFailure(errors: [FieldError(field: "scan", message: "Kegiatan daring tidak memakai presensi di lokasi; catat jumlah penonton.")])
        }
        var reg: EventRegistration?
        if let scan = form.scan?.trimmingCharacters(in: .whitespaces), !scan.isEmpty {
            guard let found = try await MemberCheckIn.find(scan, on: req.db) else {
                throw ValidationFailure(errors: [FieldError(field: "scan", message: "Kartu atau nomor KTA tidak dikenali.")])
            }
            reg = try await EventRegistration.query(on: req.db).filter(\.$event.$id == e.requireID()).filter(\.$personID == found.personID).first()
            if reg == nil {
                let walkIn = try await register(e, EventRegistrationForm(scan: scan, attendMode: EventMode.inPerson.rawValue), walkIn: true, checkIn: true)
                let note = found.active ? "" : " Catatan: keanggotaannya tidak aktif."
                return CheckInResult(ok: true, message: "\(walkIn.name) hadir (belum terdaftar, dicatat sebagai peserta langsung).\(note)",
                                     counts: try await Self.counts(of: e, on: req.db))
            }
        } else if let id = form.registrationID.flatMap(UUID.init(uuidString:)) {
            reg = try await EventRegistration.query(on: req.db).filter(\.$id == id).filter(\.$event.$id == e.requireID()).first()
            if reg == nil { throw ValidationFailure(errors: [FieldError(field: "registrationID", message: "Peserta tidak terdaftar di kegiatan ini.")]) }
        } else {
            throw ValidationFailure(errors: [FieldError(field: "scan", message: "Pindai kartu e-KTA atau ketik nomor KTA.")])
        }
        let r = reg!
        if let at = r.checkedInAt {
            return CheckInResult(ok: false, message: "\(r.name) sudah tercatat hadir pukul \(EventTime.text(at)).", counts: try await Self.counts(of: e, on: req.db))
        }
        r.checkedInAt = Date()
        r.checkedInBy = user.username
        if r.attendMode == .online { r.attendMode = .inPerson }
        try await r.update(on: req.db)
        try await req.audit.record("event.check_in", entity: "event_registration", id: r.id?.uuidString, scope: e.scope, detail: "\(e.title): \(r.name)")
        return CheckInResult(ok: true, message: "\(r.name) tercatat hadir.", counts: try await Self.counts(of: e, on: req.db))
    }

    func addOnlineCount(_ e: PartyEvent, _ form: OnlineCountForm) async throws -> OnlineCount {
        let user = try req.requireUser()
        try req.eventPolicy.requireManage(e)
        var errors = FormErrors()
        if !e.mode.hasStream { errors.add("viewers", "Kegiatan tatap muka tidak punya penonton daring.") }
        let source = errors.required(form.source, field: "source", label: "Sumber hitungan", max: 80)
        let viewers = Programmes.number(form.viewers, field: "viewers", label: "Jumlah penonton", required: true, errors: &errors)
        if let viewers, viewers > 10_000_000 { errors.add("viewers", "Jumlah penonton tidak masuk akal (lebih dari 10 juta).") }
        let note = errors.optional(form.note, field: "note", label: "Catatan", max: 300) ?? ""
        try errors.throwIfAny()
        let c = OnlineCount()
        c.$event.id = try e.requireID()
        c.scope = e.scope
        c.source = source
        c.viewers = Int(viewers!)
        c.note = note
        c.username = user.username
        c.at = Date()
        try await c.create(on: req.db)
        try await req.audit.record("event.online_count", entity: "event", id: e.id?.uuidString, scope: e.scope, detail: "\(source): \(c.viewers)")
        return c
    }

    func detail(_ e: PartyEvent) async throws -> EventDetail {
        // A rally has thousands of registrations: the page lists the latest 300 (counts cover all).
        let regs = try await EventRegistration.query(on: req.db).filter(\.$event.$id == e.requireID())
            .sort(\.$registeredAt, .descending).limit(Self.listedRegistrations).all().sorted { $0.name < $1.name }
        let counts = try await OnlineCount.query(on: req.db).filter(\.$event.$id == e.requireID()).sort(\.$at, .descending).all()
        let current = Set(OnlineAudience.latestBySource(counts.map { .init(source: $0.source, viewers: $0.viewers, at: $0.at) })
            .map { "\($0.source)|\($0.at.timeIntervalSince1970)" })
        var reminders: [ReminderDTO] = []
        if req.eventPolicy.canManage(e) { reminders = try await reminderDTOs(EventReminder.query(on: req.db).filter(\.$event.$id == e.requireID())) }
        return EventDetail(
            event: try await dto(e),
            registrations: regs.map {
                RegistrationDTO(id: $0.id!, name: $0.name, memberNumber: $0.memberNumber, phoneMasked: $0.phoneMasked, contactConsent: $0.contactConsent,
                                attendMode: $0.attendMode, attendLabel: $0.attendMode.label, walkIn: $0.walkIn, checkedIn: $0.checkedInAt != nil,
                                checkedInText: $0.checkedInAt.map(EventTime.text))
            },
            onlineCounts: counts.map {
                OnlineCountDTO(source: $0.source, viewers: $0.viewers, viewersText: SVGChart.number($0.viewers), note: $0.note, atText: EventTime.text($0.at),
                               username: $0.username, current: current.contains("\($0.source)|\($0.at.timeIntervalSince1970)"))
            },
            reminders: reminders)
    }

    func reminderDTOs(_ query: QueryBuilder<EventReminder>) async throws -> [ReminderDTO] {
        let rows = try await query.with(\.$event).with(\.$registration).sort(\.$dueAt).limit(500).all()
        return rows.map {
            ReminderDTO(id: $0.id!, eventID: $0.event.id!, eventTitle: $0.event.title, name: $0.registration.name, phoneMasked: $0.registration.phoneMasked,
                        kind: $0.kind, dueText: EventTime.text($0.dueAt), status: $0.status, statusLabel: $0.status.label, channel: $0.channel,
                        lastError: $0.lastError)
        }
    }

    /// The outbox as the user may see it: pending and failed reminders of events they run.
    func outbox() async throws -> [ReminderDTO] {
        try req.requireAnywhere(.manageEvents, "Anda tidak berwenang membuka pengingat.")
        let q = EventPolicy(access: req.access).scopeFilter(EventReminder.query(on: req.db), column: "scope", for: .manageEvents)
            .filter(\.$status ~~ [.pending, .sending, .failed])
        return try await reminderDTOs(q)
    }

    static func chart(_ e: EventDTO) -> String {
        var bars: [ChartBar] = []
        if e.hasHall {
            bars.append(ChartBar(label: "Hadir di lokasi (presensi)", value: Int64(e.counts.checkedIn), valueText: SVGChart.number(e.counts.checkedIn),
                                 tone: .normal, ghost: Int64(e.counts.registeredInPerson)))
        }
        if e.hasStream {
            bars.append(ChartBar(label: "Penonton daring (hitungan)", value: Int64(e.counts.onlineViewers), valueText: SVGChart.number(e.counts.onlineViewers), tone: .ok))
        }
        bars.append(ChartBar(label: "Terdaftar", value: Int64(e.counts.registered), valueText: SVGChart.number(e.counts.registered), tone: .muted))
        return ChartDrawing.bars(bars, title: "Kehadiran per bentuk")
    }
}
