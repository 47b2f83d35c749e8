import Foundation

// MARK: - Fields and headers

/// A column of a member list (daftar anggota) as branches keep it in a spreadsheet.
public enum MemberField: String, CaseIterable, Sendable, Codable {
    case fullName
    case nik
    case birthPlace
    case birthDate
    /// "Tempat, tanggal lahir" in one column ("Serang, 17-08-1990").
    case birthPlaceAndDate
    case sex
    case address
    /// "RT/RW" in one column ("001/002"), split into `rt` and `rw`.
    case rtRw
    case rt
    case rw
    /// Kode kelurahan/desa (Kemendagri), "36.73.01.1001" or "3673011001".
    case villageCode
    case villageName
    /// Kecamatan, to tell apart villages of the same name.
    case districtName
    case phone
    case occupation
    case maritalStatus
    case joinedOn
    /// Nomor KTA, when the list already has card numbers.
    case memberNumber

    /// Column name in Indonesian, as used in error messages.
    public var label: String {
        switch self {
        case .fullName: return "Nama lengkap"
        case .nik: return "NIK"
        case .birthPlace: return "Tempat lahir"
        case .birthDate: return "Tanggal lahir"
        case .birthPlaceAndDate: return "Tempat, tanggal lahir"
        case .sex: return "Jenis kelamin"
        case .address: return "Alamat"
        case .rtRw: return "RT/RW"
        case .rt: return "RT"
        case .rw: return "RW"
        case .villageCode: return "Kode kelurahan"
        case .villageName: return "Kelurahan/Desa"
        case .districtName: return "Kecamatan"
        case .phone: return "No. HP"
        case .occupation: return "Pekerjaan"
        case .maritalStatus: return "Status perkawinan"
        case .joinedOn: return "Tanggal bergabung"
        case .memberNumber: return "Nomor KTA"
        }
    }

    /// Header spellings recognised by `ColumnMapping.guess`, compared after
    /// `ColumnMapping.normalizeHeader` (case, punctuation, text in brackets ignored:
    /// "No. HP/WA" = "no hp wa", "Tanggal Lahir (dd-mm-yyyy)" = "tanggal lahir").
    public var headerAliases: [String] {
        switch self {
        case .fullName:
            return ["nama", "nama lengkap", "nama anggota", "nama sesuai ktp", "nama lengkap sesuai ktp", "nama lengkap anggota"]
        case .nik:
            return ["nik", "no ktp", "nomor ktp", "no nik", "nomor nik", "nik ktp", "no induk kependudukan",
                    "nomor induk kependudukan", "nik no ktp", "ktp"]
        case .birthPlace:
            return ["tempat lahir", "tmp lahir", "tmpt lahir", "tpt lahir"]
        case .birthDate:
            return ["tanggal lahir", "tgl lahir", "tgllahir", "tanggallahir", "tgl lhr", "tanggal lhr"]
        case .birthPlaceAndDate:
            return ["ttl", "tempat tanggal lahir", "tempat tgl lahir", "tmp tgl lahir", "tempat dan tanggal lahir"]
        case .sex:
            return ["jk", "l p", "lp", "jenis kelamin", "kelamin", "jns kelamin", "jenis kel", "gender", "sex"]
        case .address:
            return ["alamat", "alamat lengkap", "alamat ktp", "alamat rumah", "alamat sesuai ktp", "jalan"]
        case .rtRw:
            return ["rt rw", "rtrw"]
        case .rt:
            return ["rt"]
        case .rw:
            return ["rw"]
        case .villageCode:
            return ["kode kelurahan", "kode desa", "kode kel", "kode kel desa", "kode kelurahan desa", "kode desa kelurahan"]
        case .villageName:
            return ["kelurahan", "desa", "kel desa", "kelurahan desa", "desa kelurahan", "desa kel", "kel", "nama kelurahan", "nama desa"]
        case .districtName:
            return ["kecamatan", "kec", "nama kecamatan"]
        case .phone:
            return ["no hp", "hp", "telepon", "no telepon", "no telp", "telp", "no hp wa", "no wa", "wa", "whatsapp",
                    "nomor hp", "nomor telepon", "nomor hp wa", "handphone", "no handphone", "hp wa", "telepon hp", "no tlp", "tlp"]
        case .occupation:
            return ["pekerjaan", "profesi", "pekerjaan profesi"]
        case .maritalStatus:
            return ["status perkawinan", "status kawin", "status pernikahan", "perkawinan", "status nikah"]
        case .joinedOn:
            return ["tanggal bergabung", "tgl bergabung", "tanggal masuk", "tgl masuk", "tanggal daftar", "tgl daftar",
                    "tanggal gabung", "tgl gabung", "bergabung sejak"]
        case .memberNumber:
            return ["no kta", "nomor kta", "kta", "no anggota", "nomor anggota"]
        }
    }
}

/// Which spreadsheet column holds which field (0-based column indexes).
public struct ColumnMapping: Equatable, Sendable {
    public var columns: [MemberField: Int]
    /// Columns `guess` did not recognise (row numbers, "Keterangan" …), 0-based.
    public var ignoredColumns: [Int]

