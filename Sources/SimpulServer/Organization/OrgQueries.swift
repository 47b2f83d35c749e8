import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Read models for org units: the unit as the API and pages show it, and counts per child.
struct OrgUnitDTO: Content {
    let id: UUID
    let name: String
    let displayName: String
    let level: Int
    let levelLabel: String
    let regionCode: String?
    let parentID: UUID?
    let path: String

    init(_ unit: OrgUnit, labels: OrgLevelLabels) {
        id = unit.id!
        name = unit.name
        displayName = labels.displayName(of: unit)
        level = unit.level
        levelLabel = labels.label(for: unit.level)
        regionCode = unit.regionCode
        parentID = unit.$parent.id
        path = unit.path
    }
}

struct UnitCounts: Content {
    let unit: OrgUnitDTO
    /// People whose record belongs to this unit or any unit below it.
    let people: Int
    /// Kelurahan-level units (DPRa) in this subtree.
    let villages: Int
    /// Office holders currently serving in this subtree.
    let offices: Int
}

enum OrgQueries {
    /// Counts for each child of `parent`: three indexed range counts per child (a single
    /// correlated query would scan, since its patterns are not constants).
    static func childCounts(of parent: OrgUnit, labels: OrgLevelLabels, on db: any Database) async throws -> [UnitCounts] {
        let children = try await OrgUnit.query(on: db).filter(\.$parent.$id == parent.requireID()).sort(\.$path).all()
        var result: [UnitCounts] = []
        for child in children { result.append(try await counts(of: child, labels: labels, on: db)) }
        return result
    }

    /// Counts for one unit's whole subtree.
    static func counts(of unit: OrgUnit, labels: OrgLevelLabels, on db: any Database) async throws -> UnitCounts {
        let sql = db as! any SQLDatabase
        let match = SubtreeMatch(unit.orgPath, on: db)
        let row = try await sql.raw("""
            SELECT
              (SELECT COUNT(*) FROM people p WHERE \(match.sql("p.scope"))) AS people,
              (SELECT COUNT(*) FROM org_units v WHERE \(match.sql("v.path")) AND v.level = 4) AS villages,
              (SELECT COUNT(*) FROM office_terms o WHERE \(match.sql("o.scope")) AND o.ended_on IS NULL) AS offices
            """).first()
        return UnitCounts(unit: OrgUnitDTO(unit, labels: labels),
                          people: try row?.decode(column: "people", as: Int.self) ?? 0,
                          villages: try row?.decode(column: "villages", as: Int.self) ?? 0,
                          offices: try row?.decode(column: "offices", as: Int.self) ?? 0)
    }

    /// The chain from the national root down to `unit`, for breadcrumbs.
    static func ancestors(of unit: OrgUnit, on db: any Database) async throws -> [OrgUnit] {
        var prefixes: [String] = [""]
        if let code = unit.regionCode {
            var parts: [String] = []
            for part in code.split(separator: ".") {
                parts.append(String(part))
                prefixes.append(parts.joined(separator: ".") + ".")
            }
        }
        prefixes.removeLast()
        guard !prefixes.isEmpty else { return [] }
        return try await OrgUnit.query(on: db).filter(\.$path ~~ prefixes).sort(\.$level).all()
    }

    static func unit(at path: OrgPath, on db: any Database) async throws -> OrgUnit? {
        try await OrgUnit.query(on: db).filter(\.$path == path.rawValue).first()
    }
}
