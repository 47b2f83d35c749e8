import Fluent
import SimpulCore
import Vapor

/// Donation campaigns: the public transparency pages, the officials' pages, /api/v1.
struct CampaignController {
    func bootPublicWeb(_ routes: any RoutesBuilder) {
        routes.get("donasi", use: publicListPage)
        routes.get("donasi", ":slug", use: publicPage)
    }

    func bootPublicAPI(_ routes: any RoutesBuilder) {
        routes.get("campaigns", use: publicListAPI)
        routes.get("campaigns", ":slug", use: publicAPI)
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("campaigns", use: listPage)
        routes.post("campaigns", use: createFromPage)
        routes.get("campaigns", ":campaignID", use: detailPage)
        routes.post("campaigns", ":campaignID", ":entry", use: addFromPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("campaigns", use: listAPI)
        routes.post("campaigns", use: createAPI)
        routes.get("campaigns", ":campaignID", use: detailAPI)
        routes.post("campaigns", ":campaignID", "pledges", use: pledgeAPI)
        routes.post("campaigns", ":campaignID", "receipts", use: receiptAPI)
        routes.post("campaigns", ":campaignID", "spending", use: spendingAPI)
    }

    // MARK: public

    struct PublicSummary: Content {
        let slug: String
        let title: String
        let unitName: String
        let receivedText: String
        let targetText: String
        let percent: Int
    }

    private func publicSummaries(_ req: Request) async throws -> [PublicSummary] {
        let labels = try await req.levelLabels()
        var out: [PublicSummary] = []
        for c in try await Campaign.query(on: req.db).filter(\.$isPublic == true).sort(\.$startsOn, .descending).limit(50).all() {
            let t = try await Campaigns.totals(of: c, on: req.db)
            out.append(PublicSummary(slug: c.slug, title: c.title, unitName: labels.displayName(of: try await c.$orgUnit.get(on: req.db)),
                                     receivedText: Rupiah.format(t.received), targetText: Rupiah.format(t.target), percent: t.percentOfTarget))
        }
        return out
    }

    @Sendable func publicListAPI(req: Request) async throws -> [PublicSummary] { try await publicSummaries(req) }

    @Sendable func publicAPI(req: Request) async throws -> PublicCampaign {
        try await Campaigns.publicView(slug: req.parameters.get("slug") ?? "", on: req.db, labels: try await req.levelLabels())
    }

    struct PublicListPage: Encodable { let campaigns: [PublicSummary] }

    @Sendable func publicListPage(req: Request) async throws -> Response {
        try await req.render("campaigns/public-list", title: "Donasi", PublicListPage(campaigns: try await publicSummaries(req)))
    }

    struct PublicPage: Encodable {
        let campaign: PublicCampaign
        let bar: Int
    }

    @Sendable func publicPage(req: Request) async throws -> Response {
        let c = try await Campaigns.publicView(slug: req.parameters.get("slug") ?? "", on: req.db, labels: try await req.levelLabels())
        return try await req.render("campaigns/public", title: c.title, PublicPage(campaign: c, bar: min(100, c.percent)))
    }

    // MARK: officials API

    @Sendable func listAPI(req: Request) async throws -> [CampaignDTO] { try await req.campaigns.list() }

    @Sendable func createAPI(req: Request) async throws -> Response {
        let c = try await req.campaigns.create(try req.content.decode(CampaignForm.self))
        return try await req.campaigns.dto(c).encodeResponse(status: .created, for: req)
    }

    @Sendable func detailAPI(req: Request) async throws -> CampaignDetail {
        try await req.campaigns.detail(try await req.campaigns.find(req.parameters.get("campaignID", as: UUID.self)))
    }

    private func donation(_ req: Request, _ kind: DonationKind) async throws -> Response {
        let c = try await req.campaigns.find(req.parameters.get("campaignID", as: UUID.self))
        _ = try await req.campaigns.addDonation(kind, try req.content.decode(DonationForm.self), to: c)
        return try await req.campaigns.detail(c).encodeResponse(status: .created, for: req)
    }

    @Sendable func pledgeAPI(req: Request) async throws -> Response { try await donation(req, .pledge) }
    @Sendable func receiptAPI(req: Request) async throws -> Response { try await donation(req, .receipt) }

    @Sendable func spendingAPI(req: Request) async throws -> Response {
        let c = try await req.campaigns.find(req.parameters.get("campaignID", as: UUID.self))
        _ = try await req.campaigns.addSpending(try req.content.decode(SpendingForm.self), to: c)
        return try await req.campaigns.detail(c).encodeResponse(status: .created, for: req)
    }

    // MARK: officials pages

    struct ListPage: Encodable {
        let campaigns: [CampaignDTO]
        let units: [SelectOption]
        let form: CampaignForm
        let errors: [String: String]
    }

    private func renderList(_ req: Request, form: CampaignForm = CampaignForm(isPublic: "on"), errors: [String: String] = [:],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let units = try await OfficeChoices.options(req, for: .manageFunds)
        return try await req.render("campaigns/list", title: "Donasi", ListPage(campaigns: try await req.campaigns.list(), units: units,
                                                                                 form: form, errors: errors), status: status)
    }

    @Sendable func listPage(req: Request) async throws -> Response { try await renderList(req) }

    @Sendable func createFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(CampaignForm.self)
        do {
            let c = try await req.campaigns.create(form)
            req.flash("Kampanye \(c.title) dibuat.")
            return req.redirect(to: "/campaigns/\(c.id!)")
        } catch let failure as ValidationFailure {
            return try await renderList(req, form: form, errors: failure.byField, status: .unprocessableEntity)
        }
    }

