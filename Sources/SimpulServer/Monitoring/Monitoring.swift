import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Situation reports and literacy activities belong to a unit; they are read with
/// viewMonitoring there (subtree: never a neighbouring kelurahan), filed with
/// reportSituation and verified with verifySituation.
struct MonitoringPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ r: SituationReport) throws { try require(.viewMonitoring, at: r.orgPath, visibleWith: .viewMonitoring) }
    func requireVerify(_ r: SituationReport) throws { try require(.verifySituation, at: r.orgPath, visibleWith: .viewMonitoring) }
    func canVerify(_ r: SituationReport) -> Bool { access.allows(.verifySituation, at: r.orgPath) }
    func canView(_ path: OrgPath) -> Bool { access.allows(.viewMonitoring, at: path) }
    func visible<M: Model>(_ q: QueryBuilder<M>) -> QueryBuilder<M> { scopeFilter(q, column: "scope", for: .viewMonitoring) }
}

extension Request {
    var monitoringPolicy: MonitoringPolicy { MonitoringPolicy(access: access) }
    var monitoring: Monitoring { Monitoring(req: self) }
}

struct SituationForm: Content {
    var regionCode: String?
    var category: String?
    var severity: String?
    var source: String?
    var sourceURL: String?
    var summary: String?
    var details: String?
    var occurredOn: String?
}

struct VerificationForm: Content {
    var status: String?
    var note: String?
}

struct LiteracyForm: Content {
    var unitID: String?
    var title: String?
    var format: String?
    var partner: String?
    var heldOn: String?
    var reachInPerson: String?
    var reachOnline: String?
    var firstTimeVoters: String?
    var notes: String?
}

struct SituationDTO: Content {
    let id: UUID
    let regionCode: String
    let kelurahan: String
    let category: SituationCategory
    let categoryLabel: String
    let severity: Int
    let severityLabel: String
    let source: SituationSource
    let sourceLabel: String
    let sourceURL: String
    let summary: String
    let details: String
    let occurredOn: String
    let status: VerificationStatus
    let statusLabel: String
    let verifiedBy: String?
    let verificationNote: String
    let reportedBy: String
    let canVerify: Bool
}

struct RiskCell: Content {
    let regionCode: String
    let name: String
    let level: RiskLevel
    let levelLabel: String
    let css: String
    let score: Int
    let reports: Int
}

struct RiskDistrict: Content {
    let code: String
    let name: String
    let cells: [RiskCell]
}

struct RiskView: Content {
    let districts: [RiskDistrict]
    /// Kelurahan per level, calm first.
    let levels: [LevelCount]
    let asOf: String

    struct LevelCount: Content {
        let label: String
        let css: String
        let count: Int
    }
}

struct LiteracyDTO: Content {
    let id: UUID
    let unitName: String
    let title: String
    let format: LiteracyActivity.Format
    let formatLabel: String
    let partner: String
    let heldOn: String
    let reachInPerson: Int
    let reachOnline: Int
    let firstTimeVoters: Int
    let notes: String
}

struct ParticipationView: Content {
    struct Election: Content {
        let name: String
        let year: Int
        let registered: Int
        let voters: Int
        let percentText: String
        let hasData: Bool
    }
    struct AreaRow: Content {
        let code: String
        let name: String
        /// One per election, "—" when missing.
        let percents: [String]
        let changeText: String
        let falling: Bool
    }
    struct Series: Content {
        let body: String
        let bodyLabel: String
        let elections: [Election]
        let areas: [AreaRow]
        let changeText: String
        let chart: String?
        /// What is missing, said plainly.
        let missing: [String]
    }
    let series: [Series]
}

struct Monitoring {
    let req: Request

    static func categoryOptions(_ selected: String?) -> [SelectOption] {
        SituationCategory.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }

