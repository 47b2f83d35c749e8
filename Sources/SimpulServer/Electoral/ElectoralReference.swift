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

    /// Creates the DPRD Kota Serang 2024 election if it is not there. Returns true if created.
    @discardableResult
    static func seed(on db: any Database, partyName: String?) async throws -> Bool {
        let key = "dprd-kota-serang-2024"
        guard try await Election.query(on: db).filter(\.$key == key).first() == nil else { return false }
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
            let party = Party()
            party.$election.id = try election.requireID()
            party.number = p.number
            party.abbreviation = p.abbreviation
            party.name = p.name
            try await party.create(on: db)
            if let wanted = partyName?.lowercased(), !wanted.isEmpty,
               wanted == p.abbreviation.lowercased() || wanted == p.name.lowercased() {
                own = party.id
            }
        }
        election.ownPartyID = own
        try await election.update(on: db)
        for row in try dapilRows() where row.election == key {
            let dapil = Dapil()
            dapil.$election.id = try election.requireID()
            dapil.number = row.number
            dapil.name = row.name
            dapil.seats = row.seats
            try await dapil.create(on: db)
            for code in row.areas {
                let area = DapilArea()
                area.$dapil.id = try dapil.requireID()
                area.regionCode = code
                try await area.create(on: db)
            }
        }
        return true
    }
}
