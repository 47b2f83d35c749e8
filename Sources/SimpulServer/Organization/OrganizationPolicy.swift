import SimpulCore
import Vapor

/// Who may see and run which org units.
struct OrganizationPolicy: ModulePolicy {
    let access: AccessScope

    func canView(_ unit: OrgUnit) -> Bool { access.allows(.viewOrganization, at: unit.orgPath) }

    func requireView(_ unit: OrgUnit) throws {
        try require(.viewOrganization, at: unit.orgPath, visibleWith: .viewOrganization)
    }

    func canManage(_ unit: OrgUnit) -> Bool { access.allows(.manageOrganization, at: unit.orgPath) }

    func requireManage(_ unit: OrgUnit) throws {
        try require(.manageOrganization, at: unit.orgPath, visibleWith: .viewOrganization)
    }

    /// Level labels are one setting for the whole party: national administrators only.
    var canEditLevelLabels: Bool { access.allows(.grantAdmin, at: .national) }

    /// The units a user starts from (their highest grants).
    var homeRoots: [OrgPath] { access.homeRoots }
}

extension Request {
    var organizationPolicy: OrganizationPolicy { OrganizationPolicy(access: access) }
}
