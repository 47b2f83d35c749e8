import Fluent
import SimpulCore
import Vapor

/// Who may see and work service requests. A request belongs to the unit of its kelurahan,
/// so the kelurahan's officials and everyone above them see it, nobody beside them.
struct ServicePolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ r: ServiceRequest) throws { try require(.viewService, at: r.orgPath, visibleWith: .viewService) }

    /// Notes and follow-ups need handleService; triage, assignment, referral, closing and
    /// reopening need decideService.
    func permission(for action: ServiceAction) -> Permission { action.isDecision ? .decideService : .handleService }

    func can(_ action: ServiceAction, _ r: ServiceRequest) -> Bool { access.allows(permission(for: action), at: r.orgPath) }

    func require(_ action: ServiceAction, _ r: ServiceRequest) throws {
        try require(permission(for: action), at: r.orgPath, visibleWith: .viewService)
    }

    /// Requests recorded by staff (walk-in, telephone) in a kelurahan.
    func canRecord(in unit: OrgUnit) -> Bool { access.allows(.handleService, at: unit.orgPath) }

    func canReveal(_ r: ServiceRequest) -> Bool { access.allows(.revealPersonalData, at: r.orgPath) }

    func requireReveal(_ r: ServiceRequest) throws { try require(.revealPersonalData, at: r.orgPath, visibleWith: .viewService) }

    func visible(_ query: QueryBuilder<ServiceRequest>) -> QueryBuilder<ServiceRequest> {
        scopeFilter(query, column: "scope", for: .viewService)
    }
}

extension Request {
    var servicePolicy: ServicePolicy { ServicePolicy(access: access) }
}
