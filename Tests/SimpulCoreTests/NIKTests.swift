import Foundation
import Testing
@testable import SimpulCore

@Suite("NIK")
struct NIKTests {
    let today = day(2025, 6, 1)

    // MARK: Decoding

    @Test func decodesAMan() throws {
        let nik = try NIK(validating: "3673011205900012", today: today)
        #expect(nik.digits == "3673011205900012")
        #expect(nik.provinceCode == "36")
        #expect(nik.regencyCode == "36.73")
        #expect(nik.regionCode == "36.73.01")
        #expect(nik.kecamatanCode == "36.73.01")
        #expect(nik.sex == .male)
        #expect(nik.birthDate == day(1990, 5, 12))
        #expect(nik.serial == 12)
        #expect(nik.masked == "3673********0012")
    }

    @Test func decodesAWomanDayPlusForty() throws {
        let nik = try NIK(validating: "3673015205900012", today: today)
        #expect(nik.sex == .female)
        #expect(nik.birthDate == day(1990, 5, 12))
        let first = try NIK(validating: "3602044101019999", today: today)
        #expect(first.sex == .female)
        #expect(first.birthDate == day(2001, 1, 1))
        #expect(first.serial == 9999)
        let last = try NIK(validating: "3602047112990001", today: today)
        #expect(last.birthDate == day(1999, 12, 31))
    }

    @Test(arguments: ["3673 0112 0590 0012", "36.73.01.120590.0012", "3673-01-120590-0012", " 3673011205900012\n", "3673\u{00A0}011205900012"])
    func separatorsAreIgnored(raw: String) throws {
        #expect(try NIK(validating: raw, today: today).digits == "3673011205900012")
    }

    @Test func descriptionIsMaskedSoLogsDoNotLeak() throws {
        let nik = try NIK(validating: "3673011205900012", today: today)
        #expect("\(nik)" == "3673********0012")
        #expect(String(reflecting: nik) == "NIK(3673********0012)")
        #expect(!"\(nik)".contains("120590"))
        #expect(NIK.mask("123") == "***")
    }

    @Test func equalityAndHashingUseTheDigits() throws {
        let a = try NIK(validating: "3673011205900012", today: today)
        let b = try NIK(validating: "3673 0112 0590 0012", today: day(2030, 1, 1))
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
    }

    @Test func referenceDateOverload() throws {
        // 2025-06-01 12:00 WIB
        let noon = Date(timeIntervalSince1970: TimeInterval(day(2025, 6, 1).daysSinceEpoch * 86_400 + 5 * 3600))
        #expect(try NIK(validating: "3673010101250001", referenceDate: noon).birthDate == day(2025, 1, 1))
        #expect(try NIK(validating: "3673010207250001", referenceDate: noon).birthDate == day(1925, 7, 2))
    }

    // MARK: Two-digit year window

    @Test(arguments: [
        ("3673010101250001", 2025, 1, 1),   // YY == this year, date already past → 20YY
        ("3673010106250001", 2025, 6, 1),   // today itself
        ("3673010206250001", 1925, 6, 2),   // later this year would be in the future → 19YY
        ("3673011512250001", 1925, 12, 15),
        ("3673010101260001", 1926, 1, 1),   // YY > this year → 19YY
        ("3673010101000001", 2000, 1, 1),
        ("3673010101990001", 1999, 1, 1),
        ("3673012902000001", 2000, 2, 29),  // 2000 is a leap year
        ("3673012902040001", 2004, 2, 29),
        ("3673016902040001", 2004, 2, 29),  // a woman born on a leap day
    ])
    func yearWindow(raw: String, year: Int, month: Int, dayOfMonth: Int) throws {
        #expect(try NIK(validating: raw, today: today).birthDate == day(year, month, dayOfMonth))
    }

