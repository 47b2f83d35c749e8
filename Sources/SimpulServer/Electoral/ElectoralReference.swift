import Fluent
import Foundation
import SimpulCore
import Vapor

/// Ships the DPRD Kota Serang setup (Resources/Reference/dapil-kota-serang.csv and
/// parties-2024.csv, sources in Resources/Reference/README.md): loaded on first start,
/// never changed afterwards (officials may edit seats and areas).
enum ElectoralReference {
    struct DapilRow {
        let election: String
        let number: Int
        let name: String
        let seats: Int
        let areas: [String]
    }

    static func dapilRows() throws -> [DapilRow] {
        let text = try String(contentsOf: BundledResources.reference("dapil-kota-serang.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return DapilRow(election: c[0], number: Int(c[1])!, name: c[2], seats: Int(c[3])!,
                            areas: c[4].split(separator: " ").map(String.init))
        }
    }

    static func partyRows() throws -> [(number: Int, abbreviation: String, name: String)] {
        let text = try String(contentsOf: BundledResources.reference("parties-2024.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let c = line.split(separator: ",").map(String.init)
            return (Int(c[0])!, c[1], c[2])
        }
    }

    /// DPRD Kota Serang 2024 (the reference map) and 2029 (the same map and parties, the
    /// branch's target election: candidates and lists are prepared on it until KPU
    /// publishes the 2029 dapil). Each is created only if missing.
    static func seed(on db: any Database, partyName: String?) async throws {
        try await seed2024(on: db, partyName: partyName)
        let key = "dprd-kota-serang-2029"
        guard try await Election.query(on: db).filter(\.$key == key).first() == nil,
              let source = try await Election.query(on: db).filter(\.$key == "dprd-kota-serang-2024").first()
        else { return }
        try await copy(source, key: key, year: 2029, name: "Pemilu 2029 — DPRD Kota Serang", on: db)
    }

    /// A new election with the same body, dapil map and parties (no results).
    @discardableResult
    static func copy(_ source: Election, key: String, year: Int, name: String, on db: any Database) async throws -> Election {
        let e = Election()
        e.key = key
        e.name = name
        e.year = year
        e.body = source.body
        e.regionCode = source.regionCode
        e.scope = source.scope
        e.totalSeats = source.totalSeats
        e.thresholdBasisPoints = source.thresholdBasisPoints
        try await e.create(on: db)
        for p in try await Party.query(on: db).filter(\.$election.$id == source.requireID()).all() {
            let party = try await Party.insert(election: e.requireID(), number: p.number, abbreviation: p.abbreviation, name: p.name, on: db)
            if p.id == source.ownPartyID { e.ownPartyID = party.id }
        }
        try await e.update(on: db)
        for d in try await ElectoralService.dapils(of: source, on: db) {
            try await Dapil.insert(election: e.requireID(), number: d.number, name: d.name, seats: d.seats,
                                   areas: d.areas.map(\.regionCode), on: db)
        }
        return e
    }

    private static func seed2024(on db: any Database, partyName: String?) async throws {
        let key = "dprd-kota-serang-2024"
        guard try await Election.query(on: db).filter(\.$key == key).first() == nil else { return }
        let election = Election()
        election.key = key
        election.name = "Pemilu 2024 — DPRD Kota Serang"
        election.year = 2024
        election.body = "dprd_kabkota"
        election.regionCode = "36.73"
        election.scope = OrgPath(regionCode: "36.73").rawValue
        election.totalSeats = 45
        election.thresholdBasisPoints = 0
        try await election.create(on: db)
        let parties = try partyRows()
        var own: UUID?
        for p in parties {
            let party = try await Party.insert(election: election.requireID(), number: p.number, abbreviation: p.abbreviation, name: p.name, on: db)
            if let wanted = partyName?.lowercased(), !wanted.isEmpty,
               wanted == p.abbreviation.lowercased() || wanted == p.name.lowercased() {
                own = party.id
            }
        }
        election.ownPartyID = own
        try await election.update(on: db)
        for row in try dapilRows() where row.election == key {
            try await Dapil.insert(election: election.requireID(), number: row.number, name: row.name, seats: row.seats, areas: row.areas, on: db)
        }
    }
}
