import Fluent
import SimpulCard
import SimpulCore
import Vapor

/// Membership pages and API: the public registration form, the officials' verification
/// queue, member detail with decisions, and the public KTA check behind the QR code.
struct MembershipController {
    /// Public registration: per address per hour.
    static let registrationLimit = 10

    func bootPublicWeb(_ routes: any RoutesBuilder) {
        routes.get("daftar", use: registrationPage)
        routes.on(.POST, "daftar", body: .collect(maxSize: "2mb"), use: registerFromPage)
        routes.get("kta", ":code", use: verifyPage)
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("members", use: listPage)
        routes.get("members", ":membershipID", use: detailPage)
        routes.post("members", ":membershipID", ":action", use: decideFromPage)
        routes.get("members", ":membershipID", "card.svg", use: card)
        routes.get("members", ":membershipID", "card.png", use: cardPNG)
    }

    func bootPublicAPI(_ routes: any RoutesBuilder) {
        routes.post("registrations", use: registerAPI)
        routes.get("kta", ":code", use: verifyAPI)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("members", use: listAPI)
        routes.post("members", use: registerByStaffAPI)
        routes.get("members", ":membershipID", use: detailAPI)
        routes.post("members", ":membershipID", ":action", use: decideAPI)
    }

    // MARK: public registration

    struct RegistrationPage: Encodable {
        let form: RegistrationForm
        let errors: [String: String]
        let districts: [DistrictOption]
        let stamp: String
        let consents: [ConsentOption]
        let maritalStatuses: [Option]
    }

    struct DistrictOption: Encodable {
        let name: String
        let villages: [Option]
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct ConsentOption: Encodable {
        let field: String
        let label: String
        let required: Bool
        let checked: Bool
    }

    /// Kelurahan of the branch this installation serves, grouped by kecamatan.
    func villageOptions(_ req: Request, selected: String?) async throws -> [DistrictOption] {
        let home = try await Setting.value(BranchSettings.homeRegionKey, on: req.db) ?? BranchSettings.defaultHomeRegion
        let districts = try await Region.query(on: req.db).filter(\.$parentCode == home).sort(\.$id).all()
        let villages = try await Region.query(on: req.db).filter(\.$parentCode ~~ districts.compactMap(\.id)).sort(\.$id).all()
        return districts.map { d in
            DistrictOption(name: d.name, villages: villages.filter { $0.parentCode == d.id }.map {
                Option(value: $0.id!, label: $0.name, selected: $0.id == selected)
            })
        }
    }