    @Test func windowMovesWithTheReferenceDate() throws {
        #expect(try NIK(validating: "3673010101300001", today: day(2029, 12, 31)).birthDate == day(1930, 1, 1))
        #expect(try NIK(validating: "3673010101300001", today: day(2030, 1, 1)).birthDate == day(2030, 1, 1))
        // Only 1900 would put 29-02-00 before 2000-01-01, and 1900 was not a leap year.
        #expect(throws: NIKError.invalidDate(day: 29, month: 2, twoDigitYear: 0)) {
            try NIK(validating: "3673012902000001", today: day(2000, 1, 1))
        }
    }

    // MARK: Rejections

    @Test(arguments: [
        ("", NIKError.empty),
        (" . - ", NIKError.empty),
        ("367301120590001", NIKError.wrongLength(15)),
        ("36730112059000123", NIKError.wrongLength(17)),
        ("3673", NIKError.wrongLength(4)),
        ("36730112059000A2", NIKError.nonDigit("A")),
        ("3673011205900O12", NIKError.nonDigit("O")),
        ("3673011205900٠12", NIKError.nonDigit("٠")),   // Arabic-Indic zero
        ("367301120590001２", NIKError.nonDigit("２")),  // full-width two
        ("3673/01/120590/0012", NIKError.nonDigit("/")),
        ("0073011205900012", NIKError.invalidRegionCode("00.73.01")),
        ("1073011205900012", NIKError.invalidRegionCode("10.73.01")),
        ("3600011205900012", NIKError.invalidRegionCode("36.00.01")),
        ("3673001205900012", NIKError.invalidRegionCode("36.73.00")),
        ("3673011200900012", NIKError.invalidMonth(0)),
        ("3673011213900012", NIKError.invalidMonth(13)),
        ("3673010005900012", NIKError.invalidDay(0)),
        ("3673013205900012", NIKError.invalidDay(32)),
        ("3673014005900012", NIKError.invalidDay(40)),
        ("3673017205900012", NIKError.invalidDay(72)),
        ("3673019905900012", NIKError.invalidDay(99)),
        ("3673013102900012", NIKError.invalidDate(day: 31, month: 2, twoDigitYear: 90)),
        ("3673017102900012", NIKError.invalidDate(day: 31, month: 2, twoDigitYear: 90)),
        ("3673017104900012", NIKError.invalidDate(day: 31, month: 4, twoDigitYear: 90)),
        ("3673012902010012", NIKError.invalidDate(day: 29, month: 2, twoDigitYear: 1)),
        ("3673016902230012", NIKError.invalidDate(day: 29, month: 2, twoDigitYear: 23)),
        ("3673011205900000", NIKError.zeroSerial),
    ])
    func rejects(raw: String, expected: NIKError) {
        #expect(throws: expected) { try NIK(validating: raw, today: today) }
    }

    @Test func monthEndsThatExistAreAccepted() throws {
        #expect(try NIK(validating: "3673013004900012", today: today).birthDate == day(1990, 4, 30))
        #expect(try NIK(validating: "3673017001900012", today: today).birthDate == day(1990, 1, 30))
        #expect(try NIK(validating: "3673016812230012", today: today).birthDate == day(2023, 12, 28))
    }

    @Test func everyDayOfEveryMonthOverALeapCycle() throws {
        // Every encoded day 00–99 × month 01–12 × years 2020–2023: valid exactly when the date exists.
        for yy in 20...23 {
            for mm in 1...12 {
                for dd in 0...99 {
                    let raw = "367301" + pad2(dd) + pad2(mm) + pad2(yy) + "0001"
                    let realDay = dd > 40 ? dd - 40 : dd
                    let exists = (1...31).contains(dd) || (41...71).contains(dd)
                        ? CivilDate(year: 2000 + yy, month: mm, day: realDay) != nil : false
                    let result = Result { try NIK(validating: raw, today: day(2024, 12, 31)) }
                    switch result {
                    case .success(let nik):
                        #expect(exists, "\(raw) accepted")
                        #expect(nik.birthDate == day(2000 + yy, mm, realDay))
                        #expect(nik.sex == (dd > 40 ? .female : .male))
                    case .failure:
                        #expect(!exists, "\(raw) rejected")
                    }
                }
            }
        }
    }

    // MARK: Messages

    @Test func messagesAreIndonesianAndNameTheField() {
        #expect(NIKError.wrongLength(15).message == "NIK harus 16 digit angka (terbaca 15 digit).")
        #expect(NIKError.invalidDate(day: 31, month: 2, twoDigitYear: 90).message
                == "NIK: tanggal lahir yang tersandi (31-02-90) tidak ada di kalender.")
        #expect(NIKError.invalidDate(day: 29, month: 2, twoDigitYear: 1).message.contains("(29-02-01)"))
        #expect(NIKError.zeroSerial.message == "NIK: nomor urut (4 digit terakhir) tidak boleh 0000.")
        #expect(NIKError.nonDigit("A").message == "NIK hanya boleh berisi angka (ditemukan \"A\").")
        let all: [NIKError] = [.empty, .nonDigit("x"), .wrongLength(3), .invalidRegionCode("00.00.00"), .invalidMonth(13),
                               .invalidDay(80), .invalidDate(day: 31, month: 4, twoDigitYear: 5), .zeroSerial, .serialOutOfRange(10_000)]
        for error in all { #expect(error.message.hasPrefix("NIK"), "\(error)") }
    }

    // MARK: Generator

    @Test func makeBuildsTheExpectedDigits() throws {
        let man = try NIK.make(kecamatanCode: "36.73.01", birthDate: day(1990, 5, 12), sex: .male, serial: 12)
        #expect(man.digits == "3673011205900012")
        let woman = try NIK.make(kecamatanCode: "367301", birthDate: day(2004, 2, 29), sex: .female, serial: 1)
        #expect(woman.digits == "3673016902040001")
        #expect(woman.sex == .female)
        #expect(woman.birthDate == day(2004, 2, 29))
    }

    @Test func makeRejectsBadParts() {
        #expect(throws: NIKError.invalidRegionCode("36.73")) { try NIK.make(kecamatanCode: "36.73", birthDate: day(1990, 1, 1), sex: .male, serial: 1) }
        #expect(throws: NIKError.invalidRegionCode("36.73.00")) { try NIK.make(kecamatanCode: "36.73.00", birthDate: day(1990, 1, 1), sex: .male, serial: 1) }
        #expect(throws: NIKError.invalidRegionCode("36.7x.01")) { try NIK.make(kecamatanCode: "36.7x.01", birthDate: day(1990, 1, 1), sex: .male, serial: 1) }
        #expect(throws: NIKError.zeroSerial) { try NIK.make(kecamatanCode: "36.73.01", birthDate: day(1990, 1, 1), sex: .male, serial: 0) }
        #expect(throws: NIKError.serialOutOfRange(10_000)) { try NIK.make(kecamatanCode: "36.73.01", birthDate: day(1990, 1, 1), sex: .male, serial: 10_000) }
        #expect(throws: NIKError.serialOutOfRange(-1)) { try NIK.make(kecamatanCode: "36.73.01", birthDate: day(1990, 1, 1), sex: .male, serial: -1) }
    }

    @Test func randomMadeNIKsParseBackToTheSameParts() throws {
        var rng = SplitMix64(seed: 2025)
        let kecamatan = ["36.73.01", "36.73.02", "36.73.03", "36.73.04", "36.73.05", "36.73.06", "11.01.01", "94.71.10"]
        for _ in 0..<3000 {
            let born = rng.date(years: 1926...2024)
            let sex: Sex = Bool.random(using: &rng) ? .male : .female
            let serial = Int.random(in: 1...9999, using: &rng)
            let code = kecamatan.randomElement(using: &rng)!
            let made = try NIK.make(kecamatanCode: code, birthDate: born, sex: sex, serial: serial)
            let parsed = try NIK(validating: made.digits, today: today)
            #expect(parsed == made)
            #expect(parsed.birthDate == born)
            #expect(parsed.sex == sex)
            #expect(parsed.serial == serial)
            #expect(parsed.regionCode == code)
            #expect(parsed.masked.count == 16 && parsed.masked.hasPrefix(String(made.digits.prefix(4))))
        }
    }

    // MARK: Consistency with the form

    @Test func consistentFormHasNoIssues() throws {
        let nik = try NIK(validating: "3673015205900012", today: today)
        #expect(nik.check(birthDate: day(1990, 5, 12), sex: .female, knownKecamatanCodes: ["36.73.01", "36.73.02"]).isEmpty)
        #expect(nik.check().isEmpty)
        // The NIK does not encode the century: 1890 vs 1990 is not flagged.
        #expect(nik.check(birthDate: day(1890, 5, 12)).isEmpty)
        // Plain codes work too.
        #expect(nik.check(knownKecamatanCodes: ["367301"]).isEmpty)
    }

    @Test func birthDateMismatch() throws {
        let nik = try NIK(validating: "3673011205900012", today: today)
        let issues = nik.check(birthDate: day(1991, 5, 12))
        #expect(issues == [.birthDateMismatch(nik: day(1990, 5, 12), form: day(1991, 5, 12))])
        #expect(issues[0].field == "Tanggal lahir")
        #expect(issues[0].message == "Tanggal lahir (12-05-1991) tidak cocok dengan tanggal lahir yang tersandi di NIK (12-05-90).")
        #expect(nik.check(birthDate: day(1990, 5, 13)).count == 1)
        #expect(nik.check(birthDate: day(1990, 6, 12)).count == 1)
    }

    @Test func sexMismatchExplainsThePlusForty() throws {
        let woman = try NIK(validating: "3673015205900012", today: today)
        let issues = woman.check(sex: .male)
        #expect(issues == [.sexMismatch(nik: .female, form: .male)])
        #expect(issues[0].field == "Jenis kelamin")
        #expect(issues[0].message == "Jenis kelamin (laki-laki) tidak cocok dengan NIK, yang menandakan perempuan (tanggal lahir di NIK ditambah 40).")
        let man = try NIK(validating: "3673011205900012", today: today)
        #expect(man.check(sex: .female).first?.message.contains("tidak ditambah 40") == true)
    }

    @Test func unknownRegion() throws {
        let nik = try NIK(validating: "3673091205900012", today: today)
        let issues = nik.check(knownKecamatanCodes: ["36.73.01", "36.73.02"])
        #expect(issues == [.unknownRegion("36.73.09")])
        #expect(issues[0].message == "NIK: kode kecamatan 36.73.09 tidak dikenal dalam data wilayah.")
        #expect(nik.check(knownKecamatanCodes: []).count == 1)
    }

    @Test func allIssuesTogetherInFieldOrder() throws {
        let nik = try NIK(validating: "3673095205900012", today: today)
        let issues = nik.check(birthDate: day(1990, 5, 11), sex: .male, knownKecamatanCodes: ["36.73.01"])
        #expect(issues.map(\.field) == ["Tanggal lahir", "Jenis kelamin", "NIK"])
    }

    private func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
