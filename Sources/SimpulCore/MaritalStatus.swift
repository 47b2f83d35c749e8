/// Status perkawinan as on the KTP. Anyone who is or has been married may vote and join a
/// party before 17 (UU 7/2017 Pasal 1 angka 34).
public enum MaritalStatus: String, Codable, CaseIterable, Sendable {
    case belumKawin = "belum_kawin"
    case kawin = "kawin"
    case ceraiHidup = "cerai_hidup"
    case ceraiMati = "cerai_mati"

    public var label: String {
        switch self {
        case .belumKawin: return "Belum kawin"
        case .kawin: return "Kawin"
        case .ceraiHidup: return "Cerai hidup"
        case .ceraiMati: return "Cerai mati"
        }
    }

    /// Married now or before: counts as "sudah/pernah kawin" for eligibility.
    public var hasMarried: Bool { self != .belumKawin }

    /// Reads the usual spellings from forms and spreadsheets ("Belum Kawin", "BK", "K",
    /// "Cerai Hidup" …); nil when unrecognised ("janda"/"duda" do not say which kind).
    public init?(text: String) {
        let t = text.lowercased().filter { $0.isLetter || $0 == " " }.split(separator: " ").joined(separator: " ")
        switch t {
        case "belum kawin", "belumkawin", "belum menikah", "lajang", "bk", "tk", "belum_kawin": self = .belumKawin
        case "kawin", "menikah", "sudah menikah", "sudah kawin", "k": self = .kawin
        case "cerai hidup", "ceraihidup", "ch", "cerai": self = .ceraiHidup
        case "cerai mati", "ceraimati", "cm": self = .ceraiMati
        default:
            if let exact = MaritalStatus(rawValue: text) { self = exact } else { return nil }
        }
    }
}
