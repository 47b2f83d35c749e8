/// Target kaderisasi: "+50 % kader dalam dua tahun" and whether the current pace gets there.
///
/// Method (also explained on the page): the pace is the average growth per day since the
/// target's start, (count now − count at start) ÷ days elapsed. The forecast carries that
/// pace on to the deadline: forecast = count now + pace × days left. The target is on track
/// when the forecast reaches it. The plan line is the straight line from the start count to
/// the target on the deadline; a unit is ahead when its count is on or above that line today.
/// In the first 30 days the pace says little, so the verdict is "too early".
public struct GrowthForecast: Equatable, Sendable {
    public enum Verdict: String, Sendable, Codable {
        /// The count already reached the target.
        case reached
        /// The forecast reaches the target by the deadline.
        case onTrack
        /// The forecast falls short.
        case behind
        /// Less than `minimumDays` since the start.
        case tooEarly
        /// The deadline passed without reaching the target.
        case missed
        /// No count at the start, so a percentage target has nothing to grow from.
        case noBaseline

        public var label: String {
            switch self {
            case .reached: return "Target tercapai"
            case .onTrack: return "Sesuai jalur"
            case .behind: return "Tertinggal"
            case .tooEarly: return "Terlalu dini untuk menilai"
            case .missed: return "Tidak tercapai"
            case .noBaseline: return "Tanpa angka awal"
            }
        }
    }

    public static let minimumDays = 30

    public let baseline: Int
    public let target: Int
    public let current: Int
    public let start: CivilDate
    public let deadline: CivilDate
    public let today: CivilDate

    public init(baseline: Int, target: Int, current: Int, start: CivilDate, deadline: CivilDate, today: CivilDate) {
        self.baseline = baseline
        self.target = target
        self.current = current
        self.start = start
        self.deadline = deadline
        self.today = today
    }

    /// A percentage target on a baseline, rounded up: 41 cadres +50 % → 62.
    public static func target(baseline: Int, percent: Int) -> Int {
        baseline + (baseline * percent + 99) / 100
    }

    public var totalDays: Int { max(1, deadline.daysSinceEpoch - start.daysSinceEpoch) }
    public var elapsedDays: Int { min(totalDays, max(0, today.daysSinceEpoch - start.daysSinceEpoch)) }
    public var remainingDays: Int { max(0, deadline.daysSinceEpoch - today.daysSinceEpoch) }

    /// Growth per day so far.
    public var pacePerDay: Double { elapsedDays == 0 ? 0 : Double(current - baseline) / Double(elapsedDays) }

    /// Count on the deadline at the current pace (never below today's count).
    public var forecast: Int { max(current, Int((Double(current) + pacePerDay * Double(remainingDays)).rounded(.down))) }

    /// Where the straight line from start to target stands on `day`.
    public func plan(on day: CivilDate) -> Double {
        let d = min(totalDays, max(0, day.daysSinceEpoch - start.daysSinceEpoch))
        return Double(baseline) + Double(target - baseline) * Double(d) / Double(totalDays)
    }

    /// Growth needed per 30 days from today to reach the target on time.
    public var neededPerMonth: Double {
        guard remainingDays > 0, current < target else { return 0 }
        return Double(target - current) * 30 / Double(remainingDays)
    }

    /// Share of the way from baseline to target, 0–100 (over 100 when exceeded).
    public var percentDone: Int {
        guard target > baseline else { return current >= target ? 100 : 0 }
        return max(0, (current - baseline) * 100 / (target - baseline))
    }

    public var verdict: Verdict {
        if current >= target && target > 0 { return .reached }
        if baseline == 0 && target == 0 { return .noBaseline }
        if today >= deadline { return .missed }
        if elapsedDays < Self.minimumDays { return .tooEarly }
        return forecast >= target ? .onTrack : .behind
    }
}
