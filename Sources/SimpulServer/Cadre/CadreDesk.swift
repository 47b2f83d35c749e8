import Fluent
import SQLKit
import SimpulCore
import Vapor

/// One member's place on the ladder and what still stands before the next rung.
struct CadreStandingDTO: Content {
    let personID: UUID
    let fullName: String
    let memberNumber: String?
    let scope: String
    let level: Int
    let levelLabel: String
    /// ISO date the current rung was reached.
    let since: String
    /// "26 November 2026".
    let sinceText: String
    let trainings: Int
    let contribution: Int
    let nextLabel: String?
    let ready: Bool
    let shortfalls: [String]
}

struct LadderRung: Content {
    let level: Int
    let label: String
    let requirement: String?
    let count: Int
}

struct LadderOverview: Content {
    let unitID: UUID
    let unitName: String
    let rungs: [LadderRung]
    let readyCount: Int
    /// Cadres (Pratama and above) per unit one level down.
    let children: [ChildCount]

    struct ChildCount: Content {
        let unitID: UUID
        let name: String
        let members: Int
        let cadres: Int
    }
}

struct CadreRecordDTO: Content {
    struct Promotion: Content {
        let fromLabel: String
        let toLabel: String
        let on: String
        let reason: String
        let exception: Bool
    }

    struct Contribution: Content {
        let on: String
        let activity: String
        let points: Int
    }

    struct Course: Content {
        let trainingID: UUID
        let title: String
        let tierLabel: String
        let dates: String
        let certificateCode: String?
    }

    let standing: CadreStandingDTO
    let promotions: [Promotion]
    let contributions: [Contribution]
    let trainings: [Course]
}

struct PromotionForm: Content {
    var level: String?
    var reason: String?
    /// "on": promote although requirements are not met (the reason must say why).
    var exception: String?
}

struct ContributionForm: Content {
    var activity: String?
    var points: String?
    var on: String?
}

/// The ladder, cadre records, promotions and contributions.
struct CadreDesk {
    let req: Request
    static let ladder = CadreLadder.standard

