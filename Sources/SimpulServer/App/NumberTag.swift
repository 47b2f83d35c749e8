import LeafKit
import SimpulCore

/// `#number(x)` in a view: a whole number as Indonesians write it ("1.000.000"), so a
/// count of members is readable at a glance; any other value (text already formatted,
/// a percentage) is shown as it is.
struct NumberTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        try ctx.requireParameterCount(1)
        let value = ctx.parameters[0]
        guard value.celf == .int, let n = value.int else { return value }
        return .string(IndonesianNumber.grouped(n))
    }
}