    public init(columns: [MemberField: Int] = [:], ignoredColumns: [Int] = []) {
        self.columns = columns
        self.ignoredColumns = ignoredColumns
    }

    /// Maps each header to a field by its aliases; the first column wins when two
    /// headers mean the same field (the later one is ignored).
    public static func guess(headers: [String]) -> ColumnMapping {
        var mapping = ColumnMapping()
        for (index, header) in headers.enumerated() {
            if let field = field(forHeader: header), mapping.columns[field] == nil {
                mapping.columns[field] = index
            } else {
                mapping.ignoredColumns.append(index)
            }
        }
        return mapping
    }

    /// The field a header names, or nil.
    public static func field(forHeader header: String) -> MemberField? {
        aliasIndex[normalizeHeader(header)]
    }

    static let aliasIndex: [String: MemberField] = {
        var index: [String: MemberField] = [:]
        for field in MemberField.allCases {
            for alias in field.headerAliases { index[normalizeHeader(alias)] = field }
        }
        return index
    }()

    /// Lower case, diacritics folded, text in brackets removed, punctuation → space,
    /// single spaces: "Tgl. Lahir (dd/mm/yyyy)*" → "tgl lahir".
    public static func normalizeHeader(_ header: String) -> String {
        var text = header.replacingOccurrences(of: "\u{FEFF}", with: "")
        var depth = 0
        text = String(text.filter { ch in
            if ch == "(" || ch == "[" { depth += 1; return false }
            if ch == ")" || ch == "]" { depth = max(0, depth - 1); return false }
            return depth == 0
        })
        text = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        let words = text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        return words.joined(separator: " ")
    }

    /// Required fields that no column holds: full name, NIK, birth date (its own
    /// column or "Tempat, tanggal lahir"), sex and the village (code or name;
    /// reported as `.villageName`).
    public var missingRequired: [MemberField] {
        var missing: [MemberField] = []
        if columns[.fullName] == nil { missing.append(.fullName) }
        if columns[.nik] == nil { missing.append(.nik) }
        if columns[.birthDate] == nil && columns[.birthPlaceAndDate] == nil { missing.append(.birthDate) }
        if columns[.sex] == nil { missing.append(.sex) }
        if columns[.villageCode] == nil && columns[.villageName] == nil { missing.append(.villageName) }
        return missing
    }

    /// "Kolom wajib belum ditemukan: …", or nil when nothing required is missing.
    public var missingRequiredMessage: String? {
        let missing = missingRequired
        guard !missing.isEmpty else { return nil }
        let names = missing.map { field -> String in
            switch field {
            case .birthDate: return "Tanggal lahir (atau Tempat, tanggal lahir)"
            case .villageName: return "Kelurahan/Desa (atau Kode kelurahan)"
            default: return field.label
            }
        }
        return "Kolom wajib belum ditemukan: " + names.joined(separator: ", ") + "."
    }
}

// MARK: - Dates as spreadsheets hold them

