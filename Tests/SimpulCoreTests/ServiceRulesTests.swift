import Foundation
import Testing
@testable import SimpulCore

@Suite("Pelayanan: SLA, siklus permohonan, kode pelacakan")
struct ServiceRulesTests {
    @Test("weekdays: 1970-01-01 was a Thursday, 2026-11-28 a Saturday")
    func weekdays() {
        #expect(ServiceSLA.isoWeekday(day(1970, 1, 1)) == 4)
        #expect(ServiceSLA.isoWeekday(day(2026, 11, 26)) == 4)
        #expect(ServiceSLA.isoWeekday(day(2026, 11, 28)) == 6)
        #expect(ServiceSLA.isoWeekday(day(2026, 11, 30)) == 1)
        #expect(ServiceSLA.isoWeekday(day(1969, 12, 31)) == 3)
        #expect(!ServiceSLA.isWorkingDay(day(2026, 11, 29)))
    }

    @Test("due dates count working days only and skip holidays")
    func dueDates() {
        // Thursday 26 Nov 2026 + 2 working days (kesehatan) = Monday 30 Nov.
        #expect(ServiceSLA.dueDate(receivedOn: day(2026, 11, 26), category: .kesehatan) == day(2026, 11, 30))
        // Received on a Saturday: the clock starts Monday.
        #expect(ServiceSLA.dueDate(receivedOn: day(2026, 11, 28), category: .kesehatan) == day(2026, 12, 1))
        // Infrastruktur: 14 working days = two weeks and four days.
        #expect(ServiceSLA.dueDate(receivedOn: day(2026, 11, 26), category: .infrastruktur) == day(2026, 12, 16))
        // Urgent: next working day, whatever the category.
        #expect(ServiceSLA.dueDate(receivedOn: day(2026, 11, 27), category: .infrastruktur, urgent: true) == day(2026, 11, 30))
        // A holiday on Monday pushes it to Tuesday.
        #expect(ServiceSLA.dueDate(receivedOn: day(2026, 11, 27), category: .lainnya, urgent: true,
                                   holidays: [day(2026, 11, 30)]) == day(2026, 12, 1))
        for category in ServiceCategory.allCases {
            let due = ServiceSLA.dueDate(receivedOn: day(2026, 1, 5), category: category)
            #expect(ServiceSLA.isWorkingDay(due))
            #expect(due > day(2026, 1, 5))
        }
    }

    @Test("breach: open and past the due date; age buckets")
    func breachesAndAges() {
        let due = day(2026, 11, 30)
        #expect(!ServiceSLA.isBreached(due: due, open: true, today: due))
        #expect(ServiceSLA.isBreached(due: due, open: true, today: day(2026, 12, 1)))
        #expect(!ServiceSLA.isBreached(due: due, open: false, today: day(2026, 12, 1)))
        #expect(ServiceSLA.AgeBucket.of(ageInDays: 0) == .upTo2)
        #expect(ServiceSLA.AgeBucket.of(ageInDays: 2) == .upTo2)
        #expect(ServiceSLA.AgeBucket.of(ageInDays: 3) == .upTo7)
        #expect(ServiceSLA.AgeBucket.of(ageInDays: 14) == .upTo14)
        #expect(ServiceSLA.AgeBucket.of(ageInDays: 30) == .upTo30)
        #expect(ServiceSLA.AgeBucket.of(ageInDays: 31) == .over30)
    }

    @Test("lifecycle: closed requests only reopen; notes always allowed; follow-ups only while open")
    func lifecycle() {
        #expect(ServiceLifecycle.next(after: .triage, from: .received) == .triaged)
        #expect(ServiceLifecycle.next(after: .assign, from: .triaged) == .inProgress)
        #expect(ServiceLifecycle.next(after: .refer, from: .inProgress) == .referred)
        #expect(ServiceLifecycle.next(after: .refer, from: .received) == nil)
        #expect(ServiceLifecycle.next(after: .close, from: .referred) == .closed)
        #expect(ServiceLifecycle.next(after: .followUp, from: .referred) == .referred)
        #expect(ServiceLifecycle.actions(from: .closed) == [.note, .reopen])
        #expect(ServiceLifecycle.next(after: .reopen, from: .closed) == .inProgress)
        #expect(ServiceLifecycle.next(after: .reopen, from: .inProgress) == nil)
        #expect(ServiceLifecycle.refusal(.refer, from: .received).contains("Diterima"))
        #expect(!ServiceAction.note.isDecision && !ServiceAction.followUp.isDecision && ServiceAction.close.isDecision)
    }

    @Test("PPKS: 26 case types, advocacy only for the PPKS category")
    func ppks() {
        #expect(PPKSType.allCases.count == 26)
        #expect(Set(PPKSType.allCases.map(\.label)).count == 26)
        #expect(ServiceCategory.allCases.filter(\.isAdvocacy) == [.ppks])
    }

    @Test("tracking codes: round trip, lenient typing, every single typo and every swap of neighbours caught")
    func trackingCodes() throws {
        var rng = SplitMix64(seed: 5)
        var seen = Set<String>()
        var swapsCaught = 0, swaps = 0
        for _ in 0..<500 {
            let code = TrackingCode(using: &rng)
            seen.insert(code.compact)
            #expect(code.formatted.count == 11)
            #expect(try TrackingCode(parsing: code.formatted) == code)
            #expect(try TrackingCode(parsing: " " + code.formatted.lowercased().replacingOccurrences(of: "-", with: " ")) == code)
            var chars = Array(code.compact)
            for i in chars.indices {
                let original = chars[i]
                for other in TrackingCode.alphabet where other != original {
                    chars[i] = other
                    #expect(throws: TrackingCodeError.checkMismatch) { try TrackingCode(parsing: String(chars)) }
                }
                chars[i] = original
            }
            for i in 0..<(chars.count - 1) where chars[i] != chars[i + 1] {
                var swapped = chars
                swapped.swapAt(i, i + 1)
                swaps += 1
                if (try? TrackingCode(parsing: String(swapped))) == nil { swapsCaught += 1 }
            }
        }
        #expect(seen.count == 500)
        #expect(swaps > 3000 && swapsCaught == swaps)
        #expect(throws: TrackingCodeError.empty) { try TrackingCode(parsing: " - ") }
        #expect(throws: TrackingCodeError.wrongLength(4)) { try TrackingCode(parsing: "K7M2") }
        #expect(throws: TrackingCodeError.badCharacter("O")) { try TrackingCode(parsing: "K7M2-QXOA-4") }
        #expect(TrackingCodeError.badCharacter("0").message.contains("\"0\""))
    }
}
