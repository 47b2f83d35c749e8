/// The life of a membership: registered (pending) → verified by the kelurahan/kecamatan unit
/// → activated (KTA number issued), or rejected with a reason. An active member can be
/// deactivated (resigned, moved, deceased) and reactivated.
public enum MembershipStatus: String, Codable, CaseIterable, Sendable {
    case pending, verified, active, rejected, inactive

    /// Label for pages.
    public var label: String {
        switch self {
        case .pending: return "Menunggu verifikasi"
        case .verified: return "Terverifikasi"
        case .active: return "Anggota aktif"
        case .rejected: return "Ditolak"
        case .inactive: return "Tidak aktif"
        }
    }
}

public enum MembershipAction: String, Codable, CaseIterable, Sendable {
    case verify, activate, reject, deactivate, reactivate

    /// Label for buttons.
    public var label: String {
        switch self {
        case .verify: return "Verifikasi"
        case .activate: return "Aktifkan & terbitkan KTA"
        case .reject: return "Tolak"
        case .deactivate: return "Nonaktifkan"
        case .reactivate: return "Aktifkan kembali"
        }
    }

    /// Whether the action needs a written reason (it is kept on the timeline).
    public var needsReason: Bool { self == .reject || self == .deactivate }
}

public enum MembershipLifecycle {
    /// Where `action` leads from `status`, or nil when it is not allowed there.
    public static func next(after action: MembershipAction, from status: MembershipStatus) -> MembershipStatus? {
        switch (action, status) {
        case (.verify, .pending): return .verified
        case (.activate, .verified): return .active
        case (.reject, .pending), (.reject, .verified): return .rejected
        case (.deactivate, .active): return .inactive
        case (.reactivate, .inactive): return .active
        default: return nil
        }
    }

    /// Actions offered for a membership in `status`.
    public static func actions(from status: MembershipStatus) -> [MembershipAction] {
        MembershipAction.allCases.filter { next(after: $0, from: status) != nil }
    }

    /// Indonesian reason why `action` cannot happen now.
    public static func refusal(_ action: MembershipAction, from status: MembershipStatus) -> String {
        "Tidak dapat \(action.label.lowercased()) keanggotaan berstatus \"\(status.label)\"."
    }

    /// A KTA is valid for five years from activation (one party term).
    public static let validityYears = 5
}