    /// The unit asked for (`unit` in the query or form), else the user's first unit where
    /// viewCadre holds; 404 outside the user's scope.
    func unit(_ raw: String?) async throws -> OrgUnit {
        _ = try req.requireUser()
        if let id = raw.flatMap(UUID.init(uuidString:)) {
            guard let unit = try await OrgUnit.find(id, on: req.db) else { throw Abort(.notFound, reason: "Unit tidak ditemukan.") }
            try req.cadrePolicy.requireView(unit.orgPath)
            return unit
        }
        guard let first = try await OfficeChoices.units(req, for: .viewCadre).first else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang melihat data kader.")
        }
        return first
    }

    /// Standings of the active members under `path` (or of one person). Three plain SQL
    /// reads (members with their rung, certificates, contribution sums) and no model
    /// hydration: a DPD lists ten thousand members this way.
    func standings(under path: OrgPath, person: UUID? = nil, today: CivilDate = CivilDate(Date())) async throws -> [CadreStandingDTO] {
        let sql = req.db as! any SQLDatabase
        let match = SubtreeMatch(path, on: req.db)
        var personClause: SQLQueryString = ""
        if let person { personClause = " AND m.person_id = \(bind: person)" }
        let memberSQL: SQLQueryString = """
            SELECT m.person_id AS person_id, p.full_name AS full_name, m.number AS number, m.scope AS scope,
            m.activated_at AS activated_at, m.registered_at AS registered_at, c.level AS level, c.since AS since
            FROM memberships m JOIN people p ON p.id = m.person_id LEFT JOIN cadre_profiles c ON c.person_id = m.person_id
            WHERE m.status = 'active' AND
            """ + " " + match.sql("m.scope") + personClause
        let members = try await sql.raw(memberSQL).all()
        guard !members.isEmpty else { return [] }
        var tiers: [UUID: Set<CadreLevel>] = [:], trainings: [UUID: Int] = [:], points: [UUID: Int] = [:]
        let certificateSQL: SQLQueryString = """
            SELECT tp.person_id AS person_id, t.tier AS tier FROM training_participants tp
            JOIN trainings t ON t.id = tp.training_id JOIN memberships m ON m.person_id = tp.person_id
            WHERE tp.certificate_code IS NOT NULL AND
            """ + " " + match.sql("m.scope") + personClause
        for row in try await sql.raw(certificateSQL).all() {
            let id = try row.decode(column: "person_id", as: UUID.self)
            trainings[id, default: 0] += 1
            if let level = CadreLevel(rawValue: try row.decode(column: "tier", as: Int.self)), level != .anggota { tiers[id, default: []].insert(level) }
        }
        let contributionSQL: SQLQueryString = """
            SELECT c.person_id AS person_id, CAST(SUM(c.points) AS BIGINT) AS points FROM cadre_contributions c
            JOIN memberships m ON m.person_id = c.person_id WHERE
            """ + " " + match.sql("m.scope") + personClause + " GROUP BY c.person_id"
        for row in try await sql.raw(contributionSQL).all() {
            points[try row.decode(column: "person_id", as: UUID.self)] = try row.decode(column: "points", as: Int.self)
        }
        return try members.map { row in
            let id = try row.decode(column: "person_id", as: UUID.self)
            let level = try row.decode(column: "level", as: Int?.self).flatMap(CadreLevel.init(rawValue:)) ?? .anggota
            let activated = try row.decode(column: "activated_at", as: Date?.self) ?? row.decode(column: "registered_at", as: Date.self)
            let since = try row.decode(column: "since", as: String?.self).flatMap(CivilDate.init(iso8601:)) ?? CivilDate(activated)
            let standing = CadreStanding(level: level, since: since, tierTrainings: tiers[id] ?? [], trainings: trainings[id] ?? 0,
                                         contribution: points[id] ?? 0)
            let e = Self.ladder.eligibility(of: standing, today: today)
            return CadreStandingDTO(personID: id, fullName: try row.decode(column: "full_name", as: String.self),
                                    memberNumber: try row.decode(column: "number", as: String?.self), scope: try row.decode(column: "scope", as: String.self),
                                    level: level.rawValue, levelLabel: level.label, since: since.iso8601, sinceText: WIB.longDate(since.iso8601),
                                    trainings: standing.trainings, contribution: standing.contribution,
                                    nextLabel: e.next?.label, ready: e.ready, shortfalls: e.shortfalls.map(\.message))
        }.sorted { ($0.ready ? 0 : 1, -$0.level, $0.fullName) < ($1.ready ? 0 : 1, -$1.level, $1.fullName) }
    }

    func overview(_ unit: OrgUnit) async throws -> (LadderOverview, [CadreStandingDTO]) {
        try req.cadrePolicy.requireView(unit.orgPath)
        let labels = try await req.levelLabels()
        let all = try await standings(under: unit.orgPath)
        let rungs = CadreLevel.allCases.map { level in
            LadderRung(level: level.rawValue, label: level.label, requirement: Self.ladder.requirement(for: level)?.summary,
                       count: all.filter { $0.level == level.rawValue }.count)
        }
        let children = try await OrgUnit.query(on: req.db).filter(\.$parent.$id == unit.requireID()).sort(\.$path).all()
        let childCounts = try children.map { child in
            let inside = all.filter { child.orgPath.contains(OrgPath(rawValue: $0.scope)) }
            return LadderOverview.ChildCount(unitID: try child.requireID(), name: labels.displayName(of: child), members: inside.count,
                                             cadres: inside.filter { $0.level >= CadreLevel.pratama.rawValue }.count)
        }
        return (LadderOverview(unitID: try unit.requireID(), unitName: labels.displayName(of: unit), rungs: rungs,
                               readyCount: all.filter(\.ready).count, children: childCounts), all)
    }

    /// The active membership behind a cadre record; 404 when there is none or it is out of scope.
    func member(_ personID: UUID?) async throws -> Membership {
        _ = try req.requireUser()
        guard let personID, let m = try await Membership.query(on: req.db).filter(\.$person.$id == personID).filter(\.$status == .active).first() else {
            throw Abort(.notFound, reason: "Anggota aktif tidak ditemukan.")
        }
        try req.cadrePolicy.requireView(OrgPath(rawValue: m.scope))
        return m
    }

    func record(_ m: Membership) async throws -> CadreRecordDTO {
        let id = m.$person.id
        guard let standing = try await standings(under: OrgPath(rawValue: m.scope), person: id).first else {
            throw Abort(.notFound, reason: "Anggota aktif tidak ditemukan.")
        }
        let promotions = try await CadrePromotion.query(on: req.db).filter(\.$person.$id == id).sort(\.$on, .descending).all().map {
            CadreRecordDTO.Promotion(fromLabel: (CadreLevel(rawValue: $0.fromLevel) ?? .anggota).label, toLabel: (CadreLevel(rawValue: $0.toLevel) ?? .anggota).label,
                                     on: WIB.longDate($0.on), reason: $0.reason, exception: $0.exception)
        }
        let contributions = try await CadreContribution.query(on: req.db).filter(\.$person.$id == id).sort(\.$on, .descending).all().map {
            CadreRecordDTO.Contribution(on: WIB.longDate($0.on), activity: $0.activity, points: $0.points)
        }
        let courses = try await TrainingParticipant.query(on: req.db).filter(\.$person.$id == id).with(\.$training).all()
            .sorted { $0.training.startsOn > $1.training.startsOn }
            .map { p in
                CadreRecordDTO.Course(trainingID: p.$training.id, title: p.training.title, tierLabel: p.training.level?.trainingLabel ?? "Pelatihan tematik",
                                      dates: Trainings.dates(p.training), certificateCode: p.certificateCode)
            }
        return CadreRecordDTO(standing: standing, promotions: promotions, contributions: contributions, trainings: courses)
    }

    /// Raises a member one rung. The requirements must be met, or the official ticks
    /// "exception" and the reason says why; either way the reason is recorded.
    func promote(_ m: Membership, form: PromotionForm) async throws {
        let user = try req.requireUser()
        try req.cadrePolicy.requireManage(OrgPath(rawValue: m.scope))
        let record = try await record(m)
        var errors = FormErrors()
        let reason = errors.required(form.reason, field: "reason", label: "Alasan / dasar keputusan", max: 500)
        let current = CadreLevel(rawValue: record.standing.level) ?? .anggota
        guard let next = current.next else {
            throw ValidationFailure(errors: [FieldError(field: "level", message: "\(current.label) adalah jenjang tertinggi.")])
        }
        if let raw = form.level, !raw.isEmpty, CadreLevel(text: raw) != next {
            errors.add("level", "Kenaikan hanya satu jenjang: dari \(current.label) ke \(next.label).")
        }
        let exception = RegistrationForm.ticked(form.exception)
        if !record.standing.ready && !exception {
            errors.add("exception", "Syarat \(next.label) belum terpenuhi (\(record.standing.shortfalls.joined(separator: " "))) Centang pengecualian bila tetap dinaikkan, dan tulis alasannya.")
        }
        try errors.throwIfAny()
        let today = CivilDate(Date()).iso8601
        try await req.db.transaction { db in
            let profile = try await CadreProfile.query(on: db).filter(\.$person.$id == m.$person.id).first() ?? {
                let p = CadreProfile()
                p.$person.id = m.$person.id
                return p
            }()
            profile.level = next.rawValue
            profile.since = today
            if profile.cadreSince == nil && next >= .pratama { profile.cadreSince = today }
            profile.scope = m.scope
            try await profile.save(on: db)
            let p = CadrePromotion()
            p.$person.id = m.$person.id
            p.fromLevel = current.rawValue
            p.toLevel = next.rawValue
            p.on = today
            p.reason = reason
            p.exception = exception && !record.standing.ready
            p.decidedBy = try user.requireID()
            p.scope = m.scope
            try await p.create(on: db)
            try await PersonEvent(personID: m.$person.id, module: "cadre", kind: "cadre.promoted",
                                  summary: "Naik jenjang dari \(current.label) menjadi \(next.label)" + (p.exception ? " (pengecualian)" : "") + ": \(reason)",
                                  actorID: user.id, scope: m.scope).create(on: db)
            try await req.audit.record("cadre.promote", entity: "person", id: m.$person.id.uuidString, scope: m.scope,
                                       detail: "\(current.label) → \(next.label)" + (p.exception ? " (pengecualian)" : ""), on: db)
        }
    }

    func addContribution(_ m: Membership, form: ContributionForm) async throws {
        let user = try req.requireUser()
        try req.cadrePolicy.requireManage(OrgPath(rawValue: m.scope))
        var errors = FormErrors()
        let activity = errors.required(form.activity, field: "activity", label: "Kegiatan", max: 200)
        let rawPoints = (form.points ?? "").trimmingCharacters(in: .whitespaces)
        let points = Int(rawPoints)
        if points == nil || !(1...50).contains(points!) { errors.add("points", "Poin harus bilangan bulat 1 sampai 50.") }
        let today = CivilDate(Date())
        let on = Campaigns.date(form.on, field: "on", label: "Tanggal kegiatan", required: false, errors: &errors) ?? today
        if on > today { errors.add("on", "Tanggal kegiatan tidak boleh di masa depan.") }
        try errors.throwIfAny()
        let c = CadreContribution()
        c.$person.id = m.$person.id
        c.on = on.iso8601
        c.activity = activity
        c.points = points ?? 0
        c.recordedBy = try user.requireID()
        c.scope = m.scope
        try await c.create(on: req.db)
        try await req.audit.record("cadre.contribution", entity: "person", id: m.$person.id.uuidString, scope: m.scope, detail: "\(c.points) poin: \(activity)")
    }
}