    struct DetailPage: Encodable {
        let detail: CampaignDetail
        let canManage: Bool
        let methods: [SelectOption]
        let failed: String
        let errors: [String: String]
        let today: String
        /// Recent food bank purchases and distributions in the campaign's territory.
        let stockEntries: [SelectOption]
    }

    /// What spending can be linked to: the latest purchases and distributions the user sees
    /// in the campaign's territory.
    private func stockOptions(_ req: Request, _ c: Campaign) async throws -> [SelectOption] {
        let entries = try await req.foodBankPolicy.scopeFilter(StockEntry.query(on: req.db), column: "scope", for: .viewService)
            .within(\.$scope, c.orgPath).filter(\.$kind ~~ [.purchaseIn, .distributionOut])
            .with(\.$item).sort(\.$at, .descending).limit(60).all()
        return entries.map { e in
            let day = CivilDate(iso8601: e.onDate)?.indonesian ?? e.onDate
            let label = "\(day) · \(e.kind.label) \(abs(e.quantity)) \(e.item.unit) \(e.item.name)" + (e.counterparty.map { " · \($0)" } ?? "")
            return SelectOption(value: e.id!.uuidString, label: label, selected: false)
        }
    }

    private func renderDetail(_ req: Request, _ c: Campaign, failed: String = "", errors: [String: String] = [:],
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.render("campaigns/detail", title: c.title, DetailPage(
            detail: try await req.campaigns.detail(c), canManage: req.campaignPolicy.canManage(c),
            methods: PaymentMethod.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: false) },
            failed: failed, errors: errors, today: CivilDate(Date()).iso8601,
            stockEntries: req.campaignPolicy.canManage(c) ? try await stockOptions(req, c) : []), status: status)
    }

    @Sendable func detailPage(req: Request) async throws -> Response {
        try await renderDetail(req, try await req.campaigns.find(req.parameters.get("campaignID", as: UUID.self)))
    }

    @Sendable func addFromPage(req: Request) async throws -> Response {
        let c = try await req.campaigns.find(req.parameters.get("campaignID", as: UUID.self))
        let entry = req.parameters.get("entry") ?? ""
        do {
            switch entry {
            case "pledges": _ = try await req.campaigns.addDonation(.pledge, try req.content.decode(DonationForm.self), to: c)
            case "receipts": _ = try await req.campaigns.addDonation(.receipt, try req.content.decode(DonationForm.self), to: c)
            case "spending": _ = try await req.campaigns.addSpending(try req.content.decode(SpendingForm.self), to: c)
            default: throw Abort(.notFound, reason: "Tindakan tidak dikenal.")
            }
            req.flash("Tersimpan.")
            return req.redirect(to: "/campaigns/\(c.id!)")
        } catch let failure as ValidationFailure {
            return try await renderDetail(req, c, failed: entry, errors: failure.byField, status: .unprocessableEntity)
        }
    }
}
