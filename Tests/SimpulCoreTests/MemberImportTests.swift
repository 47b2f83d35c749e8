import Testing
@testable import SimpulCore

@Suite("Impor daftar anggota dari spreadsheet")
struct MemberImportTests {
    static let today = day(2025, 6, 1)

    /// A slice of Kota Serang's reference data; Sukawana exists in Serang and in Curug.
    static let validator = MemberRowValidator(
        villagesByCode: [
            "36.73.01.1001": "Serang", "36.73.01.1003": "Sumur Pecung", "36.73.01.1008": "Sukawana",
            "3673041007": "Sukawana", "36.73.04.1001": "Curug", "36.73.06.1009": "Umbul Tengah",
        ],
        districtsByCode: ["36.73.01": "Serang", "367304": "Curug", "36.73.06": "Taktakan"],
        today: today)

    static let headers = ["No", "Nama Lengkap", "NIK", "Tempat Lahir", "Tgl. Lahir (dd-mm-yyyy)", "L/P", "Alamat",
                          "RT/RW", "Kel/Desa", "Kecamatan", "No. HP/WA", "Pekerjaan", "Status Perkawinan", "Keterangan"]
    static let mapping = ColumnMapping.guess(headers: headers)

    /// Siti Aminah, born 17-08-1990, female: NIK day 57.
    static let sitiNIK = "3673015708900012"

    /// A good row; `changes` overrides cells by field.
    func row(_ changes: [MemberField: String] = [:]) -> [String] {
        var cells: [MemberField: String] = [
            .fullName: "Hj. Siti Aminah", .nik: Self.sitiNIK, .birthPlace: "Serang", .birthDate: "17-08-1990",
            .sex: "P", .address: "Jl. Ki Mas Jong No. 5", .rtRw: "001/002", .villageName: "Sumur Pecung",
            .districtName: "Serang", .phone: "0812-3456-7890", .occupation: "Guru", .maritalStatus: "Kawin",
        ]
        for (field, value) in changes { cells[field] = value }
        var fields = [String](repeating: "", count: Self.headers.count)
        fields[0] = "1"
        for (field, value) in cells {
            if let index = Self.mapping.columns[field] { fields[index] = value }
        }
        return fields
    }

    func validate(_ changes: [MemberField: String] = [:], row number: Int = 12) -> Result<MemberRow, RowErrors> {
        Self.validator.validate(row(changes), mapping: Self.mapping, row: number)
    }

