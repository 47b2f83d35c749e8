import Foundation
import Testing
@testable import SimpulCore

@Suite("Time-ordered ids (UUIDv7)")
struct TimeOrderedIDTests {
    @Test("ids made one after another sort in that order, as text and as bytes, and carry version 7")
    func ordered() {
        var ids = TimeOrderedID()
        let fixed = Date(timeIntervalSince1970: 1_795_000_000.123)
        var made: [UUID] = []
        for k in 0..<20_000 { made.append(ids.next(now: k < 10_000 ? fixed : fixed.addingTimeInterval(Double(k) / 1000))) }
        let texts = made.map(\.uuidString)
        #expect(texts == texts.sorted())
        #expect(Set(texts).count == made.count)
        for id in made.prefix(50) {
            let u = id.uuid
            #expect(u.6 >> 4 == 7)
            #expect(u.8 >> 6 == 0b10)
        }
        // The first 48 bits are the time in milliseconds.
        let first = made[0].uuid
        let millis = [first.0, first.1, first.2, first.3, first.4, first.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(millis == 1_795_000_000_123)
    }

    @Test("a clock that steps back does not break the order")
    func clockBack() {
        var ids = TimeOrderedID()
        let a = ids.next(now: Date(timeIntervalSince1970: 2_000_000_000))
        let b = ids.next(now: Date(timeIntervalSince1970: 1_999_999_999))
        #expect(a.uuidString < b.uuidString)
    }
}
