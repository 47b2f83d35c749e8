/// Jenis kelamin as recorded on the KTP (only two values exist in Dukcapil data).
public enum Sex: String, Hashable, Sendable, CaseIterable, Codable {
    /// Laki-laki.
    case male
    /// Perempuan.
    case female

    /// Label for user-facing text: "laki-laki" / "perempuan".
    public var indonesianLabel: String {
        switch self {
        case .male: return "laki-laki"
        case .female: return "perempuan"
        }
    }
}
