import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Volunteers, decrees and incidents are seen with viewService in their unit and run with
/// manageVolunteers there.
struct VolunteerPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ path: OrgPath) throws { try require(.viewService, at: path, visibleWith: .viewService) }
    func requireManage(_ path: OrgPath) throws { try require(.manageVolunteers, at: path, visibleWith: .viewService) }
    func canManage(_ path: OrgPath) -> Bool { access.allows(.manageVolunteers, at: path) }
    func visible<M: Model>(_ q: QueryBuilder<M>) -> QueryBuilder<M> { scopeFilter(q, column: "scope", for: .viewService) }
}

extension Request {
    var volunteerPolicy: VolunteerPolicy { VolunteerPolicy(access: access) }
    var volunteers: Volunteers { Volunteers(req: self) }
}

struct VolunteerForm: Content {
    var fullName: String?
    var nik: String?
    var phone: String?
    var regionCode: String?
    var skills: [String]?
    var motivation: String?
    var consent: String?
}

struct VolunteerDTO: Content {
    let id: UUID
    let personID: UUID
    let fullName: String
    let nikMasked: String?
    let phoneMasked: String?
    let regionCode: String
    let status: VolunteerStatus
    let statusLabel: String
    let skills: [VolunteerSkill]
    let skillLabels: [String]
    /// "Dapur umum, Logistik & gudang"
    let skillsText: String
    let available: Bool
    let deployedNow: Bool
    let ready: Bool
    let totalMinutes: Int
    let hoursText: String
}

struct VolunteerDetail: Content {
    struct Decision: Content {
        let stage: SelectionStage
        let stageLabel: String
        let passed: Bool
        let reason: String
        let decidedBy: String
        let atText: String
    }

    struct Certificate: Content {
        let name: String
        let issuer: String
        let number: String?
        let validUntil: String?
    }

    let volunteer: VolunteerDTO
    let motivation: String?
    let decisions: [Decision]
    let certificates: [Certificate]
    let deployments: [DeploymentDTO]
}

struct DeploymentDTO: Content {
    let id: UUID
    let incidentID: UUID
    let incidentTitle: String
    let volunteerID: UUID
    let volunteerName: String
    let task: String
    let checkInText: String
    let checkOutText: String?
    let minutes: Int?
    let hoursText: String?
}

struct IncidentDTO: Content {
    let id: UUID
    let title: String
    let hazard: String
    let location: String
    let outside: Bool
    let startedOn: String
    let closedOn: String?
    let deployed: Int
    let onDuty: Int
    let totalMinutes: Int
    let hoursText: String
}

struct IncidentDetail: Content {
    let incident: IncidentDTO
    let deployments: [DeploymentDTO]
}

struct DecreeDTO: Content {
    struct Member: Content {
        let volunteerID: UUID
        let fullName: String
        let position: String
    }

    let id: UUID
    let number: String
    let title: String
    let unitName: String
    let issuedOn: String
    let validUntil: String?
    let members: [Member]
}

struct DecisionForm: Content {
    var stage: String?
    /// "passed" or "failed".
    var result: String?
    var reason: String?
}

struct CertificateForm: Content {
    var name: String?
    var issuer: String?
    var number: String?
    var validUntil: String?
}

struct DecreeForm: Content {
    var unitID: String?
    var number: String?
    var title: String?
    var issuedOn: String?
    var validUntil: String?
}

struct MemberForm: Content {
    var volunteerID: String?
    var position: String?
}

struct IncidentForm: Content {
    var unitID: String?
    var title: String?
    var hazard: String?
    var regionCode: String?
    var location: String?
    var outside: String?
    var startedOn: String?
}

struct DeploymentForm: Content {
    var volunteerID: String?
    var task: String?
}

/// Registration, selection, certificates, decrees, incidents and deployments.
struct Volunteers {
    let req: Request

    static let hazards = ["banjir": "Banjir", "gempa": "Gempa bumi", "longsor": "Tanah longsor", "kebakaran": "Kebakaran",
                          "angin": "Angin puting beliung", "tsunami": "Tsunami", "lainnya": "Lainnya"]

