import Fluent
import SimpulCore
import Vapor

/// Pusat Pelayanan Rakyat: the public form and tracking check, the officials' queue and
/// case page, and /api/v1 for both.
struct ServiceController {
    /// Public filings per address per hour.
    static let filingLimit = 10
    /// Public tracking checks per address per hour (codes are random; this stops guessing).
    static let trackingLimit = 60

    func bootPublicWeb(_ routes: any RoutesBuilder) {
        routes.get("layanan", use: publicFormPage)
        routes.on(.POST, "layanan", body: .collect(maxSize: "2mb"), use: fileFromPublicPage)
        routes.get("layanan", "cek", use: trackPage)
    }

    func bootPublicAPI(_ routes: any RoutesBuilder) {
        routes.get("service-categories", use: categoriesAPI)
        routes.post("service-requests", use: fileFromPublicAPI)
        routes.get("service-requests", ":code", use: trackAPI)
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("service", use: listPage)
        routes.get("service", "new", use: staffFormPage)
        routes.get("service", "dashboard", use: dashboardPage)
        routes.on(.POST, "service", body: .collect(maxSize: "2mb"), use: fileFromStaffPage)
        routes.get("service", ":requestID", use: detailPage)
        routes.get("service", ":requestID", "photo.jpg", use: photo)
        routes.post("service", ":requestID", "reveal", use: revealPage)
        routes.post("service", ":requestID", ":action", use: actFromPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("service-dashboard", use: dashboardAPI)
        routes.get("service-requests", use: listAPI)
        routes.post("service-requests", use: fileFromStaffAPI)
        routes.get("service-requests", ":requestID", use: detailAPI)
        routes.post("service-requests", ":requestID", "reveal", use: revealAPI)
        routes.post("service-requests", ":requestID", ":action", use: actAPI)
    }

    // MARK: public form

    struct FormPage: Encodable {
        let form: ServiceRequestForm
        let errors: [String: String]
        let kinds: [SelectOption]
        let categories: [SelectOption]
        let districts: [MembershipController.DistrictOption]
        let stamp: String
        let staff: Bool
        let action: String
        /// Every message, for the alert at the top (the fields may be far down on a phone).
        let messages: [String]
    }

    private func renderForm(_ req: Request, staff: Bool, form: ServiceRequestForm = ServiceRequestForm(kind: "request"),
                            errors: [String: String] = [:], messages: [String] = [],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.render("service/form", title: staff ? "Catat permohonan" : "Laporkan permohonan atau pengaduan", FormPage(
            form: form, errors: errors,
            kinds: ServiceRequest.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: form.kind == $0.rawValue) },
            categories: ServiceCategory.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: form.category == $0.rawValue) },
            districts: try await MembershipController().villageOptions(req, selected: form.regionCode),
            stamp: FormGuard.stamp(for: req), staff: staff, action: staff ? "/service" : "/layanan",
            messages: messages), status: status)
    }

    @Sendable func publicFormPage(req: Request) async throws -> Response {
        try await renderForm(req, staff: false)
    }

    struct ReceiptPage: Encodable {
        let receipt: ServiceReceipt
        let dueOnText: String
        let checkURL: String
    }

    private func file(_ req: Request, channel: ServiceRequest.Channel) async throws -> Response {
        let submitted = try req.content.decode(ServiceRequestForm.self)
        var form = submitted
        form.photo = nil  // never echoed back into the page
        let staff = channel == .staff
        if !staff {
            guard FormGuard.looksHuman(honeypot: try? req.content.get(String.self, at: FormGuard.honeypotField),
                                       stamp: try? req.content.get(String.self, at: FormGuard.stampField), vault: req.vault,
                                       minimumSeconds: req.application.settings.formMinimumSeconds) else {
                return try await renderForm(req, staff: false, form: form,
                                            errors: ["form": "Formulir terkirim terlalu cepat atau tidak lengkap. Periksa isian lalu kirim lagi."],
                                            status: .unprocessableEntity)
            }
            try await req.rateLimiter.hit("service:" + req.clientAddress, limit: Self.filingLimit, window: 3600)
        }
        do {
            let r = try await req.serviceDesk.file(submitted, channel: channel)
            if staff {
                req.flash("Permohonan dicatat dengan kode \(r.trackingCode). Berikan kode ini kepada pelapor.")
                return req.redirect(to: "/service/\(r.id!)")
            }
            return try await req.render("service/receipt", title: "Laporan diterima", ReceiptPage(
                receipt: Self.receipt(r), dueOnText: WIB.longDate(r.dueOn), checkURL: "/layanan/cek?kode=\(r.trackingCode)"))
        } catch let failure as ValidationFailure {
            return try await renderForm(req, staff: staff, form: form, errors: failure.byField, messages: failure.errors.map(\.message), status: .unprocessableEntity)
        }
    }

    @Sendable func fileFromPublicPage(req: Request) async throws -> Response { try await file(req, channel: .public) }

    static func receipt(_ r: ServiceRequest) -> ServiceReceipt {
        ServiceReceipt(code: r.trackingCode, status: r.status, dueOn: r.dueOn,
                       message: "Laporan diterima. Simpan kode \(r.trackingCode) untuk memeriksa perkembangannya.")
    }

    @Sendable func fileFromPublicAPI(req: Request) async throws -> Response {
        try await req.rateLimiter.hit("service:" + req.clientAddress, limit: Self.filingLimit, window: 3600)
        let r = try await req.serviceDesk.file(try req.content.decode(ServiceRequestForm.self), channel: .public)
        return try await Self.receipt(r).encodeResponse(status: .created, for: req)
    }

    struct CategoryDTO: Content {
        let value: ServiceCategory
        let label: String
        let slaWorkingDays: Int
    }

    @Sendable func categoriesAPI(req: Request) async throws -> [CategoryDTO] {
        ServiceCategory.allCases.map { CategoryDTO(value: $0, label: $0.label, slaWorkingDays: $0.slaWorkingDays) }
    }

    // MARK: tracking check

    struct TrackPage: Encodable {
        let code: String
        let result: PublicServiceStatus?
        let error: String?
        let steps: [Step]
    }

    struct Step: Encodable {
        let label: String
        let done: Bool
        let current: Bool
    }

    @Sendable func trackPage(req: Request) async throws -> Response {
        let code = ((try? req.query.get(String.self, at: "kode")) ?? "").trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty else {
            return try await req.render("service/track", title: "Cek status laporan", TrackPage(code: "", result: nil, error: nil, steps: []))
        }
        try await req.rateLimiter.hit("track:" + req.clientAddress, limit: Self.trackingLimit, window: 3600)
        do {
            let result = try await ServiceDesk.publicStatus(code: code, on: req.db)
            return try await req.render("service/track", title: "Status laporan \(result.code)",
                                        TrackPage(code: result.code, result: result, error: nil, steps: Self.steps(result.status)))
        } catch let failure as ValidationFailure {
            return try await req.render("service/track", title: "Cek status laporan",
                                        TrackPage(code: code, result: nil, error: failure.reason, steps: []), status: .unprocessableEntity)
        } catch let abort as Abort where abort.status == .notFound {
            return try await req.render("service/track", title: "Cek status laporan",
                                        TrackPage(code: code, result: nil, error: abort.reason, steps: []), status: .notFound)
        }
    }

    /// The progress line on the tracking page: received → triaged → handled → done.
    static func steps(_ status: ServiceStatus) -> [Step] {
        let order: [ServiceStatus] = [.received, .triaged, .inProgress, .closed]
        let position = status == .referred ? 2 : order.firstIndex(of: status) ?? 0
        return order.enumerated().map { i, s in
            Step(label: i == 2 && status == .referred ? ServiceStatus.referred.label : s.label, done: i <= position, current: i == position)
        }
    }

    @Sendable func trackAPI(req: Request) async throws -> PublicServiceStatus {
        try await req.rateLimiter.hit("track:" + req.clientAddress, limit: Self.trackingLimit, window: 3600)
        return try await ServiceDesk.publicStatus(code: req.parameters.get("code") ?? "", on: req.db)
    }

    // MARK: dashboard

    /// The unit asked for (visible), else the branch or the user's first unit.
    private func dashboardUnit(_ req: Request) async throws -> OrgUnit {
        let unit = try await req.foodBank.office(try? req.query.get(UUID.self, at: "unit"))
        try req.servicePolicy.require(.viewService, at: unit.orgPath, visibleWith: .viewService)
        return unit
    }

    @Sendable func dashboardAPI(req: Request) async throws -> ServiceDashboardData {
        try await ServiceDashboard.load(req, unit: try await dashboardUnit(req))
    }

    struct DashboardPage: Encodable {
        let data: ServiceDashboardData
        let charts: ServiceDashboard.Charts
        let units: [SelectOption]
    }

    @Sendable func dashboardPage(req: Request) async throws -> Response {
        let unit = try await dashboardUnit(req)
        let data = try await ServiceDashboard.load(req, unit: unit)
        var units = try await OfficeChoices.options(req, for: .viewService)
        if !units.contains(where: { $0.value == unit.id!.uuidString }) { units.insert(SelectOption(value: unit.id!.uuidString, label: data.unit.displayName, selected: true), at: 0) }
        units = units.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == unit.id!.uuidString) }
        return try await req.render("service/dashboard", title: "Dasbor pelayanan", DashboardPage(data: data, charts: ServiceDashboard.charts(data), units: units))
    }

    // MARK: officials

    private func filter(_ req: Request) async throws -> ServiceFilter {
        let l = try await ListQuery.parse(req)
        var f = ServiceFilter()
        f.state = ((try? req.query.get(String.self, at: "state")).flatMap(ServiceFilter.State.init(rawValue:))) ?? .open
        f.category = (try? req.query.get(String.self, at: "category")).flatMap(ServiceCategory.init(rawValue:))
        f.unit = l.unit
        f.q = l.q
        f.page = l.page
        f.per = l.per
        return f
    }

    @Sendable func listAPI(req: Request) async throws -> ServiceRequestsPage {
        try await req.serviceDesk.list(try await filter(req))
    }

    struct ListRow: Encodable {
        let request: ServiceRequestDTO
        let regionName: String
    }

    struct ListPage: Encodable {
        let result: ServiceRequestsPage
        let rows: [ListRow]
        let tabs: [MembershipController.Tab]
        let categories: [SelectOption]
        let q: String
        let state: String
        let category: String
        let canRecord: Bool
        let prevPage: Int?
        let nextPage: Int?
    }

    @Sendable func listPage(req: Request) async throws -> Response {
        let f = try await filter(req)
        let result = try await req.serviceDesk.list(f)
        let codes = Array(Set(result.items.map(\.regionCode)))
        let names = codes.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Region.query(on: req.db).filter(\.$id ~~ codes).all().map { ($0.id!, $0.name) })
        let extra = (f.category.map { "&category=\($0.rawValue)" } ?? "") + (f.unit.map { "&unit=\($0.id!)" } ?? "")
        let states: [(ServiceFilter.State, String)] = [(.open, "Terbuka"), (.breached, "Lewat tenggat"), (.followUp, "Perlu tindak lanjut"),
                                                       (.closed, "Selesai"), (.all, "Semua")]
        let pages = max(1, (result.total + f.per - 1) / f.per)
        return try await req.render("service/list", title: "Pelayanan", ListPage(
            result: result, rows: result.items.map { ListRow(request: $0, regionName: names[$0.regionCode] ?? $0.regionCode) },
            tabs: states.map { MembershipController.Tab(href: "/service?state=\($0.0.rawValue)\(extra)", label: $0.1, active: f.state == $0.0) },
            categories: ServiceCategory.allCases.map { SelectOption(value: $0.rawValue, label: $0.shortLabel, selected: f.category == $0) },
            q: f.q ?? "", state: f.state.rawValue, category: f.category?.rawValue ?? "",
            canRecord: req.access.hasAny(.handleService),
            prevPage: f.page > 1 ? f.page - 1 : nil, nextPage: f.page < pages ? f.page + 1 : nil))
    }

    @Sendable func staffFormPage(req: Request) async throws -> Response {
        try req.requireAnywhere(.handleService, "Anda tidak berwenang mencatat permohonan.")
        return try await renderForm(req, staff: true, form: ServiceRequestForm(kind: "request", consent: "on"))
    }

    @Sendable func fileFromStaffPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await file(req, channel: .staff)
    }

    @Sendable func fileFromStaffAPI(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let r = try await req.serviceDesk.file(try req.content.decode(ServiceRequestForm.self), channel: .staff)
        return try await ServiceRequestDTO(r).encodeResponse(status: .created, for: req)
    }

    @Sendable func detailAPI(req: Request) async throws -> ServiceRequestDetail {
        try await req.serviceDesk.detail(try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self)))
    }

    struct RevealBody: Content { var reason: String? }

    struct RevealedContact: Content { let phone: String }

    @Sendable func revealAPI(req: Request) async throws -> RevealedContact {
        let r = try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self))
        return RevealedContact(phone: try await req.serviceDesk.revealPhone(r, reason: (try? req.content.decode(RevealBody.self))?.reason))
    }

    private func action(_ req: Request) throws -> ServiceAction {
        guard let action = ServiceAction(rawValue: req.parameters.get("action") ?? "") else {
            throw Abort(.notFound, reason: "Tindakan tidak dikenal.")
        }
        return action
    }

    @Sendable func actAPI(req: Request) async throws -> ServiceRequestDetail {
        let r = try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self))
        let action = try action(req)
        try await req.serviceDesk.act(action, on: r, form: (try? req.content.decode(ServiceActionForm.self)) ?? ServiceActionForm())
        return try await req.serviceDesk.detail(r)
    }

    struct ActionPanel: Encodable {
        let action: String
        let label: String
    }

    struct DetailPage: Encodable {
        let detail: ServiceRequestDetail
        let regionName: String
        let revealedPhone: String?
        let canReveal: Bool
        let actions: [ActionPanel]
        let has: [String: Bool]
        let categories: [SelectOption]
        let ppksTypes: [SelectOption]
        let outcomes: [SelectOption]
        let units: [SelectOption]
        let advocates: [SelectOption]
        let errors: [String: String]
        let errorSummary: String?
        let today: String
    }

    private func renderDetail(_ req: Request, _ r: ServiceRequest, revealedPhone: String? = nil,
                              failed: (action: ServiceAction, failure: ValidationFailure)? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let detail = try await req.serviceDesk.detail(r)
        let labels = try await req.levelLabels()
        // Who may carry the case: the request's own unit and the units above it the user sees.
        let chain = (try await OrgQueries.ancestors(of: try await r.$orgUnit.get(on: req.db), on: req.db) + [try await r.$orgUnit.get(on: req.db)])
            .filter { req.access.allows(.viewService, at: $0.orgPath) }.reversed()
        return try await req.render("service/detail", title: "Laporan \(detail.request.code)", DetailPage(
            detail: detail, regionName: detail.regionName, revealedPhone: revealedPhone,
            canReveal: req.servicePolicy.canReveal(r),
            actions: detail.actions.map { ActionPanel(action: $0.rawValue, label: $0.label) },
            has: Dictionary(uniqueKeysWithValues: detail.actions.map { ($0.rawValue, true) }),
            categories: ServiceCategory.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: r.category == $0) },
            ppksTypes: PPKSType.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: r.ppksType == $0) },
            outcomes: ServiceOutcome.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: false) },
            units: chain.map { SelectOption(value: $0.id!.uuidString, label: labels.displayName(of: $0), selected: r.$assignedUnit.id == $0.id) },
            advocates: try await advocateOptions(req, for: r),
            errors: failed.map { $0.failure.byField.merging(["action": $0.action.rawValue]) { a, _ in a } } ?? [:],
            errorSummary: failed?.failure.reason,
            today: CivilDate(Date()).iso8601), status: status)
    }

    /// Pendamping candidates: office holders the user can see and active members of the
    /// request's kelurahan (at most 200, by name).
    private func advocateOptions(_ req: Request, for r: ServiceRequest) async throws -> [SelectOption] {
        let offices = try await OfficeTerm.query(on: req.db).filter(\.$endedOn == nil).with(\.$person).limit(500).all()
            .map(\.person).filter(req.peoplePolicy.canView)
        let members = try await Membership.query(on: req.db).filter(\.$status == .active).filter(\.$scope == r.scope)
            .with(\.$person).limit(200).all().map(\.person)
        var seen = Set<UUID>()
        return (offices + members).filter { seen.insert($0.id!).inserted }.sorted { $0.fullName < $1.fullName }.prefix(200)
            .map { SelectOption(value: $0.id!.uuidString, label: $0.fullName, selected: r.$advocate.id == $0.id) }
    }

    @Sendable func detailPage(req: Request) async throws -> Response {
        try await renderDetail(req, try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self)))
    }

    @Sendable func revealPage(req: Request) async throws -> Response {
        let r = try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self))
        let phone = try await req.serviceDesk.revealPhone(r, reason: try? req.content.get(String.self, at: "reason"))
        return try await renderDetail(req, r, revealedPhone: phone)
    }

    /// The photo sent with the request; officials who may see the request; audited.
    @Sendable func photo(req: Request) async throws -> Response {
        let r = try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self))
        guard let cipher = r.photoCipher, let data = Data(base64Encoded: try req.vault.decrypt(cipher)) else {
            throw Abort(.notFound, reason: "Laporan ini tidak berfoto.")
        }
        try await req.audit.record("service.photo", entity: "service_request", id: r.id?.uuidString, scope: r.scope)
        var headers = HTTPHeaders()
        headers.contentType = .jpeg
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable func actFromPage(req: Request) async throws -> Response {
        let r = try await req.serviceDesk.find(req.parameters.get("requestID", as: UUID.self))
        let action = try action(req)
        do {
            try await req.serviceDesk.act(action, on: r, form: try req.content.decode(ServiceActionForm.self))
            req.flash("\(action.label): tersimpan. Status: \(r.status.label).")
        } catch let failure as ValidationFailure {
            // Reload: the failed action changed nothing stored.
            let fresh = try await req.serviceDesk.find(r.id)
            return try await renderDetail(req, fresh, failed: (action, failure), status: .unprocessableEntity)
        } catch let abort as Abort where abort.status == .conflict {
            req.flash(abort.reason, error: true)
        }
        return req.redirect(to: "/service/\(r.id!)")
    }
}