    private func renderRegistration(_ req: Request, form: RegistrationForm = RegistrationForm(), errors: [String: String] = [:],
                                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let consents = [
            ConsentOption(field: "consentMembership", label: Consent.Purpose.membership.label + " (wajib)", required: true,
                          checked: RegistrationForm.ticked(form.consentMembership)),
            ConsentOption(field: "consentContact", label: Consent.Purpose.contact.label, required: false,
                          checked: RegistrationForm.ticked(form.consentContact)),
            ConsentOption(field: "consentPublication", label: Consent.Purpose.publication.label, required: false,
                          checked: RegistrationForm.ticked(form.consentPublication)),
        ]
        let marital = MaritalStatus.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: form.maritalStatus == $0.rawValue) }
        return try await req.render("membership/register", title: "Daftar menjadi anggota", RegistrationPage(
            form: form, errors: errors, districts: try await villageOptions(req, selected: form.regionCode),
            stamp: FormGuard.stamp(for: req), consents: consents, maritalStatuses: marital), status: status)
    }

    @Sendable func registrationPage(req: Request) async throws -> Response {
        try await renderRegistration(req)
    }

    struct RegisteredPage: Encodable {
        let reference: String
    }

    @Sendable func registerFromPage(req: Request) async throws -> Response {
        let submitted = try req.content.decode(RegistrationForm.self)
        var form = submitted
        form.photo = nil  // never echoed back into the page
        guard FormGuard.looksHuman(honeypot: try? req.content.get(String.self, at: FormGuard.honeypotField),
                                   stamp: try? req.content.get(String.self, at: FormGuard.stampField), vault: req.vault,
                                   minimumSeconds: req.application.settings.formMinimumSeconds) else {
            return try await renderRegistration(req, form: form, errors: ["form": "Formulir terkirim terlalu cepat atau tidak lengkap. Periksa isian lalu kirim lagi."],
                                                status: .unprocessableEntity)
        }
        try await req.rateLimiter.hit("register:" + req.clientAddress, limit: Self.registrationLimit, window: 3600)
        do {
            let m = try await req.memberships.register(submitted, channel: .selfRegistration)
            return try await req.render("membership/registered", title: "Pendaftaran diterima",
                                        RegisteredPage(reference: Self.reference(m)))
        } catch let failure as ValidationFailure {
            var errors = FormErrors()
            for e in failure.errors { errors.add(e.field, e.message) }
            return try await renderRegistration(req, form: form, errors: errors.byField, status: .unprocessableEntity)
        }
    }

    /// Short reference shown to the registrant.
    static func reference(_ m: Membership) -> String { String(m.id!.uuidString.prefix(8)) }

    struct RegistrationReceipt: Content {
        let reference: String
        let status: MembershipStatus
        let message: String
    }

    @Sendable func registerAPI(req: Request) async throws -> Response {
        try await req.rateLimiter.hit("register:" + req.clientAddress, limit: Self.registrationLimit, window: 3600)
        let m = try await req.memberships.register(try req.content.decode(RegistrationForm.self), channel: .selfRegistration)
        return try await RegistrationReceipt(reference: Self.reference(m), status: m.status,
                                             message: "Pendaftaran diterima dan menunggu verifikasi pengurus.")
            .encodeResponse(status: .created, for: req)
    }

    @Sendable func registerByStaffAPI(req: Request) async throws -> Response {
        try req.requireAnywhere(.editPeople, "Anda tidak berwenang mendaftarkan anggota.")
        let m = try await req.memberships.register(try req.content.decode(RegistrationForm.self), channel: .staff)
        let (found, person) = try await req.memberships.find(m.id)
        return try await MembershipDTO(found, person: person).encodeResponse(status: .created, for: req)
    }

    // MARK: public KTA check

    @Sendable func verifyPage(req: Request) async throws -> Response {
        let check = try await MembershipService.publicCheck(code: req.parameters.get("code") ?? "", on: req.db,
                                                            labels: req.application.levelLabelCache, local: nil,
                                                            batch: req.application.cardCheckBatch).get()
        return try await req.render("membership/verify", title: "Verifikasi KTA", check)
    }

    @Sendable func verifyAPI(req: Request) -> EventLoopFuture<Response> {
        MembershipService.publicCheck(code: req.parameters.get("code") ?? "", on: req.db, labels: req.application.levelLabelCache,
                                    local: req.application.loopLocalSQLite, batch: req.application.cardCheckBatch)
            .map(\.jsonResponse)
    }

    // MARK: officials

    private func listArguments(_ req: Request) async throws -> (MembershipStatus?, OrgUnit?, String?, Int, Int) {
        let l = try await ListQuery.parse(req)
        let status = (try? req.query.get(String.self, at: "status")).flatMap(MembershipStatus.init(rawValue:))
        return (status, l.unit, l.q, l.page, l.per)
    }

    @Sendable func listAPI(req: Request) async throws -> MembersPage {
        let (status, unit, q, page, per) = try await listArguments(req)
        return try await req.memberships.list(status: status, unit: unit, query: q, page: page, per: per)
    }

    struct Tab: Encodable {
        let href: String
        let label: String
        let active: Bool
    }

    struct ListPage: Encodable {
        let result: MembersPage
        let tabs: [Tab]
        let q: String
        let status: String
        let prevPage: Int?
        let nextPage: Int?
    }

    @Sendable func listPage(req: Request) async throws -> Response {
        let (status, unit, q, page, per) = try await listArguments(req)
        let result = try await req.memberships.list(status: status, unit: unit, query: q, page: page, per: per)
        let unitQuery = unit.map { "&unit=\($0.id!)" } ?? ""
        var tabs = [Tab(href: "/members?x=1\(unitQuery)", label: "Semua", active: status == nil)]
        tabs += MembershipStatus.allCases.map { Tab(href: "/members?status=\($0.rawValue)\(unitQuery)", label: $0.label, active: status == $0) }
        let pages = max(1, (result.total + per - 1) / per)
        return try await req.render("membership/list", title: "Anggota", ListPage(
            result: result, tabs: tabs, q: q ?? "", status: status?.rawValue ?? "",
            prevPage: page > 1 ? page - 1 : nil, nextPage: page < pages ? page + 1 : nil))
    }

    @Sendable func detailAPI(req: Request) async throws -> MembershipDTO {
        let (m, person) = try await req.memberships.find(req.parameters.get("membershipID", as: UUID.self))
        return MembershipDTO(m, person: person)
    }

    struct DecisionBody: Content { var reason: String? }

    @Sendable func decideAPI(req: Request) async throws -> MembershipDTO {
        let (m, person) = try await req.memberships.find(req.parameters.get("membershipID", as: UUID.self))
        guard let action = MembershipAction(rawValue: req.parameters.get("action") ?? "") else {
            throw Abort(.notFound, reason: "Tindakan tidak dikenal.")
        }
        try await req.memberships.decide(action, on: m, reason: (try? req.content.decode(DecisionBody.self))?.reason)
        return MembershipDTO(m, person: person)
    }

    struct ActionButton: Encodable {
        let action: String
        let label: String
        let needsReason: Bool
    }

    struct DetailPage: Encodable {
        let member: MembershipDTO
        let unit: String
        let regionName: String
        let actions: [ActionButton]
        let consents: [String]
        let hasCard: Bool
        let verifyPath: String?
    }

    @Sendable func detailPage(req: Request) async throws -> Response {
        let (m, person) = try await req.memberships.find(req.parameters.get("membershipID", as: UUID.self))
        let labels = try await OrgLevelLabels.load(on: req.db)
        let unit = try await m.$orgUnit.get(on: req.db)
        let region = try await Region.find(person.regionCode, on: req.db)
        let consents = try await Consent.query(on: req.db).filter(\.$person.$id == person.requireID()).sort(\.$at).all()
        var latest: [Consent.Purpose: Consent] = [:]
        for c in consents { latest[c.purpose] = c }
        let actions = req.membershipPolicy.canDecide(m)
            ? MembershipLifecycle.actions(from: m.status).map { ActionButton(action: $0.rawValue, label: $0.label, needsReason: $0.needsReason) }
            : []
        return try await req.render("membership/detail", title: person.fullName, DetailPage(
            member: MembershipDTO(m, person: person), unit: labels.displayName(of: unit), regionName: region?.name ?? person.regionCode,
            actions: actions,
            consents: Consent.Purpose.allCases.map { p in "\(p.label): \(latest[p]?.granted == true ? "ya" : "tidak")" },
            hasCard: m.status == .active && m.number != nil, verifyPath: m.verifyCode.map { "/kta/\($0)" }))
    }

    /// The e-KTA as a printable SVG (ID-1 size). Printing needs verifyMembers; audited.
    @Sendable func card(req: Request) async throws -> Response {
        let (svg, number) = try await cardSVG(req, format: "svg")
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"kta-\(number).svg\"")
        return Response(status: .ok, headers: headers, body: .init(string: svg))
    }

    /// The same card as a 300 dpi PNG (1012 × 638 px), to keep on a phone or send by chat.
    @Sendable func cardPNG(req: Request) async throws -> Response {
        let (svg, number) = try await cardSVG(req, format: "png")
        let png = try await PNGRenderer.render(svg, dpi: 300, on: req.application.threadPool)
        var headers = HTTPHeaders()
        headers.contentType = .png
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"kta-\(number).png\"")
        return Response(status: .ok, headers: headers, body: .init(data: png))
    }

    private func cardSVG(_ req: Request, format: String) async throws -> (svg: String, number: String) {
        let (m, person) = try await req.memberships.find(req.parameters.get("membershipID", as: UUID.self))
        try req.membershipPolicy.requireDecide(m)
        guard m.status == .active, let number = m.number, let code = m.verifyCode, let validUntil = m.validUntil else {
            throw Abort(.conflict, reason: "KTA hanya diterbitkan untuk anggota aktif.")
        }
        let labels = try await OrgLevelLabels.load(on: req.db)
        let unit = try await m.$orgUnit.get(on: req.db)
        let chain = (try await OrgQueries.ancestors(of: unit, on: req.db) + [unit]).filter { $0.level >= 2 }.reversed()
        let photo = try person.photoCipher.map { try req.vault.decrypt($0) }
        let svg: String
        do {
            svg = try CardRenderer.svg(MemberCard(
                partyName: try await BranchSettings.partyName(on: req.db, labels: labels),
                fullName: person.fullName, memberNumber: number,
                unitName: chain.map(labels.displayName(of:)).joined(separator: ", "),
                validUntil: CivilDate(iso8601: validUntil)?.indonesian ?? validUntil,
                photoJPEGBase64: photo, verifyURL: Self.publicURL(req) + "/kta/" + code))
        } catch let error as CardRenderError {
            throw Abort(.unprocessableEntity, reason: error.message)
        }
        try await req.audit.record("membership.card", entity: "membership", id: m.id?.uuidString, scope: m.scope,
                                   detail: format)
        return (svg, number)
    }

    /// Base of the addresses printed in QR codes: SIMPUL_PUBLIC_URL, else this request's host.
    static func publicURL(_ req: Request) -> String {
        if let configured = req.application.settings.publicURL, !configured.isEmpty {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        return "http://" + (req.headers.first(name: .host) ?? "127.0.0.1:8080")
    }

    @Sendable func decideFromPage(req: Request) async throws -> Response {
        let (m, person) = try await req.memberships.find(req.parameters.get("membershipID", as: UUID.self))
        guard let action = MembershipAction(rawValue: req.parameters.get("action") ?? "") else {
            throw Abort(.notFound, reason: "Tindakan tidak dikenal.")
        }
        do {
            try await req.memberships.decide(action, on: m, reason: try? req.content.get(String.self, at: "reason"))
            req.flash("\(person.fullName): \(m.status.label)." + (action == .activate ? " Nomor KTA \(m.number ?? "")." : ""))
        } catch let failure as ValidationFailure {
            req.flash(failure.reason, error: true)
        } catch let abort as Abort where abort.status == .conflict {
            req.flash(abort.reason, error: true)
        }
        return req.redirect(to: "/members/\(m.id!)")
    }
}
