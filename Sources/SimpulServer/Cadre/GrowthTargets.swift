import Fluent
import SQLKit
import SimpulCore
import Vapor

struct GrowthTargetForm: Content {
    var unitID: String?
    var title: String?
    /// "cadres" or "members".
    var measure: String?
    var percent: String?
    var startsOn: String?
    var deadline: String?
}

struct GrowthProgress: Content {
    let unitID: UUID
    let unitName: String
    let baseline: Int
    let target: Int
    let current: Int
    let forecast: Int
    let percentDone: Int
    /// Where the plan line stands today.
    let planToday: Int
    let neededPerMonth: String
    let verdict: GrowthForecast.Verdict
    let verdictLabel: String
    let tone: String
}

struct GrowthTargetDTO: Content {
    let id: UUID
    let title: String
    let measure: String
    let measureLabel: String
    let percent: Int
    let startsOn: String
    let deadline: String
    let period: String
    let overall: GrowthProgress
    let children: [GrowthProgress]
}

/// Growth targets per unit: counts are read from the dates already kept — a cadre counts
/// from the day of the first promotion to Kader Pratama, an active member from the day of
/// activation — so no snapshot table is needed and history is there from the first day.
/// A member who left since is not counted on earlier days either (the counts describe
/// today's membership), which the page says.
struct GrowthTargets {
    let req: Request

    /// Day on which each counted person entered, per org path, under `path`.
    func entries(_ measure: GrowthTarget.Measure, under path: OrgPath) async throws -> [(scope: String, day: CivilDate)] {
        switch measure {
        case .cadres:
            return try await CadreProfile.query(on: req.db).within(\.$scope, path).filter(\.$cadreSince != nil).all()
                .compactMap { p in p.cadreSince.flatMap(CivilDate.init(iso8601:)).map { (p.scope, $0) } }
        case .members:
            return try await Membership.query(on: req.db).within(\.$scope, path).filter(\.$status == .active).all()
                .map { ($0.scope, CivilDate($0.activatedAt ?? $0.registeredAt)) }
        }
    }

    /// "12", "2,5", "< 0,1" (Indonesian decimal comma).
    static func perMonth(_ value: Double) -> String {
        if value <= 0 { return "0" }
        if value < 0.1 { return "< 0,1" }
        return (value >= 10 ? String(Int(value.rounded())) : String(format: "%.1f", value)).replacingOccurrences(of: ".", with: ",")
    }

