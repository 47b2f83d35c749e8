import Fluent
import SimpulCore
import Vapor

/// Who may see and decide memberships: seeing follows the people scope; deciding
/// (verify, activate, reject, deactivate, print cards) needs verifyMembers on the unit.
struct MembershipPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ m: Membership) throws {
        try require(.viewPeople, at: OrgPath(rawValue: m.scope), visibleWith: .viewPeople)
    }

    func canDecide(_ m: Membership) -> Bool { access.allows(.verifyMembers, at: OrgPath(rawValue: m.scope)) }

    func requireDecide(_ m: Membership) throws {
        try require(.verifyMembers, at: OrgPath(rawValue: m.scope), visibleWith: .viewPeople)
    }

    func visible(_ query: QueryBuilder<Membership>) -> QueryBuilder<Membership> {
        scopeFilter(query, column: "scope", for: .viewPeople)
    }
}

extension Request {
    var membershipPolicy: MembershipPolicy { MembershipPolicy(access: access) }
}