    func problems(_ changes: [MemberField: String]) -> [String] {
        switch validate(changes) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.text)
        }
    }

    // MARK: Headers

    @Test func guessesATypicalSheet() {
        let m = Self.mapping
        #expect(m.columns == [.fullName: 1, .nik: 2, .birthPlace: 3, .birthDate: 4, .sex: 5, .address: 6, .rtRw: 7,
                              .villageName: 8, .districtName: 9, .phone: 10, .occupation: 11, .maritalStatus: 12])
        #expect(m.ignoredColumns == [0, 13])
        #expect(m.missingRequired.isEmpty)
        #expect(m.missingRequiredMessage == nil)
    }

    @Test(arguments: [
        ("nama", MemberField.fullName), ("Nama Lengkap", .fullName), ("NAMA ANGGOTA", .fullName), ("Nama (sesuai KTP)", .fullName),
        ("nik", .nik), ("No KTP", .nik), ("No. KTP", .nik), ("Nomor Induk Kependudukan", .nik), ("NIK (16 digit)", .nik),
        ("tgl lahir", .birthDate), ("Tanggal Lahir", .birthDate), ("Tgl_Lahir", .birthDate),
        ("Tempat, Tanggal Lahir", .birthPlaceAndDate), ("TTL", .birthPlaceAndDate),
        ("jk", .sex), ("L/P", .sex), ("Jenis Kelamin (L/P)", .sex),
        ("kelurahan", .villageName), ("Desa", .villageName), ("Kel/Desa", .villageName), ("Kelurahan/Desa", .villageName),
        ("Kode Kelurahan", .villageCode), ("Kecamatan", .districtName), ("Kec.", .districtName),
        ("no hp", .phone), ("HP", .phone), ("Telepon", .phone), ("No. HP/WA", .phone), ("WhatsApp", .phone),
        ("Status Perkawinan", .maritalStatus), ("status kawin", .maritalStatus),
        ("Pekerjaan", .occupation), ("Alamat", .address), ("RT", .rt), ("RW", .rw), ("RT/RW", .rtRw),
        ("Tanggal Bergabung", .joinedOn), ("No. KTA", .memberNumber), ("\u{FEFF}Nama", .fullName), ("Tempat Lahir*", .birthPlace),
    ])
    func headerAliases(header: String, field: MemberField) {
        #expect(ColumnMapping.field(forHeader: header) == field)
    }

    @Test(arguments: ["No", "Keterangan", "Nama Ibu Kandung", "Status", "Agama", ""])
    func unrelatedHeadersAreIgnored(header: String) {
        #expect(ColumnMapping.field(forHeader: header) == nil)
    }

    @Test func noAliasBelongsToTwoFields() {
        var seen: [String: MemberField] = [:]
        for field in MemberField.allCases {
            #expect(!field.label.isEmpty)
            for alias in field.headerAliases {
                let key = ColumnMapping.normalizeHeader(alias)
                #expect(seen[key] == nil || seen[key] == field, "\(alias): \(seen[key]!) and \(field)")
                seen[key] = field
            }
        }
    }

    @Test func missingRequiredColumns() {
        let m = ColumnMapping.guess(headers: ["Nama", "Alamat"])
        #expect(m.missingRequired == [.nik, .birthDate, .sex, .villageName])
        #expect(m.missingRequiredMessage
                == "Kolom wajib belum ditemukan: NIK, Tanggal lahir (atau Tempat, tanggal lahir), Jenis kelamin, Kelurahan/Desa (atau Kode kelurahan).")
        let alternatives = ColumnMapping.guess(headers: ["Nama", "NIK", "TTL", "JK", "Kode Kelurahan"])
        #expect(alternatives.missingRequired.isEmpty)
    }

    @Test func firstColumnWinsWhenTwoHeadersMeanOneField() {
        let m = ColumnMapping.guess(headers: ["Nama", "NIK", "Nama Lengkap"])
        #expect(m.columns[.fullName] == 0)
        #expect(m.ignoredColumns == [2])
    }

    // MARK: Dates

    @Test(arguments: [
        ("17-08-1990", day(1990, 8, 17)), ("17/08/1990", day(1990, 8, 17)), ("17.08.1990", day(1990, 8, 17)),
        ("7-8-1990", day(1990, 8, 7)), ("1990-08-17", day(1990, 8, 17)), ("1990/8/17", day(1990, 8, 17)),
        ("17 Agustus 1990", day(1990, 8, 17)), ("17 Agt 1990", day(1990, 8, 17)), ("17 agu 1990", day(1990, 8, 17)),
        ("17 AGS 1990", day(1990, 8, 17)), ("17-Aug-1990", day(1990, 8, 17)), ("1 Januari 2000", day(2000, 1, 1)),
        ("29 Pebruari 2000", day(2000, 2, 29)), ("5 Mei 1985", day(1985, 5, 5)), ("31 Des. 1999", day(1999, 12, 31)),
        ("12 Nopember 1970", day(1970, 11, 12)), ("3 Okt 1965", day(1965, 10, 3)), ("9 Mrt 1977", day(1977, 3, 9)),
        ("33102", day(1990, 8, 17)), ("33102.0", day(1990, 8, 17)), ("36526", day(2000, 1, 1)), ("45809", day(2025, 6, 1)),
        ("17081990", day(1990, 8, 17)), ("19900817", day(1990, 8, 17)),
        ("1990-08-17 00:00:00", day(1990, 8, 17)), ("1990-08-17T00:00:00", day(1990, 8, 17)), ("17/08/1990 0:00", day(1990, 8, 17)),
        (" 17-08-1990 ", day(1990, 8, 17)),
    ])
    func datesSpreadsheetsProduce(text: String, date: CivilDate) {
        #expect(SpreadsheetDate.parse(text) == .success(date))
    }

    @Test(arguments: [
        ("", DateParseError.empty),
        ("17-08-90", .twoDigitYear("17-08-90")),
        ("17 Agustus 90", .twoDigitYear("17 Agustus 90")),
        ("8/17/1990", .monthFirst("8/17/1990")),
        ("1990", .yearOnly("1990")),
        ("31-02-1990", .notInCalendar("31-02-1990")),
        ("29 Februari 2001", .notInCalendar("29 Februari 2001")),
        ("17 Agustos 1990", .unknownMonth("Agustos")),
        ("kemarin", .unrecognized("kemarin")),
        ("17", .unrecognized("17")),
        ("123456", .unrecognized("123456")),
        ("17-08", .unrecognized("17-08")),
        ("99999999", .notInCalendar("99999999")),
    ])
    func datesRefused(text: String, error: DateParseError) {
        #expect(SpreadsheetDate.parse(text) == .failure(error))
        #expect(error.message.hasSuffix("."))
    }

    @Test func excelSerialsAgreeWithCalendarArithmetic() {
        // Serial 1 = 1900-01-01 in Excel, which counts a 29-02-1900 that never was:
        // from serial 61 (1900-03-01) on, serial n is 1899-12-30 + n days.
        #expect(SpreadsheetDate.excelEpoch.adding(days: 61) == day(1900, 3, 1))
        var rng = SplitMix64(seed: 33102)
        for _ in 0..<500 {
            let date = rng.date(years: 1928...2100)
            let serial = date.daysSinceEpoch - SpreadsheetDate.excelEpoch.daysSinceEpoch
            #expect(SpreadsheetDate.parse(String(serial)) == .success(date))
            #expect(SpreadsheetDate.parse(date.indonesian) == .success(date))
            #expect(SpreadsheetDate.parse(date.iso8601) == .success(date))
        }
    }

    // MARK: Sex and marital status

    @Test(arguments: [("L", Sex.male), ("l", .male), ("LK", .male), ("Laki-laki", .male), ("LAKI LAKI", .male),
                      ("laki2", .male), ("Pria", .male), ("P", .female), ("PR", .female), ("Perempuan", .female),
                      ("WANITA", .female)])
    func sexSpellings(text: String, sex: Sex) {
        #expect(MemberImport.parseSex(text) == sex)
    }

    @Test(arguments: ["", "X", "M", "F", "L/P", "Laki-laki/Perempuan"])
    func sexRefused(text: String) {
        #expect(MemberImport.parseSex(text) == nil)
    }

    @Test func maritalStatusSpellings() {
        #expect(MemberImport.parseMaritalStatus("BELUM KAWIN") == .success(.belumKawin))
        #expect(MemberImport.parseMaritalStatus("Kawin") == .success(.kawin))
        #expect(MemberImport.parseMaritalStatus("Kawin Tercatat") == .success(.kawin))
        #expect(MemberImport.parseMaritalStatus("kawin belum tercatat") == .success(.kawin))
        #expect(MemberImport.parseMaritalStatus("Cerai Hidup") == .success(.ceraiHidup))
        #expect(MemberImport.parseMaritalStatus("cerai mati") == .success(.ceraiMati))
        guard case .failure(let janda) = MemberImport.parseMaritalStatus("Janda") else { Issue.record("janda"); return }
        #expect(janda.message.contains("Cerai hidup atau Cerai mati"))
        guard case .failure(let other) = MemberImport.parseMaritalStatus("entah") else { Issue.record("entah"); return }
        #expect(other.message.contains("terbaca \"entah\""))
    }

    // MARK: A good row

    @Test func validRowIsCleaned() throws {
        let result = validate()
        let member = try result.get()
        #expect(member.row == 12)
        #expect(member.fullName == "Hj. Siti Aminah")
        #expect(member.nik.digits == Self.sitiNIK)
        #expect(member.birthPlace == "Serang")
        #expect(member.birthDate == day(1990, 8, 17))
        #expect(member.sex == .female)
        #expect(member.address == "Jl. Ki Mas Jong No. 5")
        #expect(member.rt == "001" && member.rw == "002")
        #expect(member.villageCode == "36.73.01.1003")
        #expect(member.villageName == "Sumur Pecung")
        #expect(member.phone == "081234567890")
        #expect(member.occupation == "Guru")
        #expect(member.maritalStatus == .kawin)
        #expect(member.joinedOn == nil && member.memberNumber == nil)
    }

    @Test func cellsAreTrimmedAndTheSpreadsheetApostropheDropped() throws {
        let member = try validate([.nik: "'3673015708900012", .fullName: "  Hj.  Siti\u{00A0} Aminah ", .phone: "+62 812 3456 7890",
                                   .birthDate: "17 Agustus 1990", .sex: "perempuan", .villageName: "KEL. SUMUR  PECUNG"]).get()
        #expect(member.nik.digits == Self.sitiNIK)
        #expect(member.fullName == "Hj. Siti Aminah")
        #expect(member.phone == "081234567890")
        #expect(member.villageCode == "36.73.01.1003")
    }

    @Test func optionalCellsMayBeEmpty() throws {
        let member = try validate([.birthPlace: "", .address: "", .rtRw: "", .phone: "", .occupation: "", .maritalStatus: "",
                                   .districtName: ""]).get()
        #expect(member.birthPlace == nil && member.address == nil && member.rt == nil && member.rw == nil)
        #expect(member.phone == nil && member.occupation == nil && member.maritalStatus == nil)
    }

    @Test func shortRowsReadAsEmptyCells() {
        let result = Self.validator.validate(["1", "Siti"], mapping: Self.mapping, row: 3)
        guard case .failure(let errors) = result else { Issue.record("should fail"); return }
        #expect(errors.row == 3)
        #expect(errors.problems.map(\.field) == [.birthDate, .sex, .nik, .villageName])
    }

    // MARK: Messages

    @Test func nikTooShortMessage() {
        #expect(problems([.nik: "367301570890001"]) == ["Baris 12, kolom NIK: NIK harus 16 digit angka (terbaca 15 digit)."])
    }

    @Test func nikMessagesDoNotRepeatTheLabel() {
        #expect(problems([.nik: "0073015708900012"])
                == ["Baris 12, kolom NIK: Kode wilayah 00.73.01 tidak sah (kode provinsi 11–99; kode kabupaten/kota dan kecamatan tidak boleh 00)."])
    }

    @Test func nikInScientificNotation() {
        let p = problems([.nik: "3,67302E+15"])
        #expect(p.count == 1)
        #expect(p[0].hasPrefix("Baris 12, kolom NIK: NIK terbaca sebagai 3,67302E+15 (format ilmiah"))
    }

    @Test func nikMustAgreeWithBirthDateAndSex() {
        #expect(problems([.birthDate: "18-08-1990"]) == [
            "Baris 12, kolom Tanggal lahir: Tanggal lahir (18-08-1990) tidak cocok dengan tanggal lahir yang tersandi di NIK (17-08-90).",
        ])
        #expect(problems([.sex: "L"]) == [
            "Baris 12, kolom Jenis kelamin: Jenis kelamin (laki-laki) tidak cocok dengan NIK, yang menandakan perempuan (tanggal lahir di NIK ditambah 40).",
        ])
    }

    @Test func everyProblemOfARowIsReported() {
        let p = problems([.fullName: "", .nik: "12", .birthDate: "31-02-1990", .sex: "X", .villageName: "Antah Berantah",
                          .rtRw: "1", .phone: "0254 200123", .maritalStatus: "janda"])
        #expect(p == [
            "Baris 12, kolom Nama lengkap: Nama lengkap wajib diisi.",
            "Baris 12, kolom Tanggal lahir: Tanggal \"31-02-1990\" tidak ada di kalender.",
            "Baris 12, kolom Jenis kelamin: Jenis kelamin harus L (laki-laki) atau P (perempuan); terbaca \"X\".",
            "Baris 12, kolom Status perkawinan: \"janda\" tidak menyebut jenisnya: tulis Cerai hidup atau Cerai mati.",
            "Baris 12, kolom NIK: NIK harus 16 digit angka (terbaca 2 digit).",
            "Baris 12, kolom Kelurahan/Desa: Kelurahan/desa \"Antah Berantah\" tidak ditemukan dalam data wilayah.",
            "Baris 12, kolom RT/RW: RT/RW harus dua angka dipisah garis miring, misalnya 001/002 (terbaca \"1\").",
            "Baris 12, kolom No. HP: Nomor HP harus nomor seluler yang diawali 08, +628 atau 628, misalnya 081234567890.",
        ])
    }

    @Test(arguments: [
        ("Siti 2", "Nama lengkap tidak boleh berisi angka."),
        ("Siti @minah", "Nama lengkap berisi tanda yang tidak lazim (\"@\")."),
        ("S", "Nama lengkap terlalu pendek."),
    ])
    func badNames(name: String, message: String) {
        #expect(problems([.fullName: name]) == ["Baris 12, kolom Nama lengkap: \(message)"])
    }

    @Test func apostrophesAndHyphensInNamesAreFine() throws {
        #expect(try validate([.fullName: "Nur'aini Al-Habsyi, S.Pd."]).get().fullName == "Nur'aini Al-Habsyi, S.Pd.")
    }

    // MARK: Age

    @Test func underSeventeenAndUnmarriedIsRefused() throws {
        // Born 2 June 2008 (woman: day 42): 17 on 2 June 2025, the day after `today`.
        let nik = try NIK.make(kecamatanCode: "36.73.01", birthDate: day(2008, 6, 2), sex: .female, serial: 7).digits
        #expect(problems([.nik: nik, .birthDate: "02-06-2008", .maritalStatus: "Belum Kawin"]) == [
            "Baris 12, kolom Tanggal lahir: Belum berumur 17 tahun pada 01-06-2025 dan belum pernah kawin; baru dapat menjadi anggota pada 02-06-2025.",
        ])
        // Unknown status: same, with a hint.
        #expect(problems([.nik: nik, .birthDate: "02-06-2008", .maritalStatus: ""]).first?.hasSuffix("isi kolom Status perkawinan.") == true)
        // Married (or once married): eligible.
        for status in ["Kawin", "Cerai Hidup", "Cerai Mati"] {
            #expect(problems([.nik: nik, .birthDate: "02-06-2008", .maritalStatus: status]).isEmpty, "\(status)")
        }
        // Seventeen on the day itself.
        let turning = try NIK.make(kecamatanCode: "36.73.01", birthDate: day(2008, 6, 1), sex: .female, serial: 7).digits
        #expect(problems([.nik: turning, .birthDate: "01-06-2008", .maritalStatus: "Belum Kawin"]).isEmpty)
    }

    @Test func birthDateInTheFutureOrAbsurd() {
        #expect(problems([.birthDate: "17-08-2030"]).first == "Baris 12, kolom Tanggal lahir: Tanggal lahir 17-08-2030 jatuh setelah hari ini (01-06-2025).")
        #expect(problems([.birthDate: "17-08-1890"]).first == "Baris 12, kolom Tanggal lahir: Tanggal lahir 17-08-1890 tidak masuk akal (sebelum tahun 1900).")
    }

    // MARK: Village

    @Test func villageByCodeDottedOrNot() throws {
        let mapping = ColumnMapping.guess(headers: ["Nama", "NIK", "Tanggal Lahir", "JK", "Kode Kelurahan"])
        for code in ["36.73.01.1001", "3673011001", "36 73 01 1001"] {
            let member = try Self.validator.validate(["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", code], mapping: mapping, row: 2).get()
            #expect(member.villageCode == "36.73.01.1001")
            #expect(member.villageName == "Serang")
        }
        func message(_ code: String) -> [String] {
            guard case .failure(let e) = Self.validator.validate(["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", code], mapping: mapping, row: 2)
            else { return [] }
            return e.problems.map(\.text)
        }
        #expect(message("36.73.01.9999") == ["Baris 2, kolom Kode kelurahan: Kode kelurahan 36.73.01.9999 tidak ada dalam data wilayah."])
        #expect(message("36.73.01") == ["Baris 2, kolom Kode kelurahan: Kode kelurahan \"36.73.01\" harus 10 digit, misalnya 36.73.01.1001."])
    }

    @Test func codeAndNameMustAgree() throws {
        let mapping = ColumnMapping.guess(headers: ["Nama", "NIK", "Tanggal Lahir", "JK", "Kode Kelurahan", "Kelurahan", "Kecamatan"])
        let ok = Self.validator.validate(["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", "3673011003", "sumur pecung", "Kec. Serang"],
                                         mapping: mapping, row: 2)
        #expect(try ok.get().villageCode == "36.73.01.1003")
        guard case .failure(let e) = Self.validator.validate(["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", "3673011003", "Cipare", ""],
                                                             mapping: mapping, row: 2) else { Issue.record("should fail"); return }
        #expect(e.problems.map(\.text) == ["Baris 2, kolom Kelurahan/Desa: Kelurahan/desa \"Cipare\" tidak cocok dengan kode 36.73.01.1003, yaitu Sumur Pecung."])
        guard case .failure(let d) = Self.validator.validate(["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", "3673011003", "", "Curug"],
                                                             mapping: mapping, row: 2) else { Issue.record("should fail"); return }
        #expect(d.problems.map(\.field) == [.districtName])
    }

    @Test func aVillageNameInTwoKecamatanNeedsTheKecamatan() throws {
        #expect(problems([.villageName: "Sukawana", .districtName: ""]) == [
            "Baris 12, kolom Kelurahan/Desa: Kelurahan/desa \"Sukawana\" ada di lebih dari satu kecamatan (Serang, Curug); isi kolom Kecamatan atau Kode kelurahan.",
        ])
        #expect(try validate([.villageName: "Sukawana", .districtName: "Kec. Curug"]).get().villageCode == "36.73.04.1007")
        #expect(try validate([.villageName: "sukawana", .districtName: "SERANG"]).get().villageCode == "36.73.01.1008")
        #expect(problems([.villageName: "Sukawana", .districtName: "Taktakan"]) == [
            "Baris 12, kolom Kecamatan: Kelurahan/desa \"Sukawana\" tidak berada di Kecamatan \"Taktakan\" (ada di Kecamatan Serang, Curug).",
        ])
        // A unique name with the wrong kecamatan is refused too.
        #expect(problems([.villageName: "Sumur Pecung", .districtName: "Curug"]).count == 1)
    }

    @Test func villageNameIgnoresCaseSpacesAndPrefix() throws {
        for name in ["umbul tengah", "UMBUL TENGAH", "Umbultengah", "Kel. Umbul Tengah", "Desa Umbul  Tengah"] {
            #expect(try validate([.villageName: name, .districtName: ""]).get().villageCode == "36.73.06.1009", "\(name)")
        }
    }

    // MARK: RT/RW, TTL, dates, KTA

    @Test(arguments: [("001/002", "001", "002"), ("1/2", "001", "002"), ("01 / 02", "001", "002"), ("001-002", "001", "002"),
                      ("RT 01 RW 02", "001", "002"), ("12/3", "012", "003")])
    func rtRwInOneColumn(text: String, rt: String, rw: String) throws {
        let member = try validate([.rtRw: text]).get()
        #expect(member.rt == rt && member.rw == rw)
    }

    @Test func rtAndRwInTheirOwnColumns() throws {
        let mapping = ColumnMapping.guess(headers: ["Nama", "NIK", "Tgl Lahir", "JK", "Kelurahan", "Kecamatan", "RT", "RW"])
        let fields = ["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", "Sumur Pecung", "Serang", "3", "RW 12"]
        let member = try Self.validator.validate(fields, mapping: mapping, row: 2).get()
        #expect(member.rt == "003" && member.rw == "012")
        var bad = fields
        bad[6] = "0"
        bad[7] = "1234"
        guard case .failure(let e) = Self.validator.validate(bad, mapping: mapping, row: 2) else { Issue.record("should fail"); return }
        #expect(e.problems.map(\.text) == [
            "Baris 2, kolom RT: RT harus angka 1–999, misalnya 003 (terbaca \"0\").",
            "Baris 2, kolom RW: RW harus angka 1–999, misalnya 003 (terbaca \"1234\").",
        ])
    }

    @Test func placeAndDateInOneColumn() throws {
        let mapping = ColumnMapping.guess(headers: ["Nama", "NIK", "Tempat, Tanggal Lahir", "JK", "Kelurahan"])
        for (ttl, place) in [("Serang, 17-08-1990", "Serang"), ("Kab. Pandeglang, 17 Agustus 1990", "Kab. Pandeglang"),
                             ("Serang 17 Agustus 1990", "Serang"), ("Tangerang 17/08/1990", "Tangerang"), ("17-08-1990", nil)] {
            let member = try Self.validator.validate(["Siti Aminah", Self.sitiNIK, ttl, "P", "Serang"], mapping: mapping, row: 2).get()
            #expect(member.birthDate == day(1990, 8, 17), "\(ttl)")
            #expect(member.birthPlace == place, "\(ttl)")
        }
        guard case .failure(let e) = Self.validator.validate(["Siti Aminah", Self.sitiNIK, "Serang, 17-08-90", "P", "Serang"], mapping: mapping, row: 2)
        else { Issue.record("should fail"); return }
        #expect(e.problems.map(\.label) == ["Tempat, tanggal lahir"])
    }

    @Test func joinedOnAndMemberNumber() throws {
        let mapping = ColumnMapping.guess(headers: ["Nama", "NIK", "Tgl Lahir", "JK", "Kode Kelurahan", "Tanggal Bergabung", "No. KTA"])
        let number = try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 123)
        let kta = number.formatted
        let badKTA = String(kta.dropLast()) + String((number.checkDigit + 1) % 10)
        let base = ["Siti Aminah", Self.sitiNIK, "17-08-1990", "P", "3673011001"]
        let member = try Self.validator.validate(base + ["1 Mei 2024", kta], mapping: mapping, row: 2).get()
        #expect(member.joinedOn == day(2024, 5, 1))
        #expect(member.memberNumber?.sequence == 123)
        guard case .failure(let e) = Self.validator.validate(base + ["1 Mei 2026", badKTA], mapping: mapping, row: 2)
        else { Issue.record("should fail"); return }
        #expect(e.problems.map(\.label) == ["Tanggal bergabung", "Nomor KTA"])
        #expect(e.problems[1].message.contains("digit pemeriksa"))
        guard case .failure(let early) = Self.validator.validate(base + ["1 Mei 1980", ""], mapping: mapping, row: 2)
        else { Issue.record("should fail"); return }
        #expect(early.problems.map(\.message) == ["Tanggal bergabung 01-05-1980 lebih awal dari tanggal lahir 17-08-1990."])
    }

    @Test func overlongFreeText() {
        #expect(problems([.address: String(repeating: "a", count: 201)]) == ["Baris 12, kolom Alamat: Alamat paling panjang 200 karakter (terisi 201)."])
    }

    // MARK: The whole sheet

    @Test func wholeSheet() throws {
        let other = try NIK.make(kecamatanCode: "36.73.01", birthDate: day(1985, 1, 2), sex: .male, serial: 3).digits
        let rows: [[String]] = [
            row(),                                                                          // 2: Siti
            row([.fullName: "Budi Santoso", .nik: other, .birthDate: "02-01-1985", .sex: "L"]), // 3: ok
            Array(repeating: "", count: Self.headers.count),                                // 4: blank
            ["", "  ", ""],                                                                 // 5: blank
            row([.fullName: "Siti Aminah (dobel)"]),                                        // 6: same NIK as row 2
            row([.nik: "123"]),                                                             // 7: bad NIK
        ]
        let result = Self.validator.validateAll(rows, mapping: Self.mapping)
        #expect(result.rows.map(\.row) == [3])
        #expect(result.blankRows == [4, 5])
        #expect(result.errors.map(\.row) == [2, 6, 7])
        #expect(result.errors[0].problems.map(\.text) == ["Baris 2, kolom NIK: NIK yang sama juga tertulis di baris 6. Satu orang hanya boleh satu baris."])
        #expect(result.errors[1].problems.last?.text == "Baris 6, kolom NIK: NIK yang sama juga tertulis di baris 2. Satu orang hanya boleh satu baris.")
        #expect(!result.canImport)

        let clean = Self.validator.validateAll([row(), rows[1]], mapping: Self.mapping, firstRow: 10)
        #expect(clean.rows.map(\.row) == [10, 11])
        #expect(clean.canImport)
        #expect(!Self.validator.validateAll([], mapping: Self.mapping).canImport)
    }

    // MARK: Error file

    @Test func errorCSVIsQuotedAndFormulaSafe() {
        let errors = [
            RowErrors(row: 12, problems: [
                RowError(row: 12, field: .nik, message: "NIK harus 16 digit angka (terbaca 15 digit)."),
                RowError(row: 12, field: .fullName, message: "Kata \"kutip\", dan koma."),
            ]),
            RowErrors(row: 13, problems: [
                RowError(row: 13, field: .phone, message: "=HYPERLINK(\"http://x\")"),
                RowError(row: 13, field: nil, message: "+62 baris\nbaru"),
                RowError(row: 13, field: .address, message: "@SUM(A1)"),
                RowError(row: 13, field: .address, message: "-1"),
            ]),
        ]
        let csv = MemberImport.errorCSV(errors)
        #expect(csv == "baris,kolom,pesan\r\n"
                + "12,NIK,NIK harus 16 digit angka (terbaca 15 digit).\r\n"
                + "12,Nama lengkap,\"Kata \"\"kutip\"\", dan koma.\"\r\n"
                + "13,No. HP,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
                + "13,'-,\"'+62 baris\nbaru\"\r\n"
                + "13,Alamat,'@SUM(A1)\r\n"
                + "13,Alamat,'-1\r\n")
        #expect(MemberImport.errorCSV([]) == "baris,kolom,pesan\r\n")
        #expect(MemberImport.errorCSV([], byteOrderMark: true) == "\u{FEFF}baris,kolom,pesan\r\n")
        #expect(MemberImport.csvField("\tx") == "'\tx")
        #expect(MemberImport.csvField("a\r\nb") == "\"a\r\nb\"")
    }

    @Test func errorCSVFromARealRow() {
        guard case .failure(let errors) = validate([.nik: "367301570890001"]) else { Issue.record("should fail"); return }
        #expect(MemberImport.errorCSV([errors]) == "baris,kolom,pesan\r\n12,NIK,NIK harus 16 digit angka (terbaca 15 digit).\r\n")
    }
}
