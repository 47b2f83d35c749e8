import Foundation

/// NIK — Nomor Induk Kependudukan, the 16-digit national population number on the KTP.
///
/// Layout (Dukcapil):
/// ```
///   36 73 01 | 52 05 90 | 0012
///   PP KK CC | DD MM YY | SSSS
/// ```
/// - `PP KK CC`: province, regency/city and kecamatan of the *first* registration
///   (it does not follow the person when they move);
/// - `DD MM YY`: birth date; for women the day is increased by 40 (so 41–71);
/// - `SSSS`: serial within that kecamatan and birth date, starting at 0001.
///
/// The structure tells us whether a number is *well-formed*, never whether it was
/// really issued: only Dukcapil can confirm that.
///
/// Privacy: `description` (and so string interpolation, `print`, logs) gives the
/// masked form. Use `digits` deliberately where the full number is needed.
public struct NIK: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The 16 ASCII digits.
    public let digits: String
    /// Birth date decoded from digits 7–12, century resolved against the reference date.
    public let birthDate: CivilDate
    /// Sex decoded from the day field (day > 40 → female).
    public let sex: Sex

    /// Validates a NIK as typed by a person: spaces, dots and hyphens are ignored.
    ///
    /// - Parameter referenceDate: "today", used to resolve the two-digit birth year.
    public init(validating raw: String, referenceDate: Date = Date()) throws(NIKError) {
        try self.init(validating: raw, today: CivilDate(referenceDate))
    }

    /// Same as `init(validating:referenceDate:)` with "today" given as a calendar date.
    ///
    /// Two-digit year window: YY ≤ today's YY → 20YY, otherwise 19YY; and if that
    /// would put the birth date after today (e.g. later this year), 100 years earlier.
    /// A person over 100 years old therefore resolves to the wrong century; the
    /// NIK alone cannot tell them apart.
    public init(validating raw: String, today: CivilDate) throws(NIKError) {
        let digits = try NIK.normalize(raw)
        let d = Array(digits.utf8).map { Int($0) - 48 }
        func num(_ i: Int, _ n: Int) -> Int { d[i..<(i + n)].reduce(0) { $0 * 10 + $1 } }

        let province = num(0, 2), regency = num(2, 2), kecamatan = num(4, 2)
        guard province >= 11, regency != 0, kecamatan != 0 else {
            throw .invalidRegionCode(NIK.dotted(String(digits.prefix(6))))
        }

        let encodedDay = num(6, 2), month = num(8, 2), yy = num(10, 2), serial = num(12, 4)
        guard (1...12).contains(month) else { throw .invalidMonth(month) }
        let sex: Sex
        let day: Int
        switch encodedDay {
        case 1...31: sex = .male; day = encodedDay
        case 41...71: sex = .female; day = encodedDay - 40
        default: throw .invalidDay(encodedDay)
        }

        var year = NIK.resolveYear(yy, today: today)
        // Born later this year in the 20YY reading is impossible: take the 19YY reading.
        if let candidate = CivilDate(year: year, month: month, day: day), candidate > today {
            year -= 100
        }
        guard let birthDate = CivilDate(year: year, month: month, day: day) else {
            throw .invalidDate(day: day, month: month, twoDigitYear: yy)
        }
        guard serial != 0 else { throw .zeroSerial }

        self.digits = digits
        self.birthDate = birthDate
        self.sex = sex
    }

    /// Builds a well-formed NIK from its parts (synthetic data for tests, demos, benchmarks).
    ///
    /// - Parameter kecamatanCode: "36.73.01" or "367301".
    public static func make(kecamatanCode: String, birthDate: CivilDate, sex: Sex, serial: Int) throws(NIKError) -> NIK {
        let region = kecamatanCode.filter { $0 != "." }
        guard region.count == 6, region.allSatisfy(\.isASCIIDigit),
              let province = Int(region.prefix(2)), province >= 11,
              region.dropFirst(2).prefix(2) != "00", region.suffix(2) != "00"
        else { throw .invalidRegionCode(kecamatanCode) }
        guard serial != 0 else { throw .zeroSerial }
        guard (1...9999).contains(serial) else { throw .serialOutOfRange(serial) }
        let day = birthDate.day + (sex == .female ? 40 : 0)
        let yy = ((birthDate.year % 100) + 100) % 100
        let digits = region + pad(day, 2) + pad(birthDate.month, 2) + pad(yy, 2) + pad(serial, 4)
        return NIK(digits: digits, birthDate: birthDate, sex: sex)
    }

    private init(digits: String, birthDate: CivilDate, sex: Sex) {
        self.digits = digits
        self.birthDate = birthDate
        self.sex = sex
    }

    // MARK: Parts

    /// Kode provinsi, e.g. "36" (Banten).
    public var provinceCode: String { String(digits.prefix(2)) }
    /// Kode kabupaten/kota, dotted, e.g. "36.73" (Kota Serang).
    public var regencyCode: String { NIK.dotted(String(digits.prefix(4))) }
    /// Kode kecamatan of first registration, dotted, e.g. "36.73.01".
    public var regionCode: String { NIK.dotted(String(digits.prefix(6))) }
    /// Same as `regionCode`.
    public var kecamatanCode: String { regionCode }
    /// Nomor urut, 1–9999.
    public var serial: Int { Int(digits.suffix(4))! }

    /// "3673********0012": first 4 and last 4 digits, for lists and logs.
    public var masked: String { NIK.mask(digits) }

    /// Masked on purpose, so a NIK interpolated into a log line does not leak.
    public var description: String { masked }
    public var debugDescription: String { "NIK(\(masked))" }

    public static func == (lhs: NIK, rhs: NIK) -> Bool { lhs.digits == rhs.digits }
    public func hash(into hasher: inout Hasher) { hasher.combine(digits) }

    // MARK: Helpers

    /// Masks any 16-character NIK string; shorter input is fully starred.
    public static func mask(_ digits: String) -> String {
        guard digits.count == 16 else { return String(repeating: "*", count: digits.count) }
        return digits.prefix(4) + String(repeating: "*", count: 8) + digits.suffix(4)
    }

    /// Strips separators and checks digits and length; returns the 16 digits.
    static func normalize(_ raw: String) throws(NIKError) -> String {
        if let digits = raw.asciiDigits(dropping: { $0.isASCIISpace || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) {
            guard !digits.isEmpty else { throw .empty }
            guard digits.utf8.count == 16 else { throw .wrongLength(digits.utf8.count) }
            return digits
        }
        let kept = raw.filter { !($0.isWhitespace || $0 == "." || $0 == "-") }
        guard !kept.isEmpty else { throw .empty }
        if let bad = kept.first(where: { !$0.isASCIIDigit }) { throw .nonDigit(bad) }
        guard kept.count == 16 else { throw .wrongLength(kept.count) }
        return kept
    }

    static func resolveYear(_ yy: Int, today: CivilDate) -> Int {
        let century = today.year - today.year % 100
        return yy <= today.year % 100 ? century + yy : century - 100 + yy
    }

    /// "367301" → "36.73.01"
    static func dotted(_ code: String) -> String {
        var parts: [Substring] = []
        var rest = Substring(code)
        while !rest.isEmpty {
            parts.append(rest.prefix(2))
            rest = rest.dropFirst(2)
        }
        return parts.joined(separator: ".")
    }
}