/// Dates from a spreadsheet cell: day-month-year with `-`, `/` or `.`, ISO `yyyy-MM-dd`,
/// Indonesian (or English) month names and abbreviations ("17 Agustus 1990",
/// "17 Agt 1990", "17-Aug-1990"), eight digits ("17081990", "19900817"), and Excel
/// serial numbers ("33102" = 17-08-1990) as a cell formatted as a number exports them.
///
/// Refused rather than guessed: two-digit years ("17-08-90"), month-first dates
/// ("8/17/1990", an English-locale export), a bare year ("1990").
/// A time after the date ("1990-08-17 00:00:00") is ignored.
public enum SpreadsheetDate {
    public static func parse(_ raw: String) -> Result<CivilDate, DateParseError> {
        var text = raw.trimmedWhitespace
        guard !text.isEmpty else { return .failure(.empty) }
        let shown = text
        if let colon = text.firstIndex(of: ":"),
           let cut = text[..<colon].lastIndex(where: { $0 == " " || $0 == "T" }) {
            text = String(text[..<cut]).trimmingCharacters(in: .whitespaces)
        }

        // Numbers: serials, ddmmyyyy / yyyymmdd, a bare year.
        let numberParts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "," })
        if let whole = numberParts.first, whole.allSatisfy(\.isASCIIDigit), !whole.isEmpty,
           numberParts.count <= 2, numberParts.dropFirst().allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) {
            let digits = String(whole)
            if numberParts.count == 1 && digits.count == 8 { return eightDigits(digits, shown: shown) }
            if digits.count == 5, let serial = Int(digits) {
                return .success(excelEpoch.adding(days: serial))
            }
            if numberParts.count == 1 && digits.count == 4 { return .failure(.yearOnly(shown)) }
            return .failure(.unrecognized(shown))
        }

        let parts = text.split(whereSeparator: { " -/.,".contains($0) }).map(String.init)
        guard parts.count == 3 else { return .failure(.unrecognized(shown)) }
        let (a, b, c) = (parts[0], parts[1], parts[2])

        if a.allSatisfy(\.isASCIIDigit) && b.allSatisfy(\.isASCIIDigit) && c.allSatisfy(\.isASCIIDigit) {
            if a.count == 4 {   // yyyy-MM-dd, yyyy/MM/dd
                guard b.count <= 2, c.count <= 2 else { return .failure(.unrecognized(shown)) }
                return make(year: Int(a)!, month: Int(b)!, day: Int(c)!, shown: shown)
            }
            guard a.count <= 2, b.count <= 2 else { return .failure(.unrecognized(shown)) }
            if c.count == 2 { return .failure(.twoDigitYear(shown)) }
            guard c.count == 4 else { return .failure(.unrecognized(shown)) }
            let first = Int(a)!, second = Int(b)!
            if second > 12 && (1...12).contains(first) { return .failure(.monthFirst(shown)) }
            return make(year: Int(c)!, month: second, day: first, shown: shown)
        }

        if a.allSatisfy(\.isASCIIDigit), a.count <= 2, c.allSatisfy(\.isASCIIDigit), b.allSatisfy(\.isLetter) {
            guard let month = monthNumbers[b.lowercased()] else { return .failure(.unknownMonth(b)) }
            if c.count == 2 { return .failure(.twoDigitYear(shown)) }
            guard c.count == 4 else { return .failure(.unrecognized(shown)) }
            return make(year: Int(c)!, month: month, day: Int(a)!, shown: shown)
        }
        return .failure(.unrecognized(shown))
    }

    /// Excel's day 0 for serials from 61 on (Excel counts a 29 February 1900 that never was).
    static let excelEpoch = CivilDate(year: 1899, month: 12, day: 30)!

    static func eightDigits(_ d: String, shown: String) -> Result<CivilDate, DateParseError> {
        let n = d.map { Int(String($0))! }
        func num(_ i: Int, _ len: Int) -> Int { n[i..<(i + len)].reduce(0) { $0 * 10 + $1 } }
        // ddmmyyyy first (how Indonesians write it), then yyyymmdd.
        if num(4, 4) >= 1800, let date = CivilDate(year: num(4, 4), month: num(2, 2), day: num(0, 2)) { return .success(date) }
        if num(0, 4) >= 1800, let date = CivilDate(year: num(0, 4), month: num(4, 2), day: num(6, 2)) { return .success(date) }
        return .failure(.notInCalendar(shown))
    }

    static func make(year: Int, month: Int, day: Int, shown: String) -> Result<CivilDate, DateParseError> {
        guard let date = CivilDate(year: year, month: month, day: day) else { return .failure(.notInCalendar(shown)) }
        return .success(date)
    }

    /// Indonesian month names and their usual abbreviations, plus English ones
    /// (spreadsheets in an English locale write "17-Aug-1990").
    static let monthNumbers: [String: Int] = {
        let names: [[String]] = [
            ["januari", "jan", "january"],
            ["februari", "pebruari", "feb", "peb", "february"],
            ["maret", "mar", "mrt", "march"],
            ["april", "apr"],
            ["mei", "may"],
            ["juni", "jun", "june"],
            ["juli", "jul", "july"],
            ["agustus", "agu", "ags", "agt", "agst", "aug", "august"],
            ["september", "sep", "sept"],
            ["oktober", "okt", "oct", "october"],
            ["november", "nov", "nop", "nopember"],
            ["desember", "des", "dec", "december"],
        ]
        var map: [String: Int] = [:]
        for (i, list) in names.enumerated() { for name in list { map[name] = i + 1 } }
        return map
    }()
}

/// Why a date cell was not read; `message` is a sentence for after "kolom …: ".
public enum DateParseError: Error, Equatable, Sendable {
    case empty
    case twoDigitYear(String)
    case monthFirst(String)
    case yearOnly(String)
    case notInCalendar(String)
    case unknownMonth(String)
    case unrecognized(String)

    public var message: String {
        let hint = "Gunakan hari-bulan-tahun, misalnya 17-08-1990 atau 17 Agustus 1990."
        switch self {
        case .empty:
            return "Tanggal kosong."
        case .twoDigitYear(let t):
            return "Tahun pada \"\(t)\" hanya 2 digit; tulis tahun 4 digit. \(hint)"
        case .monthFirst(let t):
            return "\"\(t)\" tampaknya berformat bulan/hari/tahun (format Inggris). \(hint)"
        case .yearOnly(let t):
            return "\"\(t)\" hanya tahun; tulis tanggal lengkap. \(hint)"
        case .notInCalendar(let t):
            return "Tanggal \"\(t)\" tidak ada di kalender."
        case .unknownMonth(let m):
            return "Nama bulan \"\(m)\" tidak dikenal. \(hint)"
        case .unrecognized(let t):
            return "\"\(t)\" tidak terbaca sebagai tanggal. \(hint)"
        }
    }
}

// MARK: - Rows

