import Fluent
import SimpulCore
import Vapor

/// Work programmes with KPIs, the Raker cycle and its decisions: pages and /api/v1.
struct ProgrammesController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("programmes", use: listPage)
        routes.post("programmes", use: createFromPage)
        routes.get("programmes", "raker", use: rakerPage)
        routes.post("programmes", "raker", use: createMeetingFromPage)
        routes.get("programmes", "raker", ":meetingID", use: meetingPage)
        routes.post("programmes", "raker", ":meetingID", "decisions", use: decisionFromPage)
        routes.get("programmes", ":programmeID", use: detailPage)
        routes.post("programmes", ":programmeID", use: updateFromPage)
        routes.post("programmes", ":programmeID", "kpis", use: kpiFromPage)
        routes.post("programmes", ":programmeID", "kpis", ":kpiID", use: progressFromPage)
        routes.post("programmes", ":programmeID", "derive", use: deriveFromPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("programmes", use: listAPI)
        routes.post("programmes", use: createAPI)
        routes.get("programmes", ":programmeID", use: detailAPI)
        routes.post("programmes", ":programmeID", "kpis", use: kpiAPI)
        routes.post("programmes", ":programmeID", "kpis", ":kpiID", use: progressAPI)
        routes.post("programmes", ":programmeID", "derive", use: deriveAPI)
        routes.get("raker", use: meetingsAPI)
        routes.post("raker", use: createMeetingAPI)
        routes.get("raker", ":meetingID", use: meetingAPI)
        routes.post("raker", ":meetingID", "decisions", use: decisionAPI)
    }

    private func programme(_ req: Request) async throws -> Programme {
        try await req.programmes.find(req.parameters.get("programmeID", as: UUID.self))
    }

    private func kpi(_ req: Request, of p: Programme) async throws -> ProgrammeKPI {
        guard let id = req.parameters.get("kpiID", as: UUID.self), let k = try await ProgrammeKPI.find(id, on: req.db),
              k.$programme.id == p.id else { throw Abort(.notFound, reason: "Indikator tidak ditemukan.") }
        return k
    }

    // MARK: API

    @Sendable func listAPI(req: Request) async throws -> [ProgrammeDTO] { try await req.programmes.list(focus: try? req.query.get(String.self, at: "focus")) }

    @Sendable func createAPI(req: Request) async throws -> Response {
        let p = try await req.programmes.create(try req.content.decode(ProgrammeForm.self))
        return try await req.programmes.dto(p).encodeResponse(status: .created, for: req)
    }

    @Sendable func detailAPI(req: Request) async throws -> ProgrammeDetail { try await req.programmes.detail(try await programme(req)) }

    @Sendable func kpiAPI(req: Request) async throws -> Response {
        let p = try await programme(req)
        _ = try await req.programmes.addKPI(to: p, try req.content.decode(KPIForm.self))
        return try await req.programmes.detail(p).encodeResponse(status: .created, for: req)
    }

    @Sendable func progressAPI(req: Request) async throws -> ProgrammeDetail {
        let p = try await programme(req)
        let k = try await kpi(req, of: p)
        try await req.programmes.report(k, of: p, try req.content.decode(KPIProgressForm.self), target: try? req.content.get(String.self, at: "target"))
        return try await req.programmes.detail(p)
    }

    @Sendable func deriveAPI(req: Request) async throws -> Response {
        let parent = try await programme(req)
        let p = try await req.programmes.derive(from: parent, try req.content.decode(DeriveForm.self))
        return try await req.programmes.dto(p).encodeResponse(status: .created, for: req)
    }

    @Sendable func meetingsAPI(req: Request) async throws -> [RakerDTO] { try await req.programmes.meetings() }

    @Sendable func createMeetingAPI(req: Request) async throws -> Response {
        let m = try await req.programmes.createMeeting(try req.content.decode(RakerForm.self))
        return try await req.programmes.rakerDTO(m).encodeResponse(status: .created, for: req)
    }

    @Sendable func meetingAPI(req: Request) async throws -> RakerDTO {
        try await req.programmes.rakerDTO(try await req.programmes.meeting(req.parameters.get("meetingID", as: UUID.self)))
    }

    @Sendable func decisionAPI(req: Request) async throws -> Response {
        let m = try await req.programmes.meeting(req.parameters.get("meetingID", as: UUID.self))
        _ = try await req.programmes.addDecision(to: m, try req.content.decode(RakerDecisionForm.self))
        return try await req.programmes.rakerDTO(m).encodeResponse(status: .created, for: req)
    }

    // MARK: pages

    struct FocusGroup: Encodable {
        let label: String
        let programmes: [ProgrammeDTO]
    }

    struct ListPage: Encodable {
        let own: [ProgrammeDTO]
        let inherited: [ProgrammeDTO]
        let chart: String?
        let focuses: [SelectOption]
        let units: [SelectOption]
        let form: ProgrammeForm
        let errors: [String: String]
        let canSeeEvents: Bool
        let canSeeMonitoring: Bool
    }

    private static func focusOptions(_ selected: String?) -> [SelectOption] {
        ProgrammeFocus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }

    private func renderList(_ req: Request, form: ProgrammeForm = ProgrammeForm(), errors: [String: String] = [:],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        try req.requireAnywhere(.viewProgrammes, "Anda tidak berwenang membuka program kerja.")
        let focus = try? req.query.get(String.self, at: "focus")
        let all = try await req.programmes.list(focus: focus)
        return try await req.render("programmes/list", title: "Program kerja", ListPage(
            own: all.filter { !$0.inherited }, inherited: all.filter(\.inherited), chart: Programmes.chart(all),
            focuses: Self.focusOptions(focus ?? form.focus), units: try await OfficeChoices.options(req, for: .managePrograms),
            form: form, errors: errors, canSeeEvents: req.access.hasAny(.viewProgrammes), canSeeMonitoring: req.access.hasAny(.viewMonitoring)),
            status: status)
    }

    @Sendable func listPage(req: Request) async throws -> Response { try await renderList(req) }

    @Sendable func createFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(ProgrammeForm.self)
        return try await req.saveOrShow({
            let p = try await req.programmes.create(form)
            req.flash("Program \(p.title) dibuat. Tambahkan indikator kinerjanya.")
            return "/programmes/\(p.id!)"
        }, show: { try await renderList(req, form: form, errors: $0.byField, status: .unprocessableEntity) })
    }

    struct DetailPage: Encodable {
        let detail: ProgrammeDetail
        let chart: String?
        let deriveUnits: [SelectOption]
        let statuses: [SelectOption]
        let focuses: [SelectOption]
        let failed: String
        let errors: [String: String]
        let today: String
    }

    private func renderDetail(_ req: Request, _ p: Programme, failed: String = "", errors: [String: String] = [:],
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let detail = try await req.programmes.detail(p)
        let deriveUnits = try await OfficeChoices.units(req, for: .managePrograms).filter { ProgrammeCascade.canDerive(from: p.orgPath, into: $0.orgPath) }
        let labels = try await req.levelLabels()
        let kpis = detail.programme.kpis
        let chart = kpis.isEmpty ? nil : ChartDrawing.bars(kpis.map {
            ChartBar(label: "\($0.name) (\($0.unit))", value: $0.actual, valueText: "\(SVGChart.number(Int($0.actual))) / \(SVGChart.number(Int($0.target)))",
                     tone: $0.percent >= 100 ? .ok : .normal, marker: $0.target)
        }, title: "Capaian indikator terhadap target")
        return try await req.render("programmes/detail", title: p.title, DetailPage(
            detail: detail, chart: chart,
            deriveUnits: deriveUnits.map { SelectOption(value: $0.id!.uuidString, label: labels.displayName(of: $0), selected: false) },
            statuses: Programme.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == p.status) },
            focuses: Self.focusOptions(p.focus), failed: failed, errors: errors, today: CivilDate(Date()).iso8601), status: status)
    }

    @Sendable func detailPage(req: Request) async throws -> Response { try await renderDetail(req, try await programme(req)) }

    private func act(_ req: Request, _ failed: String, _ body: (Programme) async throws -> String) async throws -> Response {
        let p = try await programme(req)
        do {
            return req.redirect(to: try await body(p))
        } catch let failure as ValidationFailure {
            return try await renderDetail(req, p, failed: failed, errors: failure.byField, status: .unprocessableEntity)
        }
    }

    @Sendable func updateFromPage(req: Request) async throws -> Response {
        try await act(req, "update") { p in
            try await req.programmes.update(p, try req.content.decode(ProgrammeForm.self))
            req.flash("Program diperbarui.")
            return "/programmes/\(p.id!)"
        }
    }

    @Sendable func kpiFromPage(req: Request) async throws -> Response {
        try await act(req, "kpi") { p in
            _ = try await req.programmes.addKPI(to: p, try req.content.decode(KPIForm.self))
            req.flash("Indikator ditambahkan.")
            return "/programmes/\(p.id!)"
        }
    }

    @Sendable func progressFromPage(req: Request) async throws -> Response {
        try await act(req, "progress-\(req.parameters.get("kpiID") ?? "")") { p in
            let k = try await kpi(req, of: p)
            try await req.programmes.report(k, of: p, try req.content.decode(KPIProgressForm.self), target: try? req.content.get(String.self, at: "target"))
            req.flash("Capaian \(k.name) tersimpan.")
            return "/programmes/\(p.id!)"
        }
    }

    @Sendable func deriveFromPage(req: Request) async throws -> Response {
        try await act(req, "derive") { parent in
            let p = try await req.programmes.derive(from: parent, try req.content.decode(DeriveForm.self))
            req.flash("Program diturunkan ke unit Anda. Tetapkan target indikatornya.")
            return "/programmes/\(p.id!)"
        }
    }

    struct RakerPage: Encodable {
        let meetings: [RakerDTO]
        let units: [SelectOption]
        let stages: [SelectOption]
        let form: RakerForm
        let errors: [String: String]
        let year: Int
    }

    private func renderRaker(_ req: Request, form: RakerForm = RakerForm(), errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        try req.requireAnywhere(.viewProgrammes, "Anda tidak berwenang membuka Raker.")
        return try await req.render("programmes/raker", title: "Rapat Kerja", RakerPage(
            meetings: try await req.programmes.meetings(), units: try await OfficeChoices.options(req, for: .managePrograms),
            stages: RakerStage.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.stage) },
            form: form, errors: errors, year: CivilDate(Date()).year), status: status)
    }

    @Sendable func rakerPage(req: Request) async throws -> Response { try await renderRaker(req) }

    @Sendable func createMeetingFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(RakerForm.self)
        return try await req.saveOrShow({
            let m = try await req.programmes.createMeeting(form)
            req.flash("Rapat \(m.title) dicatat.")
            return "/programmes/raker/\(m.id!)"
        }, show: { try await renderRaker(req, form: form, errors: $0.byField, status: .unprocessableEntity) })
    }

    struct MeetingPage: Encodable {
        let meeting: RakerDTO
        let programmes: [SelectOption]
        let errors: [String: String]
    }

    private func renderMeeting(_ req: Request, _ m: RakerMeeting, errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let options = try await req.programmePolicy.visible(Programme.query(on: req.db)).within(\.$scope, m.orgPath)
            .filter(\.$status == .active).sort(\.$title).limit(300).all()
            .map { SelectOption(value: $0.id!.uuidString, label: $0.title, selected: false) }
        return try await req.render("programmes/meeting", title: m.title, MeetingPage(meeting: try await req.programmes.rakerDTO(m), programmes: options,
                                                                                    errors: errors), status: status)
    }

    @Sendable func meetingPage(req: Request) async throws -> Response {
        try await renderMeeting(req, try await req.programmes.meeting(req.parameters.get("meetingID", as: UUID.self)))
    }

    @Sendable func decisionFromPage(req: Request) async throws -> Response {
        let m = try await req.programmes.meeting(req.parameters.get("meetingID", as: UUID.self))
        return try await req.saveOrShow({
            let d = try await req.programmes.addDecision(to: m, try req.content.decode(RakerDecisionForm.self))
            req.flash("Keputusan nomor \(d.number) dicatat.")
            return "/programmes/raker/\(m.id!)"
        }, show: { try await renderMeeting(req, m, errors: $0.byField, status: .unprocessableEntity) })
    }
}
