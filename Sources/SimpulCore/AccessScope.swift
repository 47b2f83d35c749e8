/// What a user may do, and where.
///
/// A role is granted on an org unit and reaches that unit's whole subtree (a DPD grant
/// covers every DPC and DPRa below it; nothing reaches a sibling or a parent). Every module
/// policy asks this one type, so the rule lives in one place.
public enum Role: String, CaseIterable, Sendable, Codable {
    /// Administrator sistem: everything, including granting the admin role.
    case admin
    /// Pengurus (ketua, sekretaris, bendahara): runs the unit, manages its users.
    case pengurus
    /// Operator data: enters and corrects records, no unmasked data, no exports.
    case `operator`
    /// Pengamat: reads masked lists and dashboards only.
    case pengamat
    /// Saksi TPS: submits tallies for the polling stations assigned to them, nothing else.
    case saksi

    public var permissions: Set<Permission> {
        switch self {
        case .admin: return Set(Permission.allCases)
        case .pengurus: return Set(Permission.allCases).subtracting([.grantAdmin])
        case .operator: return [.viewPeople, .editPeople, .viewOrganization, .viewService, .handleService, .manageStock,
                                .viewCadre, .recordAttendance, .viewProgrammes, .checkInEvents, .viewMonitoring, .reportSituation]
        case .pengamat: return [.viewPeople, .viewOrganization, .viewElectoral, .viewService, .viewCadre, .viewProgrammes, .viewMonitoring]
        case .saksi: return [.submitTally]
        }
    }

    /// Indonesian label for pages.
    public var label: String {
        switch self {
        case .admin: return "Administrator"
        case .pengurus: return "Pengurus"
        case .operator: return "Operator data"
        case .pengamat: return "Pengamat"
        case .saksi: return "Saksi TPS"
        }
    }
}

public enum Permission: String, CaseIterable, Sendable, Codable {
    case viewOrganization
    case manageOrganization
    case viewPeople
    case editPeople
    /// Verify, activate, reject and deactivate memberships; print KTA cards.
    case verifyMembers
    /// See NIK, phone and address unmasked (every use is audited).
    case revealPersonalData
    /// Export personal data (every export is audited).
    case exportData
    case manageUsers
    case grantAdmin
    case viewAudit
    // Electoral (issue 4)
    /// Dapil analysis, seat simulations, targets, election-night roll-up.
    case viewElectoral
    /// Dapil and results data, candidate screening and lists, witness assignments.
    case manageElectoral
    /// Send TPS tallies (saksi); only for TPS assigned to the user.
    case submitTally
    // Public service (issue 5)
    /// See service requests, food banks and donation campaigns (contacts masked).
    case viewService
    /// Record walk-in requests, add notes and follow-ups.
    case handleService
    /// Triage, assign, refer, close and reopen service requests.
    case decideService
    /// Record food bank stock: items, donations in, purchases, distributions, transfers, corrections.
    case manageStock
    /// Run donation campaigns: create, record pledges, receipts and spending.
    case manageFunds
    /// Run the disaster volunteer task force: selection, decrees, incidents, deployments.
    case manageVolunteers
    // Cadre and training (issue 6)
    /// See the ladder, cadre records, trainings, certificates and growth targets.
    case viewCadre
    /// Register participants of a training and check them in (card scan or list).
    case recordAttendance
    /// Run trainings (sessions, certificates), promote cadres, credit contributions, set growth targets.
    case manageCadre
    // Programmes, events and political monitoring (issue 6)
    /// See work programmes (own and inherited from above), Raker meetings and events.
    case viewProgrammes
    /// Create and update work programmes, KPIs, Raker meetings and decisions.
    case managePrograms
    /// Create events, register people, record online audience counts, run reminders.
    case manageEvents
    /// Check people in at an event (scan or type the e-KTA, or tick a guest).
    case checkInEvents
    /// See situation reports, the conflict-risk view, participation trends, literacy activities.
    case viewMonitoring
    /// File situation reports and record political-literacy activities.
    case reportSituation
    /// Verify or reject situation reports.
    case verifySituation
}

public struct Grant: Hashable, Sendable, Codable {
    public let role: Role
    public let path: OrgPath
    public init(role: Role, path: OrgPath) {
        self.role = role
        self.path = path
    }
}

public struct AccessScope: Sendable, Equatable {
    public let grants: [Grant]

    public init(grants: [Grant]) { self.grants = grants }

    public static let none = AccessScope(grants: [])

    /// May the user do `permission` to something that belongs to `path`?
    public func allows(_ permission: Permission, at path: OrgPath) -> Bool {
        grants.contains { $0.role.permissions.contains(permission) && $0.path.contains(path) }
    }

    /// The smallest set of subtree roots where `permission` holds: a grant inside another
    /// grant's subtree adds nothing. Empty means "nowhere".
    public func roots(for permission: Permission) -> [OrgPath] {
        let paths = Set(grants.filter { $0.role.permissions.contains(permission) }.map(\.path))
        return paths.filter { candidate in
            !paths.contains { $0 != candidate && $0.contains(candidate) }
        }.sorted()
    }

    /// True if the permission holds somewhere.
    public func hasAny(_ permission: Permission) -> Bool { !roots(for: permission).isEmpty }

    /// The highest units the user works in, for the dashboard and navigation.
    public var homeRoots: [OrgPath] { roots(for: .viewOrganization) }
}
