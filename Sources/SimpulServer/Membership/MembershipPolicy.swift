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

    /// Importing member lists: anyone who may add people somewhere; each row is then
    /// checked against the kelurahan it names. Starting members as verified or active
    /// also needs verifyMembers.
    func requireImport(initial: MembershipStatus = .pending) throws {
        guard access.hasAny(.editPeople) else { throw Abort(.forbidden, reason: "Anda tidak berwenang mengimpor data anggota.") }
        if initial != .pending && !access.hasAny(.verifyMembers) {
            throw Abort(.forbidden, reason: "Status awal terverifikasi atau aktif hanya untuk pengurus yang berwenang memverifikasi.")
        }
    }

    /// A batch is seen by whoever uploaded it, and by national administrators.
    func canSee(_ batch: ImportBatch, user: User) -> Bool {
        batch.uploadedBy == user.id || access.allows(.grantAdmin, at: .national)
    }

    func visible(_ query: QueryBuilder<Membership>, broad: Bool = false) -> QueryBuilder<Membership> {
        scopeFilter(query, column: "scope", for: .viewPeople, broad: broad)
    }
}

extension Request {
    var membershipPolicy: MembershipPolicy { MembershipPolicy(access: access) }
}
