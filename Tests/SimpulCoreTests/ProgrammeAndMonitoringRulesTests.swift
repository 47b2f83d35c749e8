import Foundation
import Testing
@testable import SimpulCore

@Suite("Program kerja: kaskade, KPI, jadwal")
struct ProgrammeRulesTests {
    let kecamatan = OrgPath(regionCode: "36.73.04")
    let city = OrgPath(regionCode: "36.73")
    let province = OrgPath(regionCode: "36")

    @Test("ancestors run from the national root down to the parent")
    func ancestors() {
        #expect(kecamatan.ancestors == [.national, province, city])
        #expect(province.ancestors == [.national])
        #expect(OrgPath.national.ancestors.isEmpty)
        #expect(OrgPath(regionCode: "36.73.04.1001").ancestors.count == 4)
    }

    @Test("a city reads the national and province programmes above it, never a sibling city's")
    func cascade() {
        #expect(ProgrammeCascade.inheritedPaths(for: [city]) == [.national, province])
        #expect(ProgrammeCascade.canRead(.national, roots: [city]))
        #expect(ProgrammeCascade.canRead(province, roots: [city]))
        #expect(ProgrammeCascade.canRead(kecamatan, roots: [city]))
        #expect(!ProgrammeCascade.canRead(OrgPath(regionCode: "36.72"), roots: [city]))
        #expect(!ProgrammeCascade.canRead(OrgPath(regionCode: "32"), roots: [city]))
        // A national user inherits nothing: everything is already below.
        #expect(ProgrammeCascade.inheritedPaths(for: [.national, city]).isEmpty)
        // Two kecamatan grants share their ancestors once.
        #expect(ProgrammeCascade.inheritedPaths(for: [kecamatan, OrgPath(regionCode: "36.73.01")]) == [.national, province, city])
        #expect(ProgrammeCascade.inheritedPaths(for: []).isEmpty)
    }

    @Test("derive only from a programme owned strictly above")
    func derive() {
        #expect(ProgrammeCascade.canDerive(from: province, into: city))
        #expect(ProgrammeCascade.canDerive(from: .national, into: kecamatan))
        #expect(!ProgrammeCascade.canDerive(from: city, into: city))
        #expect(!ProgrammeCascade.canDerive(from: kecamatan, into: city))
        #expect(!ProgrammeCascade.canDerive(from: OrgPath(regionCode: "36.72"), into: kecamatan))
    }

    @Test("KPI progress moves from baseline to target, either direction, clamped")
    func kpi() {
        #expect(KPIProgress.percent(baseline: 0, target: 1000, actual: 250) == 25)
        #expect(KPIProgress.percent(baseline: 200, target: 1000, actual: 600) == 50)
        #expect(KPIProgress.percent(baseline: 200, target: 1000, actual: 100) == 0)
        #expect(KPIProgress.percent(baseline: 0, target: 1000, actual: 1500) == 100)
        // Fewer overdue complaints: 40 → 10, now 25.
        #expect(KPIProgress.percent(baseline: 40, target: 10, actual: 25) == 50)
        #expect(KPIProgress.percent(baseline: 40, target: 10, actual: 50) == 0)
        #expect(KPIProgress.percent(baseline: 5, target: 5, actual: 5) == 100)
        #expect(KPIProgress.percent(baseline: 5, target: 5, actual: 4) == 0)
        #expect(KPIProgress.percent(baseline: 0, target: 3, actual: 2) == 66)
        #expect(KPIProgress.overall([100, 50, 0]) == 50)
        #expect(KPIProgress.overall([]) == nil)
    }

    @Test("pace compares progress with the share of the period gone by")
    func pace() {
        let start = CivilDate(year: 2026, month: 1, day: 1)!
        let end = CivilDate(year: 2026, month: 12, day: 31)!
        #expect(KPIProgress.expected(start: start, end: end, today: CivilDate(year: 2026, month: 7, day: 2)!) == 50)
        #expect(KPIProgress.expected(start: start, end: end, today: CivilDate(year: 2025, month: 7, day: 2)!) == 0)
        #expect(KPIProgress.expected(start: start, end: end, today: CivilDate(year: 2027, month: 7, day: 2)!) == 100)
        #expect(KPIProgress.pace(progress: 30, expected: 49) == .behind)
        #expect(KPIProgress.pace(progress: 45, expected: 49) == .onTrack)
        #expect(KPIProgress.pace(progress: 70, expected: 49) == .ahead)
        #expect(KPIProgress.pace(progress: nil, expected: 49) == .notStarted)
    }
}