/// One member row that passed every check, values in their stored form.
public struct MemberRow: Equatable, Sendable {
    /// Spreadsheet row number, as the user sees it.
    public var row: Int
    /// As written (spaces collapsed); titles kept. Search uses `IndonesianName`.
    public var fullName: String
    public var nik: NIK
    public var birthPlace: String?
    public var birthDate: CivilDate
    public var sex: Sex
    public var address: String?
    /// Three digits, "001".
    public var rt: String?
    public var rw: String?
    /// Dotted Kemendagri code, "36.73.01.1001".
    public var villageCode: String
    /// The village's name from the reference data.
    public var villageName: String
    /// `08…`.
    public var phone: String?
    public var occupation: String?
    /// Nil when the list has no such column or the cell is empty.
    public var maritalStatus: MaritalStatus?
    public var joinedOn: CivilDate?
    public var memberNumber: MemberNumber?
}

/// A cell that could not be read: the field (when known) and an Indonesian sentence.
public struct CellProblem: Error, Equatable, Sendable {
    public var field: MemberField?
    public var message: String

    public init(field: MemberField? = nil, message: String) {
        self.field = field
        self.message = message
    }
}

/// One problem in one cell (or row).
public struct RowError: Equatable, Sendable {
    public var row: Int
    public var field: MemberField?
    public var message: String

    public init(row: Int, field: MemberField?, message: String) {
        self.row = row
        self.field = field
        self.message = message
    }

    /// Column label for the message and the error CSV; "-" for a whole-row problem.
    public var label: String { field?.label ?? "-" }

    /// "Baris 12, kolom NIK: NIK harus 16 digit angka (terbaca 15 digit)."
    public var text: String { field == nil ? "Baris \(row): \(message)" : "Baris \(row), kolom \(label): \(message)" }
}

/// Every problem of one row; the row is imported only when it has none.
public struct RowErrors: Error, Equatable, Sendable {
    public var row: Int
    public var problems: [RowError]

    public init(row: Int, problems: [RowError]) {
        self.row = row
        self.problems = problems
    }
}

/// The outcome of checking a whole sheet.
public struct MemberImportResult: Equatable, Sendable {
    /// Rows ready to import, in sheet order.
    public var rows: [MemberRow]
    /// Rows with problems, in sheet order.
    public var errors: [RowErrors]
    /// Row numbers of completely empty rows that were skipped.
    public var blankRows: [Int]

    /// A list is imported only when no row has a problem.
    public var canImport: Bool { errors.isEmpty && !rows.isEmpty }
}

/// Checks member rows from a spreadsheet before import (impor daftar anggota).
///
/// Every problem of a row is reported, not only the first, and a list with any
/// problem is fixed before anything is imported. What is an *error* here:
/// - required cells empty or unreadable: name, NIK, birth date, sex, village;
/// - the NIK malformed, or disagreeing with the birth date or sex written in the row
///   (`NIK.check`; on a person form these are warnings, on a bulk list they are fixed first);
/// - the member younger than 17 on `today` and not married (`Eligibility`; a status
///   other than "belum kawin" counts as married);
/// - a village code that does not exist, a village name that does not exist or exists
///   in several kecamatan without a "Kecamatan" column that tells them apart, or a
///   code and a name that disagree;
/// - optional cells that are filled but unreadable (phone, RT/RW, status, dates, KTA).
public struct MemberRowValidator: Sendable {
    /// Dotted village code → name.
    public let villagesByCode: [String: String]
    /// Dotted kecamatan code → name.
    public let districtsByCode: [String: String]
    public let today: CivilDate

    let villagesByName: [String: [String]]
    let districtKeys: [String: String]

    /// - Parameters:
    ///   - villagesByCode: kelurahan/desa code → name, e.g. "36.73.01.1001" → "Serang"
    ///     (codes may be given with or without dots).
    ///   - districtsByCode: kecamatan code → name, e.g. "36.73.01" → "Serang".
    ///   - today: the day the list is checked (age, dates in the future, NIK century).
    public init(villagesByCode: [String: String], districtsByCode: [String: String], today: CivilDate) {
        var villages: [String: String] = [:]
        for (code, name) in villagesByCode { villages[Self.dottedVillageCode(code) ?? code] = name }
        var districts: [String: String] = [:]
        for (code, name) in districtsByCode { districts[Self.dottedDistrictCode(code) ?? code] = name }
        self.villagesByCode = villages
        self.districtsByCode = districts
        self.today = today
        var byName: [String: [String]] = [:]
        for (code, name) in villages { byName[Self.placeKey(name, prefixes: Self.villagePrefixes), default: []].append(code) }
        self.villagesByName = byName.mapValues { $0.sorted() }
        self.districtKeys = districts.mapValues { Self.placeKey($0, prefixes: Self.districtPrefixes) }
    }

    // MARK: One row

