import Fluent
import SQLKit
import SimpulCore
import Vapor

/// The public-service dashboard of one org unit's subtree: open requests by age and
/// category, SLA breaches per child unit, stock levels, volunteers, funds raised.
struct ServiceDashboardData: Content {
    struct Count: Content {
        let key: String
        let label: String
        let count: Int
    }

    struct ChildUnit: Content {
        let unitID: UUID
        let name: String
        let open: Int
        let breached: Int
    }

    struct Stock: Content {
        let itemID: UUID
        let office: String
        let name: String
        let unit: String
        let stock: Int
        let lowThreshold: Int
        let low: Bool
    }

    struct Fund: Content {
        let campaignID: UUID
        let title: String
        let target: Int64
        let received: Int64
        let pledged: Int64
        let percent: Int
    }

    let unit: OrgUnitDTO
    let open: Int
    let breached: Int
    let followUpsDue: Int
    let closedLast30Days: Int
    let byAge: [Count]
    let byCategory: [Count]
    let children: [ChildUnit]
    let stock: [Stock]
    let lowStock: Int
    let volunteers: [Count]
    let volunteersReady: Int
    let funds: [Fund]
}

enum ServiceDashboard {
    static func load(_ req: Request, unit: OrgUnit) async throws -> ServiceDashboardData {
        let db = req.db
        let sql = db as! any SQLDatabase
        let labels = try await req.levelLabels()
        let today = CivilDate(Date())
        let match = SubtreeMatch(unit.orgPath, on: db)
        // Age buckets as ISO-date thresholds: a request received on or after `from` is at most n days old.
        let ages: [(ServiceSLA.AgeBucket, String)] = [(.upTo2, today.adding(days: -2).iso8601), (.upTo7, today.adding(days: -7).iso8601),
                                                      (.upTo14, today.adding(days: -14).iso8601), (.upTo30, today.adding(days: -30).iso8601)]
        let totals = try await sql.raw("""
            SELECT COUNT(*) AS open,
              SUM(CASE WHEN due_on < \(bind: today.iso8601) THEN 1 ELSE 0 END) AS breached,
              SUM(CASE WHEN follow_up_on IS NOT NULL AND follow_up_on <= \(bind: today.iso8601) THEN 1 ELSE 0 END) AS follow_ups,
              SUM(CASE WHEN received_on >= \(bind: ages[0].1) THEN 1 ELSE 0 END) AS a0,
              SUM(CASE WHEN received_on >= \(bind: ages[1].1) THEN 1 ELSE 0 END) AS a1,
              SUM(CASE WHEN received_on >= \(bind: ages[2].1) THEN 1 ELSE 0 END) AS a2,
              SUM(CASE WHEN received_on >= \(bind: ages[3].1) THEN 1 ELSE 0 END) AS a3
            FROM service_requests WHERE \(match.sql("scope")) AND status <> 'closed'
            """).first()
        func int(_ column: String) throws -> Int { try totals?.decode(column: column, as: Int?.self) ?? 0 }
        let open = try int("open")
        // Cumulative counts → buckets.
        let cumulative = [try int("a0"), try int("a1"), try int("a2"), try int("a3"), open]
        let byAge = ServiceSLA.AgeBucket.allCases.enumerated().map { i, bucket in
            ServiceDashboardData.Count(key: String(bucket.rawValue), label: bucket.label, count: cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]))
        }
        let categories = try await sql.raw("""
            SELECT category, COUNT(*) AS n FROM service_requests WHERE \(match.sql("scope")) AND status <> 'closed'
            GROUP BY category
            """).all()
        var perCategory: [String: Int] = [:]
        for row in categories { perCategory[try row.decode(column: "category", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        let byCategory = ServiceCategory.allCases.compactMap { c in
            perCategory[c.rawValue].map { ServiceDashboardData.Count(key: c.rawValue, label: c.shortLabel, count: $0) }
        }.sorted { $0.count > $1.count }
        let closedSince = Date().addingTimeInterval(-30 * 86_400)
        let closed = try await ServiceRequest.query(on: db).within(\.$scope, unit.orgPath).filter(\.$status == .closed)
            .filter(\.$closedAt >= closedSince).count()

        var children: [ServiceDashboardData.ChildUnit] = []
        for child in try await OrgUnit.query(on: db).filter(\.$parent.$id == unit.requireID()).sort(\.$path).all() {
            let childMatch = SubtreeMatch(child.orgPath, on: db)
            let row = try await sql.raw("""
                SELECT COUNT(*) AS open, SUM(CASE WHEN due_on < \(bind: today.iso8601) THEN 1 ELSE 0 END) AS breached
                FROM service_requests WHERE \(childMatch.sql("scope")) AND status <> 'closed'
                """).first()
            children.append(.init(unitID: try child.requireID(), name: labels.displayName(of: child),
                                  open: try row?.decode(column: "open", as: Int?.self) ?? 0,
                                  breached: try row?.decode(column: "breached", as: Int?.self) ?? 0))
        }

        let items = try await FoodItem.query(on: db).within(\.$scope, unit.orgPath).with(\.$orgUnit).sort(\.$scope).sort(\.$name).limit(300).all()
        let stockByItem = try await FoodBank.stock(of: items.compactMap(\.id), on: db)
        let stock = items.map { item in
            let s = stockByItem[item.id!] ?? 0
            return ServiceDashboardData.Stock(itemID: item.id!, office: labels.displayName(of: item.orgUnit), name: item.name, unit: item.unit,
                                              stock: s, lowThreshold: item.lowThreshold, low: StockLedger.isLow(balance: s, threshold: item.lowThreshold))
        }

        let volunteerRows = try await sql.raw("""
            SELECT status, COUNT(*) AS n FROM volunteers WHERE \(match.sql("scope")) GROUP BY status
            """).all()
        var perStatus: [String: Int] = [:]
        for row in volunteerRows { perStatus[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        let readyRow = try await sql.raw("""
            SELECT COUNT(*) AS n FROM volunteers v WHERE \(match.sql("v.scope")) AND v.status = 'accepted' AND v.available = \(bind: true)
              AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.volunteer_id = v.id AND d.check_out_at IS NULL)
            """).first()

        var funds: [ServiceDashboardData.Fund] = []
        for c in try await Campaign.query(on: db).within(\.$scope, unit.orgPath).sort(\.$startsOn, .descending).limit(20).all() {
            let t = try await Campaigns.totals(of: c, on: db)
            funds.append(.init(campaignID: try c.requireID(), title: c.title, target: t.target, received: t.received, pledged: t.pledged,
                               percent: t.percentOfTarget))
        }
        return ServiceDashboardData(
            unit: OrgUnitDTO(unit, labels: labels), open: open, breached: try int("breached"), followUpsDue: try int("follow_ups"),
            closedLast30Days: closed, byAge: byAge, byCategory: byCategory, children: children, stock: stock,
            lowStock: stock.filter(\.low).count,
            volunteers: VolunteerStatus.allCases.map { .init(key: $0.rawValue, label: $0.label, count: perStatus[$0.rawValue] ?? 0) },
            volunteersReady: try readyRow?.decode(column: "n", as: Int.self) ?? 0, funds: funds)
    }

    /// The charts of the page, as SVG text.
    struct Charts: Encodable {
        let age: String
        let category: String
        let children: String?
        let stock: String?
        let volunteers: String
        let funds: String?
    }

    static func charts(_ d: ServiceDashboardData) -> Charts {
        let ageTones: [ChartBar.Tone] = [.ok, .normal, .warn, .bad, .bad]
        let age = ChartDrawing.columns(d.byAge.enumerated().map { ChartBar(label: $1.label, value: Int64($1.count), tone: ageTones[$0]) },
                                   title: "Laporan terbuka menurut umur")
        let category = ChartDrawing.bars(d.byCategory.map { ChartBar(label: $0.label, value: Int64($0.count)) }, title: "Laporan terbuka menurut kategori")
        let children = d.children.isEmpty ? nil : ChartDrawing.bars(d.children.map {
            ChartBar(label: $0.name, value: Int64($0.breached), valueText: "\($0.breached) / \($0.open)", tone: $0.breached > 0 ? .bad : .muted,
                     ghost: Int64($0.open))
        }, title: "Lewat tenggat dari laporan terbuka per unit")
        let stock = d.stock.isEmpty ? nil : ChartDrawing.bars(d.stock.prefix(30).map {
            ChartBar(label: "\($0.name) · \($0.office)", value: Int64($0.stock), valueText: "\($0.stock) \($0.unit)", tone: $0.low ? .bad : .normal,
                     marker: Int64($0.lowThreshold))
        }, title: "Stok lumbung pangan (garis: batas menipis)")
        let volunteers = ChartDrawing.bars(
            [ChartBar(label: "Siap diberangkatkan", value: Int64(d.volunteersReady), tone: .ok)]
                + d.volunteers.map { ChartBar(label: $0.label, value: Int64($0.count), tone: $0.key == "rejected" ? .muted : .normal) },
            title: "Relawan satgas")
        // Each campaign on its own scale: per mille of its target, the target at 1000.
        func permille(_ part: Int64, _ whole: Int64) -> Int64 { whole > 0 ? min(2000, part.multipliedReportingOverflow(by: 1000).partialValue / whole) : 0 }
        let fundBars = d.funds.map {
            ChartBar(label: $0.title, value: permille($0.received, $0.target),
                     valueText: "\($0.percent)%", tone: .normal, marker: 1000, ghost: permille($0.received + $0.pledged, $0.target))
        }
        let funds = d.funds.isEmpty ? nil : ChartDrawing.bars(fundBars, title: "Dana terkumpul dibanding target (garis: target; muda: termasuk janji)",
                                                          scaleMax: max(1000, fundBars.map { max($0.value, $0.ghost ?? 0) }.max() ?? 0))
        return Charts(age: age, category: category, children: children, stock: stock, volunteers: volunteers, funds: funds)
    }
}
