import SimpulCore

/// Shorthand for a date that must exist.
func day(_ year: Int, _ month: Int, _ day: Int) -> CivilDate {
    guard let date = CivilDate(year: year, month: month, day: day) else {
        fatalError("test date \(year)-\(month)-\(day) does not exist")
    }
    return date
}

extension SplitMix64 {
    /// A random valid date between two years inclusive.
    mutating func date(years: ClosedRange<Int>) -> CivilDate {
        let y = Int.random(in: years, using: &self)
        let m = Int.random(in: 1...12, using: &self)
        let d = Int.random(in: 1...CivilDate.daysInMonth(year: y, month: m), using: &self)
        return day(y, m, d)
    }
}
