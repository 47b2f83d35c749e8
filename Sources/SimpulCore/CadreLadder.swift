/// Jenjang kader: the cadre ladder and who may climb it.
///
/// Every member starts as Anggota. Each rung above needs the training of that rung
/// (Pelatihan Kader Pratama, Madya, Utama), a number of trainings in total (thematic ones
/// count, e.g. a women's political school), time at the rung below, and contribution points
/// recorded by officials (campaign work, recruiting, service to the public). The ladder is
/// data: change `CadreLadder.standard` (or pass another ladder) and the rules follow.
public enum CadreLevel: Int, CaseIterable, Sendable, Comparable, Codable {
    case anggota = 0
    case pratama = 1
    case madya = 2
    case utama = 3

    public static func < (a: CadreLevel, b: CadreLevel) -> Bool { a.rawValue < b.rawValue }

    public var label: String {
        switch self {
        case .anggota: return "Anggota"
        case .pratama: return "Kader Pratama"
        case .madya: return "Kader Madya"
        case .utama: return "Kader Utama"
        }
    }

    /// The training that opens this rung, e.g. "Pelatihan Kader Madya".
    public var trainingLabel: String { self == .anggota ? "Pelatihan tematik" : "Pelatihan \(label)" }

    public var next: CadreLevel? { CadreLevel(rawValue: rawValue + 1) }

    /// Accepts "pratama", "Kader Pratama", "1".
    public init?(text: String) {
        let t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if let n = Int(t), let level = CadreLevel(rawValue: n) { self = level; return }
        guard let level = CadreLevel.allCases.first(where: { t == String(describing: $0) || t == $0.label.lowercased() }) else { return nil }
        self = level
    }
}

/// What one rung asks of someone on the rung below.
public struct CadreRequirement: Equatable, Sendable {
    public let level: CadreLevel
    /// Completed trainings (with certificate) of any kind, including the rung's own.
    public let minimumTrainings: Int
    /// Whole months spent on the rung below (for Pratama: as an active member).
    public let minimumMonths: Int
    /// Contribution points recorded by officials.
    public let minimumContribution: Int

    public init(level: CadreLevel, minimumTrainings: Int, minimumMonths: Int, minimumContribution: Int) {
        self.level = level
        self.minimumTrainings = minimumTrainings
        self.minimumMonths = minimumMonths
        self.minimumContribution = minimumContribution
    }

    /// "Pelatihan Kader Madya, 3 pelatihan, 12 bulan sebagai Kader Pratama, 30 poin kontribusi"
    public var summary: String {
        let below = CadreLevel(rawValue: level.rawValue - 1) ?? .anggota
        return "\(level.trainingLabel) · \(minimumTrainings) pelatihan · \(minimumMonths) bulan sebagai \(below == .anggota ? "anggota aktif" : below.label) · \(minimumContribution) poin kontribusi"
    }
}

/// A person's standing, as the eligibility rule reads it.
public struct CadreStanding: Equatable, Sendable {
    public var level: CadreLevel
    /// Since when on this rung (for Anggota: the membership's activation day).
    public var since: CivilDate
    /// Rungs whose training the person completed (certificate issued).
    public var tierTrainings: Set<CadreLevel>
    /// Completed trainings of any kind.
    public var trainings: Int
    public var contribution: Int

    public init(level: CadreLevel, since: CivilDate, tierTrainings: Set<CadreLevel>, trainings: Int, contribution: Int) {
        self.level = level
        self.since = since
        self.tierTrainings = tierTrainings
        self.trainings = trainings
        self.contribution = contribution
    }
}

/// One unmet requirement, with a message for the page.
public enum CadreShortfall: Equatable, Sendable {
    case tierTraining(CadreLevel)
    case trainings(have: Int, need: Int)
    case months(have: Int, need: Int)
    case contribution(have: Int, need: Int)

    public var message: String {
        switch self {
        case .tierTraining(let level): return "Belum lulus \(level.trainingLabel)."
        case .trainings(let have, let need): return "Pelatihan selesai \(have) dari \(need)."
        case .months(let have, let need): return "Masa di jenjang ini \(have) dari \(need) bulan."
        case .contribution(let have, let need): return "Poin kontribusi \(have) dari \(need)."
        }
    }
}

public struct CadreEligibility: Equatable, Sendable {
    /// The next rung, nil at the top.
    public let next: CadreLevel?
    public let shortfalls: [CadreShortfall]
    /// Ready to be proposed for the next rung.
    public var ready: Bool { next != nil && shortfalls.isEmpty }
}

public struct CadreLadder: Sendable {
    public let requirements: [CadreRequirement]

    public init(requirements: [CadreRequirement]) { self.requirements = requirements.sorted { $0.level < $1.level } }

    /// The default ladder (a party may set its own): each rung needs its training, more
    /// trainings overall, longer service and more contribution than the last.
    public static let standard = CadreLadder(requirements: [
        CadreRequirement(level: .pratama, minimumTrainings: 1, minimumMonths: 3, minimumContribution: 10),
        CadreRequirement(level: .madya, minimumTrainings: 3, minimumMonths: 12, minimumContribution: 30),
        CadreRequirement(level: .utama, minimumTrainings: 5, minimumMonths: 24, minimumContribution: 60),
    ])

    public func requirement(for level: CadreLevel) -> CadreRequirement? { requirements.first { $0.level == level } }

    /// Whole months from `from` to `to`: 15 Jan → 14 Feb is 0, → 15 Feb is 1.
    public static func months(from: CivilDate, to: CivilDate) -> Int {
        guard to > from else { return 0 }
        var months = (to.year - from.year) * 12 + (to.month - from.month)
        // The 31st counts a month on the last day of a shorter month.
        let anniversaryDay = min(from.day, CivilDate.daysInMonth(year: to.year, month: to.month))
        if to.day < anniversaryDay { months -= 1 }
        return max(0, months)
    }

    /// What still stands between `standing` and the next rung on `today`.
    public func eligibility(of standing: CadreStanding, today: CivilDate) -> CadreEligibility {
        guard let next = standing.level.next, let req = requirement(for: next) else {
            return CadreEligibility(next: nil, shortfalls: [])
        }
        var missing: [CadreShortfall] = []
        if !standing.tierTrainings.contains(next) { missing.append(.tierTraining(next)) }
        if standing.trainings < req.minimumTrainings { missing.append(.trainings(have: standing.trainings, need: req.minimumTrainings)) }
        let months = Self.months(from: standing.since, to: today)
        if months < req.minimumMonths { missing.append(.months(have: months, need: req.minimumMonths)) }
        if standing.contribution < req.minimumContribution {
            missing.append(.contribution(have: standing.contribution, need: req.minimumContribution))
        }
        return CadreEligibility(next: next, shortfalls: missing)
    }
}

/// Certificates: the share of sessions a participant must attend.
public enum TrainingCompletion {
    /// Attended at least `minimumPercent` of `sessions` (rounded up: 3 of 4 at 75 %).
    public static func completed(attended: Int, sessions: Int, minimumPercent: Int) -> Bool {
        guard sessions > 0 else { return false }
        return attended * 100 >= sessions * minimumPercent
    }
}
