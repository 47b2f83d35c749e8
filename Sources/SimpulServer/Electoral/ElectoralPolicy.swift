import Fluent
import SimpulCore
import Vapor

/// Who may see and change electoral data. An election belongs to the unit of its body's
/// region (DPRD Kota Serang → DPD Kota Serang); TPS belong to their kelurahan's unit, so
/// a witness granted on a kelurahan reaches only that kelurahan's TPS.
struct ElectoralPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ e: Election) throws {
        try require(.viewElectoral, at: e.path, visibleWith: .viewElectoral)
    }

    func canManage(_ e: Election) -> Bool { access.allows(.manageElectoral, at: e.path) }

    func requireManage(_ e: Election) throws {
        try require(.manageElectoral, at: e.path, visibleWith: .viewElectoral)
    }

    func visible(_ query: QueryBuilder<Election>) -> QueryBuilder<Election> {
        scopeFilter(query, column: "scope", for: .viewElectoral)
    }

    /// Any electoral page at all (navigation).
    var seesAnything: Bool { access.hasAny(.viewElectoral) }

    /// Creating an election for a region: manageElectoral on the region's unit.
    func mayCreateElection(in regionCode: String) -> Bool { access.allows(.manageElectoral, at: OrgPath(regionCode: regionCode)) }

    var mayCreateAnyElection: Bool { access.hasAny(.manageElectoral) }

    /// Sending a tally for a TPS: an official over its kelurahan, or a witness assigned to it.
    func maySubmitTally(to station: PollingStation, assigned: Bool) -> Bool {
        maySubmitTally(toScope: station.scope, assigned: assigned)
    }

    /// The same for a TPS whose org scope is `scope` (the tally writer reads raw rows).
    func maySubmitTally(toScope scope: String, assigned: Bool) -> Bool {
        let path = OrgPath(rawValue: scope)
        return access.allows(.manageElectoral, at: path) || assigned && access.allows(.submitTally, at: path)
    }

    /// Could send a tally somewhere (the ingest checks the TPS itself).
    var maySubmitAnyTally: Bool { access.hasAny(.submitTally) || access.hasAny(.manageElectoral) }

    func mayDecideTally(_ station: PollingStation) -> Bool { access.allows(.manageElectoral, at: OrgPath(rawValue: station.scope)) }
}

extension Request {
    var electoralPolicy: ElectoralPolicy { ElectoralPolicy(access: access) }

    /// The election named by `:electionID`, or 404 (also when outside the user's scope).
    func election() async throws -> Election {
        _ = try requireUser()  // anonymous: sign in first, not "not found"
        guard let id = parameters.get("electionID", as: UUID.self),
              let election = try await Election.find(id, on: db)
        else { throw Abort(.notFound, reason: "Pemilu tidak ditemukan.") }
        try electoralPolicy.requireView(election)
        return election
    }
}
