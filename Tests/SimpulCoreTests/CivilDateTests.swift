import Foundation
import Testing
@testable import SimpulCore

@Suite("CivilDate")
struct CivilDateTests {
    @Test(arguments: [(2000, true), (1900, false), (2024, true), (2023, false), (2100, false), (1996, true), (2400, true)])
    func leapYears(year: Int, leap: Bool) {
        #expect(CivilDate.isLeapYear(year) == leap)
    }

    @Test func daysInMonth() {
        #expect((1...12).map { CivilDate.daysInMonth(year: 2023, month: $0) } == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
        #expect(CivilDate.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilDate.daysInMonth(year: 2024, month: 13) == 0)
    }

    @Test(arguments: [(2023, 4, 31), (2023, 2, 29), (1900, 2, 29), (2024, 13, 1), (2024, 0, 1), (2024, 1, 0), (2024, 1, 32)])
    func nonexistentDatesAreRejected(y: Int, m: Int, d: Int) {
        #expect(CivilDate(year: y, month: m, day: d) == nil)
    }

    @Test func existingEdgeDates() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2023, month: 12, day: 31) != nil)
    }

    @Test func epochDayKnownValues() {
        #expect(day(1970, 1, 1).daysSinceEpoch == 0)
        #expect(day(1969, 12, 31).daysSinceEpoch == -1)
        #expect(day(2000, 3, 1).daysSinceEpoch == 11_017)
        #expect(day(2024, 2, 29).daysSinceEpoch == 19_782)
        #expect(CivilDate(daysSinceEpoch: 19_782) == day(2024, 2, 29))
    }

    @Test func epochDayRoundTripAndOrder() {
        var previous: CivilDate?
        for n in stride(from: -800_000, through: 800_000, by: 37) {
            let date = CivilDate(daysSinceEpoch: n)
            #expect(date.daysSinceEpoch == n)
            #expect(CivilDate(year: date.year, month: date.month, day: date.day) == date)
            if let p = previous { #expect(p < date) }
            previous = date
        }
    }

    @Test func consecutiveDaysAcrossLeapDay() {
        #expect(day(2024, 2, 28).adding(days: 1) == day(2024, 2, 29))
        #expect(day(2024, 2, 29).adding(days: 1) == day(2024, 3, 1))
        #expect(day(2023, 2, 28).adding(days: 1) == day(2023, 3, 1))
        #expect(day(2023, 12, 31).adding(days: 1) == day(2024, 1, 1))
        #expect(day(2024, 1, 1).adding(days: -1) == day(2023, 12, 31))
    }

    @Test func instantToDateInWIB() {
        // 1970-01-01T00:00Z is 07:00 WIB.
        #expect(CivilDate(Date(timeIntervalSince1970: 0)) == day(1970, 1, 1))
        // 2025-05-31T17:00Z is 2025-06-01 00:00 WIB.
        let midnightWIB = Date(timeIntervalSince1970: TimeInterval(day(2025, 6, 1).daysSinceEpoch * 86_400 - 7 * 3600))
        #expect(CivilDate(midnightWIB) == day(2025, 6, 1))
        #expect(CivilDate(midnightWIB.addingTimeInterval(-1)) == day(2025, 5, 31))
        #expect(CivilDate(midnightWIB, utcOffsetSeconds: 0) == day(2025, 5, 31))
        // Before 1970, including fractional seconds.
        #expect(CivilDate(Date(timeIntervalSince1970: -0.5), utcOffsetSeconds: 0) == day(1969, 12, 31))
        #expect(CivilDate(Date(timeIntervalSince1970: -0.5)) == day(1970, 1, 1))
        #expect(CivilDate(Date(timeIntervalSince1970: -86_400 * 365), utcOffsetSeconds: 0) == day(1969, 1, 1))
    }

    @Test func iso8601() {
        #expect(CivilDate(iso8601: "1990-05-12") == day(1990, 5, 12))
        #expect(CivilDate(iso8601: " 2024-02-29 ") == day(2024, 2, 29))
        for bad in ["", "1990-5-12", "1990-02-30", "90-05-12", "1990/05/12", "1990-05-12T00:00", "abcd-ef-gh", "1990-0５-12"] {
            #expect(CivilDate(iso8601: bad) == nil, "\(bad)")
        }
        #expect(day(7, 1, 2).iso8601 == "0007-01-02")
        #expect(day(1990, 5, 2).indonesian == "02-05-1990")
        #expect("\(day(1990, 5, 2))" == "1990-05-02")
    }

    @Test func addingYears() {
        #expect(day(2004, 2, 29).adding(years: 17) == day(2021, 3, 1))
        #expect(day(2004, 2, 29).adding(years: 20) == day(2024, 2, 29))
        #expect(day(2001, 7, 15).adding(years: 17) == day(2018, 7, 15))
    }

    @Test func codableAsISOString() throws {
        let data = try JSONEncoder().encode([day(1990, 5, 12)])
        #expect(String(decoding: data, as: UTF8.self) == #"["1990-05-12"]"#)
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [day(1990, 5, 12)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["1990-02-30"]"#.utf8))
        }
    }
}
