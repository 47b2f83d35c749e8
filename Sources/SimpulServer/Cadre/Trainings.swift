import Fluent
import SQLKit
import SimpulCard
import SimpulCore
import Vapor

struct TrainingForm: Content {
    var unitID: String?
    var title: String?
    /// 0 thematic, 1–3 the rung it opens (or "pratama", …).
    var tier: String?
    var organiser: String?
    var audience: String?
    var curriculum: String?
    var location: String?
    var startsOn: String?
    var endsOn: String?
    var minimumAttendance: String?
}

struct SessionForm: Content {
    var title: String?
    var trainer: String?
    var day: String?
    var startsAt: String?
}

/// A participant: `scan` (e-KTA QR, verify code or KTA number) for a member, or a guest's
/// name, organisation and phone.
struct ParticipantForm: Content {
    var scan: String?
    var fullName: String?
    var organisation: String?
    var phone: String?
}

struct TrainingCheckInForm: Content {
    var sessionID: String?
    var scan: String?
}

/// The list method: the participants ticked present at one session.
struct AttendanceListForm: Content {
    var sessionID: String?
    var present: [String]?
}

struct TrainingSummary: Content {
    let id: UUID
    let title: String
    let tierLabel: String
    let unitName: String
    let organiser: String
    let location: String
    let dates: String
    let startsOn: String
    let participants: Int
    let certified: Int
    let upcoming: Bool
}

struct TrainingDetail: Content {
    struct Session: Content {
        let id: UUID
        let title: String
        let trainer: String
        let day: String
        let dayText: String
        let startsAt: String
        let present: Int
    }

    struct Participant: Content {
        let id: UUID
        let personID: UUID?
        let fullName: String
        /// "KTA 3673…" for members, the organisation for guests.
        let detail: String
        let guest: Bool
        let phoneMasked: String?
        let attended: Int
        /// Session ids attended.
        let sessions: [UUID]
        let completed: Bool
        let certificateCode: String?
    }

    let training: TrainingSummary
    let audience: String?
    let curriculum: [String]
    let minimumAttendance: Int
    let sessions: [Session]
    let participants: [Participant]
    let certificatesIssued: Bool
}

struct TrainingCheckInResult: Content {
    let participantID: UUID
    let fullName: String
    let session: String
    /// False when the participant was already checked in.
    let recorded: Bool
    let message: String
}

struct PublicCertificateCheck: Content {
    let valid: Bool
    let initials: String?
    let training: String?
    let organiser: String?
    let dates: String?
    let issuedOn: String?
}

/// Training programmes: curriculum, sessions, participants, attendance, certificates.
struct Trainings {
    let req: Request

    static func dates(_ t: Training) -> String {
        t.startsOn == t.endsOn ? WIB.longDate(t.startsOn) : "\(WIB.longDate(t.startsOn)) – \(WIB.longDate(t.endsOn))"
    }

    static let tierOptions: [(value: Int, label: String)] = [(0, "Pelatihan tematik")] + CadreLevel.allCases.filter { $0 != .anggota }.map { ($0.rawValue, $0.trainingLabel) }

    func find(_ id: UUID?) async throws -> Training {
        _ = try req.requireUser()
        guard let id, let t = try await Training.find(id, on: req.db) else { throw Abort(.notFound, reason: "Pelatihan tidak ditemukan.") }
        try req.cadrePolicy.requireView(t.orgPath)
        return t
    }