    /// Checks one row. `row` is the row number the user sees in the spreadsheet
    /// (the header is usually row 1, so the first member is row 2).
    public func validate(_ fields: [String], mapping: ColumnMapping, row: Int) -> Result<MemberRow, RowErrors> {
        var problems: [RowError] = []
        func cell(_ field: MemberField) -> String? {
            guard let index = mapping.columns[field], index >= 0, index < fields.count else { return nil }
            let value = Self.clean(fields[index])
            return value.isEmpty ? nil : value
        }
        func fail(_ field: MemberField?, _ message: String) {
            problems.append(RowError(row: row, field: field, message: message))
        }

        // Name
        let fullName = cell(.fullName)
        if let name = fullName {
            if let problem = Self.nameProblem(name) { fail(.fullName, problem) }
        } else {
            fail(.fullName, "Nama lengkap wajib diisi.")
        }

        // Birth place and date, possibly from one "TTL" column.
        var birthPlace = cell(.birthPlace)
        var birthText = cell(.birthDate)
        var birthField = MemberField.birthDate
        if birthText == nil, let ttl = cell(.birthPlaceAndDate) {
            let split = Self.splitPlaceAndDate(ttl)
            if birthPlace == nil { birthPlace = split.place }
            birthText = split.date
            birthField = .birthPlaceAndDate
        }
        var birthDate: CivilDate?
        if let text = birthText {
            switch SpreadsheetDate.parse(text) {
            case .success(let date):
                if date > today {
                    fail(birthField, "Tanggal lahir \(date.indonesian) jatuh setelah hari ini (\(today.indonesian)).")
                } else if date.year < 1900 {
                    fail(birthField, "Tanggal lahir \(date.indonesian) tidak masuk akal (sebelum tahun 1900).")
                } else {
                    birthDate = date
                }
            case .failure(let error):
                fail(birthField, error.message)
            }
        } else {
            fail(birthField, "Tanggal lahir wajib diisi.")
        }

        // Sex
        var sex: Sex?
        if let text = cell(.sex) {
            sex = MemberImport.parseSex(text)
            if sex == nil { fail(.sex, "Jenis kelamin harus L (laki-laki) atau P (perempuan); terbaca \"\(text)\".") }
        } else {
            fail(.sex, "Jenis kelamin wajib diisi (L atau P).")
        }

        // Marital status
        var marital: MaritalStatus?
        if let text = cell(.maritalStatus) {
            switch MemberImport.parseMaritalStatus(text) {
            case .success(let status): marital = status
            case .failure(let problem): fail(.maritalStatus, problem.message)
            }
        }

        // NIK, then its agreement with birth date and sex.
        var nik: NIK?
        if let text = cell(.nik) {
            if IndonesianPhone.looksScientific(text) {
                fail(.nik, "NIK terbaca sebagai \(text) (format ilmiah spreadsheet; digit terakhir bisa hilang). Ubah format kolom NIK menjadi Teks lalu ketik ulang NIK.")
            } else {
                do {
                    nik = try NIK(validating: text, today: today)
                } catch {
                    fail(.nik, Self.withoutLabel(error.message, label: "NIK"))
                }
            }
        } else {
            fail(.nik, NIKError.empty.message)
        }
        if let nik {
            for issue in nik.check(birthDate: birthDate, sex: sex) {
                switch issue {
                case .birthDateMismatch: fail(birthField, issue.message)
                case .sexMismatch: fail(.sex, issue.message)
                case .unknownRegion: fail(.nik, issue.message)
                }
            }
        }

        // Age (17, or married).
        if let birthDate {
            let status = Eligibility.voterStatus(birthDate: birthDate, married: marital?.hasMarried ?? false, on: today)
            if case .notYetEligible(let from) = status {
                let hint = marital == nil ? " Bila sudah/pernah kawin, isi kolom Status perkawinan." : ""
                fail(birthField, "Belum berumur 17 tahun pada \(today.indonesian) dan belum pernah kawin; baru dapat menjadi anggota pada \(from.indonesian).\(hint)")
            }
        }

        // Village
        var village: (code: String, name: String)?
        switch resolveVillage(code: cell(.villageCode), name: cell(.villageName), district: cell(.districtName)) {
        case .success(let found): village = found
        case .failure(let problem): fail(problem.field, problem.message)
        }

        // RT / RW
        var rt: String?, rw: String?
        if let text = cell(.rt) {
            switch Self.neighbourhood(text, label: "RT") {
            case .success(let v): rt = v
            case .failure(let p): fail(.rt, p.message)
            }
        }
        if let text = cell(.rw) {
            switch Self.neighbourhood(text, label: "RW") {
            case .success(let v): rw = v
            case .failure(let p): fail(.rw, p.message)
            }
        }
        if let text = cell(.rtRw), rt == nil || rw == nil {
            switch Self.splitRTRW(text) {
            case .success(let pair):
                if cell(.rt) == nil { rt = pair.rt }
                if cell(.rw) == nil { rw = pair.rw }
            case .failure(let p): fail(.rtRw, p.message)
            }
        }

        // Phone
        var phone: String?
        if let text = cell(.phone) {
            switch IndonesianPhone.validate(text) {
            case .success(let v): phone = v
            case .failure(let e): fail(.phone, e.message)
            }
        }

        // Joined on
        var joinedOn: CivilDate?
        if let text = cell(.joinedOn) {
            switch SpreadsheetDate.parse(text) {
            case .success(let date):
                if date > today {
                    fail(.joinedOn, "Tanggal bergabung \(date.indonesian) jatuh setelah hari ini (\(today.indonesian)).")
                } else if let birthDate, date < birthDate {
                    fail(.joinedOn, "Tanggal bergabung \(date.indonesian) lebih awal dari tanggal lahir \(birthDate.indonesian).")
                } else {
                    joinedOn = date
                }
            case .failure(let error):
                fail(.joinedOn, error.message)
            }
        }

        // Member number
        var memberNumber: MemberNumber?
        if let text = cell(.memberNumber) {
            do { memberNumber = try MemberNumber(parsing: text) } catch { fail(.memberNumber, error.message) }
        }

        // Free text
        let address = cell(.address), occupation = cell(.occupation)
        for (field, value, limit) in [(MemberField.address, address, 200), (.occupation, occupation, 100), (.birthPlace, birthPlace, 100)] {
            if let value, value.count > limit { fail(field, "\(field.label) paling panjang \(limit) karakter (terisi \(value.count)).") }
        }

        guard problems.isEmpty, let fullName, let nik, let birthDate, let sex, let village else {
            return .failure(RowErrors(row: row, problems: problems))
        }
        return .success(MemberRow(row: row, fullName: fullName, nik: nik, birthPlace: birthPlace, birthDate: birthDate,
                                  sex: sex, address: address, rt: rt, rw: rw, villageCode: village.code,
                                  villageName: village.name, phone: phone, occupation: occupation,
                                  maritalStatus: marital, joinedOn: joinedOn, memberNumber: memberNumber))
    }

