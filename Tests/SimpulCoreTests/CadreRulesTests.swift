import Testing
@testable import SimpulCore

@Suite("Kaderisasi: jenjang kader, kelulusan pelatihan, target pertumbuhan")
struct CadreRulesTests {
    let ladder = CadreLadder.standard

    func standing(_ level: CadreLevel, since: CivilDate, tiers: Set<CadreLevel>, trainings: Int, points: Int) -> CadreStanding {
        CadreStanding(level: level, since: since, tierTrainings: tiers, trainings: trainings, contribution: points)
    }

    @Test("a member who meets every requirement of Kader Pratama is ready; each missing one is named")
    func pratama() {
        let today = day(2026, 11, 26)
        let ready = standing(.anggota, since: day(2026, 8, 26), tiers: [.pratama], trainings: 1, points: 10)
        #expect(ladder.eligibility(of: ready, today: today) == CadreEligibility(next: .pratama, shortfalls: []))
        #expect(ladder.eligibility(of: ready, today: today).ready)
        let fresh = standing(.anggota, since: day(2026, 8, 27), tiers: [], trainings: 0, points: 9)
        let result = ladder.eligibility(of: fresh, today: today)
        #expect(!result.ready)
        #expect(result.shortfalls == [.tierTraining(.pratama), .trainings(have: 0, need: 1), .months(have: 2, need: 3), .contribution(have: 9, need: 10)])
        #expect(result.shortfalls.map(\.message).first == "Belum lulus Pelatihan Kader Pratama.")
    }

    @Test("a thematic training counts towards the total but never replaces the rung's own training")
    func thematicDoesNotReplaceTier() {
        let s = standing(.pratama, since: day(2024, 1, 1), tiers: [.pratama], trainings: 6, points: 100)
        #expect(ladder.eligibility(of: s, today: day(2026, 1, 1)).shortfalls == [.tierTraining(.madya)])
        var withTier = s
        withTier.tierTrainings.insert(.madya)
        #expect(ladder.eligibility(of: withTier, today: day(2026, 1, 1)).ready)
        #expect(ladder.eligibility(of: withTier, today: day(2026, 1, 1)).next == .madya)
    }

    @Test("the top rung has nothing above it")
    func top() {
        let s = standing(.utama, since: day(2020, 1, 1), tiers: Set(CadreLevel.allCases), trainings: 9, points: 999)
        let e = ladder.eligibility(of: s, today: day(2026, 1, 1))
        #expect(e.next == nil && !e.ready && e.shortfalls.isEmpty)
    }

    @Test("whole months: the anniversary day counts, month ends are clamped")
    func months() {
        #expect(CadreLadder.months(from: day(2026, 1, 15), to: day(2026, 2, 14)) == 0)
        #expect(CadreLadder.months(from: day(2026, 1, 15), to: day(2026, 2, 15)) == 1)
        #expect(CadreLadder.months(from: day(2026, 1, 31), to: day(2026, 2, 28)) == 1)
        #expect(CadreLadder.months(from: day(2024, 2, 29), to: day(2025, 2, 28)) == 12)
        #expect(CadreLadder.months(from: day(2026, 3, 1), to: day(2026, 1, 1)) == 0)
        #expect(CadreLadder.months(from: day(2024, 11, 26), to: day(2026, 11, 26)) == 24)
    }

    @Test("levels read from their names, keys and numbers")
    func parsing() {
        #expect(CadreLevel(text: "madya") == .madya)
        #expect(CadreLevel(text: "Kader Utama") == .utama)
        #expect(CadreLevel(text: "1") == .pratama)
        #expect(CadreLevel(text: "kader") == nil)
        #expect(CadreLevel.utama.next == nil && CadreLevel.anggota.next == .pratama)
    }

