import Fluent
import Foundation
import SQLKit
import SimpulCore
import Vapor

/// One election loaded for analysis: dapil with their areas, parties, and votes summed
/// per dapil and per area. Party ids (UUID strings) are the keys SimpulCore works with.
struct ElectionData {
    let election: Election
    let dapils: [Dapil]
    let parties: [Party]
    /// dapil id → party id → valid votes (party-only + candidates).
    let dapilVotes: [UUID: [String: Int]]
    /// Area results: (dapil, region code, party id) → votes, for areas that have them.
    let areaVotes: [AreaKey: Int]
    /// Region code → name and kecamatan, for every area that appears.
    let regions: [String: Region]

    struct AreaKey: Hashable {
        let dapil: UUID
        let region: String
        let party: String
    }

    var ownPartyKey: String? { election.ownPartyID?.uuidString }

    func partyName(_ key: String) -> String {
        parties.first { $0.id?.uuidString == key }?.abbreviation ?? key
    }

    var partyNames: [String: String] {
        Dictionary(uniqueKeysWithValues: parties.map { ($0.id!.uuidString, $0.abbreviation) })
    }

    /// Every party of the election with its votes in the dapil (0 when none).
    func votes(in dapil: Dapil) -> [String: Int] {
        var v = Dictionary(uniqueKeysWithValues: parties.map { ($0.id!.uuidString, 0) })
        v.merge(dapilVotes[dapil.id!] ?? [:]) { _, new in new }
        return v
    }

    var hasResults: Bool { dapilVotes.values.contains { $0.values.contains { $0 > 0 } } }

    var plannerDapils: [SeatTargetPlanner.Dapil] {
        dapils.map { .init(id: $0.id!.uuidString, seats: $0.seats, votes: votes(in: $0)) }
    }

    /// Areas with results, for scenarios; dapil without area rows count as one area
    /// named after the dapil (then a kecamatan swing cannot reach inside it).
    var scenarioAreas: [ElectionScenario.AreaVotes] {
        var byArea: [String: [String: Int]] = [:]
        var kecamatanOf: [String: String] = [:]
        for (key, v) in areaVotes {
            byArea[key.region, default: [:]][key.party, default: 0] += v
            kecamatanOf[key.region] = ElectoralService.kecamatanCode(of: key.region)
        }
        var out = byArea.map { ElectionScenario.AreaVotes(area: $0.key, kecamatan: kecamatanOf[$0.key]!, votes: $0.value) }
        let dapilsWithAreas = Set(areaVotes.keys.map(\.dapil))
        for d in dapils where !dapilsWithAreas.contains(d.id!) {
            // A dapil that is exactly one kecamatan can still take that kecamatan's swing.
            let codes = Set(d.areas.map(\.regionCode))
            let kecamatan = codes.count == 1 && codes.first!.split(separator: ".").count == 3 ? codes.first! : "dapil:\(d.id!.uuidString)"
            out.append(.init(area: "dapil:\(d.id!.uuidString)", kecamatan: kecamatan, votes: dapilVotes[d.id!] ?? [:]))
        }
        return out.sorted { $0.area < $1.area }
    }

    /// The dapil map as SimpulCore sees it (areas + the dapil's own pseudo-area).
    var scenarioMap: [ElectionScenario.DapilMap] {
        dapils.map { d in
            .init(id: d.id!.uuidString, seats: d.seats,
                  areas: Set(d.areas.map(\.regionCode)).union(["dapil:\(d.id!.uuidString)"]))
        }
    }
}

enum ElectoralService {
    /// "36.73.04.1003" → "36.73.04"; a kecamatan code is its own kecamatan.
    static func kecamatanCode(of region: String) -> String {
        let parts = region.split(separator: ".")
        return parts.count >= 3 ? parts.prefix(3).joined(separator: ".") : region
    }

    /// The election's dapil in number order, with their areas. Areas are grouped by hand:
    /// Fluent's eager loader matches children to parents in O(parents × children), seconds
    /// for a national election's 2,700 dapil.
    static func dapils(of election: Election, on db: any Database) async throws -> [Dapil] {
        let id = try election.requireID()
        let dapils = try await Dapil.query(on: db).filter(\.$election.$id == id).sort(\.$number).all()
        let areas = try await DapilArea.query(on: db).join(Dapil.self, on: \DapilArea.$dapil.$id == \Dapil.$id)
            .filter(Dapil.self, \.$election.$id == id).all()
        let areasByDapil = Dictionary(grouping: areas, by: { $0.$dapil.id })
        for d in dapils { d.$areas.value = areasByDapil[d.id!] ?? [] }
        return dapils
    }

    static func load(_ election: Election, on db: any Database) async throws -> ElectionData {
        let id = try election.requireID()
        let dapils = try await dapils(of: election, on: db)
        let parties = try await Party.query(on: db).filter(\.$election.$id == id).sort(\.$number).all()
        struct Row: Decodable {
            let dapil_id: UUID
            let region_code: String
            let party_id: UUID
            let votes: Int
        }
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT dapil_id, region_code, party_id, CAST(SUM(votes) AS BIGINT) AS votes FROM area_results
            WHERE election_id = \(bind: id) GROUP BY dapil_id, region_code, party_id
            """).all(decoding: Row.self)
        var dapilVotes: [UUID: [String: Int]] = [:]
        var areaVotes: [ElectionData.AreaKey: Int] = [:]
        for r in rows {
            dapilVotes[r.dapil_id, default: [:]][r.party_id.uuidString, default: 0] += r.votes
            if !r.region_code.isEmpty {
                areaVotes[.init(dapil: r.dapil_id, region: r.region_code, party: r.party_id.uuidString)] = r.votes
            }
        }
        var codes = Set(dapils.flatMap { $0.areas.map(\.regionCode) })
        codes.formUnion(areaVotes.keys.map(\.region))
        codes.formUnion(codes.map(kecamatanCode(of:)))
        let regions = codes.isEmpty ? [] : try await Region.query(on: db).filter(\.$id ~~ Array(codes)).all()
        return ElectionData(election: election, dapils: dapils, parties: parties, dapilVotes: dapilVotes,
                            areaVotes: areaVotes, regions: Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0) }))
    }

    /// The election before this one for the same body and region, for trends.
    static func previous(of election: Election, on db: any Database) async throws -> Election? {
        try await Election.query(on: db)
            .filter(\.$body == election.body).filter(\.$regionCode == election.regionCode)
            .filter(\.$year < election.year).sort(\.$year, .descending).first()
    }

    /// Turnout per area (registered, voters, valid, invalid) keyed by region code.
    static func turnout(of election: Election, on db: any Database) async throws -> [String: AreaTurnout] {
        let rows = try await AreaTurnout.query(on: db).filter(\.$electionID == election.requireID()).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.regionCode, $0) })
    }
}
