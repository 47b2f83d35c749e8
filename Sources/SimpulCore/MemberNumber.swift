/// Nomor KTA — the party membership card number.
///
/// Format (17 digits), printed as `3673011001-000123-7`:
/// ```
///   3673011001 | 000123 | 7
///   PPKKCCDDDD | SSSSSS | C
/// ```
/// - `PPKKCCDDDD`: Kemendagri code of the kelurahan/desa of the org unit (DPRa)
///   where the member first registered: province, regency/city, kecamatan,
///   kelurahan/desa (36.73.01.1001). Like the NIK, the number never changes when
///   the member moves; the current org unit is stored separately.
/// - `SSSSSS`: sequence within that kelurahan, 000001–999999. Each kelurahan
///   counts on its own, so branches can issue numbers without a national counter;
///   uniqueness is the database's job (unique on kelurahan + sequence).
/// - `C`: Damm check digit over the first 16 digits. Damm catches every single-digit
///   typo and every swap of two adjacent digits (Luhn misses 09↔90), and needs
///   no letters (unlike ISO 7064 mod 11-2's "X"), so the number stays all digits.
///
/// The check digit only catches typing mistakes; it is not a security feature.
/// Whether a card is genuine is answered by looking the number up.
public struct MemberNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 10-digit kelurahan code without dots.
    public let kelurahanDigits: String
    public let sequence: Int

    /// Number of digits in the compact form.
    public static let length = 17

    /// A new number for `sequence` in a kelurahan ("36.73.01.1001" or "3673011001").
    public init(kelurahanCode: String, sequence: Int) throws(MemberNumberError) {
        let code = kelurahanCode.filter { $0 != "." && !$0.isWhitespace }
        guard MemberNumber.isValidKelurahan(code) else { throw .invalidKelurahanCode(kelurahanCode) }
        guard (1...999_999).contains(sequence) else { throw .sequenceOutOfRange(sequence) }
        self.kelurahanDigits = code
        self.sequence = sequence
    }

    /// Parses a number as typed or scanned: spaces, dots, hyphens and slashes are
    /// ignored, so both "3673011001-000123-7" and "36730110010001237" are accepted.
    public init(parsing raw: String) throws(MemberNumberError) {
        let kept = raw.filter { !($0.isWhitespace || $0 == "." || $0 == "-" || $0 == "/") }
        guard !kept.isEmpty else { throw .empty }
        if let bad = kept.first(where: { !$0.isASCIIDigit }) { throw .nonDigit(bad) }
        guard kept.count == MemberNumber.length else { throw .wrongLength(kept.count) }
        // Check digit first: a typo anywhere should say "check the number",
        // not blame whichever part it happened to land in.
        guard MemberNumber.damm(kept) == 0 else { throw .checkDigitMismatch }
        let code = String(kept.prefix(10))
        let sequence = Int(kept.dropFirst(10).prefix(6))!
        try self.init(kelurahanCode: code, sequence: sequence)
    }

    /// True when `raw` parses.
    public static func isValid(_ raw: String) -> Bool {
        (try? MemberNumber(parsing: raw)) != nil
    }

    // MARK: Parts

    public var checkDigit: Int { MemberNumber.damm(kelurahanDigits + pad(sequence, 6)) }

    /// "36.73.01.1001"
    public var kelurahanCode: String {
        let d = kelurahanDigits
        return "\(d.prefix(2)).\(d.dropFirst(2).prefix(2)).\(d.dropFirst(4).prefix(2)).\(d.suffix(4))"
    }
    /// "36.73.01"
    public var kecamatanCode: String { String(kelurahanCode.prefix(8)) }
    /// "36.73"
    public var regencyCode: String { String(kelurahanCode.prefix(5)) }
    /// "36"
    public var provinceCode: String { String(kelurahanDigits.prefix(2)) }

    /// "3673011001-000123-7", for cards and screens.
    public var formatted: String { "\(kelurahanDigits)-\(pad(sequence, 6))-\(checkDigit)" }
    /// "36730110010001237", for storage, QR codes and URLs.
    public var compact: String { "\(kelurahanDigits)\(pad(sequence, 6))\(checkDigit)" }
    public var description: String { formatted }

    public static func < (lhs: MemberNumber, rhs: MemberNumber) -> Bool {
        (lhs.kelurahanDigits, lhs.sequence) < (rhs.kelurahanDigits, rhs.sequence)
    }

    // MARK: Damm algorithm

    /// The standard order-10 weakly totally anti-symmetric quasigroup (Damm 2004).
    static let dammTable: [[Int]] = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
        [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
        [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
        [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
        [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
        [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
        [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ]

    /// Runs the Damm quasigroup over ASCII digits. For digits without a check digit
    /// the result *is* the check digit; over digits that end in a correct check
    /// digit the result is 0.
    public static func damm(_ digits: String) -> Int {
        var interim = 0
        for byte in digits.utf8 {
            precondition((48...57).contains(byte), "damm() takes ASCII digits only")
            interim = dammTable[interim][Int(byte) - 48]
        }
        return interim
    }

    static func isValidKelurahan(_ code: String) -> Bool {
        guard code.count == 10, code.allSatisfy(\.isASCIIDigit) else { return false }
        let province = Int(code.prefix(2))!
        return province >= 11
            && code.dropFirst(2).prefix(2) != "00"
            && code.dropFirst(4).prefix(2) != "00"
            && code.suffix(4) != "0000"
    }
}

/// Why a KTA number was rejected; `message` names the "Nomor KTA" field.
public enum MemberNumberError: Error, Equatable, Sendable {
    case empty
    case nonDigit(Character)
    case wrongLength(Int)
    case invalidKelurahanCode(String)
    case sequenceOutOfRange(Int)
    case checkDigitMismatch

    public var message: String {
        switch self {
        case .empty:
            return "Nomor KTA wajib diisi."
        case .nonDigit(let c):
            return "Nomor KTA hanya boleh berisi angka dan tanda pisah (ditemukan \"\(c)\")."
        case .wrongLength(let n):
            return "Nomor KTA harus 17 digit (10 digit kode kelurahan, 6 digit nomor urut, 1 digit pemeriksa); terbaca \(n) digit."
        case .invalidKelurahanCode(let code):
            return "Nomor KTA: kode kelurahan \(code) tidak sah."
        case .sequenceOutOfRange(let n):
            return "Nomor KTA: nomor urut harus 000001–999999 (terbaca \(n))."
        case .checkDigitMismatch:
            return "Nomor KTA tidak valid: digit pemeriksa (angka terakhir) tidak cocok. Periksa kembali penulisan nomor."
        }
    }
}
