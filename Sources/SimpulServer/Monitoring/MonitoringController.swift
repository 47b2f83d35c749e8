import Fluent
import SimpulCore
import Vapor

/// Political monitoring: situation reports, the conflict-risk view, participation
/// trends, political-literacy activities. Pages and /api/v1.
struct MonitoringController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("monitoring", use: overviewPage)
        routes.get("monitoring", "reports", use: reportsPage)
        routes.post("monitoring", "reports", use: fileFromPage)
        routes.get("monitoring", "reports", ":reportID", use: reportPage)
        routes.post("monitoring", "reports", ":reportID", "verification", use: verifyFromPage)
        routes.get("monitoring", "participation", use: participationPage)
        routes.get("monitoring", "literacy", use: literacyPage)
        routes.post("monitoring", "literacy", use: literacyFromPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("monitoring", "reports", use: reportsAPI)
        routes.post("monitoring", "reports", use: fileAPI)
        routes.get("monitoring", "reports", ":reportID", use: reportAPI)
        routes.post("monitoring", "reports", ":reportID", "verification", use: verifyAPI)
        routes.get("monitoring", "risk", use: riskAPI)
        routes.get("monitoring", "participation", use: participationAPI)
        routes.get("monitoring", "literacy", use: literacyAPI)
        routes.post("monitoring", "literacy", use: addLiteracyAPI)
    }

    private func requireMonitoring(_ req: Request) throws {
        _ = try req.requireUser()
        try req.requireAnywhere(.viewMonitoring, "Anda tidak berwenang membuka pemantauan.")
    }

    private func report(_ req: Request) async throws -> SituationReport {
        try await req.monitoring.find(req.parameters.get("reportID", as: UUID.self))
    }

    // MARK: API

    @Sendable func reportsAPI(req: Request) async throws -> [SituationDTO] {
        try await req.monitoring.reports(status: try? req.query.get(String.self, at: "status"), regionCode: try? req.query.get(String.self, at: "region"))
    }

    @Sendable func fileAPI(req: Request) async throws -> Response {
        let r = try await req.monitoring.file(try req.content.decode(SituationForm.self))
        return try await req.monitoring.dtos([r])[0].encodeResponse(status: .created, for: req)
    }

    @Sendable func reportAPI(req: Request) async throws -> SituationDTO { try await req.monitoring.dtos([try await report(req)])[0] }

    @Sendable func verifyAPI(req: Request) async throws -> SituationDTO {
        let r = try await report(req)
        try await req.monitoring.verify(r, try req.content.decode(VerificationForm.self))
        return try await req.monitoring.dtos([r])[0]
    }

    @Sendable func riskAPI(req: Request) async throws -> RiskView {
        try requireMonitoring(req)
        return try await req.monitoring.risk()
    }

    @Sendable func participationAPI(req: Request) async throws -> ParticipationView {
        try requireMonitoring(req)
        return try await req.monitoring.participation()
    }

    @Sendable func literacyAPI(req: Request) async throws -> [LiteracyDTO] {
        try requireMonitoring(req)
        return try await req.monitoring.literacy()
    }

    @Sendable func addLiteracyAPI(req: Request) async throws -> Response {
        let a = try await req.monitoring.addLiteracy(try req.content.decode(LiteracyForm.self))
        guard let dto = try await req.monitoring.literacy().first(where: { $0.id == a.id }) else { throw Abort(.internalServerError) }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    // MARK: pages

    struct OverviewPage: Encodable {
        let risk: RiskView
        let chart: String
        let recent: [SituationDTO]
        let unverified: Int
        let canReport: Bool
    }

    @Sendable func overviewPage(req: Request) async throws -> Response {
        try requireMonitoring(req)
        let risk = try await req.monitoring.risk()
        let recent = try await req.monitoring.reports(limit: 8)
        let unverified = try await req.monitoringPolicy.visible(SituationReport.query(on: req.db)).filter(\.$status == .unverified).count()
        return try await req.render("monitoring/overview", title: "Situasi", OverviewPage(
            risk: risk, chart: Monitoring.riskChart(risk), recent: recent, unverified: unverified, canReport: req.access.hasAny(.reportSituation)))
    }

    struct ReportsPage: Encodable {
        let reports: [SituationDTO]
        let districts: [MembershipController.DistrictOption]
        let categories: [SelectOption]
        let severities: [SelectOption]
        let sources: [SelectOption]
        let statuses: [SelectOption]
        let form: SituationForm
        let errors: [String: String]
        let today: String
        let region: String
        let regionName: String
    }

    private func renderReports(_ req: Request, form: SituationForm = SituationForm(), errors: [String: String] = [:],
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        try requireMonitoring(req)
        let filter = try? req.query.get(String.self, at: "status")
        let region = (try? req.query.get(String.self, at: "region")) ?? ""
        return try await req.render("monitoring/reports", title: "Laporan situasi", ReportsPage(
            reports: try await req.monitoring.reports(status: filter, regionCode: region),
            districts: try await req.monitoring.villages(for: .reportSituation, selected: form.regionCode ?? region),
            categories: Monitoring.categoryOptions(form.category),
            severities: SituationSeverity.allCases.map { SelectOption(value: String($0.rawValue), label: $0.label, selected: String($0.rawValue) == form.severity) },
            sources: SituationSource.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.source) },
            statuses: VerificationStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == filter) },
            form: form, errors: errors, today: CivilDate(Date()).iso8601, region: region,
            regionName: try await req.monitoring.villageNames([region])[region] ?? region), status: status)
    }

    @Sendable func reportsPage(req: Request) async throws -> Response { try await renderReports(req) }

    @Sendable func fileFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(SituationForm.self)
        return try await req.saveOrShow({
            let r = try await req.monitoring.file(form)
            req.flash("Laporan tersimpan dan menunggu verifikasi.")
            return "/monitoring/reports/\(r.id!)"
        }, show: { try await renderReports(req, form: form, errors: $0.byField, status: .unprocessableEntity) })
    }

    struct ReportPage: Encodable {
        let report: SituationDTO
        let errors: [String: String]
    }

    @Sendable func reportPage(req: Request) async throws -> Response {
        let r = try await report(req)
        return try await req.render("monitoring/report", title: r.summary, ReportPage(report: try await req.monitoring.dtos([r])[0], errors: [:]))
    }

    @Sendable func verifyFromPage(req: Request) async throws -> Response {
        let r = try await report(req)
        do {
            try await req.monitoring.verify(r, try req.content.decode(VerificationForm.self))
            req.flash("Hasil verifikasi tersimpan.")
            return req.redirect(to: "/monitoring/reports/\(r.id!)")
        } catch let failure as ValidationFailure {
            return try await req.render("monitoring/report", title: r.summary, ReportPage(report: try await req.monitoring.dtos([r])[0], errors: failure.byField),
                                        status: .unprocessableEntity)
        }
    }

    @Sendable func participationPage(req: Request) async throws -> Response {
        try requireMonitoring(req)
        return try await req.render("monitoring/participation", title: "Partisipasi pemilih", try await req.monitoring.participation())
    }

    struct LiteracyPage: Encodable {
        let activities: [LiteracyDTO]
        let chart: String?
        let totalReach: String
        let totalFirstTime: String
        let units: [SelectOption]
        let formats: [SelectOption]
        let form: LiteracyForm
        let errors: [String: String]
        let today: String
    }

    private func renderLiteracy(_ req: Request, form: LiteracyForm = LiteracyForm(), errors: [String: String] = [:],
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        try requireMonitoring(req)
        let rows = try await req.monitoring.literacy()
        return try await req.render("monitoring/literacy", title: "Pendidikan politik", LiteracyPage(
            activities: rows, chart: Monitoring.literacyChart(rows),
            totalReach: SVGChart.number(rows.reduce(0) { $0 + $1.reachInPerson + $1.reachOnline }),
            totalFirstTime: SVGChart.number(rows.reduce(0) { $0 + $1.firstTimeVoters }),
            units: try await OfficeChoices.options(req, for: .reportSituation),
            formats: LiteracyActivity.Format.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.format) },
            form: form, errors: errors, today: CivilDate(Date()).iso8601), status: status)
    }

    @Sendable func literacyPage(req: Request) async throws -> Response { try await renderLiteracy(req) }

    @Sendable func literacyFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(LiteracyForm.self)
        return try await req.saveOrShow({
            _ = try await req.monitoring.addLiteracy(form)
            req.flash("Kegiatan pendidikan politik tercatat.")
            return "/monitoring/literacy"
        }, show: { try await renderLiteracy(req, form: form, errors: $0.byField, status: .unprocessableEntity) })
    }
}
