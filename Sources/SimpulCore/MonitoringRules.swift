import Foundation

/// How serious a situation report is (tingkat keparahan).
public enum SituationSeverity: Int, CaseIterable, Sendable, Codable, Comparable {
    case low = 1, medium = 2, high = 3, critical = 4

    public var label: String {
        switch self {
        case .low: return "Rendah"
        case .medium: return "Sedang"
        case .high: return "Tinggi"
        case .critical: return "Kritis"
        }
    }

    /// Weight in the conflict-risk score: each step doubles.
    public var weight: Int { 1 << (rawValue - 1) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Where a report stands after checking (status verifikasi).
public enum VerificationStatus: String, CaseIterable, Sendable, Codable {
    case unverified
    case verified
    /// Checked and found false (hoaks) or not political.
    case rejected

    public var label: String {
        switch self {
        case .unverified: return "Belum diverifikasi"
        case .verified: return "Terverifikasi"
        case .rejected: return "Tidak terbukti"
        }
    }
}

/// Conflict-risk level of one kelurahan (tingkat kerawanan).
public enum RiskLevel: Int, CaseIterable, Sendable, Codable, Comparable {
    case calm = 0, watch = 1, alert = 2, high = 3

    public var label: String {
        switch self {
        case .calm: return "Aman"
        case .watch: return "Waspada"
        case .alert: return "Siaga"
        case .high: return "Rawan"
        }
    }

    /// CSS class suffix for the grid.
    public var css: String {
        switch self {
        case .calm: return "calm"
        case .watch: return "watch"
        case .alert: return "alert"
        case .high: return "high"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Conflict-risk scoring of a kelurahan from its situation reports.
///
/// Each report adds its severity weight (1, 2, 4, 8) — in full when verified, half while
/// unverified, nothing when found false. Reports count in full for 30 days, half up to 90
/// days, then drop out. Score (in tenths, to stay whole): 0 aman, under 40 waspada,
/// under 100 siaga, 100 or more rawan — e.g. one verified critical report (80) is siaga,
/// a verified critical plus a verified high one (120) rawan.
public enum ConflictRisk {
    public struct Signal: Sendable, Equatable {
        public let severity: SituationSeverity
        public let status: VerificationStatus
        public let ageDays: Int

        public init(severity: SituationSeverity, status: VerificationStatus, ageDays: Int) {
            self.severity = severity
            self.status = status
            self.ageDays = ageDays
        }
    }

    public static let fullWindowDays = 30
    public static let windowDays = 90

    /// Score in tenths of a weight point.
    public static func score(_ signals: [Signal]) -> Int {
        signals.reduce(0) { sum, s in
            guard s.ageDays >= 0, s.ageDays <= windowDays else { return sum }
            let status: Int
            switch s.status {
            case .verified: status = 10
            case .unverified: status = 5
            case .rejected: status = 0
            }
            let age = s.ageDays <= fullWindowDays ? 2 : 1
            return sum + s.severity.weight * status * age / 2
        }
    }

    public static func level(score: Int) -> RiskLevel {
        switch score {
        case ..<1: return .calm
        case ..<40: return .watch
        case ..<100: return .alert
        default: return .high
        }
    }

    public static func level(_ signals: [Signal]) -> RiskLevel { level(score: score(signals)) }
}

/// Voter participation (partisipasi pemilih) between elections.
public enum ParticipationTrend {
    public struct Figure: Sendable, Equatable {
        public let label: String
        public let registered: Int
        public let voters: Int

        public init(label: String, registered: Int, voters: Int) {
            self.label = label
            self.registered = registered
            self.voters = voters
        }

        /// Turnout in tenths of a percent (775 = 77,5%); nil without registered voters.
        public var permille: Int? {
            guard registered > 0 else { return nil }
            return Int((Int64(voters) * 1000 + Int64(registered) / 2) / Int64(registered))
        }
    }

    /// Change in tenths of a percentage point from the first election with data to the
    /// last (negative: fewer people voted); nil with fewer than two.
    public static func change(_ series: [Figure]) -> Int? {
        let known = series.compactMap(\.permille)
        guard known.count >= 2, let first = known.first, let last = known.last else { return nil }
        return last - first
    }

    /// "77,5%" from tenths of a percent.
    public static func percentText(_ permille: Int) -> String {
        let sign = permille < 0 ? "-" : ""
        let v = abs(permille)
        return "\(sign)\(v / 10),\(v % 10)%"
    }

    /// "+3,2 poin" / "-1,0 poin".
    public static func pointsText(_ tenths: Int) -> String {
        let v = abs(tenths)
        return (tenths < 0 ? "-" : "+") + "\(v / 10),\(v % 10) poin"
    }
}

/// Reminders an event registration gets (pengingat): H-1 a day before the start and
/// H-0 three hours before. Only reminders still ahead are scheduled; someone who
/// registers within three hours of the start gets one H-0 reminder straight away.
public enum ReminderSchedule {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case dayBefore = "H-1"
        case sameDay = "H-0"
    }

    public static func due(startsAt: Date, now: Date) -> [(kind: Kind, at: Date)] {
        guard startsAt > now else { return [] }
        var out: [(Kind, Date)] = []
        let dayBefore = startsAt.addingTimeInterval(-24 * 3600)
        let sameDay = startsAt.addingTimeInterval(-3 * 3600)
        if dayBefore > now { out.append((.dayBefore, dayBefore)) }
        out.append((.sameDay, max(sameDay, now)))
        return out
    }
}

/// Online viewers of an event: each source (a YouTube stream, a Zoom room) is counted one
/// or more times; the latest count of each source stands and sources add up.
public enum OnlineAudience {
    public struct Count: Sendable, Equatable {
        public let source: String
        public let viewers: Int
        public let at: Date

        public init(source: String, viewers: Int, at: Date) {
            self.source = source
            self.viewers = viewers
            self.at = at
        }
    }

    public static func latestBySource(_ counts: [Count]) -> [Count] {
        var latest: [String: Count] = [:]
        for c in counts {
            let key = c.source.trimmingCharacters(in: .whitespaces).lowercased()
            if let old = latest[key], old.at > c.at { continue }
            latest[key] = c
        }
        return latest.values.sorted { $0.viewers > $1.viewers }
    }

    public static func total(_ counts: [Count]) -> Int { latestBySource(counts).reduce(0) { $0 + $1.viewers } }
}
