import Fluent
import SimpulCore
import Vapor

/// Kader dan kaderisasi: the ladder, who is ready for promotion, cadre records, trainings
/// (sessions, participants, check-in by e-KTA, certificates) and growth targets.
struct CadreController {
    func bootPublicWeb(_ routes: any RoutesBuilder) {
        routes.get("sertifikat", ":code", use: publicCheckPage)
    }

    func bootPublicAPI(_ routes: any RoutesBuilder) {
        routes.get("certificates", ":code", use: publicCheckAPI)
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        let cadre = routes.grouped("cadre")
        cadre.get(use: overviewPage)
        cadre.get("ready", use: readyPage)
        cadre.get("members", ":personID", use: memberPage)
        cadre.post("members", ":personID", "promote", use: promoteFromPage)
        cadre.post("members", ":personID", "contributions", use: contributionFromPage)
        cadre.get("trainings", use: trainingsPage)
        cadre.post("trainings", use: createTrainingFromPage)
        cadre.get("trainings", ":trainingID", use: trainingPage)
        cadre.post("trainings", ":trainingID", ":step", use: trainingStepFromPage)
        cadre.get("certificates", ":code", use: certificateSVG)
        cadre.get("targets", use: targetsPage)
        cadre.post("targets", use: createTargetFromPage)
        cadre.get("targets", ":targetID", use: targetPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        let cadre = routes.grouped("cadre")
        cadre.get("ladder", use: ladderAPI)
        cadre.get("ready", use: readyAPI)
        cadre.get("members", ":personID", use: memberAPI)
        cadre.post("members", ":personID", "promotions", use: promoteAPI)
        cadre.post("members", ":personID", "contributions", use: contributionAPI)
        cadre.get("trainings", use: trainingsAPI)
        cadre.post("trainings", use: createTrainingAPI)
        cadre.get("trainings", ":trainingID", use: trainingAPI)
        cadre.post("trainings", ":trainingID", "sessions", use: sessionAPI)
        cadre.post("trainings", ":trainingID", "participants", use: participantAPI)
        cadre.post("trainings", ":trainingID", "checkins", use: checkInAPI)
        cadre.post("trainings", ":trainingID", "attendance", use: attendanceAPI)
        cadre.post("trainings", ":trainingID", "certificates", use: certificatesAPI)
        cadre.get("targets", use: targetsAPI)
        cadre.post("targets", use: createTargetAPI)
        cadre.get("targets", ":targetID", use: targetAPI)
    }

    // MARK: ladder and members

    struct OverviewPage: Encodable {
        let units: [SelectOption]
        let overview: LadderOverview
        let ready: [CadreStandingDTO]
        let moreReady: Int
        let rungChart: String
        let childChart: String?
        let trainings: [TrainingSummary]
        let targets: [GrowthTargetDTO]
        let canManage: Bool
    }

    private func unitOptions(_ req: Request, selected: OrgUnit) async throws -> [SelectOption] {
        try await OfficeChoices.options(req, for: .viewCadre).map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == selected.id?.uuidString) }
    }

    @Sendable func overviewPage(req: Request) async throws -> Response {
        let unit = try await req.cadre.unit(try? req.query.get(String.self, at: "unit"))
        let (overview, standings) = try await req.cadre.overview(unit)
        let ready = standings.filter(\.ready)
        let rungChart = ChartDrawing.columns(overview.rungs.map { ChartBar(label: $0.label.replacingOccurrences(of: "Kader ", with: ""), value: Int64($0.count), tone: $0.level == 0 ? .muted : .normal) },
                                             title: "Anggota aktif per jenjang")
        let childChart = overview.children.isEmpty ? nil : ChartDrawing.bars(overview.children.map {
            ChartBar(label: $0.name, value: Int64($0.cadres), valueText: "\($0.cadres) dari \($0.members)", ghost: Int64($0.members))
        }, title: "Kader per unit")
        let trainings = try await req.trainings.list(unit: unit)
        return try await req.render("cadre/overview", title: "Kader", OverviewPage(
            units: try await unitOptions(req, selected: unit), overview: overview, ready: Array(ready.prefix(10)),
            moreReady: max(0, ready.count - 10), rungChart: rungChart, childChart: childChart,
            trainings: Array(trainings.filter(\.upcoming).suffix(5).reversed()), targets: try await req.growthTargets.list(unit: unit),
            canManage: req.cadrePolicy.canManage(unit.orgPath)))
    }

    struct ReadyPage: Encodable {
        let units: [SelectOption]
        let unitName: String
        let unitID: UUID
        let showAll: Bool
        let people: [CadreStandingDTO]
    }

    @Sendable func readyPage(req: Request) async throws -> Response {
        let unit = try await req.cadre.unit(try? req.query.get(String.self, at: "unit"))
        let all = try await req.cadre.standings(under: unit.orgPath)
        let showAll = RegistrationForm.ticked(try? req.query.get(String.self, at: "all"))
        let labels = try await req.levelLabels()
        return try await req.render("cadre/ready", title: showAll ? "Jenjang anggota" : "Siap naik jenjang", ReadyPage(
            units: try await unitOptions(req, selected: unit), unitName: labels.displayName(of: unit), unitID: try unit.requireID(),
            showAll: showAll, people: showAll ? Array(all.prefix(500)) : all.filter(\.ready)))
    }

    struct MemberPage: Encodable {
        let record: CadreRecordDTO
        let canManage: Bool
        let errors: [String: String]
        let today: String
    }

    private func renderMember(_ req: Request, _ m: Membership, failure: ValidationFailure? = nil) async throws -> Response {
        let record = try await req.cadre.record(m)
        return try await req.render("cadre/member", title: record.standing.fullName, MemberPage(
            record: record, canManage: req.cadrePolicy.canManage(OrgPath(rawValue: m.scope)), errors: failure?.byField ?? [:],
            today: CivilDate(Date()).iso8601), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func memberPage(req: Request) async throws -> Response {
        try await renderMember(req, try await req.cadre.member(req.parameters.get("personID", as: UUID.self)))
    }

    @Sendable func promoteFromPage(req: Request) async throws -> Response {
        let m = try await req.cadre.member(req.parameters.get("personID", as: UUID.self))
        return try await req.saveOrShow({
            try await req.cadre.promote(m, form: try req.content.decode(PromotionForm.self))
            req.flash("Kenaikan jenjang dicatat.")
            return "/cadre/members/\(m.$person.id)"
        }, show: { try await renderMember(req, m, failure: $0) })
    }

    @Sendable func contributionFromPage(req: Request) async throws -> Response {
        let m = try await req.cadre.member(req.parameters.get("personID", as: UUID.self))
        return try await req.saveOrShow({
            try await req.cadre.addContribution(m, form: try req.content.decode(ContributionForm.self))
            req.flash("Kontribusi dicatat.")
            return "/cadre/members/\(m.$person.id)"
        }, show: { try await renderMember(req, m, failure: $0) })
    }

    // MARK: trainings (pages)

    struct TrainingsPage: Encodable {
        let trainings: [TrainingSummary]
        let units: [SelectOption]
        let tiers: [SelectOption]
        let form: TrainingForm
        let errors: [String: String]
    }

    private func renderTrainings(_ req: Request, form: TrainingForm = TrainingForm(), failure: ValidationFailure? = nil) async throws -> Response {
        _ = try req.requireUser()
        try req.requireAnywhere(.viewCadre, "Anda tidak berwenang melihat pelatihan.")
        let unit = try await (try? req.query.get(String.self, at: "unit")).asyncMap { try await req.cadre.unit($0) }
        return try await req.render("cadre/trainings", title: "Pelatihan kader", TrainingsPage(
            trainings: try await req.trainings.list(unit: unit),
            units: try await OfficeChoices.options(req, for: .manageCadre).map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == form.unitID) },
            tiers: Trainings.tierOptions.map { SelectOption(value: String($0.value), label: $0.label, selected: String($0.value) == (form.tier ?? "0")) },
            form: form, errors: failure?.byField ?? [:]), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func trainingsPage(req: Request) async throws -> Response { try await renderTrainings(req) }

    @Sendable func createTrainingFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(TrainingForm.self)
        return try await req.saveOrShow({
            let t = try await req.trainings.create(form)
            req.flash("Pelatihan dibuat. Tambahkan sesi dan peserta.")
            return "/cadre/trainings/\(t.id!)"
        }, show: { try await renderTrainings(req, form: form, failure: $0) })
    }

    struct TrainingPage: Encodable {
        let detail: TrainingDetail
        let canRecord: Bool
        let canManage: Bool
        /// The session the check-in desk is on (kept between scans).
        let sessionID: String?
        let sessionOptions: [SelectOption]
        let errors: [String: String]
        let canIssue: Bool
        let sessionForm: SessionForm
        let guestForm: ParticipantForm
        let chart: String?
    }

    private func renderTraining(_ req: Request, _ t: Training, failure: ValidationFailure? = nil, sessionID: String? = nil,
                                sessionForm: SessionForm = SessionForm(), guestForm: ParticipantForm = ParticipantForm()) async throws -> Response {
        let detail = try await req.trainings.detail(t)
        let chosen = sessionID ?? (try? req.query.get(String.self, at: "session")) ?? Self.currentSession(detail)?.uuidString
        let chart = detail.sessions.isEmpty ? nil : ChartDrawing.columns(detail.sessions.enumerated().map { i, s in
            ChartBar(label: "Sesi \(i + 1)", value: Int64(s.present), valueText: "\(s.present)", tone: .normal)
        }, title: "Kehadiran per sesi")
        return try await req.render("cadre/training", title: t.title, TrainingPage(
            detail: detail, canRecord: req.cadrePolicy.canRecord(t.orgPath), canManage: req.cadrePolicy.canManage(t.orgPath),
            sessionID: chosen,
            sessionOptions: detail.sessions.enumerated().map { i, s in
                SelectOption(value: s.id.uuidString, label: "Sesi \(i + 1) · \(s.dayText) \(s.startsAt) · \(s.title)", selected: s.id.uuidString == chosen)
            },
            errors: failure?.byField ?? [:],
            canIssue: CivilDate(Date()).iso8601 >= t.endsOn && !detail.sessions.isEmpty,
            sessionForm: sessionForm, guestForm: guestForm,
            chart: chart), status: failure == nil ? .ok : .unprocessableEntity)
    }

    /// The session under way or next today; else the first.
    static func currentSession(_ d: TrainingDetail) -> UUID? {
        let today = CivilDate(Date()).iso8601
        return (d.sessions.last { $0.day == today && $0.startsAt <= WIB.clock(Date()) }
            ?? d.sessions.first { $0.day >= today } ?? d.sessions.first)?.id
    }

    private func training(_ req: Request) async throws -> Training {
        try await req.trainings.find(req.parameters.get("trainingID", as: UUID.self))
    }

    @Sendable func trainingPage(req: Request) async throws -> Response { try await renderTraining(req, try await training(req)) }

    /// One POST handler for the training page's forms: sessions, participants, check-in,
    /// attendance list, certificates.
    @Sendable func trainingStepFromPage(req: Request) async throws -> Response {
        let t = try await training(req)
        let base = "/cadre/trainings/\(t.id!)"
        switch req.parameters.get("step") ?? "" {
        case "sessions":
            let form = try req.content.decode(SessionForm.self)
            return try await req.saveOrShow({
                try await req.trainings.addSession(form, to: t)
                req.flash("Sesi ditambahkan.")
                return base
            }, show: { try await renderTraining(req, t, failure: $0, sessionForm: form) })
        case "participants":
            let form = try req.content.decode(ParticipantForm.self)
            return try await req.saveOrShow({
                let p = try await req.trainings.addParticipant(form, to: t)
                req.flash("\(p.fullName) terdaftar sebagai peserta.")
                return base + "#peserta"
            }, show: { try await renderTraining(req, t, failure: $0, guestForm: form) })
        case "checkin":
            let form = try req.content.decode(TrainingCheckInForm.self)
            return try await req.saveOrShow({
                let result = try await req.trainings.checkIn(form, at: t)
                req.flash(result.message, error: !result.recorded)
                return base + "?session=\(form.sessionID ?? "")#presensi"
            }, show: { try await renderTraining(req, t, failure: $0, sessionID: form.sessionID) })
        case "attendance":
            let form = try req.content.decode(AttendanceListForm.self)
            return try await req.saveOrShow({
                let n = try await req.trainings.markAttendance(form, at: t)
                req.flash("Daftar hadir disimpan: \(n) peserta hadir.")
                return base + "?session=\(form.sessionID ?? "")#presensi"
            }, show: { try await renderTraining(req, t, failure: $0, sessionID: form.sessionID) })
        case "certificates":
            let n = try await req.trainings.issueCertificates(t)
            req.flash(n == 0 ? "Tidak ada sertifikat baru: tidak ada peserta lain yang hadir minimal \(t.minimumAttendance)% sesi." : "\(n) sertifikat diterbitkan.", error: n == 0)
            return req.redirect(to: base + "#peserta")
        default:
            throw Abort(.notFound)
        }
    }

    @Sendable func certificateSVG(req: Request) async throws -> Response {
        let (svg, code) = try await req.trainings.certificate(code: req.parameters.get("code") ?? "")
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"sertifikat-\(code).svg\"")
        return Response(status: .ok, headers: headers, body: .init(string: svg))
    }

    @Sendable func publicCheckPage(req: Request) async throws -> Response {
        let check = try await Trainings.publicCheck(code: req.parameters.get("code") ?? "", on: req.db, labels: try await req.levelLabels())
        return try await req.render("cadre/certificate-check", title: "Cek sertifikat", check, status: check.valid ? .ok : .notFound)
    }

    @Sendable func publicCheckAPI(req: Request) async throws -> PublicCertificateCheck {
        try await Trainings.publicCheck(code: req.parameters.get("code") ?? "", on: req.db, labels: try await req.levelLabels())
    }

    // MARK: targets (pages)

    struct TargetsPage: Encodable {
        let targets: [GrowthTargetDTO]
        let units: [SelectOption]
        let form: GrowthTargetForm
        let errors: [String: String]
        let today: String
    }

    private func renderTargets(_ req: Request, form: GrowthTargetForm = GrowthTargetForm(), failure: ValidationFailure? = nil) async throws -> Response {
        _ = try req.requireUser()
        try req.requireAnywhere(.viewCadre, "Anda tidak berwenang melihat target kaderisasi.")
        return try await req.render("cadre/targets", title: "Target kaderisasi", TargetsPage(
            targets: try await req.growthTargets.list(unit: nil),
            units: try await OfficeChoices.options(req, for: .manageCadre).map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == form.unitID) },
            form: form, errors: failure?.byField ?? [:], today: CivilDate(Date()).iso8601), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func targetsPage(req: Request) async throws -> Response { try await renderTargets(req) }

    @Sendable func createTargetFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(GrowthTargetForm.self)
        return try await req.saveOrShow({ "/cadre/targets/\(try await req.growthTargets.create(form).id!)" },
                                        show: { try await renderTargets(req, form: form, failure: $0) })
    }

    struct TargetPage: Encodable {
        let target: GrowthTargetDTO
        let chart: String
        let childChart: String?
    }

    @Sendable func targetPage(req: Request) async throws -> Response {
        let t = try await req.growthTargets.find(req.parameters.get("targetID", as: UUID.self))
        let (dto, chart) = try await req.growthTargets.dto(t)
        let childChart = dto.children.isEmpty ? nil : ChartDrawing.bars(dto.children.map { c in
            ChartBar(label: c.unitName, value: Int64(c.current), valueText: "\(c.current) / \(c.target)",
                     tone: c.tone == "ok" ? .ok : c.tone == "bad" ? .bad : .muted, marker: Int64(c.target))
        }, title: "Capaian per unit terhadap target")
        return try await req.render("cadre/target", title: t.title, TargetPage(target: dto, chart: chart, childChart: childChart))
    }

    // MARK: API

    @Sendable func ladderAPI(req: Request) async throws -> LadderOverview {
        try await req.cadre.overview(try await req.cadre.unit(try? req.query.get(String.self, at: "unit"))).0
    }

    @Sendable func readyAPI(req: Request) async throws -> [CadreStandingDTO] {
        let unit = try await req.cadre.unit(try? req.query.get(String.self, at: "unit"))
        let all = try await req.cadre.standings(under: unit.orgPath)
        return RegistrationForm.ticked(try? req.query.get(String.self, at: "all")) ? all : all.filter(\.ready)
    }

    @Sendable func memberAPI(req: Request) async throws -> CadreRecordDTO {
        try await req.cadre.record(try await req.cadre.member(req.parameters.get("personID", as: UUID.self)))
    }

    @Sendable func promoteAPI(req: Request) async throws -> Response {
        let m = try await req.cadre.member(req.parameters.get("personID", as: UUID.self))
        try await req.cadre.promote(m, form: try req.content.decode(PromotionForm.self))
        return try await req.cadre.record(m).encodeResponse(status: .created, for: req)
    }

    @Sendable func contributionAPI(req: Request) async throws -> Response {
        let m = try await req.cadre.member(req.parameters.get("personID", as: UUID.self))
        try await req.cadre.addContribution(m, form: try req.content.decode(ContributionForm.self))
        return try await req.cadre.record(m).encodeResponse(status: .created, for: req)
    }

    @Sendable func trainingsAPI(req: Request) async throws -> [TrainingSummary] {
        let unit = try await (try? req.query.get(String.self, at: "unit")).asyncMap { try await req.cadre.unit($0) }
        return try await req.trainings.list(unit: unit)
    }

    @Sendable func createTrainingAPI(req: Request) async throws -> Response {
        let t = try await req.trainings.create(try req.content.decode(TrainingForm.self))
        return try await req.trainings.detail(t).encodeResponse(status: .created, for: req)
    }

    @Sendable func trainingAPI(req: Request) async throws -> TrainingDetail { try await req.trainings.detail(try await training(req)) }

    @Sendable func sessionAPI(req: Request) async throws -> Response {
        let t = try await training(req)
        try await req.trainings.addSession(try req.content.decode(SessionForm.self), to: t)
        return try await req.trainings.detail(t).encodeResponse(status: .created, for: req)
    }

    @Sendable func participantAPI(req: Request) async throws -> Response {
        let t = try await training(req)
        try await req.trainings.addParticipant(try req.content.decode(ParticipantForm.self), to: t)
        return try await req.trainings.detail(t).encodeResponse(status: .created, for: req)
    }

    @Sendable func checkInAPI(req: Request) async throws -> TrainingCheckInResult {
        try await req.trainings.checkIn(try req.content.decode(TrainingCheckInForm.self), at: try await training(req))
    }

    @Sendable func attendanceAPI(req: Request) async throws -> TrainingDetail {
        let t = try await training(req)
        _ = try await req.trainings.markAttendance(try req.content.decode(AttendanceListForm.self), at: t)
        return try await req.trainings.detail(t)
    }

    @Sendable func certificatesAPI(req: Request) async throws -> TrainingDetail {
        let t = try await training(req)
        _ = try await req.trainings.issueCertificates(t)
        return try await req.trainings.detail(t)
    }

    @Sendable func targetsAPI(req: Request) async throws -> [GrowthTargetDTO] {
        let unit = try await (try? req.query.get(String.self, at: "unit")).asyncMap { try await req.cadre.unit($0) }
        return try await req.growthTargets.list(unit: unit)
    }

    @Sendable func createTargetAPI(req: Request) async throws -> Response {
        let t = try await req.growthTargets.create(try req.content.decode(GrowthTargetForm.self))
        return try await req.growthTargets.dto(t).0.encodeResponse(status: .created, for: req)
    }

    @Sendable func targetAPI(req: Request) async throws -> GrowthTargetDTO {
        try await req.growthTargets.dto(try await req.growthTargets.find(req.parameters.get("targetID", as: UUID.self))).0
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): return try await transform(value)
        case .none: return nil
        }
    }
}

extension WIB {
    /// "14:05" now in WIB.
    static func clock(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970) + CivilDate.wibOffsetSeconds
        let minutes = ((seconds % 86_400) + 86_400) % 86_400 / 60
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
