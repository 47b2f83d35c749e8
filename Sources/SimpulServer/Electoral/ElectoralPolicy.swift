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
}

extension Request {
    var electoralPolicy: ElectoralPolicy { ElectoralPolicy(access: access) }

    /// The election named by `:electionID`, or 404 (also when outside the user's scope).
    func election() async throws -> Election {
        guard let id = parameters.get("electionID", as: UUID.self),
              let election = try await Election.find(id, on: db)
        else { throw Abort(.notFound, reason: "Pemilu tidak ditemukan.") }
        try electoralPolicy.requireView(election)
        return election
    }
}
