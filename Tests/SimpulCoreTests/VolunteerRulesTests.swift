import Foundation
import Testing
@testable import SimpulCore

@Suite("Satgas relawan: seleksi, kesiapan, jam tugas")
struct VolunteerRulesTests {
    @Test("selection: all four stages accept, any failure rejects, partial is in selection")
    func pipeline() {
        #expect(VolunteerPipeline.status([:]) == .applied)
        #expect(VolunteerPipeline.status([.documents: true]) == .inSelection)
        #expect(VolunteerPipeline.status([.documents: true, .interview: true, .training: true]) == .inSelection)
        #expect(VolunteerPipeline.status([.documents: true, .interview: true, .training: true, .health: true]) == .accepted)
        #expect(VolunteerPipeline.status([.documents: true, .interview: true, .training: true, .health: false]) == .rejected)
        #expect(VolunteerPipeline.status([.interview: false]) == .rejected)
    }

    @Test("readiness needs acceptance, availability and no current deployment")
    func readiness() {
        #expect(VolunteerPipeline.isReady(status: .accepted, available: true, deployedNow: false))
        #expect(!VolunteerPipeline.isReady(status: .accepted, available: false, deployedNow: false))
        #expect(!VolunteerPipeline.isReady(status: .accepted, available: true, deployedNow: true))
        #expect(!VolunteerPipeline.isReady(status: .inSelection, available: true, deployedNow: false))
    }

    @Test("hours: check-out after check-in, at most 24 hours per shift")
    func hours() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(VolunteerPipeline.minutes(checkIn: start, checkOut: start.addingTimeInterval(750 * 60 + 59)) == 750)
        #expect(VolunteerPipeline.minutes(checkIn: start, checkOut: start.addingTimeInterval(-60)) == nil)
        #expect(VolunteerPipeline.minutes(checkIn: start, checkOut: start.addingTimeInterval(24 * 3600 + 1)) == nil)
        #expect(VolunteerPipeline.hoursText(minutes: 750) == "12 jam 30 menit")
        #expect(VolunteerPipeline.hoursText(minutes: 120) == "2 jam")
        #expect(VolunteerPipeline.hoursText(minutes: 45) == "45 menit")
    }
}
