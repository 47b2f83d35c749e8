/// The scope path of an org unit or of a record that belongs to one.
///
/// Org units mirror the Kemendagri territory tree, so a unit's path is its region code
/// followed by a dot: national (DPP) is "", Banten (DPW) "36.", Kota Serang (DPD) "36.73.",
/// kecamatan Curug (DPC) "36.73.04.", a kelurahan (DPRa) "36.73.04.1001.". The trailing
/// dot makes a plain prefix test exact: "36.73.01." is not a prefix of "36.73.010…".
/// Records store the path of the unit they belong to, so "everything under a unit" is
/// `scope LIKE 'path%'` in SQL and `hasPrefix` here.
public struct OrgPath: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// The national root (DPP): an ancestor of every path.
    public static let national = OrgPath(rawValue: "")

    /// Path of the unit that stands on region `code` ("36.73.01").
    public init(regionCode code: String?) {
        if let code, !code.isEmpty { rawValue = code + "." } else { rawValue = "" }
    }

    /// The region code this path stands on; nil for the national root.
    public var regionCode: String? { rawValue.isEmpty ? nil : String(rawValue.dropLast()) }

    /// Depth in the tree: national 0, province 1, regency/city 2, kecamatan 3, kelurahan 4.
    public var depth: Int { rawValue.filter { $0 == "." }.count }

    /// True when `other` is this unit or lies anywhere below it.
    public func contains(_ other: OrgPath) -> Bool { other.rawValue.hasPrefix(rawValue) }

    /// Pattern for SQL `LIKE` that matches this unit and its whole subtree.
    /// Region codes hold only digits and dots, so no LIKE metacharacter needs escaping.
    public var likePattern: String { rawValue + "%" }

    public var description: String { rawValue.isEmpty ? "(nasional)" : rawValue }

    public static func < (lhs: OrgPath, rhs: OrgPath) -> Bool { lhs.rawValue < rhs.rawValue }
}
