import SimpulCore
import Vapor

/// What every page's layout needs: title, signed-in user, CSRF token, navigation, flash.
struct Layout: Encodable {
    struct NavItem: Encodable {
        let href: String
        let label: String
        let active: Bool
    }

    let title: String
    let user: String?
    let csrf: String
    let nav: [NavItem]
    let flash: String?
    let flashError: Bool
    /// Reload the page every so many seconds (live views such as election night).
    let refreshSeconds: Int?
}

struct PageRefreshKey: StorageKey { typealias Value = Int }

/// A page: the layout plus the page's own data, rendered as `#(layout.…)` and `#(page.…)`.
struct Page<Body: Encodable>: Encodable {
    let layout: Layout
    let page: Body
}

extension Request {
    /// Paths that belong to a navigation item besides its own.
    static let navSections: [String: [String]] = [
        "/service": ["/service", "/food", "/campaigns", "/volunteers"],
        "/elections": ["/elections", "/tally"],
        "/programmes": ["/programmes", "/events"],
        "/monitoring": ["/monitoring"],
    ]

    /// Renders `template` inside the layout; navigation shows only what the user may open.
    func render<Body: Encodable>(_ template: String, title: String, _ body: Body, status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = self.access
        var items: [(String, String, Bool)] = []
        if auth.get(User.self) != nil {
            items.append(("/", "Beranda", true))
            items.append(("/units", "Organisasi", access.hasAny(.viewOrganization)))
            items.append(("/members", "Anggota", access.hasAny(.viewPeople)))
            items.append(("/people", "Orang", access.hasAny(.viewPeople)))
            items.append(("/imports", "Impor", access.hasAny(.editPeople)))
            items.append(("/cadre", "Kader", access.hasAny(.viewCadre)))
            items.append(("/elections", "Pemilu", access.hasAny(.viewElectoral)))
            items.append(("/tally", "Saksi TPS", access.hasAny(.submitTally) && !access.hasAny(.viewElectoral)))
            // Food bank, donations and volunteers are reached from the Pelayanan page.
            items.append(("/service", "Pelayanan", access.hasAny(.viewService)))
            // Events and the Raker cycle are reached from the Program page.
            items.append(("/programmes", "Program", access.hasAny(.viewProgrammes)))
            items.append(("/monitoring", "Situasi", access.hasAny(.viewMonitoring)))
            items.append(("/users", "Pengguna", access.hasAny(.manageUsers)))
            items.append(("/audit", "Audit", access.hasAny(.viewAudit)))
            items.append(("/settings/labels", "Pengaturan", access.allows(.grantAdmin, at: .national)))
        }
        let path = url.path
        let nav = items.filter(\.2).map { href, label, _ in
            Layout.NavItem(href: href, label: label, active: href == "/" ? path == "/" : (Self.navSections[href] ?? [href]).contains { path.hasPrefix($0) })
        }
        let flash = takeFlash()
        let layout = Layout(title: title, user: auth.get(User.self)?.displayName, csrf: csrfToken, nav: nav,
                            flash: flash?.message, flashError: flash?.isError ?? false, refreshSeconds: storage[PageRefreshKey.self])
        let response = try await view.render(template, Page(layout: layout, page: body)).encodeResponse(for: self)
        response.status = status
        return response
    }

    /// A one-time message shown on the next page (after a redirect).
    func flash(_ message: String, error: Bool = false) {
        session.data["flash"] = (error ? "!" : "") + message
    }

    private func takeFlash() -> (message: String, isError: Bool)? {
        guard hasSession, let raw = session.data["flash"] else { return nil }
        session.data["flash"] = nil
        return raw.hasPrefix("!") ? (String(raw.dropFirst()), true) : (raw, false)
    }
}

/// The query every list page and list API takes: `unit` (a subtree the user may see),
/// `q`, `page` from 1, `per` 1–200 (default 50).
struct ListQuery {
    let unit: OrgUnit?
    let q: String?
    let page: Int
    let per: Int
    static let lastPage = 1_000_000

    static func parse(_ req: Request) async throws -> ListQuery {
        _ = try req.requireUser()  // before looking up `unit`: anonymous callers sign in first
        var unit: OrgUnit?
        if let id = try? req.query.get(UUID.self, at: "unit") {
            guard let found = try await OrgUnit.find(id, on: req.db) else { throw Abort(.notFound, reason: "Unit tidak ditemukan.") }
            try req.organizationPolicy.requireView(found)
            unit = found
        }
        return ListQuery(unit: unit, q: try? req.query.get(String.self, at: "q"),
                         // Capped so that page × per (and the plan's arithmetic on it) cannot overflow.
                         page: min(ListQuery.lastPage, max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)),
                         per: min(200, max(1, (try? req.query.get(Int.self, at: "per")) ?? 50)))
    }
}