    @Test("a certificate needs the minimum share of sessions")
    func completion() {
        #expect(TrainingCompletion.completed(attended: 3, sessions: 4, minimumPercent: 75))
        #expect(!TrainingCompletion.completed(attended: 2, sessions: 4, minimumPercent: 75))
        #expect(!TrainingCompletion.completed(attended: 2, sessions: 3, minimumPercent: 75))
        #expect(TrainingCompletion.completed(attended: 3, sessions: 3, minimumPercent: 100))
        #expect(!TrainingCompletion.completed(attended: 0, sessions: 0, minimumPercent: 0))
    }

    @Test("Kota Serang's +50 % in two years: target rounds up, the pace decides the forecast")
    func forecast() {
        #expect(GrowthForecast.target(baseline: 41, percent: 50) == 62)
        #expect(GrowthForecast.target(baseline: 400, percent: 50) == 600)
        let start = day(2026, 1, 1), deadline = day(2028, 1, 1) // 730 days
        // A year in, 100 gained of 200: exactly on the line, forecast reaches 600.
        let half = GrowthForecast(baseline: 400, target: 600, current: 500, start: start, deadline: deadline, today: day(2027, 1, 1))
        #expect(half.elapsedDays == 365 && half.remainingDays == 365)
        #expect(half.forecast == 600)
        #expect(half.verdict == .onTrack)
        #expect(half.plan(on: day(2027, 1, 1)) == 500)
        #expect(half.percentDone == 50)
        // One short of the line: forecast 598, behind; 100 more needed in 365 days.
        let short = GrowthForecast(baseline: 400, target: 600, current: 499, start: start, deadline: deadline, today: day(2027, 1, 1))
        #expect(short.forecast == 598)
        #expect(short.verdict == .behind)
        #expect(abs(short.neededPerMonth - 101.0 * 30 / 365) < 1e-9)
        // A shrinking unit: the forecast never drops below today's count.
        let shrinking = GrowthForecast(baseline: 400, target: 600, current: 390, start: start, deadline: deadline, today: day(2026, 7, 1))
        #expect(shrinking.forecast == 390 && shrinking.verdict == .behind && shrinking.percentDone == 0)
    }

    @Test("verdicts at the edges: too early, reached, missed, no baseline")
    func verdicts() {
        let start = day(2026, 1, 1), deadline = day(2028, 1, 1)
        #expect(GrowthForecast(baseline: 10, target: 15, current: 12, start: start, deadline: deadline, today: day(2026, 1, 20)).verdict == .tooEarly)
        #expect(GrowthForecast(baseline: 10, target: 15, current: 15, start: start, deadline: deadline, today: day(2026, 1, 20)).verdict == .reached)
        #expect(GrowthForecast(baseline: 10, target: 15, current: 14, start: start, deadline: deadline, today: day(2028, 1, 1)).verdict == .missed)
        #expect(GrowthForecast(baseline: 0, target: 0, current: 0, start: start, deadline: deadline, today: day(2026, 6, 1)).verdict == .noBaseline)
        // Before the start nothing has elapsed; pace is zero, not a division by zero.
        let before = GrowthForecast(baseline: 10, target: 15, current: 10, start: start, deadline: deadline, today: day(2025, 12, 1))
        #expect(before.elapsedDays == 0 && before.pacePerDay == 0 && before.forecast == 10)
    }

    @Test("line chart: one path per series, escaped labels, no inline styles")
    func lineChart() {
        let svg = ChartDrawing.lines([
            ChartSeries(label: "Rencana <garis>", points: [(0, 10), (100, 20)], tone: .muted, stroke: .dashed),
            ChartSeries(label: "Kader", points: [(0, 10), (40, 12), (70, 15)], tone: .normal),
        ], title: "Kader & target", days: 100, xLabels: [(0, "Jan")], goal: 20)
        #expect(svg.components(separatedBy: "<path ").count == 3)
        #expect(svg.contains("Rencana &lt;garis&gt;") && svg.contains("Kader &amp; target"))
        #expect(!svg.contains("style="))
        #expect(svg.contains("stroke-dasharray=\"6 4\""))
        // The plan's last point sits at the right edge and the top of the plot.
        #expect(svg.contains("L352 26"))
    }
}