    func register(_ form: VolunteerForm, channel: Volunteer.Channel) async throws -> Volunteer {
        let actor = req.auth.get(User.self)
        if channel == .staff, !req.access.hasAny(.manageVolunteers) {
            throw Abort(.forbidden, reason: "Anda tidak berwenang mendaftarkan relawan.")
        }
        var errors = FormErrors()
        let name = errors.required(form.fullName, field: "fullName", label: "Nama lengkap", max: 120)
        var nik: NIK?
        let rawNIK = (form.nik ?? "").trimmingCharacters(in: .whitespaces)
        if rawNIK.isEmpty { errors.add("nik", "NIK wajib diisi: anggota satgas dicatat sesuai KTP.") }
        else { do { nik = try NIK(validating: rawNIK, today: CivilDate(Date())) } catch { errors.add("nik", error.message) } }
        var phone = ""
        switch IndonesianPhone.validate(form.phone ?? "") {
        case .success(let p): phone = p
        case .failure(let e): errors.add("phone", (form.phone ?? "").trimmingCharacters(in: .whitespaces).isEmpty
                                            ? "Nomor HP/WhatsApp wajib diisi agar dapat dihubungi saat siaga." : e.message + " Contoh: 081234567890.")
        }
        let place = try await Kelurahan.resolve(form.regionCode, field: "regionCode", label: "Kelurahan domisili", errors: &errors, on: req.db)
        let skills = (form.skills ?? []).compactMap { VolunteerSkill(rawValue: $0) }
        if skills.count != (form.skills ?? []).count { errors.add("skills", "Ada keahlian yang tidak dikenal.") }
        let motivation = errors.optional(form.motivation, field: "motivation", label: "Motivasi", max: 500)
        if !RegistrationForm.ticked(form.consent) {
            errors.add("consent", "Persetujuan pemrosesan data untuk keperluan satgas wajib dicentang.")
        }
        if channel == .staff, let place, !req.volunteerPolicy.canManage(place.unit.orgPath) {
            errors.add("regionCode", "Anda tidak berwenang mendaftarkan relawan di kelurahan \(place.region.name).")
        }
        try errors.throwIfAny()
        guard let nik, let place else { throw ValidationFailure(errors: errors.all) }
        if let existing = try await Person.query(on: req.db).filter(\.$nikIndex == req.vault.blindIndex(nik.digits, purpose: "nik")).first(),
           try await Volunteer.query(on: req.db).filter(\.$person.$id == existing.requireID()).first() != nil {
            throw ValidationFailure(errors: [FieldError(field: "nik", message: "NIK ini sudah terdaftar sebagai relawan satgas.")])
        }
        let vault = req.vault
        let v = Volunteer()
        try await req.db.transaction { [phone] db in
            let person = try await ServiceDesk.person(nik: nik, name: name, phone: phone, region: place.region, unit: place.unit, vault: vault, on: db)
            v.$person.id = try person.requireID()
            v.$orgUnit.id = try place.unit.requireID()
            v.scope = place.unit.path
            v.channel = channel
            v.status = .applied
            v.skills = skills.map(\.rawValue).joined(separator: ",")
            v.available = true
            v.motivation = motivation
            v.registeredAt = Date()
            try await v.create(on: db)
            try await PersonEvent(personID: person.requireID(), module: "relief", kind: "volunteer.registered",
                                  summary: "Mendaftar sebagai relawan Satgas Bencana" + (channel == .public ? " lewat formulir publik." : " oleh \(actor?.displayName ?? "pengurus")."),
                                  actorID: actor?.id, scope: person.scope).create(on: db)
            try await req.audit.record("volunteer.register", entity: "volunteer", id: v.id?.uuidString, scope: v.scope, detail: channel.rawValue, on: db)
        }
        return v
    }