    // MARK: Whole sheet

    /// Checks every data row (`rows` without the header; the first is sheet row
    /// `firstRow`), skips empty rows, and also flags a NIK that appears on more than
    /// one row (each such row names the others). Check `mapping.missingRequired` first:
    /// with a required column missing, every row fails.
    public func validateAll(_ rows: [[String]], mapping: ColumnMapping, firstRow: Int = 2) -> MemberImportResult {
        var valid: [Int: MemberRow] = [:]
        var failed: [Int: RowErrors] = [:]
        var blank: [Int] = []
        var rowsByNIK: [String: [Int]] = [:]
        var order: [Int] = []
        for (offset, fields) in rows.enumerated() {
            let number = firstRow + offset
            if fields.allSatisfy({ Self.clean($0).isEmpty }) { blank.append(number); continue }
            order.append(number)
            switch validate(fields, mapping: mapping, row: number) {
            case .success(let row): valid[number] = row
            case .failure(let errors): failed[number] = errors
            }
            if let index = mapping.columns[.nik], index < fields.count,
               let key = DuplicateRules.nikKey(Self.clean(fields[index])) {
                rowsByNIK[key, default: []].append(number)
            }
        }
        for (_, numbers) in rowsByNIK where numbers.count > 1 {
            for number in numbers {
                let others = numbers.filter { $0 != number }.map(String.init).joined(separator: ", ")
                let problem = RowError(row: number, field: .nik, message: "NIK yang sama juga tertulis di baris \(others). Satu orang hanya boleh satu baris.")
                var errors = failed[number] ?? RowErrors(row: number, problems: [])
                errors.problems.append(problem)
                failed[number] = errors
                valid[number] = nil
            }
        }
        return MemberImportResult(rows: order.compactMap { valid[$0] }, errors: order.compactMap { failed[$0] }, blankRows: blank)
    }

    // MARK: Village

    static let villagePrefixes: Set<String> = ["kelurahan", "kel", "desa", "ds"]
    static let districtPrefixes: Set<String> = ["kecamatan", "kec"]

    func resolveVillage(code: String?, name: String?, district: String?) -> Result<(code: String, name: String), CellProblem> {
        if let code {
            guard let dotted = Self.dottedVillageCode(code) else {
                return .failure(CellProblem(field: .villageCode, message: "Kode kelurahan \"\(code)\" harus 10 digit, misalnya 36.73.01.1001."))
            }
            guard let official = villagesByCode[dotted] else {
                return .failure(CellProblem(field: .villageCode, message: "Kode kelurahan \(dotted) tidak ada dalam data wilayah."))
            }
            if let name, Self.placeKey(name, prefixes: Self.villagePrefixes) != Self.placeKey(official, prefixes: Self.villagePrefixes) {
                return .failure(CellProblem(field: .villageName, message: "Kelurahan/desa \"\(name)\" tidak cocok dengan kode \(dotted), yaitu \(official)."))
            }
            if let district, let districtName = districtsByCode[String(dotted.prefix(8))],
               Self.placeKey(district, prefixes: Self.districtPrefixes) != Self.placeKey(districtName, prefixes: Self.districtPrefixes) {
                return .failure(CellProblem(field: .districtName, message: "Kecamatan \"\(district)\" tidak cocok dengan kode \(dotted), yang berada di Kecamatan \(districtName)."))
            }
            return .success((dotted, official))
        }
        guard let name else {
            return .failure(CellProblem(field: .villageName, message: "Kelurahan/desa wajib diisi (nama atau kode kelurahan)."))
        }
        let candidates = villagesByName[Self.placeKey(name, prefixes: Self.villagePrefixes)] ?? []
        guard !candidates.isEmpty else {
            return .failure(CellProblem(field: .villageName, message: "Kelurahan/desa \"\(name)\" tidak ditemukan dalam data wilayah."))
        }
        var chosen = candidates
        if let district {
            let key = Self.placeKey(district, prefixes: Self.districtPrefixes)
            chosen = candidates.filter { districtKeys[String($0.prefix(8))] == key }
            if chosen.isEmpty {
                let where_ = candidates.map { districtsByCode[String($0.prefix(8))] ?? String($0.prefix(8)) }.joined(separator: ", ")
                return .failure(CellProblem(field: .districtName, message: "Kelurahan/desa \"\(name)\" tidak berada di Kecamatan \"\(district)\" (ada di Kecamatan \(where_))."))
            }
        }
        guard chosen.count == 1 else {
            let names = chosen.map { districtsByCode[String($0.prefix(8))] ?? String($0.prefix(8)) }.joined(separator: ", ")
            return .failure(CellProblem(field: .villageName, message: "Kelurahan/desa \"\(name)\" ada di lebih dari satu kecamatan (\(names)); isi kolom Kecamatan atau Kode kelurahan."))
        }
        return .success((chosen[0], villagesByCode[chosen[0]] ?? name))
    }

