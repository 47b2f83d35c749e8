import Fluent
import SimpulCore
import Vapor

/// Lumbung pangan pages and /api/v1/food.
struct FoodBankController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("food", use: officePage)
        routes.post("food", "items", use: createItemFromPage)
        routes.get("food", "items", ":itemID", use: itemPage)
        routes.post("food", "items", ":itemID", "movements", use: recordFromPage)
        routes.post("food", "items", ":itemID", "transfers", use: transferFromPage)
        routes.post("food", "entries", ":entryID", "reverse", use: reverseFromPage)
        routes.get("food", "report", use: reportPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("food", "items", use: itemsAPI)
        routes.post("food", "items", use: createItemAPI)
        routes.get("food", "items", ":itemID", use: itemAPI)
        routes.post("food", "items", ":itemID", "movements", use: recordAPI)
        routes.post("food", "items", ":itemID", "transfers", use: transferAPI)
        routes.post("food", "entries", ":entryID", "reverse", use: reverseAPI)
        routes.get("food", "distributions", use: reportAPI)
    }

    // MARK: API

    struct OfficeItems: Content {
        let unit: OrgUnitDTO
        let items: [FoodItemDTO]
    }

    private func officeID(_ req: Request) -> UUID? { try? req.query.get(UUID.self, at: "unit") }

    @Sendable func itemsAPI(req: Request) async throws -> OfficeItems {
        let office = try await req.foodBank.office(officeID(req))
        return OfficeItems(unit: OrgUnitDTO(office, labels: try await req.levelLabels()), items: try await req.foodBank.items(at: office))
    }

    @Sendable func createItemAPI(req: Request) async throws -> Response {
        let item = try await req.foodBank.createItem(try req.content.decode(FoodItemForm.self))
        return try await req.foodBank.dto(item, stock: 0).encodeResponse(status: .created, for: req)
    }

    @Sendable func itemAPI(req: Request) async throws -> FoodItemDetail {
        try await req.foodBank.detail(try await req.foodBank.findItem(req.parameters.get("itemID", as: UUID.self)))
    }

    @Sendable func recordAPI(req: Request) async throws -> Response {
        let item = try await req.foodBank.findItem(req.parameters.get("itemID", as: UUID.self))
        let e = try await req.foodBank.record(try req.content.decode(StockMovementForm.self), on: item)
        return try await StockEntryDTO(e, reversedBy: nil).encodeResponse(status: .created, for: req)
    }

    struct TransferResult: Content {
        let out: StockEntryDTO
        let incoming: StockEntryDTO
    }

    @Sendable func transferAPI(req: Request) async throws -> Response {
        let item = try await req.foodBank.findItem(req.parameters.get("itemID", as: UUID.self))
        let (out, incoming) = try await req.foodBank.transfer(try req.content.decode(StockMovementForm.self), from: item)
        return try await TransferResult(out: StockEntryDTO(out, reversedBy: nil), incoming: StockEntryDTO(incoming, reversedBy: nil))
            .encodeResponse(status: .created, for: req)
    }

    struct ReverseBody: Content { var reason: String? }

    @Sendable func reverseAPI(req: Request) async throws -> Response {
        let made = try await req.foodBank.reverse(req.parameters.get("entryID", as: UUID.self),
                                                  reason: (try? req.content.decode(ReverseBody.self))?.reason)
        return try await made.map { StockEntryDTO($0, reversedBy: nil) }.encodeResponse(status: .created, for: req)
    }

    struct Report: Content {
        let unit: OrgUnitDTO
        let from: String
        let to: String
        let rows: [DistributionRow]
    }

    private func report(_ req: Request) async throws -> Report {
        let office = try await req.foodBank.office(officeID(req))
        let today = CivilDate(Date())
        let from = (try? req.query.get(String.self, at: "from")).flatMap(CivilDate.init(iso8601:)) ?? CivilDate(year: today.year, month: today.month, day: 1)!
        let to = (try? req.query.get(String.self, at: "to")).flatMap(CivilDate.init(iso8601:)) ?? today
        guard from <= to else {
            throw ValidationFailure(errors: [FieldError(field: "from", message: "Tanggal awal harus sebelum atau sama dengan tanggal akhir.")])
        }
        return Report(unit: OrgUnitDTO(office, labels: try await req.levelLabels()), from: from.iso8601, to: to.iso8601,
                      rows: try await req.foodBank.distributions(in: office, from: from, to: to))
    }

    @Sendable func reportAPI(req: Request) async throws -> Report { try await report(req) }

    // MARK: pages

    struct OfficePage: Encodable {
        let unit: OrgUnitDTO
        let items: [FoodItemDTO]
        let lowCount: Int
        let offices: [SelectOption]
        let canManage: Bool
        let errors: [String: String]
        let form: FoodItemForm
    }

    /// Offices the user can switch to: their own units and the units one level below.
    private func officeOptions(_ req: Request, current: OrgUnit) async throws -> [SelectOption] {
        let labels = try await req.levelLabels()
        var units = try await OfficeChoices.units(req, for: .viewService)
        if !units.contains(where: { $0.id == current.id }) { units.insert(current, at: 0) }
        return units.map { SelectOption(value: $0.id!.uuidString, label: labels.displayName(of: $0), selected: $0.id == current.id) }
    }

    private func renderOffice(_ req: Request, office: OrgUnit, form: FoodItemForm = FoodItemForm(),
                              errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let items = try await req.foodBank.items(at: office)
        return try await req.render("food/office", title: "Lumbung pangan", OfficePage(
            unit: OrgUnitDTO(office, labels: try await req.levelLabels()), items: items, lowCount: items.filter(\.low).count,
            offices: try await officeOptions(req, current: office), canManage: req.foodBankPolicy.canManage(office.orgPath),
            errors: errors, form: form), status: status)
    }

    @Sendable func officePage(req: Request) async throws -> Response {
        try await renderOffice(req, office: try await req.foodBank.office(officeID(req)))
    }

    @Sendable func createItemFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(FoodItemForm.self)
        do {
            let item = try await req.foodBank.createItem(form)
            req.flash("Barang \(item.name) ditambahkan.")
            return req.redirect(to: "/food?unit=\(item.$orgUnit.id)")
        } catch let failure as ValidationFailure {
            let office = try await req.foodBank.office(form.unitID.flatMap(UUID.init(uuidString:)))
            return try await renderOffice(req, office: office, form: form, errors: failure.byField, status: .unprocessableEntity)
        }
    }

    struct ItemPage: Encodable {
        let detail: FoodItemDetail
        let canManage: Bool
        let kinds: [SelectOption]
        let destinations: [SelectOption]
        let districts: [MembershipController.DistrictOption]
        let form: StockMovementForm
        let errors: [String: String]
        /// Which form failed: "movement", "transfer" or "reverse".
        let failed: String
        let today: String
    }

    private func renderItem(_ req: Request, _ item: FoodItem, form: StockMovementForm = StockMovementForm(), failed: String = "",
                            errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let office = try await item.$orgUnit.get(on: req.db)
        let labels = try await req.levelLabels()
        // Other offices the user works in, and the offices above this one (stock may go back up).
        let above = try await OrgQueries.ancestors(of: office, on: req.db).reversed()
            .filter { !req.access.allows(.viewService, at: $0.orgPath) && $0.level > 0 }
        let destinations = try await officeOptions(req, current: office).filter { $0.value != office.id!.uuidString }
            + above.map { SelectOption(value: $0.id!.uuidString, label: labels.displayName(of: $0), selected: false) }
        return try await req.render("food/item", title: item.name, ItemPage(
            detail: try await req.foodBank.detail(item), canManage: req.foodBankPolicy.canManage(item.orgPath),
            kinds: StockMovementKind.recordable.map { SelectOption(value: $0.rawValue, label: $0.label, selected: form.kind == $0.rawValue) },
            destinations: destinations,
            districts: try await MembershipController().villageOptions(req, selected: form.regionCode)
                .filter { d in d.villages.contains { item.orgPath.contains(OrgPath(regionCode: $0.value)) } },
            form: form, errors: errors, failed: failed, today: CivilDate(Date()).iso8601), status: status)
    }

    @Sendable func itemPage(req: Request) async throws -> Response {
        try await renderItem(req, try await req.foodBank.findItem(req.parameters.get("itemID", as: UUID.self)))
    }

    @Sendable func recordFromPage(req: Request) async throws -> Response {
        let item = try await req.foodBank.findItem(req.parameters.get("itemID", as: UUID.self))
        let form = try req.content.decode(StockMovementForm.self)
        do {
            let e = try await req.foodBank.record(form, on: item)
            req.flash("\(e.kind.label): \(abs(e.quantity)) \(item.unit) \(item.name) tercatat.")
            return req.redirect(to: "/food/items/\(item.id!)")
        } catch let failure as ValidationFailure {
            return try await renderItem(req, item, form: form, failed: "movement", errors: failure.byField, status: .unprocessableEntity)
        }
    }

    @Sendable func transferFromPage(req: Request) async throws -> Response {
        let item = try await req.foodBank.findItem(req.parameters.get("itemID", as: UUID.self))
        let form = try req.content.decode(StockMovementForm.self)
        do {
            let (out, _) = try await req.foodBank.transfer(form, from: item)
            req.flash("\(abs(out.quantity)) \(item.unit) \(item.name) dikirim ke \(out.counterparty ?? "kantor tujuan").")
            return req.redirect(to: "/food/items/\(item.id!)")
        } catch let failure as ValidationFailure {
            return try await renderItem(req, item, form: form, failed: "transfer", errors: failure.byField, status: .unprocessableEntity)
        }
    }

    @Sendable func reverseFromPage(req: Request) async throws -> Response {
        let id = req.parameters.get("entryID", as: UUID.self)
        guard let id, let entry = try await StockEntry.find(id, on: req.db) else { throw Abort(.notFound, reason: "Catatan stok tidak ditemukan.") }
        do {
            _ = try await req.foodBank.reverse(id, reason: try? req.content.get(String.self, at: "reason"))
            req.flash("Koreksi tercatat sebagai transaksi pembalik.")
        } catch let failure as ValidationFailure {
            req.flash(failure.reason, error: true)
        }
        return req.redirect(to: "/food/items/\(entry.$item.id)")
    }

    struct ReportPage: Encodable {
        let report: Report
        let totalQuantity: [SelectOption]
    }

    @Sendable func reportPage(req: Request) async throws -> Response {
        let r = try await report(req)
        var totals: [String: Int] = [:]
        for row in r.rows { totals["\(row.item) (\(row.unit))", default: 0] += row.quantity }
        return try await req.render("food/report", title: "Laporan penyaluran", ReportPage(
            report: r, totalQuantity: totals.sorted { $0.key < $1.key }.map { SelectOption(value: String($0.value), label: $0.key, selected: false) }))
    }
}