    func find(_ id: UUID?) async throws -> Volunteer {
        _ = try req.requireUser()
        guard let id, let v = try await Volunteer.query(on: req.db).filter(\.$id == id).with(\.$person).first() else {
            throw Abort(.notFound, reason: "Relawan tidak ditemukan.")
        }
        try req.volunteerPolicy.requireView(v.orgPath)
        return v
    }

    /// Minutes served and whether on duty now, per volunteer.
    private func service(_ ids: [UUID]) async throws -> (minutes: [UUID: Int], onDuty: Set<UUID>) {
        guard !ids.isEmpty else { return ([:], []) }
        let rows = try await Deployment.query(on: req.db).filter(\.$volunteer.$id ~~ ids).all()
        var minutes: [UUID: Int] = [:]
        var onDuty = Set<UUID>()
        for d in rows {
            minutes[d.$volunteer.id, default: 0] += d.minutes ?? 0
            if d.checkOutAt == nil { onDuty.insert(d.$volunteer.id) }
        }
        return (minutes, onDuty)
    }

    func dtos(_ list: [Volunteer]) async throws -> [VolunteerDTO] {
        let (minutes, onDuty) = try await service(list.compactMap(\.id))
        return list.map { v in
            let deployed = onDuty.contains(v.id!)
            let m = minutes[v.id!] ?? 0
            return VolunteerDTO(id: v.id!, personID: v.$person.id, fullName: v.person.fullName, nikMasked: v.person.nikMasked,
                                phoneMasked: v.person.phoneMasked, regionCode: v.person.regionCode, status: v.status, statusLabel: v.status.label,
                                skills: v.skillList, skillLabels: v.skillList.map(\.label),
                                skillsText: v.skillList.map(\.label).joined(separator: ", "), available: v.available, deployedNow: deployed,
                                ready: VolunteerPipeline.isReady(status: v.status, available: v.available, deployedNow: deployed),
                                totalMinutes: m, hoursText: m == 0 ? "belum ada jam tugas" : VolunteerPipeline.hoursText(minutes: m))
        }
    }

    /// The roster: `status`, `skill`, `ready` (accepted, available, not deployed).
    func roster(status: VolunteerStatus?, skill: VolunteerSkill?, readyOnly: Bool, unit: OrgUnit?) async throws -> [VolunteerDTO] {
        try req.requireAnywhere(.viewService, "Anda tidak berwenang melihat data satgas relawan.")
        var q = req.volunteerPolicy.visible(Volunteer.query(on: req.db))
        if let status { q = q.filter(\.$status == status) }
        if readyOnly { q = q.filter(\.$status == .accepted).filter(\.$available == true) }
        if let skill { q = q.filter(\.$skills, .custom("LIKE"), "%\(skill.rawValue)%") }
        if let unit { q = q.within(\.$scope, unit.orgPath) }
        let all = try await dtos(try await q.with(\.$person).sort(\.$registeredAt, .descending).limit(500).all())
        return readyOnly ? all.filter(\.ready) : all
    }

    func detail(_ v: Volunteer) async throws -> VolunteerDetail {
        let id = try v.requireID()
        let decisions = try await SelectionDecision.query(on: req.db).filter(\.$volunteer.$id == id).sort(\.$at).all()
        let certificates = try await VolunteerCertificate.query(on: req.db).filter(\.$volunteer.$id == id).all()
        let deployments = try await Deployment.query(on: req.db).filter(\.$volunteer.$id == id).with(\.$incident).with(\.$volunteer) { $0.with(\.$person) }
            .sort(\.$checkInAt, .descending).all()
        return VolunteerDetail(
            volunteer: try await dtos([v])[0], motivation: v.motivation,
            decisions: decisions.map { .init(stage: $0.stage, stageLabel: $0.stage.label, passed: $0.passed, reason: $0.reason,
                                             decidedBy: $0.decidedBy, atText: WIB.text($0.at)) },
            certificates: certificates.map { .init(name: $0.name, issuer: $0.issuer, number: $0.number, validUntil: $0.validUntil) },
            deployments: deployments.map(Self.dto))
    }

