import Fluent
import SimpulCore
import Vapor

/// The dashboard, the org tree, office holders and level labels — pages and API.
struct OrganizationController {
    struct RootPanel: Content {
        let totals: UnitCounts
        let children: [UnitCounts]
        /// Largest child people count, for the bar widths on the page.
        let maxPeople: Int
        let childLevelLabel: String
    }

    struct Dashboard: Content {
        let roots: [RootPanel]
    }

    struct OfficeDTO: Content {
        let id: UUID
        let personID: UUID
        let personName: String
        let body: String
        let position: String
        let startedOn: String
        let endedOn: String?
    }

    struct UnitDetail: Content {
        let unit: OrgUnitDTO
        let ancestors: [OrgUnitDTO]
        let totals: UnitCounts
        let children: [UnitCounts]
        let offices: [OfficeDTO]
        let maxPeople: Int
        let childLevelLabel: String
        let canManage: Bool
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get(use: dashboardPage)
        routes.get("units", use: unitsPage)
        routes.get("units", ":unitID", use: unitPage)
        routes.get("settings", "labels", use: labelsPage)
        routes.post("settings", "labels", use: saveLabels)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("dashboard", use: dashboard)
        routes.get("regions", use: regions)
        routes.get("org-units", use: listUnits)
        routes.get("org-units", ":unitID", use: unitDetailAPI)
    }

    // MARK: dashboard

    func dashboardData(req: Request) async throws -> Dashboard {
        let labels = try await OrgLevelLabels.load(on: req.db)
        var panels: [RootPanel] = []
        var roots = req.organizationPolicy.homeRoots
        // The branch this installation serves (e.g. DPD Kota Serang) comes first for users
        // above it, so a national administrator lands on the branch's own tree.
        let branch = OrgPath(regionCode: try await Setting.value(BranchSettings.homeRegionKey, on: req.db))
        if !roots.contains(branch), roots.contains(where: { $0.contains(branch) }) {
            roots.insert(branch, at: 0)
        }
        for root in roots {
            guard let unit = try await OrgQueries.unit(at: root, on: req.db) else { continue }
            let children = try await OrgQueries.childCounts(of: unit, labels: labels, on: req.db)
            panels.append(RootPanel(totals: try await OrgQueries.counts(of: unit, labels: labels, on: req.db),
                                    children: children, maxPeople: max(1, children.map(\.people).max() ?? 0),
                                    childLevelLabel: labels.label(for: unit.level + 1)))
        }
        return Dashboard(roots: panels)
    }

