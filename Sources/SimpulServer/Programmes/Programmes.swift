import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Who reads and runs work programmes and Raker meetings. Reading follows the cascade:
/// a unit's subtree as usual, plus what the units above it own (inherited, read-only).
/// Writing needs managePrograms at the record's own unit, so a city never edits the
/// province's programme; it derives its own from it.
struct ProgrammePolicy: ModulePolicy {
    let access: AccessScope

    var readRoots: [OrgPath] { access.roots(for: .viewProgrammes) }

    func canRead(_ path: OrgPath) -> Bool { ProgrammeCascade.canRead(path, roots: readRoots) }
    func canManage(_ path: OrgPath) -> Bool { access.allows(.managePrograms, at: path) }
    /// Inherited: readable only because it belongs to a unit above the user's.
    func isInherited(_ path: OrgPath) -> Bool { !access.allows(.viewProgrammes, at: path) && canRead(path) }

    func requireRead(_ path: OrgPath) throws {
        guard canRead(path) else { throw Abort(.notFound, reason: "Data tidak ditemukan.") }
    }

    func requireManage(_ path: OrgPath) throws {
        try requireRead(path)
        guard canManage(path) else { throw Abort(.forbidden, reason: "Anda tidak berwenang melakukan ini di unit tersebut.") }
    }

    /// Rows the user reads: their subtrees plus the rows owned exactly at the units above.
    func visible<M: Model>(_ query: QueryBuilder<M>, column: FieldKey = "scope") -> QueryBuilder<M> {
        let roots = readRoots
        if roots.isEmpty { return query.filter(.sql(unsafeRaw: "1 = 0")) }
        if roots.contains(.national) { return query }
        let inherited = ProgrammeCascade.inheritedPaths(for: roots).map(\.rawValue)
        return query.group(.or) { group in
            for root in roots {
                let match = SubtreeMatch(root, on: query.database)
                group.filter(.path([column], schema: M.schemaOrAlias), match.sqlOperator, .bind(match.pattern))
            }
            if !inherited.isEmpty { group.filter(.path([column], schema: M.schemaOrAlias), .subset(inverse: false), .array(inherited.map { .bind($0) })) }
        }
    }
}

extension Request {
    var programmePolicy: ProgrammePolicy { ProgrammePolicy(access: access) }
    var programmes: Programmes { Programmes(req: self) }
}

struct ProgrammeForm: Content {
    var unitID: String?
    var title: String?
    var details: String?
    var focus: String?
    var owner: String?
    var startsOn: String?
    var endsOn: String?
    var status: String?
}

struct KPIForm: Content {
    var name: String?
    var unit: String?
    var baseline: String?
    var target: String?
}

struct KPIProgressForm: Content {
    var actual: String?
    var note: String?
    var onDate: String?
}

struct DeriveForm: Content {
    var unitID: String?
    var owner: String?
}

struct RakerForm: Content {
    var unitID: String?
    var year: String?
    var stage: String?
    var title: String?
    var heldOn: String?
    var venue: String?
    var participants: String?
    var notes: String?
}

struct RakerDecisionForm: Content {
    var text: String?
    var programmeID: String?
}

struct KPIDTO: Content {
    let id: UUID
    let name: String
    let unit: String
    let baseline: Int64
    let target: Int64
    let actual: Int64
    let percent: Int
    let updatedOn: String?
}

struct ProgrammeDTO: Content {
    let id: UUID
    let unitName: String
    let level: Int
    let title: String
    let details: String
    let focus: String
    let focusLabel: String
    let owner: String
    let startsOn: String
    let endsOn: String
    let status: Programme.Status
    let statusLabel: String
    let derivedFromID: UUID?
    /// Owned by a unit above the user's: read-only, may be derived from.
    let inherited: Bool
    let canManage: Bool
    /// Mean of the KPI percents; nil without KPIs.
    let progress: Int?
    let expected: Int
    let pace: KPIProgress.Pace
    let paceLabel: String
    let kpis: [KPIDTO]
}

struct ProgrammeDetail: Content {
    let programme: ProgrammeDTO
    let derivedFrom: ProgrammeDTO?
    /// Programmes derived from this one that the user reads.
    let derived: [ProgrammeDTO]
    let updates: [KPIUpdateDTO]
    let decisions: [DecisionDTO]
}

