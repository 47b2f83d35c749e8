import Fluent
import SimpulCore
import Vapor

/// Events: list and create, registration, the check-in desk, online counts, the
/// reminder outbox. Pages and /api/v1.
struct EventsController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("events", use: listPage)
        routes.post("events", use: createFromPage)
        routes.get("events", "reminders", use: outboxPage)
        routes.post("events", "reminders", "send", use: sendFromPage)
        routes.get("events", ":eventID", use: detailPage)
        routes.post("events", ":eventID", "registrations", use: registerFromPage)
        routes.post("events", ":eventID", "checkins", use: checkInFromPage)
        routes.post("events", ":eventID", "online", use: onlineFromPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("events", use: listAPI)
        routes.post("events", use: createAPI)
        routes.get("events", "reminders", use: outboxAPI)
        routes.post("events", "reminders", "send", use: sendAPI)
        routes.get("events", ":eventID", use: detailAPI)
        routes.post("events", ":eventID", "registrations", use: registerAPI)
        routes.post("events", ":eventID", "checkins", use: checkInAPI)
        routes.post("events", ":eventID", "online-counts", use: onlineAPI)
    }

    private func event(_ req: Request) async throws -> PartyEvent { try await req.events.find(req.parameters.get("eventID", as: UUID.self)) }

    // MARK: API

    @Sendable func listAPI(req: Request) async throws -> [EventDTO] { try await req.events.list() }

    @Sendable func createAPI(req: Request) async throws -> Response {
        try await req.events.dto(try await req.events.create(try req.content.decode(EventForm.self))).encodeResponse(status: .created, for: req)
    }

    @Sendable func detailAPI(req: Request) async throws -> EventDetail { try await req.events.detail(try await event(req)) }

    @Sendable func registerAPI(req: Request) async throws -> Response {
        let e = try await event(req)
        _ = try await req.events.register(e, try req.content.decode(EventRegistrationForm.self))
        return try await req.events.detail(e).encodeResponse(status: .created, for: req)
    }

    @Sendable func checkInAPI(req: Request) async throws -> CheckInResult {
        try await req.events.checkIn(try await event(req), try req.content.decode(CheckInForm.self))
    }

    @Sendable func onlineAPI(req: Request) async throws -> Response {
        let e = try await event(req)
        _ = try await req.events.addOnlineCount(e, try req.content.decode(OnlineCountForm.self))
        return try await req.events.dto(e).encodeResponse(status: .created, for: req)
    }

    @Sendable func outboxAPI(req: Request) async throws -> [ReminderDTO] {
        try req.requireAnywhere(.manageEvents, "Anda tidak berwenang membuka pengingat.")
        return try await req.events.outbox()
    }

    /// Sends what is due now. The outbox is one queue for the installation, so running it
    /// is for those who run events at the top of the branch (manageEvents at national
    /// level or at the branch's home unit and above).
    private func runOutbox(_ req: Request) async throws -> ReminderRun {
        _ = try req.requireUser()
        let home = OrgPath(regionCode: try await Setting.value(BranchSettings.homeRegionKey, on: req.db) ?? BranchSettings.defaultHomeRegion)
        guard req.access.allows(.manageEvents, at: home) else {
            throw Abort(.forbidden, reason: "Pengiriman pengingat dijalankan oleh pengurus tingkat cabang atau otomatis oleh server.")
        }
        let run = try await EventReminders.sendDue(on: req.db, vault: req.vault, sender: EventReminders.sender(for: req.application))
        try await req.audit.record("event.reminders_run", entity: "event_reminder", scope: home.rawValue,
                                   detail: "\(run.sent) terkirim, \(run.skipped) dilewati, \(run.failed) gagal")
        return run
    }

    @Sendable func sendAPI(req: Request) async throws -> ReminderRun { try await runOutbox(req) }

    // MARK: pages

    struct ListPage: Encodable {
        let upcoming: [EventDTO]
        let past: [EventDTO]
        let units: [SelectOption]
        let modes: [SelectOption]
        let programmes: [SelectOption]
        let form: EventForm
        let errors: [String: String]
        let canOutbox: Bool
    }

    private func renderList(_ req: Request, form: EventForm = EventForm(mode: "hybrid"), errors: [String: String] = [:],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        try req.requireAnywhere(.viewProgrammes, "Anda tidak berwenang membuka kegiatan.")
        let all = try await req.events.list()
        let units = try await OfficeChoices.options(req, for: .manageEvents)
        var programmes: [SelectOption] = []
        if !units.isEmpty {
            programmes = try await req.programmePolicy.visible(Programme.query(on: req.db)).filter(\.$status == .active)
                .sort(\.$title).limit(300).all().map { SelectOption(value: $0.id!.uuidString, label: $0.title, selected: $0.id?.uuidString == form.programmeID) }
        }
        return try await req.render("events/list", title: "Kegiatan", ListPage(
            upcoming: all.filter { !$0.past }.sorted { $0.startsAt < $1.startsAt }, past: all.filter(\.past), units: units,
            modes: EventMode.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.mode) },
            programmes: programmes, form: form, errors: errors, canOutbox: req.access.hasAny(.manageEvents)), status: status)
    }

    @Sendable func listPage(req: Request) async throws -> Response { try await renderList(req) }

    @Sendable func createFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(EventForm.self)
        return try await req.saveOrShow({
            let e = try await req.events.create(form)
            req.flash("Kegiatan \(e.title) dibuat.")
            return "/events/\(e.id!)"
        }, show: { try await renderList(req, form: form, errors: $0.byField, status: .unprocessableEntity) })
    }

    struct DetailPage: Encodable {
        let detail: EventDetail
        let chart: String
        let canManage: Bool
        let canDesk: Bool
        let failed: String
        let errors: [String: String]
        let result: String?
        let resultOK: Bool
        let hybrid: Bool
        let guests: [RegistrationDTO]
    }

    private func renderDetail(_ req: Request, _ e: PartyEvent, failed: String = "", errors: [String: String] = [:], result: CheckInResult? = nil,
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let detail = try await req.events.detail(e)
        return try await req.render("events/detail", title: e.title, DetailPage(
            detail: detail, chart: Events.chart(detail.event), canManage: req.eventPolicy.canManage(e), canDesk: req.eventPolicy.canDesk(e),
            failed: failed, errors: errors, result: result?.message, resultOK: result?.ok ?? true, hybrid: e.mode == .hybrid,
            guests: detail.registrations.filter { !$0.checkedIn && $0.attendMode == .inPerson }), status: status)
    }

    @Sendable func detailPage(req: Request) async throws -> Response { try await renderDetail(req, try await event(req)) }

    /// A desk or manager form: on success back to the event with a message, on invalid
    /// input the event page again with the messages next to `failed`'s fields.
    private func act(_ req: Request, _ failed: String, _ body: (PartyEvent) async throws -> String) async throws -> Response {
        let e = try await event(req)
        do {
            req.flash(try await body(e))
            return req.redirect(to: "/events/\(e.id!)")
        } catch let failure as ValidationFailure {
            return try await renderDetail(req, e, failed: failed, errors: failure.byField, status: .unprocessableEntity)
        }
    }

    @Sendable func registerFromPage(req: Request) async throws -> Response {
        try await act(req, "register") { e in
            let r = try await req.events.register(e, try req.content.decode(EventRegistrationForm.self))
            return "\(r.name) terdaftar."
        }
    }

    /// The desk stays on the event page after each check-in, with the result on top,
    /// so the next card can be scanned at once.
    @Sendable func checkInFromPage(req: Request) async throws -> Response {
        let e = try await event(req)
        do {
            let result = try await req.events.checkIn(e, try req.content.decode(CheckInForm.self))
            return try await renderDetail(req, e, result: result)
        } catch let failure as ValidationFailure {
            return try await renderDetail(req, e, failed: "checkin", errors: failure.byField, status: .unprocessableEntity)
        }
    }

    @Sendable func onlineFromPage(req: Request) async throws -> Response {
        try await act(req, "online") { e in
            let c = try await req.events.addOnlineCount(e, try req.content.decode(OnlineCountForm.self))
            return "Hitungan \(c.source): \(SVGChart.number(c.viewers)) penonton tersimpan."
        }
    }

    struct OutboxPage: Encodable {
        let reminders: [ReminderDTO]
        let channel: String
        let dueNow: Int
    }

    @Sendable func outboxPage(req: Request) async throws -> Response {
        try req.requireAnywhere(.manageEvents, "Anda tidak berwenang membuka pengingat.")
        let reminders = try await req.events.outbox()
        let due = try await req.eventPolicy.scopeFilter(EventReminder.query(on: req.db), column: "scope", for: .manageEvents)
            .filter(\.$status == .pending).filter(\.$dueAt <= Date()).count()
        return try await req.render("events/outbox", title: "Pengingat kegiatan", OutboxPage(
            reminders: reminders, channel: EventReminders.sender(for: req.application).channel, dueNow: due))
    }

    @Sendable func sendFromPage(req: Request) async throws -> Response {
        let run = try await runOutbox(req)
        req.flash("Pengingat: \(run.sent) terkirim, \(run.skipped) dilewati, \(run.failed) gagal.")
        return req.redirect(to: "/events/reminders")
    }
}