    /// "36.73.01.1001", "3673011001", "36 73 01 1001" → "36.73.01.1001"; nil if not 10 digits.
    static func dottedVillageCode(_ raw: String) -> String? {
        let digits = raw.asciiDigits(dropping: { $0.isASCIISpace || $0 == UInt8(ascii: ".") }) ?? raw.filter { !($0.isWhitespace || $0 == ".") }
        guard digits.count == 10, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        let d = Array(digits)
        return "\(String(d[0..<2])).\(String(d[2..<4])).\(String(d[4..<6])).\(String(d[6..<10]))"
    }

    static func dottedDistrictCode(_ raw: String) -> String? {
        let digits = raw.asciiDigits(dropping: { $0.isASCIISpace || $0 == UInt8(ascii: ".") }) ?? raw.filter { !($0.isWhitespace || $0 == ".") }
        guard digits.count == 6, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        let d = Array(digits)
        return "\(String(d[0..<2])).\(String(d[2..<4])).\(String(d[4..<6]))"
    }

    /// Case-, space- and punctuation-insensitive place key; a leading "Kel."/"Desa"
    /// (or "Kec.") is dropped: "Kel. Sumur  Pecung" → "sumurpecung".
    static func placeKey(_ raw: String, prefixes: Set<String>) -> String {
        var words = IndonesianName.splitPieces(raw)
        while words.count > 1, let first = words.first, prefixes.contains(first) { words.removeFirst() }
        return words.joined()
    }

    // MARK: Cells

    /// Trims (also non-breaking spaces), drops the leading apostrophe a spreadsheet
    /// uses to keep a number as text ('3673…), and collapses inner whitespace.
    static func clean(_ raw: String) -> String {
        // Most cells are plain ASCII: trim and collapse spaces on bytes (Foundation's
        // trimmingCharacters was a seventh of a million-row import's CPU time).
        if raw.utf8.allSatisfy({ $0 < 0x80 }) {
            var words: [Substring.UTF8View] = []
            var rest = raw.utf8[...]
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
            while let start = rest.firstIndex(where: { !isSpace($0) }) {
                let end = rest[start...].firstIndex(where: isSpace) ?? rest.endIndex
                words.append(rest[start..<end])
                rest = rest[end...]
            }
            if let first = words.first, first.first == UInt8(ascii: "'") {
                words[0] = first.dropFirst()
                if words[0].isEmpty { words.removeFirst() }
            }
            return words.map { String(Substring($0)) }.joined(separator: " ")
        }
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("'") { text.removeFirst() }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func nameProblem(_ name: String) -> String? {
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = name.utf8
            if bytes.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { return "Nama lengkap tidak boleh berisi angka." }
            var letters = 0
            for b in bytes {
                if b.isASCIILetter { letters += 1 } else if !(b == 0x20 || ".,'`-()".utf8.contains(b)) {
                    return "Nama lengkap berisi tanda yang tidak lazim (\"\(Character(Unicode.Scalar(b)))\")."
                }
            }
            if letters < 2 { return "Nama lengkap terlalu pendek." }
            if bytes.count > 100 { return "Nama lengkap paling panjang 100 karakter (terisi \(bytes.count))." }
            return nil
        }
        if name.contains(where: \.isASCIIDigit) { return "Nama lengkap tidak boleh berisi angka." }
        if let odd = name.first(where: { !($0.isLetter || $0 == " " || ".,'’`-()".contains($0)) }) {
            return "Nama lengkap berisi tanda yang tidak lazim (\"\(odd)\")."
        }
        if name.filter(\.isLetter).count < 2 { return "Nama lengkap terlalu pendek." }
        if name.count > 100 { return "Nama lengkap paling panjang 100 karakter (terisi \(name.count))." }
        return nil
    }

