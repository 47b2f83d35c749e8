/// Voter (pemilih) and party-member eligibility by age or marriage.
///
/// UU 7/2017 Pasal 1 angka 34: a voter is a citizen who is 17 or older, is
/// married (sudah kawin), or has been married (pernah kawin). The same test is
/// used for party membership (UU 2/2008 Pasal 14 ayat (1)).
/// Citizenship and other conditions are checked elsewhere.
public enum Eligibility {
    /// Usia pemilih.
    public static let votingAge = 17

    public enum VoterStatus: Equatable, Sendable {
        case eligibleByAge
        /// Under 17 but married or previously married.
        case eligibleByMarriage
        /// Not yet eligible; becomes eligible by age on `eligibleFrom`.
        case notYetEligible(eligibleFrom: CivilDate)

        public var isEligible: Bool {
            if case .notYetEligible = self { return false }
            return true
        }

        /// Indonesian explanation, naming the "Tanggal lahir" field.
        public var message: String {
            switch self {
            case .eligibleByAge:
                return "Memenuhi syarat: sudah berumur 17 tahun atau lebih."
            case .eligibleByMarriage:
                return "Memenuhi syarat: belum berumur 17 tahun tetapi sudah/pernah kawin."
            case .notYetEligible(let from):
                return "Tanggal lahir: belum berumur 17 tahun dan belum pernah kawin; baru memenuhi syarat pada \(from.indonesian)."
            }
        }
    }

    /// Completed years of age on `date` (0 before the first birthday).
    /// A person born on 29 February ages on 1 March in non-leap years.
    public static func age(birthDate: CivilDate, on date: CivilDate) -> Int {
        guard date >= birthDate else { return 0 }
        var years = date.year - birthDate.year
        if birthDate.adding(years: years) > date { years -= 1 }
        return years
    }

    /// The day the person turns 17.
    public static func seventeenthBirthday(of birthDate: CivilDate) -> CivilDate {
        birthDate.adding(years: votingAge)
    }

    /// - Parameter married: has ever been married (kawin, cerai hidup or cerai mati).
    public static func voterStatus(birthDate: CivilDate, married: Bool, on date: CivilDate) -> VoterStatus {
        let from = seventeenthBirthday(of: birthDate)
        if date >= from { return .eligibleByAge }
        // A birth date after `date` is bad data; marriage cannot make it eligible.
        if married && date >= birthDate { return .eligibleByMarriage }
        return .notYetEligible(eligibleFrom: from)
    }

    public static func isEligibleVoter(birthDate: CivilDate, married: Bool, on date: CivilDate) -> Bool {
        voterStatus(birthDate: birthDate, married: married, on: date).isEligible
    }
}
