import Foundation

/// A calendar date without time or time zone (tanggal), proleptic Gregorian.
///
/// Birth dates, eligibility cut-offs and SLA deadlines are days, not instants:
/// storing them as `Date` invites off-by-one-day bugs around midnight WIB.
/// All arithmetic here is integer-only, so results never depend on the host's
/// time zone, locale or `Calendar` implementation.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil unless the date exists (no 31 April, 29 February only in leap years).
    public init?(year: Int, month: Int, day: Int) {
        guard CivilDate.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd` (what an HTML `<input type="date">` submits).
    public init?(iso8601 text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The calendar date of an instant as seen at a fixed UTC offset.
    /// The default is WIB (UTC+7), where the branch runs; Indonesia has no DST.
    public init(_ instant: Date, utcOffsetSeconds: Int = CivilDate.wibOffsetSeconds) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        // Floor division so that instants before 1970 land on the right day.
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        self.init(daysSinceEpoch: days)
    }

    /// WIB, Waktu Indonesia Barat.
    public static let wibOffsetSeconds = 7 * 3600

    // MARK: Calendar rules

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    // MARK: Day arithmetic (Howard Hinnant's days_from_civil / civil_from_days)

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same month and day `years` later; 29 February becomes 1 March in a
    /// non-leap target year (a person born on 29 Feb turns a year older on 1 March).
    public func adding(years: Int) -> CivilDate {
        let y = year + years
        if let same = CivilDate(year: y, month: month, day: day) { return same }
        return CivilDate(year: y, month: 3, day: 1)!
    }

    // MARK: Formatting

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `yyyy-MM-dd`.
    public var iso8601: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `dd-MM-yyyy`, the order Indonesians write dates in.
    public var indonesian: String {
        "\(pad(day, 2))-\(pad(month, 2))-\(pad(year, 4))"
    }

    public var description: String { iso8601 }
}

extension CivilDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(iso8601: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Bukan tanggal yyyy-MM-dd: \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

/// Zero-padded decimal, e.g. pad(7, 2) == "07". Negative numbers are not padded.
func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    guard value >= 0, text.count < width else { return text }
    return String(repeating: "0", count: width - text.count) + text
}

extension Character {
    /// 0–9 only; `Character.isNumber` also accepts Arabic-Indic digits, fractions, etc.
    var isASCIIDigit: Bool {
        guard let ascii = asciiValue else { return false }
        return (48...57).contains(ascii)
    }
}