    /// A decision in the selection pipeline, with its reason; the status follows from the
    /// latest decision per stage.
    func decide(_ form: DecisionForm, on v: Volunteer) async throws {
        let user = try req.requireUser()
        try req.volunteerPolicy.requireManage(v.orgPath)
        var errors = FormErrors()
        let stage = SelectionStage(rawValue: form.stage ?? "")
        if stage == nil { errors.add("stage", "Tahap seleksi wajib dipilih: berkas, wawancara, pelatihan atau kesehatan.") }
        let result = form.result
        if result != "passed" && result != "failed" { errors.add("result", "Hasil wajib dipilih: lulus atau tidak lulus.") }
        let reason = errors.required(form.reason, field: "reason", label: "Alasan/catatan keputusan", max: 500)
        try errors.throwIfAny()
        guard let stage else { return }
        let id = try v.requireID()
        let previous = v.status
        try await req.db.transaction { db in
            let d = SelectionDecision()
            d.$volunteer.id = id
            d.stage = stage
            d.passed = result == "passed"
            d.reason = reason
            d.decidedBy = user.displayName
            d.at = Date()
            try await d.create(on: db)
            var latest: [SelectionStage: Bool] = [:]
            for row in try await SelectionDecision.query(on: db).filter(\.$volunteer.$id == id).sort(\.$at).all() { latest[row.stage] = row.passed }
            v.status = VolunteerPipeline.status(latest)
            try await v.update(on: db)
            try await PersonEvent(personID: v.$person.id, module: "relief", kind: "volunteer.\(stage.rawValue)",
                                  summary: "Seleksi satgas — \(stage.label): \(d.passed ? "lulus" : "tidak lulus") (\(reason)). Status: \(v.status.label).",
                                  actorID: user.id, scope: v.scope).create(on: db)
            try await req.audit.record("volunteer.decide", entity: "volunteer", id: id.uuidString, scope: v.scope,
                                       detail: "\(stage.rawValue) \(d.passed ? "passed" : "failed"); \(previous.rawValue)→\(v.status.rawValue)", on: db)
        }
    }

    func setAvailable(_ available: Bool, on v: Volunteer) async throws {
        try req.volunteerPolicy.requireManage(v.orgPath)
        v.available = available
        try await v.update(on: req.db)
        try await req.audit.record("volunteer.availability", entity: "volunteer", id: v.id?.uuidString, scope: v.scope, detail: available ? "siap" : "tidak siap")
    }

    func addCertificate(_ form: CertificateForm, to v: Volunteer) async throws {
        try req.volunteerPolicy.requireManage(v.orgPath)
        var errors = FormErrors()
        let name = errors.required(form.name, field: "name", label: "Nama sertifikat", max: 120)
        let issuer = errors.required(form.issuer, field: "issuer", label: "Penerbit", max: 120)
        let number = errors.optional(form.number, field: "number", label: "Nomor sertifikat", max: 80)
        let until = Campaigns.date(form.validUntil, field: "validUntil", label: "Berlaku sampai", required: false, errors: &errors)
        try errors.throwIfAny()
        let c = VolunteerCertificate()
        c.$volunteer.id = try v.requireID()
        c.name = name
        c.issuer = issuer
        c.number = number
        c.validUntil = until?.iso8601
        try await c.create(on: req.db)
        try await req.audit.record("volunteer.certificate", entity: "volunteer", id: v.id?.uuidString, scope: v.scope, detail: name)
    }

    // MARK: decrees