@Suite("Pemantauan: kerawanan, partisipasi, pengingat, penonton daring")
struct MonitoringRulesTests {
    func s(_ sev: SituationSeverity, _ st: VerificationStatus, _ age: Int) -> ConflictRisk.Signal {
        ConflictRisk.Signal(severity: sev, status: st, ageDays: age)
    }

    @Test("risk: verified counts in full, unverified half, false reports and old ones not at all")
    func risk() {
        #expect(ConflictRisk.level([]) == .calm)
        #expect(ConflictRisk.score([s(.low, .unverified, 0)]) == 5)
        #expect(ConflictRisk.level([s(.low, .unverified, 0)]) == .watch)
        #expect(ConflictRisk.level([s(.critical, .rejected, 0)]) == .calm)
        #expect(ConflictRisk.score([s(.critical, .verified, 3)]) == 80)
        #expect(ConflictRisk.level([s(.critical, .verified, 3)]) == .alert)
        #expect(ConflictRisk.level([s(.critical, .verified, 3), s(.high, .verified, 10)]) == .high)
        // Between 30 and 90 days a report counts half, after 90 days not at all.
        #expect(ConflictRisk.score([s(.critical, .verified, 45)]) == 40)
        #expect(ConflictRisk.score([s(.critical, .verified, 91)]) == 0)
        #expect(ConflictRisk.score([s(.high, .verified, 30), s(.high, .verified, 31)]) == 60)
        #expect(ConflictRisk.level(score: 39) == .watch)
        #expect(ConflictRisk.level(score: 40) == .alert)
        #expect(ConflictRisk.level(score: 100) == .high)
    }

    @Test("participation: turnout in tenths of a percent and the change between elections")
    func participation() {
        let series = [ParticipationTrend.Figure(label: "2019", registered: 420_000, voters: 330_000),
                      ParticipationTrend.Figure(label: "2024", registered: 0, voters: 0),
                      ParticipationTrend.Figure(label: "2029", registered: 450_000, voters: 340_000)]
        #expect(series[0].permille == 786)
        #expect(series[1].permille == nil)
        #expect(series[2].permille == 756)
        #expect(ParticipationTrend.change(series) == -30)
        #expect(ParticipationTrend.change(Array(series.prefix(2))) == nil)
        #expect(ParticipationTrend.percentText(786) == "78,6%")
        #expect(ParticipationTrend.pointsText(-30) == "-3,0 poin")
        #expect(ParticipationTrend.pointsText(12) == "+1,2 poin")
    }

    @Test("reminders: H-1 and H-0 ahead of the start; late registrations get H-0 now; none after the start")
    func reminders() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let early = ReminderSchedule.due(startsAt: start, now: start.addingTimeInterval(-3 * 24 * 3600))
        #expect(early.map(\.kind) == [.dayBefore, .sameDay])
        #expect(early[0].at == start.addingTimeInterval(-86_400))
        #expect(early[1].at == start.addingTimeInterval(-10_800))
        let late = ReminderSchedule.due(startsAt: start, now: start.addingTimeInterval(-3600))
        #expect(late.map(\.kind) == [.sameDay])
        #expect(late[0].at == start.addingTimeInterval(-3600))
        #expect(ReminderSchedule.due(startsAt: start, now: start).isEmpty)
    }

    @Test("online viewers: the latest count of each source stands, sources add up")
    func audience() {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let counts = [OnlineAudience.Count(source: "YouTube", viewers: 900, at: t),
                      OnlineAudience.Count(source: "youtube ", viewers: 1_500, at: t.addingTimeInterval(600)),
                      OnlineAudience.Count(source: "Zoom", viewers: 308, at: t),
                      OnlineAudience.Count(source: "YouTube", viewers: 1_200, at: t.addingTimeInterval(300))]
        #expect(OnlineAudience.total(counts) == 1_808)
        #expect(OnlineAudience.latestBySource(counts).map(\.viewers) == [1_500, 308])
        #expect(OnlineAudience.total([]) == 0)
    }
}