    func create(_ form: TrainingForm) async throws -> Training {
        let user = try req.requireAnywhere(.manageCadre, "Anda tidak berwenang menyelenggarakan pelatihan.")
        guard let id = form.unitID.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(id, on: req.db) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "Unit penyelenggara wajib dipilih.")])
        }
        try req.cadrePolicy.requireManage(unit.orgPath)
        var errors = FormErrors()
        let title = errors.required(form.title, field: "title", label: "Nama pelatihan", max: 160)
        let rawTier = (form.tier ?? "0").trimmingCharacters(in: .whitespaces)
        let tier = rawTier.isEmpty || rawTier == "0" ? 0 : CadreLevel(text: rawTier)?.rawValue
        if tier == nil { errors.add("tier", "Jenis pelatihan tidak dikenal.") }
        let organiser = errors.optional(form.organiser, field: "organiser", label: "Penyelenggara", max: 120)
        let audience = errors.optional(form.audience, field: "audience", label: "Sasaran peserta", max: 160)
        let curriculum = errors.required(form.curriculum, field: "curriculum", label: "Kurikulum (satu materi per baris)", max: 4000)
        let location = errors.required(form.location, field: "location", label: "Tempat", max: 200)
        let starts = Campaigns.date(form.startsOn, field: "startsOn", label: "Tanggal mulai", required: true, errors: &errors)
        let ends = Campaigns.date(form.endsOn, field: "endsOn", label: "Tanggal selesai", required: false, errors: &errors) ?? starts
        if let starts, let ends, ends < starts { errors.add("endsOn", "Tanggal selesai tidak boleh sebelum tanggal mulai.") }
        if let starts, let ends, ends.daysSinceEpoch - starts.daysSinceEpoch > 60 { errors.add("endsOn", "Satu pelatihan paling lama 60 hari; buat beberapa angkatan.") }
        let rawMinimum = (form.minimumAttendance ?? "").trimmingCharacters(in: .whitespaces)
        let minimum = rawMinimum.isEmpty ? 75 : Int(rawMinimum)
        if minimum == nil || !(1...100).contains(minimum!) { errors.add("minimumAttendance", "Kehadiran minimum harus 1 sampai 100 (persen sesi).") }
        try errors.throwIfAny()
        let t = Training()
        t.$orgUnit.id = try unit.requireID()
        t.scope = unit.path
        t.title = title
        t.tier = tier ?? 0
        t.organiser = organiser
        t.audience = audience
        t.curriculum = curriculum
        t.location = location
        t.startsOn = starts!.iso8601
        t.endsOn = ends!.iso8601
        t.minimumAttendance = minimum ?? 75
        t.createdBy = try user.requireID()
        try await t.create(on: req.db)
        try await req.audit.record("training.create", entity: "training", id: t.id?.uuidString, scope: t.scope, detail: title)
        return t
    }

    func list(unit: OrgUnit?) async throws -> [TrainingSummary] {
        try req.requireAnywhere(.viewCadre, "Anda tidak berwenang melihat pelatihan.")
        var q = req.cadrePolicy.visible(Training.query(on: req.db))
        if let unit { q = q.within(\.$scope, unit.orgPath) }
        let trainings = try await q.sort(\.$startsOn, .descending).limit(200).all()
        return try await summaries(trainings)
    }

    private func summaries(_ trainings: [Training]) async throws -> [TrainingSummary] {
        guard !trainings.isEmpty else { return [] }
        let labels = try await req.levelLabels()
        let ids = trainings.compactMap(\.id)
        let participants = try await TrainingParticipant.query(on: req.db).filter(\.$training.$id ~~ ids).all()
        let units = Dictionary(try await OrgUnit.query(on: req.db).filter(\.$id ~~ Array(Set(trainings.map(\.$orgUnit.id)))).all().map { ($0.id!, $0) },
                               uniquingKeysWith: { a, _ in a })
        let today = CivilDate(Date()).iso8601
        return trainings.map { t in
            let mine = participants.filter { $0.$training.id == t.id }
            let unitName = units[t.$orgUnit.id].map(labels.displayName(of:)) ?? ""
            return TrainingSummary(id: t.id!, title: t.title, tierLabel: t.level?.trainingLabel ?? "Pelatihan tematik", unitName: unitName,
                                   organiser: t.organiser ?? unitName, location: t.location, dates: Self.dates(t), startsOn: t.startsOn,
                                   participants: mine.count, certified: mine.filter { $0.certificateCode != nil }.count, upcoming: t.endsOn >= today)
        }
    }

    func detail(_ t: Training) async throws -> TrainingDetail {
        let sessions = try await TrainingSession.query(on: req.db).filter(\.$training.$id == t.requireID()).all()
            .sorted { ($0.day, $0.startsAt) < ($1.day, $1.startsAt) }
        let participants = try await TrainingParticipant.query(on: req.db).filter(\.$training.$id == t.requireID()).sort(\.$fullName).all()
        let attendance = sessions.isEmpty ? [] : try await TrainingAttendance.query(on: req.db).filter(\.$session.$id ~~ sessions.compactMap(\.id)).all()
        var bySession: [UUID: Int] = [:], byParticipant: [UUID: [UUID]] = [:]
        for a in attendance {
            bySession[a.$session.id, default: 0] += 1
            byParticipant[a.$participant.id, default: []].append(a.$session.id)
        }
        let summary = try await summaries([t]).first!
        return TrainingDetail(
            training: summary, audience: t.audience, curriculum: t.topics, minimumAttendance: t.minimumAttendance,
            sessions: sessions.map { s in
                TrainingDetail.Session(id: s.id!, title: s.title, trainer: s.trainer, day: s.day, dayText: WIB.longDate(s.day),
                                       startsAt: s.startsAt, present: bySession[s.id!] ?? 0)
            },
            participants: participants.map { p in
                let attended = byParticipant[p.id!] ?? []
                return TrainingDetail.Participant(
                    id: p.id!, personID: p.$person.id, fullName: p.fullName,
                    detail: p.isGuest ? "Tamu" + (p.organisation.map { " · \($0)" } ?? "") : "KTA \(p.memberNumber ?? "-")",
                    guest: p.isGuest, phoneMasked: p.phoneMasked, attended: attended.count, sessions: attended,
                    completed: TrainingCompletion.completed(attended: attended.count, sessions: sessions.count, minimumPercent: t.minimumAttendance),
                    certificateCode: p.certificateCode)
            },
            certificatesIssued: t.certificatesIssuedAt != nil)
    }

    func addSession(_ form: SessionForm, to t: Training) async throws {
        _ = try req.requireUser()
        try req.cadrePolicy.requireManage(t.orgPath)
        var errors = FormErrors()
        let title = errors.required(form.title, field: "title", label: "Materi sesi", max: 160)
        let trainer = errors.required(form.trainer, field: "trainer", label: "Pemateri / pelatih", max: 120)
        let day = Campaigns.date(form.day, field: "day", label: "Tanggal sesi", required: true, errors: &errors)
        if let day, day.iso8601 < t.startsOn || day.iso8601 > t.endsOn {
            errors.add("day", "Tanggal sesi harus di antara \(WIB.longDate(t.startsOn)) dan \(WIB.longDate(t.endsOn)).")
        }
        let time = (form.startsAt ?? "").trimmingCharacters(in: .whitespaces)
        let parts = time.split(separator: ":").compactMap { Int($0) }
        if parts.count != 2 || !(0...23).contains(parts[0]) || !(0...59).contains(parts[1]) || time.count != 5 {
            errors.add("startsAt", "Jam mulai harus berformat JJ:MM, misalnya 08:30.")
        }
        try errors.throwIfAny()
        let s = TrainingSession()
        s.$training.id = try t.requireID()
        s.title = title
        s.trainer = trainer
        s.day = day!.iso8601
        s.startsAt = time
        try await s.create(on: req.db)
    }

    /// Adds a member (by card) or a guest. Members must lie where the user may see cadre data.
    @discardableResult
    func addParticipant(_ form: ParticipantForm, to t: Training) async throws -> TrainingParticipant {
        _ = try req.requireUser()
        try req.cadrePolicy.requireRecord(t.orgPath)
        if let scan = form.scan, !scan.trimmingCharacters(in: .whitespaces).isEmpty {
            return try await enrol(scan: scan, field: "scan", in: t).participant
        }
        var errors = FormErrors()
        let name = errors.required(form.fullName, field: "fullName", label: "Nama peserta tamu", max: 120)
        let organisation = errors.optional(form.organisation, field: "organisation", label: "Asal partai / organisasi", max: 120)
        var phone: String?
        let rawPhone = (form.phone ?? "").trimmingCharacters(in: .whitespaces)
        if !rawPhone.isEmpty {
            switch IndonesianPhone.validate(rawPhone) {
            case .success(let p): phone = p
            case .failure(let e): errors.add("phone", e.message + " Contoh: 081234567890.")
            }
        }
        try errors.throwIfAny()
        let p = TrainingParticipant()
        p.$training.id = try t.requireID()
        p.fullName = name
        p.organisation = organisation
        if let phone {
            p.phoneCipher = try req.vault.encrypt(phone)
            p.phoneMasked = IndonesianPhone.mask(phone)
        }
        p.scope = t.scope
        try await p.create(on: req.db)
        try await req.audit.record("training.guest", entity: "training", id: t.id?.uuidString, scope: t.scope, detail: "tamu")
        return p
    }

    /// The participant row for a scanned card, created when the member walks in unregistered.
    private func enrol(scan: String, field: String, in t: Training) async throws -> (participant: TrainingParticipant, new: Bool) {
        guard let found = try await MemberCheckIn.find(scan, on: req.db) else {
            throw ValidationFailure(errors: [FieldError(field: field, message: "Kartu tidak dikenali: pindai QR e-KTA atau ketik nomor KTA lengkap (mis. 3673051001-000001-7).")])
        }
        guard req.cadrePolicy.canView(OrgPath(rawValue: found.scope)) else {
            throw ValidationFailure(errors: [FieldError(field: field, message: "KTA \(found.number) milik anggota di luar wilayah Anda; catat sebagai peserta tamu.")])
        }
        guard found.active else {
            throw ValidationFailure(errors: [FieldError(field: field, message: "KTA \(found.number) (\(found.fullName)) tidak aktif atau masa berlakunya habis.")])
        }
        if let existing = try await TrainingParticipant.query(on: req.db).filter(\.$training.$id == t.requireID())
            .filter(\.$person.$id == found.personID).first() {
            return (existing, false)
        }
        let p = TrainingParticipant()
        p.$training.id = try t.requireID()
        p.$person.id = found.personID
        p.fullName = found.fullName
        p.memberNumber = found.number
        p.scope = t.scope
        try await p.create(on: req.db)
        return (p, true)
    }

    private func session(_ raw: String?, of t: Training) async throws -> TrainingSession {
        guard let id = raw.flatMap(UUID.init(uuidString:)),
              let s = try await TrainingSession.query(on: req.db).filter(\.$id == id).filter(\.$training.$id == t.requireID()).first() else {
            throw ValidationFailure(errors: [FieldError(field: "sessionID", message: "Sesi wajib dipilih.")])
        }
        return s
    }

    /// Check-in at the door: scan (or type) the card; an unregistered member is enrolled.
    func checkIn(_ form: TrainingCheckInForm, at t: Training) async throws -> TrainingCheckInResult {
        let user = try req.requireUser()
        try req.cadrePolicy.requireRecord(t.orgPath)
        let s = try await session(form.sessionID, of: t)
        let (p, new) = try await enrol(scan: form.scan ?? "", field: "scan", in: t)
        if try await TrainingAttendance.query(on: req.db).filter(\.$participant.$id == p.requireID()).filter(\.$session.$id == s.requireID()).first() != nil {
            return TrainingCheckInResult(participantID: p.id!, fullName: p.fullName, session: s.title, recorded: false,
                                 message: "\(p.fullName) sudah tercatat hadir di sesi \(s.title).")
        }
        let a = TrainingAttendance()
        a.$participant.id = try p.requireID()
        a.$session.id = try s.requireID()
        a.method = TrainingAttendance.Method.card.rawValue
        a.at = Date()
        a.recordedBy = try user.requireID()
        try await a.create(on: req.db)
        return TrainingCheckInResult(participantID: p.id!, fullName: p.fullName, session: s.title, recorded: true,
                             message: "\(p.fullName) hadir di sesi \(s.title)" + (new ? " (didaftarkan sebagai peserta)." : "."))
    }

    /// The list method sets one session's attendance to exactly the ticked participants.
    func markAttendance(_ form: AttendanceListForm, at t: Training) async throws -> Int {
        let user = try req.requireUser()
        try req.cadrePolicy.requireRecord(t.orgPath)
        let s = try await session(form.sessionID, of: t)
        let participants = try await TrainingParticipant.query(on: req.db).filter(\.$training.$id == t.requireID()).all()
        let known = Set(participants.compactMap(\.id))
        let ticked = Set((form.present ?? []).compactMap(UUID.init(uuidString:)))
        guard ticked.isSubset(of: known) else {
            throw ValidationFailure(errors: [FieldError(field: "present", message: "Ada peserta yang bukan peserta pelatihan ini.")])
        }
        try await req.db.transaction { db in
            let existing = try await TrainingAttendance.query(on: db).filter(\.$session.$id == s.requireID()).all()
            let had = Set(existing.map(\.$participant.id))
            for a in existing where !ticked.contains(a.$participant.id) { try await a.delete(on: db) }
            for id in ticked.subtracting(had) {
                let a = TrainingAttendance()
                a.$participant.id = id
                a.$session.id = try s.requireID()
                a.method = TrainingAttendance.Method.list.rawValue
                a.at = Date()
                a.recordedBy = try user.requireID()
                try await a.create(on: db)
            }
        }
        return ticked.count
    }

    /// Certificates for everyone who attended enough sessions; from the last day on.
    /// Members' certificates go on their timeline. Issuing again adds late completers.
    func issueCertificates(_ t: Training) async throws -> Int {
        let user = try req.requireUser()
        try req.cadrePolicy.requireManage(t.orgPath)
        let today = CivilDate(Date()).iso8601
        guard today >= t.endsOn else {
            throw Abort(.conflict, reason: "Sertifikat diterbitkan mulai hari terakhir pelatihan (\(WIB.longDate(t.endsOn))).")
        }
        let detail = try await detail(t)
        guard !detail.sessions.isEmpty else { throw Abort(.conflict, reason: "Pelatihan ini belum punya sesi.") }
        let due = detail.participants.filter { $0.completed && $0.certificateCode == nil }
        let participants = try await TrainingParticipant.query(on: req.db).filter(\.$id ~~ due.map(\.id)).all()
        try await req.db.transaction { db in
            for p in participants {
                p.certificateCode = MembershipService.newVerifyCode()
                p.certificateIssuedAt = Date()
                try await p.save(on: db)
                if let personID = p.$person.id {
                    let person = try await Person.find(personID, on: db)
                    try await PersonEvent(personID: personID, module: "cadre", kind: "training.certified",
                                          summary: "Lulus \(t.title) (\(t.level?.trainingLabel ?? "pelatihan tematik")); sertifikat \(p.certificateCode!).",
                                          actorID: user.id, scope: person?.scope ?? t.scope).create(on: db)
                }
            }
            t.certificatesIssuedAt = Date()
            try await t.save(on: db)
            try await req.audit.record("training.certificates", entity: "training", id: t.id?.uuidString, scope: t.scope,
                                       detail: "\(participants.count) sertifikat", on: db)
        }
        return participants.count
    }

    /// The certificate as a printable SVG (A4 landscape), for users who may see the training.
    func certificate(code: String) async throws -> (String, String) {
        _ = try req.requireUser()
        let clean = code.uppercased().filter { $0.isLetter || $0.isNumber }
        guard let p = try await TrainingParticipant.query(on: req.db).filter(\.$certificateCode == clean).with(\.$training).first() else {
            throw Abort(.notFound, reason: "Sertifikat tidak ditemukan.")
        }
        try req.cadrePolicy.requireView(p.training.orgPath)
        let labels = try await req.levelLabels()
        let unit = try await p.training.$orgUnit.get(on: req.db)
        let svg: String
        do {
            svg = try CertificateRenderer.svg(TrainingCertificate(
                partyName: try await BranchSettings.partyName(on: req.db, labels: labels),
                fullName: p.fullName, trainingTitle: p.training.title,
                detail: "\(p.training.level?.trainingLabel ?? "Pelatihan tematik") · \(Self.dates(p.training)) · \(p.training.location)",
                organiser: p.training.organiser ?? labels.displayName(of: unit),
                number: clean, issuedOn: p.certificateIssuedAt.map { WIB.longDate(CivilDate($0).iso8601) } ?? "",
                verifyURL: MembershipController.publicURL(req) + "/sertifikat/" + clean))
        } catch let error as CardRenderError {
            throw Abort(.unprocessableEntity, reason: error.message)
        }
        try await req.audit.record("training.certificate.print", entity: "training", id: p.$training.id.uuidString, scope: p.training.scope, detail: clean)
        return (svg, clean)
    }

    /// What the certificate's QR opens: initials, training, organiser, dates. Nothing else.
    static func publicCheck(code: String, on db: any Database, labels: OrgLevelLabels) async throws -> PublicCertificateCheck {
        let clean = code.uppercased().filter { $0.isLetter || $0.isNumber }
        guard clean.count == 10, let p = try await TrainingParticipant.query(on: db).filter(\.$certificateCode == clean).with(\.$training).first() else {
            return PublicCertificateCheck(valid: false, initials: nil, training: nil, organiser: nil, dates: nil, issuedOn: nil)
        }
        let unit = try await p.training.$orgUnit.get(on: db)
        return PublicCertificateCheck(valid: true, initials: MembershipService.initials(p.fullName), training: p.training.title,
                                      organiser: p.training.organiser ?? labels.displayName(of: unit), dates: dates(p.training),
                                      issuedOn: p.certificateIssuedAt.map { WIB.longDate(CivilDate($0).iso8601) })
    }
}

extension Request {
    var trainings: Trainings { Trainings(req: self) }
}