    /// The unit chosen in a form, where the user may manage volunteers.
    private func managedUnit(_ raw: String?) async throws -> OrgUnit {
        guard req.access.hasAny(.manageVolunteers) else { throw Abort(.forbidden, reason: "Anda tidak berwenang mengelola satgas relawan.") }
        guard let id = raw.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(id, on: req.db) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "Unit wajib dipilih.")])
        }
        try req.volunteerPolicy.requireManage(unit.orgPath)
        return unit
    }

    func createDecree(_ form: DecreeForm) async throws -> TaskForceDecree {
        _ = try req.requireUser()
        let unit = try await managedUnit(form.unitID)
        var errors = FormErrors()
        let number = errors.required(form.number, field: "number", label: "Nomor SK", max: 80)
        let title = errors.required(form.title, field: "title", label: "Perihal SK", max: 200)
        let issued = Campaigns.date(form.issuedOn, field: "issuedOn", label: "Tanggal SK", required: true, errors: &errors)
        let until = Campaigns.date(form.validUntil, field: "validUntil", label: "Berlaku sampai", required: false, errors: &errors)
        if let issued, let until, until < issued { errors.add("validUntil", "Masa berlaku tidak boleh berakhir sebelum tanggal SK.") }
        if !number.isEmpty, try await TaskForceDecree.query(on: req.db).filter(\.$number == number).first() != nil {
            errors.add("number", "SK nomor \(number) sudah tercatat.")
        }
        try errors.throwIfAny()
        let d = TaskForceDecree()
        d.$orgUnit.id = try unit.requireID()
        d.scope = unit.path
        d.number = number
        d.title = title
        d.issuedOn = issued!.iso8601
        d.validUntil = until?.iso8601
        try await d.create(on: req.db)
        try await req.audit.record("decree.create", entity: "task_force_decree", id: d.id?.uuidString, scope: d.scope, detail: number)
        return d
    }

    func findDecree(_ id: UUID?) async throws -> TaskForceDecree {
        _ = try req.requireUser()
        guard let id, let d = try await TaskForceDecree.find(id, on: req.db) else { throw Abort(.notFound, reason: "SK tidak ditemukan.") }
        try req.volunteerPolicy.requireView(OrgPath(rawValue: d.scope))
        return d
    }

    func decreeDTO(_ d: TaskForceDecree) async throws -> DecreeDTO {
        let members = try await DecreeMember.query(on: req.db).filter(\.$decree.$id == d.requireID())
            .with(\.$volunteer) { $0.with(\.$person) }.all()
        return DecreeDTO(id: d.id!, number: d.number, title: d.title,
                         unitName: try await req.levelLabels().displayName(of: try await d.$orgUnit.get(on: req.db)),
                         issuedOn: d.issuedOn, validUntil: d.validUntil,
                         members: members.map { .init(volunteerID: $0.$volunteer.id, fullName: $0.volunteer.person.fullName, position: $0.position) }
                            .sorted { $0.fullName < $1.fullName })
    }

    func decrees() async throws -> [DecreeDTO] {
        try req.requireAnywhere(.viewService, "Anda tidak berwenang melihat data satgas relawan.")
        var out: [DecreeDTO] = []
        for d in try await req.volunteerPolicy.visible(TaskForceDecree.query(on: req.db)).sort(\.$issuedOn, .descending).limit(100).all() {
            out.append(try await decreeDTO(d))
        }
        return out
    }

    /// Only accepted volunteers of the decree's territory become members, once each.
    func addMember(_ form: MemberForm, to d: TaskForceDecree) async throws {
        try req.volunteerPolicy.requireManage(OrgPath(rawValue: d.scope))
        var errors = FormErrors()
        let position = errors.required(form.position, field: "position", label: "Jabatan dalam satgas", max: 80)
        let v = try await form.volunteerID.flatMap(UUID.init(uuidString:)).asyncFlatMap { try await Volunteer.find($0, on: req.db) }
        if v == nil || !OrgPath(rawValue: d.scope).contains(v!.orgPath) {
            errors.add("volunteerID", "Relawan tidak ditemukan di wilayah SK ini.")
        } else if v!.status != .accepted {
            errors.add("volunteerID", "Hanya relawan yang lolos seleksi yang dapat dimasukkan ke SK.")
        } else if try await DecreeMember.query(on: req.db).filter(\.$decree.$id == d.requireID()).filter(\.$volunteer.$id == v!.requireID()).first() != nil {
            errors.add("volunteerID", "Relawan ini sudah tercantum dalam SK.")
        }
        try errors.throwIfAny()
        let m = DecreeMember()
        m.$decree.id = try d.requireID()
        m.$volunteer.id = try v!.requireID()
        m.position = position
        try await m.create(on: req.db)
        try await req.audit.record("decree.member", entity: "task_force_decree", id: d.id?.uuidString, scope: d.scope, detail: v!.id!.uuidString)
    }

    // MARK: incidents

    func createIncident(_ form: IncidentForm) async throws -> Incident {
        _ = try req.requireUser()
        let unit = try await managedUnit(form.unitID)
        var errors = FormErrors()
        let title = errors.required(form.title, field: "title", label: "Nama kejadian", max: 160)
        let hazard = (form.hazard ?? "").trimmingCharacters(in: .whitespaces)
        if Self.hazards[hazard] == nil { errors.add("hazard", "Jenis bencana wajib dipilih.") }
        let outside = RegistrationForm.ticked(form.outside)
        var region: Region?
        if !outside {
            let place = try await Kelurahan.resolve(form.regionCode, field: "regionCode", label: "Kelurahan terdampak", errors: &errors, on: req.db)
            if let place, !unit.orgPath.contains(place.unit.orgPath) {
                errors.add("regionCode", "Kelurahan \(place.region.name) di luar wilayah unit ini; centang \"di luar wilayah\" untuk bantuan ke daerah lain.")
            }
            region = place?.region
        }
        var location = errors.optional(form.location, field: "location", label: "Lokasi", max: 200)
        if outside && location == nil { errors.add("location", "Lokasi wajib diisi untuk kejadian di luar wilayah (mis. Kab. Cianjur, Jawa Barat).") }
        if location == nil { location = region?.name }
        let started = Campaigns.date(form.startedOn, field: "startedOn", label: "Tanggal kejadian", required: false, errors: &errors) ?? CivilDate(Date())
        try errors.throwIfAny()
        let i = Incident()
        i.$orgUnit.id = try unit.requireID()
        i.scope = unit.path
        i.title = title
        i.hazard = hazard
        i.regionCode = try region?.requireID()
        i.location = location ?? ""
        i.outside = outside
        i.startedOn = started.iso8601
        try await i.create(on: req.db)
        try await req.audit.record("incident.create", entity: "incident", id: i.id?.uuidString, scope: i.scope, detail: title)
        return i
    }

    func findIncident(_ id: UUID?) async throws -> Incident {
        _ = try req.requireUser()
        guard let id, let i = try await Incident.find(id, on: req.db) else { throw Abort(.notFound, reason: "Kejadian tidak ditemukan.") }
        try req.volunteerPolicy.requireView(OrgPath(rawValue: i.scope))
        return i
    }

    static func dto(_ d: Deployment) -> DeploymentDTO {
        DeploymentDTO(id: d.id!, incidentID: d.$incident.id, incidentTitle: d.incident.title, volunteerID: d.$volunteer.id,
                      volunteerName: d.volunteer.person.fullName, task: d.task, checkInText: WIB.text(d.checkInAt),
                      checkOutText: d.checkOutAt.map(WIB.text), minutes: d.minutes, hoursText: d.minutes.map(VolunteerPipeline.hoursText))
    }

    func incidentDTO(_ i: Incident) async throws -> (IncidentDTO, [Deployment]) {
        let deployments = try await Deployment.query(on: req.db).filter(\.$incident.$id == i.requireID())
            .with(\.$incident).with(\.$volunteer) { $0.with(\.$person) }.sort(\.$checkInAt, .descending).all()
        let minutes = deployments.compactMap(\.minutes).reduce(0, +)
        return (IncidentDTO(id: i.id!, title: i.title, hazard: Self.hazards[i.hazard] ?? i.hazard, location: i.location, outside: i.outside,
                            startedOn: i.startedOn, closedOn: i.closedOn, deployed: Set(deployments.map(\.$volunteer.id)).count,
                            onDuty: deployments.filter { $0.checkOutAt == nil }.count, totalMinutes: minutes,
                            hoursText: VolunteerPipeline.hoursText(minutes: minutes)), deployments)
    }

    func incidents() async throws -> [IncidentDTO] {
        try req.requireAnywhere(.viewService, "Anda tidak berwenang melihat data satgas relawan.")
        var out: [IncidentDTO] = []
        for i in try await req.volunteerPolicy.visible(Incident.query(on: req.db)).sort(\.$startedOn, .descending).limit(100).all() {
            out.append(try await incidentDTO(i).0)
        }
        return out
    }

    /// Sends a ready volunteer (accepted, available, not on duty elsewhere): checks them in now.
    func deploy(_ form: DeploymentForm, to i: Incident) async throws -> Deployment {
        _ = try req.requireUser()
        try req.volunteerPolicy.requireManage(OrgPath(rawValue: i.scope))
        guard i.closedOn == nil else { throw Abort(.conflict, reason: "Kejadian ini sudah ditutup.") }
        var errors = FormErrors()
        let task = errors.required(form.task, field: "task", label: "Tugas", max: 160)
        let v = try await form.volunteerID.flatMap(UUID.init(uuidString:)).asyncFlatMap { try await Volunteer.find($0, on: req.db) }
        if let v, req.access.allows(.viewService, at: v.orgPath) {
            let onDuty = try await Deployment.query(on: req.db).filter(\.$volunteer.$id == v.requireID()).filter(\.$checkOutAt == nil).first() != nil
            if !VolunteerPipeline.isReady(status: v.status, available: v.available, deployedNow: onDuty) {
                errors.add("volunteerID", onDuty ? "Relawan ini sedang bertugas; catat selesai tugas dulu."
                                                 : "Relawan belum siap diberangkatkan (harus lolos seleksi dan berstatus siap).")
            }
        } else {
            errors.add("volunteerID", "Relawan tidak ditemukan di wilayah Anda.")
        }
        try errors.throwIfAny()
        let d = Deployment()
        d.$incident.id = try i.requireID()
        d.$volunteer.id = try v!.requireID()
        d.scope = i.scope
        d.task = task
        d.checkInAt = Date()
        try await d.create(on: req.db)
        try await req.audit.record("incident.deploy", entity: "deployment", id: d.id?.uuidString, scope: i.scope, detail: v!.id!.uuidString)
        return d
    }

    func checkOut(_ id: UUID?, at when: Date = Date()) async throws -> Deployment {
        _ = try req.requireUser()
        guard let id, let d = try await Deployment.find(id, on: req.db) else { throw Abort(.notFound, reason: "Penugasan tidak ditemukan.") }
        try req.volunteerPolicy.requireManage(OrgPath(rawValue: d.scope))
        guard d.checkOutAt == nil else { throw Abort(.conflict, reason: "Relawan ini sudah tercatat selesai bertugas.") }
        guard let minutes = VolunteerPipeline.minutes(checkIn: d.checkInAt, checkOut: when) else {
            throw ValidationFailure(errors: [FieldError(field: "checkOut", message: "Satu giliran tugas paling lama 24 jam; hubungi admin untuk koreksi jam.")])
        }
        d.checkOutAt = when
        d.minutes = minutes
        try await d.update(on: req.db)
        try await req.audit.record("incident.checkout", entity: "deployment", id: d.id?.uuidString, scope: d.scope, detail: "\(minutes) menit")
        return d
    }

    func closeIncident(_ i: Incident) async throws {
        try req.volunteerPolicy.requireManage(OrgPath(rawValue: i.scope))
        guard i.closedOn == nil else { throw Abort(.conflict, reason: "Kejadian ini sudah ditutup.") }
        if try await Deployment.query(on: req.db).filter(\.$incident.$id == i.requireID()).filter(\.$checkOutAt == nil).first() != nil {
            throw ValidationFailure(errors: [FieldError(field: "closedOn", message: "Masih ada relawan bertugas; catat selesai tugas mereka dulu.")])
        }
        i.closedOn = CivilDate(Date()).iso8601
        try await i.update(on: req.db)
        try await req.audit.record("incident.close", entity: "incident", id: i.id?.uuidString, scope: i.scope)
    }
}