/// Why a NIK was rejected. `message` is ready to show next to the "NIK" field.
public enum NIKError: Error, Equatable, Sendable {
    case empty
    case nonDigit(Character)
    /// Number of digits read after removing separators.
    case wrongLength(Int)
    /// Province < 11, or regency/kecamatan "00".
    case invalidRegionCode(String)
    case invalidMonth(Int)
    /// Encoded day field not in 01–31 or 41–71.
    case invalidDay(Int)
    /// Day, month (decoded) and year digits that do not form a real date.
    case invalidDate(day: Int, month: Int, twoDigitYear: Int)
    case zeroSerial
    /// Only from `NIK.make`: serial outside 1–9999.
    case serialOutOfRange(Int)

    public var message: String {
        switch self {
        case .empty:
            return "NIK wajib diisi."
        case .nonDigit(let c):
            return "NIK hanya boleh berisi angka (ditemukan \"\(c)\")."
        case .wrongLength(let n):
            return "NIK harus 16 digit angka (terbaca \(n) digit)."
        case .invalidRegionCode(let code):
            return "NIK: kode wilayah \(code) tidak sah (kode provinsi 11–99; kode kabupaten/kota dan kecamatan tidak boleh 00)."
        case .invalidMonth(let m):
            return "NIK: bulan lahir yang tersandi (\(pad(m, 2))) tidak sah; harus 01–12."
        case .invalidDay(let d):
            return "NIK: tanggal lahir yang tersandi (\(pad(d, 2))) tidak sah; harus 01–31 (laki-laki) atau 41–71 (perempuan)."
        case .invalidDate(let d, let m, let yy):
            return "NIK: tanggal lahir yang tersandi (\(pad(d, 2))-\(pad(m, 2))-\(pad(yy, 2))) tidak ada di kalender."
        case .zeroSerial:
            return "NIK: nomor urut (4 digit terakhir) tidak boleh 0000."
        case .serialOutOfRange(let n):
            return "NIK: nomor urut harus 0001–9999 (terbaca \(n))."
        }
    }
}