    func villageNames(_ codes: [String]) async throws -> [String: String] {
        guard !codes.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await Region.query(on: req.db).filter(\.$id ~~ Array(Set(codes))).all().map { ($0.id!, $0.name) })
    }

    func dtos(_ rows: [SituationReport]) async throws -> [SituationDTO] {
        let names = try await villageNames(rows.map(\.regionCode))
        let policy = req.monitoringPolicy
        return rows.map { r in
            SituationDTO(id: r.id!, regionCode: r.regionCode, kelurahan: names[r.regionCode] ?? r.regionCode, category: r.category, categoryLabel: r.category.label,
                         severity: r.severity, severityLabel: r.level.label, source: r.source, sourceLabel: r.source.label, sourceURL: r.sourceURL,
                         summary: r.summary, details: r.details, occurredOn: r.occurredOn, status: r.status, statusLabel: r.status.label,
                         verifiedBy: r.verifiedBy, verificationNote: r.verificationNote, reportedBy: r.reportedBy, canVerify: policy.canVerify(r))
        }
    }

    func reports(status: String? = nil, regionCode: String? = nil, limit: Int = 200) async throws -> [SituationDTO] {
        try req.requireAnywhere(.viewMonitoring, "Anda tidak berwenang membuka laporan situasi.")
        let q = req.monitoringPolicy.visible(SituationReport.query(on: req.db))
        if let s = status.flatMap(VerificationStatus.init(rawValue:)) { q.filter(\.$status == s) }
        if let regionCode, !regionCode.isEmpty { q.filter(\.$regionCode == regionCode) }
        return try await dtos(q.sort(\.$occurredOn, .descending).sort(\.$createdAt, .descending).limit(limit).all())
    }

    func find(_ id: UUID?) async throws -> SituationReport {
        _ = try req.requireUser()
        guard let id, let r = try await SituationReport.find(id, on: req.db) else { throw Abort(.notFound, reason: "Laporan tidak ditemukan.") }
        try req.monitoringPolicy.requireView(r)
        return r
    }

    /// Kelurahan of the branch the user may file reports for (or view), by kecamatan.
    func villages(for permission: Permission, selected: String?) async throws -> [MembershipController.DistrictOption] {
        let all = try await MembershipController().villageOptions(req, selected: selected)
        return all.map { d in
            .init(name: d.name, villages: d.villages.filter { req.access.allows(permission, at: OrgPath(regionCode: $0.value)) })
        }.filter { !$0.villages.isEmpty }
    }

    func file(_ form: SituationForm) async throws -> SituationReport {
        let user = try req.requireAnywhere(.reportSituation, "Anda tidak berwenang mencatat laporan situasi.")
        var errors = FormErrors()
        let code = (form.regionCode ?? "").trimmingCharacters(in: .whitespaces)
        var unit: OrgUnit?
        if code.isEmpty { errors.add("regionCode", "Kelurahan wajib dipilih.") }
        else if let region = try await Region.find(code, on: req.db), region.level == .village {
            unit = try await OrgQueries.unit(at: OrgPath(regionCode: code), on: req.db)
            if unit == nil || !req.access.allows(.reportSituation, at: OrgPath(regionCode: code)) {
                errors.add("regionCode", "Kelurahan \(region.name) di luar wilayah tugas Anda.")
            }
        } else { errors.add("regionCode", "Kelurahan tidak dikenal.") }
        let category = SituationCategory(rawValue: form.category ?? "")
        if category == nil { errors.add("category", "Kategori wajib dipilih.") }
        let severity = Int(form.severity ?? "").flatMap(SituationSeverity.init(rawValue:))
        if severity == nil { errors.add("severity", "Tingkat keparahan wajib dipilih: rendah, sedang, tinggi atau kritis.") }
        let source = SituationSource(rawValue: form.source ?? "")
        if source == nil { errors.add("source", "Sumber informasi wajib dipilih.") }
        let url = errors.optional(form.sourceURL, field: "sourceURL", label: "Tautan sumber", max: 500) ?? ""
        if !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) { errors.add("sourceURL", "Tautan sumber harus diawali https://.") }
        if let source, [.socialMedia, .press].contains(source), url.isEmpty {
            errors.add("sourceURL", "Tautan unggahan atau berita wajib diisi untuk sumber \(source.label.lowercased()).")
        }
        let summary = errors.required(form.summary, field: "summary", label: "Ringkasan", max: 200)
        let details = errors.optional(form.details, field: "details", label: "Uraian", max: 4000) ?? ""
        let day = Campaigns.date(form.occurredOn, field: "occurredOn", label: "Tanggal kejadian", required: false, errors: &errors) ?? CivilDate(Date())
        if day > CivilDate(Date()) { errors.add("occurredOn", "Tanggal kejadian tidak boleh di masa depan.") }
        try errors.throwIfAny()
        let r = SituationReport()
        r.$orgUnit.id = try unit!.requireID()
        r.scope = unit!.path
        r.regionCode = code
        r.category = category!
        r.severity = severity!.rawValue
        r.source = source!
        r.sourceURL = url
        r.summary = summary
        r.details = details
        r.occurredOn = day.iso8601
        r.status = .unverified
        r.verificationNote = ""
        r.reportedBy = user.username
        r.createdAt = Date()
        try await r.create(on: req.db)
        try await req.audit.record("situation.report", entity: "situation_report", id: r.id?.uuidString, scope: r.scope,
                                   detail: "\(r.category.label), \(r.level.label): \(summary)")
        return r
    }

    func verify(_ r: SituationReport, _ form: VerificationForm) async throws {
        let user = try req.requireUser()
        try req.monitoringPolicy.requireVerify(r)
        var errors = FormErrors()
        let status = VerificationStatus(rawValue: form.status ?? "")
        if status == nil || status == .unverified { errors.add("status", "Pilih hasil verifikasi: terverifikasi atau tidak terbukti.") }
        let note = errors.required(form.note, field: "note", label: "Catatan verifikasi", max: 1000)
        try errors.throwIfAny()
        r.status = status!
        r.verifiedBy = user.username
        r.verifiedAt = Date()
        r.verificationNote = note
        try await r.update(on: req.db)
        try await req.audit.record("situation.verify", entity: "situation_report", id: r.id?.uuidString, scope: r.scope, detail: "\(status!.label): \(note)")
    }

    /// Conflict risk of every kelurahan of the branch the user may see, from the last 90
    /// days of reports (ConflictRisk).
    func risk(today: CivilDate = CivilDate(Date())) async throws -> RiskView {
        _ = try req.requireUser()
        let since = today.adding(days: -ConflictRisk.windowDays).iso8601
        // One row per kelurahan, severity, status and day with its count: the score is a sum,
        // so the database adds up and only a few hundred rows travel (5,000 reports: one query).
        struct Group: Decodable {
            let region_code: String
            let severity: Int
            let status: String
            let occurred_on: String
            let n: Int
        }
        var groups: [Group] = []
        let roots = req.access.roots(for: .viewMonitoring)
        if !roots.isEmpty {
            let sql = req.db as! any SQLDatabase
            let query = sql.select().column("region_code").column("severity").column("status").column("occurred_on")
                .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from(SituationReport.schema)
                .where("occurred_on", .greaterThanOrEqual, since)
            if !roots.contains(.national) {
                query.where(group: { group in
                    for root in roots { group.orWhere(SubtreeMatch(root, on: req.db).sql("scope")) }
                    return group
                })
            }
            groups = try await query.groupBy("region_code").groupBy("severity").groupBy("status").groupBy("occurred_on").all(decoding: Group.self)
        }
        let byVillage = Dictionary(grouping: groups, by: \.region_code)
        var districts: [RiskDistrict] = []
        var tally: [RiskLevel: Int] = [:]
        for d in try await villages(for: .viewMonitoring, selected: nil) {
            let cells = d.villages.map { v -> RiskCell in
                let rows = byVillage[v.value] ?? []
                var score = 0
                var reports = 0
                for g in rows {
                    let status = VerificationStatus(rawValue: g.status) ?? .unverified
                    let signal = ConflictRisk.Signal(severity: SituationSeverity(rawValue: g.severity) ?? .low, status: status,
                                                     ageDays: today.daysSinceEpoch - (CivilDate(iso8601: g.occurred_on) ?? today).daysSinceEpoch)
                    score += ConflictRisk.score([signal]) * g.n
                    if status != .rejected { reports += g.n }
                }
                let level = ConflictRisk.level(score: score)
                tally[level, default: 0] += 1
                return RiskCell(regionCode: v.value, name: v.label, level: level, levelLabel: level.label, css: level.css, score: score,
                                reports: reports)
            }
            districts.append(RiskDistrict(code: String(d.villages.first?.value.prefix(8) ?? ""), name: d.name, cells: cells))
        }
        return RiskView(districts: districts, levels: RiskLevel.allCases.map { .init(label: $0.label, css: $0.css, count: tally[$0] ?? 0) },
                        asOf: today.iso8601)
    }

    static func riskChart(_ view: RiskView) -> String {
        ChartDrawing.bars(zip(RiskLevel.allCases, view.levels).map { level, c in
            let tone: ChartBar.Tone = switch level {
            case .calm: .ok
            case .watch: .muted
            case .alert: .warn
            case .high: .bad
            }
            return ChartBar(label: c.label, value: Int64(c.count), valueText: "\(c.count) kelurahan", tone: tone)
        }, title: "Kelurahan per tingkat kerawanan")
    }

    // MARK: participation

    /// Turnout per election and kecamatan for the areas the user may see, grouped by body
    /// (DPRD Kota 2019 → 2024 …). Works on whatever turnout was imported and says what is missing.
    func participation() async throws -> ParticipationView {
        _ = try req.requireUser()
        // Only elections whose area overlaps what the user may see: an election above the
        // user's unit (DPRD Kota Serang for a DPC) or inside it, never a sibling's.
        let roots = req.access.roots(for: .viewMonitoring)
        let elections = try await Election.query(on: req.db).sort(\.$year).all().filter { e in
            roots.contains { $0.rawValue.hasPrefix(e.scope) || e.scope.hasPrefix($0.rawValue) }
        }
        let home = try await Setting.value(BranchSettings.homeRegionKey, on: req.db) ?? BranchSettings.defaultHomeRegion
        let districts = try await Region.query(on: req.db).filter(\.$parentCode == home).sort(\.$id).all()
            .filter { req.monitoringPolicy.canView(OrgPath(regionCode: $0.id)) || hasVisibleChild($0.id!) }
        var out: [ParticipationView.Series] = []
        for (body, group) in Dictionary(grouping: elections, by: \.body).sorted(by: { $0.key < $1.key }) {
            let sorted = group.sorted { $0.year < $1.year }
            var perElection: [[String: (Int, Int)]] = []
            var missing: [String] = []
            for e in sorted {
                let rows = try await AreaTurnout.query(on: req.db).filter(\.$electionID == e.requireID()).all()
                var byDistrict: [String: (Int, Int)] = [:]
                for t in rows where req.monitoringPolicy.canView(OrgPath(regionCode: t.regionCode)) {
                    let parts = t.regionCode.split(separator: ".")
                    guard parts.count >= 3 else { continue }
                    let k = parts.prefix(3).joined(separator: ".")
                    let old = byDistrict[k] ?? (0, 0)
                    byDistrict[k] = (old.0 + t.registered, old.1 + t.voters)
                }
                if byDistrict.isEmpty { missing.append("\(e.name): data partisipasi (DPT dan pengguna hak pilih) belum diimpor.") }
                perElection.append(byDistrict)
            }
            let totals: [(Int, Int)] = perElection.map { m in
                var sum = (0, 0)
                for v in m.values { sum = (sum.0 + v.0, sum.1 + v.1) }
                return sum
            }
            let electionsOut = zip(sorted, totals).map { e, t in
                let f = ParticipationTrend.Figure(label: String(e.year), registered: t.0, voters: t.1)
                return ParticipationView.Election(name: e.name, year: e.year, registered: t.0, voters: t.1,
                                                  percentText: f.permille.map(ParticipationTrend.percentText) ?? "—", hasData: f.permille != nil)
            }
            let areas = districts.map { d -> ParticipationView.AreaRow in
                let figures = zip(sorted, perElection).map { e, m in
                    ParticipationTrend.Figure(label: String(e.year), registered: m[d.id!]?.0 ?? 0, voters: m[d.id!]?.1 ?? 0)
                }
                let change = ParticipationTrend.change(figures)
                if figures.allSatisfy({ $0.permille == nil }) == false, figures.contains(where: { $0.permille == nil }), sorted.count > 1 {
                    missing.append("Kecamatan \(d.name): tidak ada data untuk \(zip(sorted, figures).filter { $0.1.permille == nil }.map { String($0.0.year) }.joined(separator: ", ")).")
                }
                return ParticipationView.AreaRow(code: d.id!, name: d.name, percents: figures.map { $0.permille.map(ParticipationTrend.percentText) ?? "—" },
                                                 changeText: change.map(ParticipationTrend.pointsText) ?? "—", falling: (change ?? 0) < 0)
            }
            let figures = electionsOut.map { ParticipationTrend.Figure(label: String($0.year), registered: $0.registered, voters: $0.voters) }
            let withData = electionsOut.filter(\.hasData)
            let chart = withData.isEmpty ? nil : ChartDrawing.columns(withData.map {
                let f = ParticipationTrend.Figure(label: String($0.year), registered: $0.registered, voters: $0.voters)
                return ChartBar(label: String($0.year), value: Int64(f.permille ?? 0), valueText: $0.percentText)
            }, title: "Partisipasi pemilih \(Election.bodyLabels[body] ?? body)")
            out.append(.init(body: body, bodyLabel: Election.bodyLabels[body] ?? body, elections: electionsOut, areas: areas,
                             changeText: ParticipationTrend.change(figures).map(ParticipationTrend.pointsText) ?? "—", chart: chart, missing: missing))
        }
        return ParticipationView(series: out)
    }

    private func hasVisibleChild(_ code: String) -> Bool {
        req.access.roots(for: .viewMonitoring).contains { $0.rawValue.hasPrefix(code + ".") }
    }

    // MARK: literacy

    func literacy() async throws -> [LiteracyDTO] {
        _ = try req.requireUser()
        let rows = try await req.monitoringPolicy.visible(LiteracyActivity.query(on: req.db)).sort(\.$heldOn, .descending).limit(300).all()
        let unitIDs = Array(Set(rows.map { $0.$orgUnit.id }))
        let units = unitIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await OrgUnit.query(on: req.db).filter(\.$id ~~ unitIDs).all().map { ($0.id!, $0) })
        let labels = try await req.levelLabels()
        return rows.map { a in
            LiteracyDTO(id: a.id!, unitName: units[a.$orgUnit.id].map(labels.displayName(of:)) ?? "", title: a.title, format: a.format,
                        formatLabel: a.format.label, partner: a.partner, heldOn: a.heldOn, reachInPerson: a.reachInPerson, reachOnline: a.reachOnline,
                        firstTimeVoters: a.firstTimeVoters, notes: a.notes)
        }
    }

    func addLiteracy(_ form: LiteracyForm) async throws -> LiteracyActivity {
        let user = try req.requireAnywhere(.reportSituation, "Anda tidak berwenang mencatat kegiatan pendidikan politik.")
        let unit = try await req.programmes.unit(form.unitID, label: "Unit penyelenggara", permission: .reportSituation)
        var errors = FormErrors()
        let title = errors.required(form.title, field: "title", label: "Nama kegiatan", max: 160)
        let format = LiteracyActivity.Format(rawValue: form.format ?? "")
        if format == nil { errors.add("format", "Bentuk kegiatan wajib dipilih.") }
        let partner = errors.optional(form.partner, field: "partner", label: "Sekolah / mitra", max: 160) ?? ""
        let day = Campaigns.date(form.heldOn, field: "heldOn", label: "Tanggal", required: true, errors: &errors)
        if let day, day > CivilDate(Date()) { errors.add("heldOn", "Tanggal kegiatan tidak boleh di masa depan: catat jangkauan sesudah kegiatan.") }
        let inPerson = Programmes.number(form.reachInPerson, field: "reachInPerson", label: "Peserta hadir", required: false, errors: &errors) ?? 0
        let online = Programmes.number(form.reachOnline, field: "reachOnline", label: "Jangkauan daring", required: false, errors: &errors) ?? 0
        let firstTime = Programmes.number(form.firstTimeVoters, field: "firstTimeVoters", label: "Pemilih pemula", required: false, errors: &errors) ?? 0
        if inPerson + online == 0 { errors.add("reachInPerson", "Isi jumlah peserta hadir atau jangkauan daring.") }
        if firstTime > inPerson + online { errors.add("firstTimeVoters", "Pemilih pemula tidak boleh lebih dari seluruh peserta.") }
        let notes = errors.optional(form.notes, field: "notes", label: "Catatan", max: 2000) ?? ""
        try errors.throwIfAny()
        let a = LiteracyActivity()
        a.$orgUnit.id = try unit.requireID()
        a.scope = unit.path
        a.title = title
        a.format = format!
        a.partner = partner
        a.heldOn = day!.iso8601
        a.reachInPerson = Int(inPerson)
        a.reachOnline = Int(online)
        a.firstTimeVoters = Int(firstTime)
        a.notes = notes
        a.recordedBy = user.username
        a.createdAt = Date()
        try await a.create(on: req.db)
        try await req.audit.record("literacy.create", entity: "literacy_activity", id: a.id?.uuidString, scope: a.scope, detail: title)
        return a
    }

    /// Reach per month (last twelve months with activities), in person and online.
    static func literacyChart(_ rows: [LiteracyDTO]) -> String? {
        guard !rows.isEmpty else { return nil }
        let byMonth = Dictionary(grouping: rows, by: { String($0.heldOn.prefix(7)) })
        let months = byMonth.keys.sorted().suffix(12)
        return ChartDrawing.bars(months.map { m in
            let r = byMonth[m]!
            let total = r.reduce(0) { $0 + $1.reachInPerson + $1.reachOnline }
            let first = r.reduce(0) { $0 + $1.firstTimeVoters }
            return ChartBar(label: m, value: Int64(total), valueText: "\(SVGChart.number(total)) (pemula \(SVGChart.number(first)))", tone: .normal,
                            ghost: nil)
        }, title: "Jangkauan pendidikan politik per bulan")
    }
}