    /// "Serang, 17-08-1990" → ("Serang", "17-08-1990"); without a comma the date is
    /// taken from the end ("Serang 17 Agustus 1990").
    static func splitPlaceAndDate(_ text: String) -> (place: String?, date: String) {
        if let comma = text.firstIndex(of: ",") {
            let place = text[..<comma].trimmingCharacters(in: .whitespaces)
            let date = text[text.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            return (place.isEmpty ? nil : place, date)
        }
        let words = text.split(separator: " ").map(String.init)
        for take in [3, 1] where words.count > take {
            let date = words.suffix(take).joined(separator: " ")
            if case .success = SpreadsheetDate.parse(date) {
                return (words.dropLast(take).joined(separator: " "), date)
            }
        }
        return (nil, text)
    }

    /// RT or RW: "1", "01", "001", "RT 01" → "001".
    static func neighbourhood(_ text: String, label: String) -> Result<String, CellProblem> {
        if let digits = text.asciiDigits(dropping: { _ in false }), (1...3).contains(digits.utf8.count), let n = Int(digits), n > 0 {
            return .success(pad(n, 3))
        }
        var t = text.lowercased()
        for word in ["rt", "rw", "."] { t = t.replacingOccurrences(of: word, with: "") }
        t = t.filter { !$0.isWhitespace }
        guard (1...3).contains(t.count), t.allSatisfy(\.isASCIIDigit), let n = Int(t), n > 0 else {
            return .failure(CellProblem(message: "\(label) harus angka 1–999, misalnya 003 (terbaca \"\(text)\")."))
        }
        return .success(pad(n, 3))
    }

    /// "001/002", "1 / 2", "001-002", "RT 01 RW 02" → ("001", "002").
    static func splitRTRW(_ text: String) -> Result<(rt: String, rw: String), CellProblem> {
        let groups = text.split(whereSeparator: { !$0.isASCIIDigit }).map(String.init)
        guard groups.count == 2, groups.allSatisfy({ (1...3).contains($0.count) }),
              let rt = Int(groups[0]), let rw = Int(groups[1]), rt > 0, rw > 0 else {
            return .failure(CellProblem(message: "RT/RW harus dua angka dipisah garis miring, misalnya 001/002 (terbaca \"\(text)\")."))
        }
        return .success((pad(rt, 3), pad(rw, 3)))
    }

    /// "NIK: kode wilayah …" → "Kode wilayah …" (the column is already named).
    static func withoutLabel(_ message: String, label: String) -> String {
        let prefix = label + ": "
        guard message.hasPrefix(prefix) else { return message }
        let rest = message.dropFirst(prefix.count)
        return rest.prefix(1).uppercased() + rest.dropFirst()
    }
}

// MARK: - Parsers and the error file

/// Cell parsers shared by imports, and the downloadable error list.
public enum MemberImport {
    /// L, P, LK, PR, Laki-laki, Laki2, Lelaki, Pria, Perempuan, Wanita (any case,
    /// spaces and hyphens ignored); nil otherwise.
    public static func parseSex(_ text: String) -> Sex? {
        let t = text.lowercased().filter { $0.isLetter || $0.isNumber }
        switch t {
        case "l", "lk", "lakilaki", "laki", "laki2", "lelaki", "pria": return .male
        case "p", "pr", "perempuan", "wanita": return .female
        default: return nil
        }
    }

    /// `MaritalStatus(text:)` plus the Kartu Keluarga wording "kawin tercatat" /
    /// "kawin belum tercatat"; "janda"/"duda" get a message asking which kind.
    public static func parseMaritalStatus(_ text: String) -> Result<MaritalStatus, CellProblem> {
        let t = text.lowercased().filter { $0.isLetter || $0 == " " }.split(separator: " ").joined(separator: " ")
        if ["kawin tercatat", "kawin belum tercatat", "kawin tidak tercatat"].contains(t) { return .success(.kawin) }
        if ["janda", "duda", "janda duda", "duda janda"].contains(t) {
            return .failure(CellProblem(field: .maritalStatus, message: "\"\(text)\" tidak menyebut jenisnya: tulis Cerai hidup atau Cerai mati."))
        }
        if let status = MaritalStatus(text: text) { return .success(status) }
        return .failure(CellProblem(field: .maritalStatus, message: "Status perkawinan harus Belum kawin, Kawin, Cerai hidup atau Cerai mati (terbaca \"\(text)\")."))
    }

    /// The problems as a CSV file to download: header `baris,kolom,pesan`, one line per
    /// problem, CRLF line ends and RFC 4180 quoting. A cell that starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return gets a leading `'` so a spreadsheet never
    /// runs it as a formula (the messages quote what the user typed).
    ///
    /// - Parameter byteOrderMark: start with U+FEFF so Excel reads the file as UTF-8.
    /// The field delimiter of a CSV file from its header line: Indonesian Excel saves with
    /// ";", everything else with ",". Whichever occurs more often in the header wins.
    public static func delimiter(ofHeaderLine head: some StringProtocol) -> UnicodeScalar {
        head.filter { $0 == ";" }.count > head.filter { $0 == "," }.count ? ";" : ","
    }

    public static func errorCSV(_ errors: [RowErrors], byteOrderMark: Bool = false) -> String {
        var lines = ["baris,kolom,pesan"]
        for rowErrors in errors {
            for problem in rowErrors.problems {
                lines.append([String(problem.row), problem.label, problem.message].map(csvField).joined(separator: ","))
            }
        }
        return (byteOrderMark ? "\u{FEFF}" : "") + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field: formula-neutralised, then quoted when needed.
    public static func csvField(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