    func create(_ form: GrowthTargetForm) async throws -> GrowthTarget {
        let user = try req.requireAnywhere(.manageCadre, "Anda tidak berwenang menetapkan target.")
        guard let id = form.unitID.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(id, on: req.db) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "Unit wajib dipilih.")])
        }
        try req.cadrePolicy.requireManage(unit.orgPath)
        var errors = FormErrors()
        let title = errors.required(form.title, field: "title", label: "Nama target", max: 160)
        let measure = GrowthTarget.Measure(rawValue: form.measure ?? "")
        if measure == nil { errors.add("measure", "Yang dihitung wajib dipilih: kader atau anggota aktif.") }
        let percent = Int((form.percent ?? "").trimmingCharacters(in: .whitespaces))
        if percent == nil || !(1...1000).contains(percent!) { errors.add("percent", "Kenaikan harus bilangan bulat 1 sampai 1000 (persen).") }
        let today = CivilDate(Date())
        let start = Campaigns.date(form.startsOn, field: "startsOn", label: "Tanggal mulai", required: false, errors: &errors) ?? today
        if start > today { errors.add("startsOn", "Tanggal mulai tidak boleh di masa depan: angka awal dihitung pada hari itu.") }
        let deadline = Campaigns.date(form.deadline, field: "deadline", label: "Batas waktu", required: true, errors: &errors)
        if let deadline, deadline.daysSinceEpoch - start.daysSinceEpoch < 30 { errors.add("deadline", "Batas waktu paling cepat 30 hari setelah tanggal mulai.") }
        var baseline = 0
        if let measure {
            baseline = try await entries(measure, under: unit.orgPath).filter { $0.day <= start }.count
            if baseline == 0 && errors.message(for: "startsOn") == nil {
                errors.add("startsOn", "Pada \(WIB.longDate(start.iso8601)) belum ada \(measure == .cadres ? "kader" : "anggota aktif") di unit ini, jadi kenaikan persen tidak dapat dihitung. Pilih tanggal mulai yang lebih baru atau ukuran lain.")
            }
        }
        try errors.throwIfAny()
        let t = GrowthTarget()
        t.$orgUnit.id = try unit.requireID()
        t.scope = unit.path
        t.title = title
        t.measure = measure!.rawValue
        t.percent = percent!
        t.startsOn = start.iso8601
        t.deadline = deadline!.iso8601
        t.baseline = baseline
        t.target = GrowthForecast.target(baseline: baseline, percent: percent!)
        t.createdBy = try user.requireID()
        try await t.create(on: req.db)
        try await req.audit.record("cadre.target", entity: "growth_target", id: t.id?.uuidString, scope: t.scope,
                                   detail: "\(title): \(baseline) → \(t.target)")
        return t
    }

    func find(_ id: UUID?) async throws -> GrowthTarget {
        _ = try req.requireUser()
        guard let id, let t = try await GrowthTarget.find(id, on: req.db) else { throw Abort(.notFound, reason: "Target tidak ditemukan.") }
        try req.cadrePolicy.requireView(t.orgPath)
        return t
    }

    func list(unit: OrgUnit?) async throws -> [GrowthTargetDTO] {
        try req.requireAnywhere(.viewCadre, "Anda tidak berwenang melihat target.")
        var q = req.cadrePolicy.visible(GrowthTarget.query(on: req.db))
        if let unit { q = q.within(\.$scope, unit.orgPath) }
        var out: [GrowthTargetDTO] = []
        for t in try await q.sort(\.$deadline).all() { out.append(try await dto(t, children: false).0) }
        return out
    }

    private func progress(unit: OrgUnit, name: String, baseline: Int, target: Int, days: [CivilDate], t: GrowthTarget, today: CivilDate) throws -> GrowthProgress {
        let start = CivilDate(iso8601: t.startsOn)!, deadline = CivilDate(iso8601: t.deadline)!
        let f = GrowthForecast(baseline: baseline, target: target, current: days.filter { $0 <= today }.count, start: start, deadline: deadline, today: today)
        let tone: String
        switch f.verdict {
        case .reached, .onTrack: tone = "ok"
        case .behind, .missed: tone = "bad"
        case .tooEarly, .noBaseline: tone = "muted"
        }
        return GrowthProgress(unitID: try unit.requireID(), unitName: name, baseline: baseline, target: target, current: f.current,
                              forecast: f.forecast, percentDone: f.percentDone, planToday: Int(f.plan(on: today).rounded()),
                              neededPerMonth: Self.perMonth(f.neededPerMonth),
                              verdict: f.verdict, verdictLabel: f.verdict.label, tone: tone)
    }

    /// The target's progress overall and (with `children`) per unit one level down, whose
    /// targets are the same percentage on their own start counts; plus the chart.
    func dto(_ t: GrowthTarget, children withChildren: Bool = true, today: CivilDate = CivilDate(Date())) async throws -> (GrowthTargetDTO, String) {
        let labels = try await req.levelLabels()
        let unit = try await t.$orgUnit.get(on: req.db)
        let rows = try await entries(t.kind, under: t.orgPath)
        let start = CivilDate(iso8601: t.startsOn)!, deadline = CivilDate(iso8601: t.deadline)!
        let overall = try progress(unit: unit, name: labels.displayName(of: unit), baseline: t.baseline, target: t.target,
                                   days: rows.map(\.day), t: t, today: today)
        var children: [GrowthProgress] = []
        if withChildren {
            for child in try await OrgUnit.query(on: req.db).filter(\.$parent.$id == unit.requireID()).sort(\.$path).all() {
                let days = rows.filter { child.orgPath.contains(OrgPath(rawValue: $0.scope)) }.map(\.day)
                let baseline = days.filter { $0 <= start }.count
                children.append(try progress(unit: child, name: labels.displayName(of: child), baseline: baseline,
                                             target: GrowthForecast.target(baseline: baseline, percent: t.percent), days: days, t: t, today: today))
            }
        }
        let dto = GrowthTargetDTO(id: try t.requireID(), title: t.title, measure: t.measure, measureLabel: t.kind.label, percent: t.percent,
                                  startsOn: t.startsOn, deadline: t.deadline, period: "\(WIB.longDate(t.startsOn)) – \(WIB.longDate(t.deadline))",
                                  overall: overall, children: children)
        return (dto, chart(t, days: rows.map(\.day).sorted(), start: start, deadline: deadline, today: today, overall: overall))
    }

    /// Actual count at each month's start (and today) against the straight line from the
    /// start count to the target, with the forecast as a dotted line to the deadline.
    func chart(_ t: GrowthTarget, days: [CivilDate], start: CivilDate, deadline: CivilDate, today: CivilDate, overall: GrowthProgress) -> String {
        let total = deadline.daysSinceEpoch - start.daysSinceEpoch
        func count(on day: CivilDate) -> Double { Double(days.prefix { $0 <= day }.count) }
        var actual: [(x: Int, y: Double)] = []
        var labels: [(x: Int, text: String)] = []
        var cursor = CivilDate(year: start.year, month: start.month, day: 1)!
        let end = min(today, deadline)
        actual.append((0, Double(t.baseline)))
        while true {
            cursor = cursor.month == 12 ? CivilDate(year: cursor.year + 1, month: 1, day: 1)! : CivilDate(year: cursor.year, month: cursor.month + 1, day: 1)!
            if cursor > deadline { break }
            let x = cursor.daysSinceEpoch - start.daysSinceEpoch
            if cursor.month == 1 || cursor.month == 7 { labels.append((x, "\(WIB.monthNames[cursor.month - 1].prefix(3)) \(cursor.year % 100)")) }
            if cursor <= end { actual.append((x, count(on: cursor))) }
        }
        if end > start { actual.append((end.daysSinceEpoch - start.daysSinceEpoch, count(on: end))) }
        var series = [ChartSeries(label: "Rencana", points: [(0, Double(t.baseline)), (total, Double(t.target))], tone: .muted, stroke: .dashed),
                      ChartSeries(label: "Capaian", points: actual, tone: .normal)]
        if today < deadline, today > start {
            series.append(ChartSeries(label: "Perkiraan", points: [(today.daysSinceEpoch - start.daysSinceEpoch, Double(overall.current)), (total, Double(overall.forecast))],
                                      tone: overall.tone == "bad" ? .bad : .ok, stroke: .dotted))
        }
        return ChartDrawing.lines(series, title: "\(t.title): capaian dan rencana", days: total, xLabels: labels, goal: Double(t.target))
    }
}

extension Request {
    var growthTargets: GrowthTargets { GrowthTargets(req: self) }
}
