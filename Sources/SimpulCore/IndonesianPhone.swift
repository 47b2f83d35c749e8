import Foundation

/// Indonesian mobile numbers (nomor HP/WA) in one stored form: `08…`, 10–13 digits.
///
/// Accepted as typed or exported from a spreadsheet:
/// - separators ignored: spaces, `-`, `.`, `(`, `)`;
/// - `+62 812…`, `62812…`, `0062 812…` → `0812…`;
/// - `812…` → `0812…` (a spreadsheet that stored the number as a number dropped the 0).
///
/// Landlines (`0254 …`) are refused: the field is for a number that takes SMS/WhatsApp.
public enum IndonesianPhone {
    /// The `08…` form, or nil when `raw` is not a mobile number.
    public static func normalize(_ raw: String) -> String? {
        try? validate(raw).get()
    }

    public static func validate(_ raw: String) -> Result<String, PhoneError> {
        let trimmed = raw.trimmedWhitespace
        guard !trimmed.isEmpty else { return .failure(.empty) }
        if looksScientific(trimmed) { return .failure(.scientificNotation(trimmed)) }
        if trimmed.contains(where: { "/,;".contains($0) }) { return .failure(.severalNumbers) }
        var digits = trimmed.asciiDigits(dropping: { $0.isASCIISpace || "-.()".utf8.contains($0) })
            ?? trimmed.filter { !($0.isWhitespace || "-.()".contains($0)) }
        if digits.hasPrefix("+62") { digits = "0" + digits.dropFirst(3) }
        else if digits.hasPrefix("0062") { digits = "0" + digits.dropFirst(4) }
        else if digits.hasPrefix("628") { digits = "0" + digits.dropFirst(2) }
        else if digits.hasPrefix("8") { digits = "0" + digits }
        if digits.hasPrefix("008") { digits.removeFirst() }   // "+62 (0)812…"
        if let bad = digits.first(where: { !$0.isASCIIDigit }) { return .failure(.nonDigit(bad)) }
        guard digits.hasPrefix("08"), digits.count >= 3, digits.dropFirst(2).first != "0" else {
            return .failure(.notMobile)
        }
        guard (10...13).contains(digits.count) else { return .failure(.wrongLength(digits.count)) }
        return .success(digits)
    }

    /// `0812****7890`: operator prefix and last four digits, as the people list shows it.
    public static func mask(_ phone: String) -> String {
        guard phone.count > 8 else { return String(repeating: "*", count: phone.count) }
        return phone.prefix(4) + String(repeating: "*", count: phone.count - 8) + phone.suffix(4)
    }

    /// "8.12346E+10", "3,67301E+15": what a spreadsheet shows for a long number.
    static func looksScientific(_ text: String) -> Bool {
        let t = text.lowercased()
        guard let e = t.firstIndex(of: "e") else { return false }
        let mantissa = t[..<e], exponent = t[t.index(after: e)...].drop(while: { $0 == "+" })
        return !mantissa.isEmpty && !exponent.isEmpty
            && mantissa.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "," })
            && exponent.allSatisfy(\.isASCIIDigit)
    }
}

/// Why a phone number was refused; `message` is ready to show after "kolom No. HP: ".
public enum PhoneError: Error, Equatable, Sendable {
    case empty
    case scientificNotation(String)
    case severalNumbers
    case nonDigit(Character)
    case notMobile
    case wrongLength(Int)

    public var message: String {
        switch self {
        case .empty:
            return "Nomor HP kosong."
        case .scientificNotation(let text):
            return "Nomor HP terbaca sebagai \(text) (format ilmiah spreadsheet, digit bisa hilang). Ubah format kolom menjadi Teks lalu ketik ulang nomornya."
        case .severalNumbers:
            return "Isi satu nomor HP saja."
        case .nonDigit(let c):
            return "Nomor HP hanya boleh berisi angka (ditemukan \"\(c)\")."
        case .notMobile:
            return "Nomor HP harus nomor seluler yang diawali 08, +628 atau 628, misalnya 081234567890."
        case .wrongLength(let n):
            return "Nomor HP harus 10–13 digit termasuk 08 di depan (terbaca \(n) digit)."
        }
    }
}