struct KPIUpdateDTO: Content {
    let kpiName: String
    let actual: Int64
    let note: String
    let onDate: String
    let username: String
}

struct DecisionDTO: Content {
    let id: UUID
    let meetingID: UUID
    let meetingTitle: String
    let number: Int
    let text: String
    let programmeID: UUID?
    let programmeTitle: String?
}

struct RakerDTO: Content {
    let id: UUID
    let unitName: String
    let year: Int
    let stage: String
    let stageLabel: String
    let title: String
    let heldOn: String
    let venue: String
    let participants: Int
    let notes: String
    let inherited: Bool
    let canManage: Bool
    let decisions: [DecisionDTO]
}

struct Programmes {
    let req: Request

    static func number(_ raw: String?, field: String, label: String, required: Bool, errors: inout FormErrors) -> Int64? {
        let t = (raw ?? "").replacingOccurrences(of: ".", with: "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty {
            if required { errors.add(field, "\(label) wajib diisi.") }
            return nil
        }
        guard let v = Int64(t), v >= 0, v < 1_000_000_000_000 else {
            errors.add(field, "\(label) harus bilangan bulat 0 atau lebih, misalnya 1.000.")
            return nil
        }
        return v
    }

    func unit(_ raw: String?, label: String, permission: Permission = .managePrograms) async throws -> OrgUnit {
        guard let id = raw.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(id, on: req.db) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "\(label) wajib dipilih.")])
        }
        guard req.access.allows(permission, at: unit.orgPath) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "\(label) di luar wewenang Anda.")])
        }
        return unit
    }

    func dto(_ p: Programme, kpis: [ProgrammeKPI]? = nil, unit: OrgUnit? = nil) async throws -> ProgrammeDTO {
        var kpis = kpis
        if kpis == nil { kpis = try await ProgrammeKPI.query(on: req.db).filter(\.$programme.$id == p.requireID()).sort(\.$name).all() }
        var owner = unit
        if owner == nil { owner = try await p.$orgUnit.get(on: req.db) }
        let kpiRows = kpis ?? []
        let ownerUnit = owner!
        let progress = KPIProgress.overall(kpiRows.map(\.percent))
        let start = CivilDate(iso8601: p.startsOn) ?? CivilDate(Date())
        let expected = KPIProgress.expected(start: start, end: CivilDate(iso8601: p.endsOn) ?? start, today: CivilDate(Date()))
        let pace = p.status == .active ? KPIProgress.pace(progress: progress, expected: expected) : (p.status == .completed ? .onTrack : .notStarted)
        let policy = req.programmePolicy
        return ProgrammeDTO(
            id: try p.requireID(), unitName: try await req.levelLabels().displayName(of: ownerUnit), level: ownerUnit.level, title: p.title,
            details: p.details, focus: p.focus, focusLabel: p.focusArea.label, owner: p.owner, startsOn: p.startsOn, endsOn: p.endsOn,
            status: p.status, statusLabel: p.status.label, derivedFromID: p.derivedFromID, inherited: policy.isInherited(p.orgPath),
            canManage: policy.canManage(p.orgPath), progress: progress, expected: expected, pace: pace, paceLabel: pace.label,
            kpis: kpiRows.map { KPIDTO(id: $0.id!, name: $0.name, unit: $0.unit, baseline: $0.baseline, target: $0.target, actual: $0.actual,
                                    percent: $0.percent, updatedOn: $0.updatedOn) })
    }

    /// Every programme the user reads (own subtree and inherited), highest level first.
    func list(focus: String? = nil) async throws -> [ProgrammeDTO] {
        try req.requireAnywhere(.viewProgrammes, "Anda tidak berwenang membuka program kerja.")
        let query = req.programmePolicy.visible(Programme.query(on: req.db))
        if let focus, ProgrammeFocus(rawValue: focus) != nil { query.filter(\.$focus == focus) }
        let rows = try await query.sort(\.$scope).sort(\.$startsOn, .descending).limit(500).all()
        let ids = rows.compactMap(\.id)
        let kpis = ids.isEmpty ? [] : try await ProgrammeKPI.query(on: req.db).filter(\.$programme.$id ~~ ids).sort(\.$name).all()
        let byProgramme = Dictionary(grouping: kpis, by: { $0.$programme.id })
        let unitIDs = Set(rows.map { $0.$orgUnit.id })
        let units = Dictionary(uniqueKeysWithValues: try await OrgUnit.query(on: req.db).filter(\.$id ~~ unitIDs).all().map { ($0.id!, $0) })
        var out: [ProgrammeDTO] = []
        for p in rows { out.append(try await dto(p, kpis: byProgramme[p.id!] ?? [], unit: units[p.$orgUnit.id])) }
        return out
    }

    func find(_ id: UUID?) async throws -> Programme {
        _ = try req.requireUser()
        guard let id, let p = try await Programme.find(id, on: req.db) else { throw Abort(.notFound, reason: "Program tidak ditemukan.") }
        try req.programmePolicy.requireRead(p.orgPath)
        return p
    }

    private func validate(_ form: ProgrammeForm, errors: inout FormErrors) -> (String, String, ProgrammeFocus?, String, CivilDate?, CivilDate?) {
        let title = errors.required(form.title, field: "title", label: "Nama program", max: 160)
        let details = errors.optional(form.details, field: "details", label: "Uraian", max: 4000) ?? ""
        let focus = ProgrammeFocus(rawValue: form.focus ?? "")
        if focus == nil { errors.add("focus", "Fokus program wajib dipilih: kaderisasi, konsolidasi, pelayanan atau pemenangan.") }
        let owner = errors.required(form.owner, field: "owner", label: "Penanggung jawab", max: 160)
        let starts = Campaigns.date(form.startsOn, field: "startsOn", label: "Tanggal mulai", required: true, errors: &errors)
        let ends = Campaigns.date(form.endsOn, field: "endsOn", label: "Tanggal selesai", required: true, errors: &errors)
        if let starts, let ends, ends < starts { errors.add("endsOn", "Tanggal selesai tidak boleh sebelum tanggal mulai.") }
        return (title, details, focus, owner, starts, ends)
    }

    func create(_ form: ProgrammeForm) async throws -> Programme {
        let user = try req.requireAnywhere(.managePrograms, "Anda tidak berwenang menyusun program kerja.")
        let unit = try await unit(form.unitID, label: "Unit pemilik program")
        var errors = FormErrors()
        let (title, details, focus, owner, starts, ends) = validate(form, errors: &errors)
        try errors.throwIfAny()
        let p = Programme()
        p.$orgUnit.id = try unit.requireID()
        p.scope = unit.path
        p.title = title
        p.details = details
        p.focus = focus!.rawValue
        p.owner = owner
        p.startsOn = starts!.iso8601
        p.endsOn = ends!.iso8601
        p.status = .active
        p.createdBy = user.username
        try await p.create(on: req.db)
        try await req.audit.record("programme.create", entity: "programme", id: p.id?.uuidString, scope: p.scope, detail: title)
        return p
    }

    func update(_ p: Programme, _ form: ProgrammeForm) async throws {
        _ = try req.requireUser()
        try req.programmePolicy.requireManage(p.orgPath)
        var errors = FormErrors()
        let (title, details, focus, owner, starts, ends) = validate(form, errors: &errors)
        let status = Programme.Status(rawValue: form.status ?? "")
        if status == nil { errors.add("status", "Status wajib dipilih: berjalan, selesai atau dibatalkan.") }
        try errors.throwIfAny()
        p.title = title
        p.details = details
        p.focus = focus!.rawValue
        p.owner = owner
        p.startsOn = starts!.iso8601
        p.endsOn = ends!.iso8601
        p.status = status!
        try await p.update(on: req.db)
        try await req.audit.record("programme.update", entity: "programme", id: p.id?.uuidString, scope: p.scope, detail: title)
    }

    /// A unit's own programme from one above it: same title, focus and period, the KPIs'
    /// names and units copied with targets to set locally.
    func derive(from parent: Programme, _ form: DeriveForm) async throws -> Programme {
        let user = try req.requireAnywhere(.managePrograms, "Anda tidak berwenang menyusun program kerja.")
        try req.programmePolicy.requireRead(parent.orgPath)
        let unit = try await unit(form.unitID, label: "Unit pelaksana")
        guard ProgrammeCascade.canDerive(from: parent.orgPath, into: unit.orgPath) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "Unit pelaksana harus berada di bawah unit pemilik program.")])
        }
        if try await Programme.query(on: req.db).filter(\.$derivedFromID == parent.requireID()).filter(\.$scope == unit.path).first() != nil {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "Unit ini sudah menurunkan program tersebut.")])
        }
        var errors = FormErrors()
        let owner = errors.required(form.owner, field: "owner", label: "Penanggung jawab", max: 160)
        try errors.throwIfAny()
        let kpis = try await ProgrammeKPI.query(on: req.db).filter(\.$programme.$id == parent.requireID()).all()
        return try await req.db.transaction { db -> Programme in
            let p = Programme()
            p.$orgUnit.id = try unit.requireID()
            p.scope = unit.path
            p.derivedFromID = parent.id
            p.title = parent.title
            p.details = parent.details
            p.focus = parent.focus
            p.owner = owner
            p.startsOn = parent.startsOn
            p.endsOn = parent.endsOn
            p.status = .active
            p.createdBy = user.username
            try await p.create(on: db)
            for k in kpis {
                let copy = ProgrammeKPI()
                copy.$programme.id = try p.requireID()
                copy.scope = p.scope
                copy.name = k.name
                copy.unit = k.unit
                copy.baseline = 0
                copy.target = 0
                copy.actual = 0
                try await copy.create(on: db)
            }
            try await req.audit.record("programme.derive", entity: "programme", id: p.id?.uuidString, scope: p.scope,
                                       detail: "\(p.title) (dari \(parent.scope.isEmpty ? "nasional" : parent.scope))", on: db)
            return p
        }
    }

    func addKPI(to p: Programme, _ form: KPIForm) async throws -> ProgrammeKPI {
        _ = try req.requireUser()
        try req.programmePolicy.requireManage(p.orgPath)
        var errors = FormErrors()
        let name = errors.required(form.name, field: "name", label: "Nama indikator", max: 160)
        let unit = errors.required(form.unit, field: "unit", label: "Satuan", max: 40)
        let baseline = Self.number(form.baseline, field: "baseline", label: "Nilai awal", required: false, errors: &errors) ?? 0
        let target = Self.number(form.target, field: "target", label: "Target", required: true, errors: &errors)
        try errors.throwIfAny()
        let k = ProgrammeKPI()
        k.$programme.id = try p.requireID()
        k.scope = p.scope
        k.name = name
        k.unit = unit
        k.baseline = baseline
        k.target = target ?? 0
        k.actual = baseline
        try await k.create(on: req.db)
        try await req.audit.record("programme.kpi", entity: "programme_kpi", id: k.id?.uuidString, scope: p.scope, detail: name)
        return k
    }

    /// Reports progress on a KPI (or sets a derived KPI's target when `target` is given).
    func report(_ kpi: ProgrammeKPI, of p: Programme, _ form: KPIProgressForm, target: String? = nil) async throws {
        let user = try req.requireUser()
        try req.programmePolicy.requireManage(p.orgPath)
        var errors = FormErrors()
        let actual = Self.number(form.actual, field: "actual", label: "Capaian", required: true, errors: &errors)
        let newTarget = Self.number(target, field: "target", label: "Target", required: false, errors: &errors)
        let day = Campaigns.date(form.onDate, field: "onDate", label: "Tanggal", required: false, errors: &errors) ?? CivilDate(Date())
        if day > CivilDate(Date()) { errors.add("onDate", "Tanggal capaian tidak boleh di masa depan.") }
        let note = errors.optional(form.note, field: "note", label: "Catatan", max: 500) ?? ""
        try errors.throwIfAny()
        try await req.db.transaction { db in
            kpi.actual = actual!
            if let newTarget { kpi.target = newTarget }
            kpi.updatedOn = day.iso8601
            try await kpi.update(on: db)
            let u = KPIUpdate()
            u.$kpi.id = try kpi.requireID()
            u.scope = kpi.scope
            u.actual = actual!
            u.note = note
            u.onDate = day.iso8601
            u.username = user.username
            u.at = Date()
            try await u.create(on: db)
            try await req.audit.record("programme.progress", entity: "programme_kpi", id: kpi.id?.uuidString, scope: kpi.scope,
                                       detail: "\(kpi.name): \(actual!)", on: db)
        }
    }

    func detail(_ p: Programme) async throws -> ProgrammeDetail {
        let policy = req.programmePolicy
        var parent: ProgrammeDTO?
        if let pid = p.derivedFromID, let found = try await Programme.find(pid, on: req.db), policy.canRead(found.orgPath) {
            parent = try await dto(found)
        }
        var derived: [ProgrammeDTO] = []
        for c in try await policy.visible(Programme.query(on: req.db)).filter(\.$derivedFromID == p.requireID()).sort(\.$scope).all() {
            derived.append(try await dto(c))
        }
        let kpis = try await ProgrammeKPI.query(on: req.db).filter(\.$programme.$id == p.requireID()).sort(\.$name).all()
        let names = Dictionary(uniqueKeysWithValues: kpis.map { ($0.id!, $0.name) })
        let updates = kpis.isEmpty ? [] : try await KPIUpdate.query(on: req.db).filter(\.$kpi.$id ~~ kpis.compactMap(\.id))
            .sort(\.$at, .descending).limit(50).all()
        let decisions = try await RakerDecision.query(on: req.db).filter(\.$programmeID == p.requireID()).with(\.$meeting).all()
            .filter { policy.canRead($0.meeting.orgPath) }
        return ProgrammeDetail(
            programme: try await dto(p, kpis: kpis), derivedFrom: parent, derived: derived,
            updates: updates.map { KPIUpdateDTO(kpiName: names[$0.$kpi.id] ?? "", actual: $0.actual, note: $0.note, onDate: $0.onDate, username: $0.username) },
            decisions: decisions.map { DecisionDTO(id: $0.id!, meetingID: $0.meeting.id!, meetingTitle: $0.meeting.title, number: $0.number, text: $0.text,
                                                   programmeID: $0.programmeID, programmeTitle: p.title) })
    }

    // MARK: Raker

    func rakerDTO(_ m: RakerMeeting) async throws -> RakerDTO {
        let decisions = try await RakerDecision.query(on: req.db).filter(\.$meeting.$id == m.requireID()).sort(\.$number).all()
        let pids = decisions.compactMap(\.programmeID)
        let titles = pids.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Programme.query(on: req.db).filter(\.$id ~~ pids).all().map { ($0.id!, $0.title) })
        let policy = req.programmePolicy
        return RakerDTO(id: m.id!, unitName: try await req.levelLabels().displayName(of: try await m.$orgUnit.get(on: req.db)), year: m.year,
                        stage: m.stage, stageLabel: m.rakerStage.label, title: m.title, heldOn: m.heldOn, venue: m.venue,
                        participants: m.participants, notes: m.notes, inherited: policy.isInherited(m.orgPath), canManage: policy.canManage(m.orgPath),
                        decisions: decisions.map { DecisionDTO(id: $0.id!, meetingID: m.id!, meetingTitle: m.title, number: $0.number, text: $0.text,
                                                               programmeID: $0.programmeID, programmeTitle: $0.programmeID.flatMap { titles[$0] }) })
    }

    func meetings() async throws -> [RakerDTO] {
        try req.requireAnywhere(.viewProgrammes, "Anda tidak berwenang membuka Raker.")
        var out: [RakerDTO] = []
        for m in try await req.programmePolicy.visible(RakerMeeting.query(on: req.db)).sort(\.$year, .descending).sort(\.$heldOn).limit(200).all() {
            out.append(try await rakerDTO(m))
        }
        return out
    }

    func meeting(_ id: UUID?) async throws -> RakerMeeting {
        _ = try req.requireUser()
        guard let id, let m = try await RakerMeeting.find(id, on: req.db) else { throw Abort(.notFound, reason: "Rapat tidak ditemukan.") }
        try req.programmePolicy.requireRead(m.orgPath)
        return m
    }

    func createMeeting(_ form: RakerForm) async throws -> RakerMeeting {
        try req.requireAnywhere(.managePrograms, "Anda tidak berwenang mencatat Raker.")
        let unit = try await unit(form.unitID, label: "Unit penyelenggara")
        var errors = FormErrors()
        let year = Int((form.year ?? "").trimmingCharacters(in: .whitespaces))
        if year == nil || !(2000...2100).contains(year!) { errors.add("year", "Tahun Raker wajib diisi, misalnya 2026.") }
        let stage = RakerStage(rawValue: form.stage ?? "")
        if stage == nil { errors.add("stage", "Jenis rapat wajib dipilih: pra-Raker atau Raker.") }
        let title = errors.required(form.title, field: "title", label: "Nama rapat", max: 160)
        let held = Campaigns.date(form.heldOn, field: "heldOn", label: "Tanggal rapat", required: true, errors: &errors)
        let venue = errors.optional(form.venue, field: "venue", label: "Tempat", max: 160) ?? ""
        let participants = Self.number(form.participants, field: "participants", label: "Jumlah peserta", required: false, errors: &errors) ?? 0
        let notes = errors.optional(form.notes, field: "notes", label: "Catatan", max: 4000) ?? ""
        try errors.throwIfAny()
        let m = RakerMeeting()
        m.$orgUnit.id = try unit.requireID()
        m.scope = unit.path
        m.year = year!
        m.stage = stage!.rawValue
        m.title = title
        m.heldOn = held!.iso8601
        m.venue = venue
        m.participants = Int(participants)
        m.notes = notes
        try await m.create(on: req.db)
        try await req.audit.record("raker.create", entity: "raker_meeting", id: m.id?.uuidString, scope: m.scope, detail: title)
        return m
    }

    func addDecision(to m: RakerMeeting, _ form: RakerDecisionForm) async throws -> RakerDecision {
        let user = try req.requireUser()
        try req.programmePolicy.requireManage(m.orgPath)
        var errors = FormErrors()
        let text = errors.required(form.text, field: "text", label: "Isi keputusan", max: 2000)
        var programmeID: UUID?
        if let raw = form.programmeID?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            // A decision adopts a programme of the meeting's own unit or one below it.
            if let id = UUID(uuidString: raw), let p = try await Programme.find(id, on: req.db), m.orgPath.contains(p.orgPath),
               req.programmePolicy.canRead(p.orgPath) {
                programmeID = id
            } else {
                errors.add("programmeID", "Program tidak ditemukan di unit penyelenggara rapat.")
            }
        }
        try errors.throwIfAny()
        let adopted = programmeID
        return try await req.db.transaction { db -> RakerDecision in
            let next = (try await RakerDecision.query(on: db).filter(\.$meeting.$id == m.requireID()).max(\.$number) ?? 0) + 1
            let d = RakerDecision()
            d.$meeting.id = try m.requireID()
            d.scope = m.scope
            d.number = next
            d.text = text
            d.programmeID = adopted
            d.username = user.username
            d.at = Date()
            try await d.create(on: db)
            try await req.audit.record("raker.decision", entity: "raker_decision", id: d.id?.uuidString, scope: m.scope, detail: text, on: db)
            return d
        }
    }

    /// Progress of the user's own programmes (not inherited) as bars, coloured by pace.
    static func chart(_ programmes: [ProgrammeDTO]) -> String? {
        let own = programmes.filter { !$0.inherited && $0.status == .active && $0.progress != nil }.prefix(20)
        guard !own.isEmpty else { return nil }
        return ChartDrawing.bars(own.map { p in
            let tone: ChartBar.Tone = switch p.pace {
            case .behind: .bad
            case .ahead: .ok
            case .onTrack: .normal
            case .notStarted: .muted
            }
            return ChartBar(label: "\(p.title) · \(p.unitName)", value: Int64(p.progress ?? 0), valueText: "\(p.progress ?? 0)%", tone: tone,
                            marker: Int64(p.expected))
        }, title: "Capaian program (garis: seharusnya menurut jadwal)", scaleMax: 100)
    }
}