// MARK: - Consistency with the rest of a form

/// A disagreement between a NIK and other fields of the same form.
///
/// These are warnings for an officer to review, not grounds to reject: Dukcapil
/// does not reissue a NIK when a birth date is later corrected, so a genuine KTP
/// can carry a NIK whose date differs from the printed birth date.
public enum NIKIssue: Equatable, Sendable {
    case birthDateMismatch(nik: CivilDate, form: CivilDate)
    case sexMismatch(nik: Sex, form: Sex)
    /// The kecamatan code is not in the reference list given.
    case unknownRegion(String)

    /// The form field the issue is about.
    public var field: String {
        switch self {
        case .birthDateMismatch: return "Tanggal lahir"
        case .sexMismatch: return "Jenis kelamin"
        case .unknownRegion: return "NIK"
        }
    }

    public var message: String {
        switch self {
        case .birthDateMismatch(let nik, let form):
            return "Tanggal lahir (\(form.indonesian)) tidak cocok dengan tanggal lahir yang tersandi di NIK (\(pad(nik.day, 2))-\(pad(nik.month, 2))-\(pad(((nik.year % 100) + 100) % 100, 2)))."
        case .sexMismatch(let nik, let form):
            let hint = nik == .female ? "tanggal lahir di NIK ditambah 40" : "tanggal lahir di NIK tidak ditambah 40"
            return "Jenis kelamin (\(form.indonesianLabel)) tidak cocok dengan NIK, yang menandakan \(nik.indonesianLabel) (\(hint))."
        case .unknownRegion(let code):
            return "NIK: kode kecamatan \(code) tidak dikenal dalam data wilayah."
        }
    }
}

extension NIK {
    /// Compares the NIK with what the person filled in elsewhere on the form.
    ///
    /// - Birth date: only day, month and the last two digits of the year are
    ///   compared, because the NIK does not encode the century.
    /// - Region: `knownKecamatanCodes` may be dotted ("36.73.01") or plain ("367301");
    ///   pass nil to skip the check.
    public func check(birthDate formBirthDate: CivilDate? = nil,
                      sex formSex: Sex? = nil,
                      knownKecamatanCodes: Set<String>? = nil) -> [NIKIssue] {
        var issues: [NIKIssue] = []
        if let form = formBirthDate,
           form.day != birthDate.day || form.month != birthDate.month || (form.year - birthDate.year) % 100 != 0 {
            issues.append(.birthDateMismatch(nik: birthDate, form: form))
        }
        if let form = formSex, form != sex {
            issues.append(.sexMismatch(nik: sex, form: form))
        }
        if let known = knownKecamatanCodes {
            if !known.contains(regionCode) && !known.contains(String(digits.prefix(6))) {
                issues.append(.unknownRegion(regionCode))
            }
        }
        return issues
    }
}