    @Sendable func dashboardPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await req.render("dashboard", title: "Beranda", try await dashboardData(req: req))
    }

    @Sendable func dashboard(req: Request) async throws -> Dashboard {
        _ = try req.requireUser()
        return try await dashboardData(req: req)
    }

    // MARK: units

    @Sendable func unitsPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        guard let first = req.organizationPolicy.homeRoots.first,
              let unit = try await OrgQueries.unit(at: first, on: req.db) else {
            throw Abort(.forbidden, reason: "Akun Anda belum mendapat peran di unit mana pun. Hubungi pengurus.")
        }
        return req.redirect(to: "/units/\(unit.id!)")
    }

    func loadVisibleUnit(req: Request) async throws -> OrgUnit {
        _ = try req.requireUser()
        guard let id = req.parameters.get("unitID", as: UUID.self),
              let unit = try await OrgUnit.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "Unit organisasi tidak ditemukan.")
        }
        try req.organizationPolicy.requireView(unit)
        return unit
    }

    func unitDetail(req: Request, unit: OrgUnit) async throws -> UnitDetail {
        let labels = try await OrgLevelLabels.load(on: req.db)
        let policy = req.organizationPolicy
        // Breadcrumbs show only the ancestors the user may open.
        let ancestors = try await OrgQueries.ancestors(of: unit, on: req.db).filter(policy.canView)
        let children = try await OrgQueries.childCounts(of: unit, labels: labels, on: req.db)
        let offices = try await OfficeTerm.query(on: req.db)
            .filter(\.$orgUnit.$id == unit.requireID()).filter(\.$endedOn == nil)
            .with(\.$person).sort(\.$body).sort(\.$startedOn).all()
        return UnitDetail(
            unit: OrgUnitDTO(unit, labels: labels),
            ancestors: ancestors.map { OrgUnitDTO($0, labels: labels) },
            totals: try await OrgQueries.counts(of: unit, labels: labels, on: req.db),
            children: children,
            offices: offices.map {
                OfficeDTO(id: $0.id!, personID: $0.$person.id, personName: $0.person.fullName, body: $0.body,
                          position: $0.position, startedOn: $0.startedOn, endedOn: $0.endedOn)
            },
            maxPeople: max(1, children.map(\.people).max() ?? 0),
            childLevelLabel: labels.label(for: unit.level + 1),
            canManage: policy.canManage(unit))
    }

    @Sendable func unitPage(req: Request) async throws -> Response {
        let unit = try await loadVisibleUnit(req: req)
        let detail = try await unitDetail(req: req, unit: unit)
        return try await req.render("unit", title: detail.unit.displayName, detail)
    }

    @Sendable func unitDetailAPI(req: Request) async throws -> UnitDetail {
        let unit = try await loadVisibleUnit(req: req)
        return try await unitDetail(req: req, unit: unit)
    }

    /// GET /api/v1/org-units?parent=ID — children of a unit, or the user's home units.
    @Sendable func listUnits(req: Request) async throws -> [OrgUnitDTO] {
        _ = try req.requireUser()
        let labels = try await OrgLevelLabels.load(on: req.db)
        let policy = req.organizationPolicy
        if let parentID = try? req.query.get(UUID.self, at: "parent") {
            guard let parent = try await OrgUnit.find(parentID, on: req.db) else { throw Abort(.notFound, reason: "Unit induk tidak ditemukan.") }
            try policy.requireView(parent)
            return try await OrgUnit.query(on: req.db).filter(\.$parent.$id == parentID).sort(\.$path).all()
                .map { OrgUnitDTO($0, labels: labels) }
        }
        let roots = policy.homeRoots.map(\.rawValue)
        guard !roots.isEmpty else { return [] }
        return try await OrgUnit.query(on: req.db).filter(\.$path ~~ roots).sort(\.$path).all().map { OrgUnitDTO($0, labels: labels) }
    }

    // MARK: regions (public reference data, but only for signed-in users)

    struct RegionDTO: Content {
        let code: String
        let name: String
        let level: Region.Level
        let parentCode: String?
    }

    @Sendable func regions(req: Request) async throws -> [RegionDTO] {
        _ = try req.requireUser()
        var query = Region.query(on: req.db).sort(\.$id)
        if let parent = try? req.query.get(String.self, at: "parent") {
            query = query.filter(\.$parentCode == parent)
        } else if let level = try? req.query.get(Region.Level.self, at: "level") {
            query = query.filter(\.$level == level)
        }
        return try await query.all().map { RegionDTO(code: $0.id!, name: $0.name, level: $0.level, parentCode: $0.parentCode) }
    }

    // MARK: level labels

    struct LabelsPage: Encodable {
        let labels: String
        let partyName: String
        let longForms: [String]
        let error: String?
    }

    @Sendable func labelsPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        guard req.organizationPolicy.canEditLevelLabels else { throw Abort(.forbidden, reason: "Hanya administrator nasional yang dapat mengubah label tingkatan.") }
        let labels = try await OrgLevelLabels.load(on: req.db)
        return try await req.render("labels", title: "Pengaturan", LabelsPage(
            labels: labels.labels.joined(separator: ", "), partyName: try await Setting.value(BranchSettings.partyNameKey, on: req.db) ?? "",
            longForms: OrgLevelLabels.defaultLongForms, error: nil))
    }

    @Sendable func saveLabels(req: Request) async throws -> Response {
        _ = try req.requireUser()
        guard req.organizationPolicy.canEditLevelLabels else { throw Abort(.forbidden, reason: "Hanya administrator nasional yang dapat mengubah label tingkatan.") }
        let raw = (try? req.content.get(String.self, at: "labels")) ?? ""
        let party = ((try? req.content.get(String.self, at: "partyName")) ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let labels = try OrgLevelLabels.parse(raw)
            guard party.count <= 80 else { throw Abort(.unprocessableEntity, reason: "Nama partai maksimal 80 karakter.") }
            try await Setting.set(OrgLevelLabels.settingKey, to: labels.labels.joined(separator: ","), on: req.db)
            try await Setting.set(BranchSettings.partyNameKey, to: party, on: req.db)
            req.application.levelLabelCache.invalidate()
            try await req.audit.record("settings.update", entity: "setting", id: OrgLevelLabels.settingKey, scope: "",
                                       detail: labels.labels.joined(separator: ",") + "; partai: " + party)
            req.flash("Pengaturan disimpan.")
            return req.redirect(to: "/settings/labels")
        } catch let abort as Abort {
            return try await req.render("labels", title: "Pengaturan",
                                        LabelsPage(labels: raw, partyName: party, longForms: OrgLevelLabels.defaultLongForms, error: abort.reason),
                                        status: .unprocessableEntity)
        }
    }
}
