import Testing
@testable import SimpulCore

@Suite("Nomor KTA")
struct MemberNumberTests {
    @Test func dammKnownValues() {
        // Published example: 572 → check digit 4, and 5724 validates.
        #expect(MemberNumber.damm("572") == 4)
        #expect(MemberNumber.damm("5724") == 0)
        #expect(MemberNumber.damm("") == 0)
        // The table is a quasigroup with zeros on the diagonal.
        for i in 0..<10 {
            #expect(Set(MemberNumber.dammTable[i]).count == 10)
            #expect(Set((0..<10).map { MemberNumber.dammTable[$0][i] }).count == 10)
            #expect(MemberNumber.dammTable[i][i] == 0)
        }
    }

    @Test func formatsAndParts() throws {
        let number = try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 123)
        let check = MemberNumber.damm("3673011001000123")
        #expect(number.checkDigit == check)
        #expect(number.formatted == "3673011001-000123-\(check)")
        #expect(number.compact == "3673011001000123\(check)")
        #expect("\(number)" == number.formatted)
        #expect(number.kelurahanCode == "36.73.01.1001")
        #expect(number.kecamatanCode == "36.73.01")
        #expect(number.regencyCode == "36.73")
        #expect(number.provinceCode == "36")
        #expect(number.sequence == 123)
        #expect(number.compact.count == MemberNumber.length)
        #expect(try MemberNumber(kelurahanCode: "3673011001", sequence: 123) == number)
    }

    @Test func parsesEveryWrittenForm() throws {
        let number = try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 123)
        for text in [number.formatted, number.compact, " \(number.formatted) ", "36.73.01.1001-000123-\(number.checkDigit)",
                     "3673011001 000123 \(number.checkDigit)", "3673011001/000123/\(number.checkDigit)"] {
            #expect(try MemberNumber(parsing: text) == number, "\(text)")
            #expect(MemberNumber.isValid(text))
        }
    }

    @Test func rejectsMalformedInput() throws {
        #expect(throws: MemberNumberError.empty) { try MemberNumber(parsing: "") }
        #expect(throws: MemberNumberError.empty) { try MemberNumber(parsing: " - ") }
        #expect(throws: MemberNumberError.nonDigit("A")) { try MemberNumber(parsing: "3673011001-00012A-7") }
        #expect(throws: MemberNumberError.wrongLength(16)) { try MemberNumber(parsing: "3673011001-000123") }
        #expect(throws: MemberNumberError.wrongLength(18)) { try MemberNumber(parsing: "3673011001-0001234-7") }
        // Correct check digit but impossible parts.
        let zeroRegion = "0073011001000123"
        #expect(throws: MemberNumberError.invalidKelurahanCode("0073011001")) { try MemberNumber(parsing: zeroRegion + "\(MemberNumber.damm(zeroRegion))") }
        let zeroSequence = "3673011001000000"
        #expect(throws: MemberNumberError.sequenceOutOfRange(0)) { try MemberNumber(parsing: zeroSequence + "\(MemberNumber.damm(zeroSequence))") }
        #expect(!MemberNumber.isValid("hello"))
    }

    @Test func rejectsBadPartsWhenIssuing() {
        #expect(throws: MemberNumberError.invalidKelurahanCode("36.73.01")) { try MemberNumber(kelurahanCode: "36.73.01", sequence: 1) }
        #expect(throws: MemberNumberError.invalidKelurahanCode("36.73.01.0000")) { try MemberNumber(kelurahanCode: "36.73.01.0000", sequence: 1) }
        #expect(throws: MemberNumberError.invalidKelurahanCode("36.00.01.1001")) { try MemberNumber(kelurahanCode: "36.00.01.1001", sequence: 1) }
        #expect(throws: MemberNumberError.invalidKelurahanCode("36.73.00.1001")) { try MemberNumber(kelurahanCode: "36.73.00.1001", sequence: 1) }
        #expect(throws: MemberNumberError.invalidKelurahanCode("10.73.01.1001")) { try MemberNumber(kelurahanCode: "10.73.01.1001", sequence: 1) }
        #expect(throws: MemberNumberError.invalidKelurahanCode("36.73.01.10O1")) { try MemberNumber(kelurahanCode: "36.73.01.10O1", sequence: 1) }
        #expect(throws: MemberNumberError.sequenceOutOfRange(0)) { try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 0) }
        #expect(throws: MemberNumberError.sequenceOutOfRange(1_000_000)) { try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 1_000_000) }
    }

    @Test func everySingleDigitTypoIsCaught() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let number = try randomNumber(&rng)
            let digits = Array(number.compact)
            for i in digits.indices {
                for replacement in "0123456789" where replacement != digits[i] {
                    var typo = digits
                    typo[i] = replacement
                    #expect(!MemberNumber.isValid(String(typo)), "\(String(typo))")
                }
            }
        }
    }

    @Test func everyAdjacentSwapIsCaught() throws {
        var rng = SplitMix64(seed: 8)
        for _ in 0..<500 {
            let number = try randomNumber(&rng)
            let digits = Array(number.compact)
            for i in 0..<(digits.count - 1) where digits[i] != digits[i + 1] {
                var swapped = digits
                swapped.swapAt(i, i + 1)
                #expect(throws: MemberNumberError.checkDigitMismatch) { try MemberNumber(parsing: String(swapped)) }
            }
        }
        // The swap Luhn misses: "09" ↔ "90" (kelurahan 1009 typed as 1090).
        let n = try MemberNumber(kelurahanCode: "36.73.01.1009", sequence: 90)
        var digits = Array(n.compact)
        #expect(String(digits[8...9]) == "09")
        digits.swapAt(8, 9)
        #expect(throws: MemberNumberError.checkDigitMismatch) { try MemberNumber(parsing: String(digits)) }
    }

    @Test func randomNumbersRoundTrip() throws {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<3000 {
            let number = try randomNumber(&rng)
            #expect(try MemberNumber(parsing: number.formatted) == number)
            #expect(try MemberNumber(parsing: number.compact) == number)
            #expect(MemberNumber.damm(number.compact) == 0)
        }
    }

    @Test func ordering() throws {
        let a = try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 2)
        let b = try MemberNumber(kelurahanCode: "36.73.01.1001", sequence: 10)
        let c = try MemberNumber(kelurahanCode: "36.73.01.1002", sequence: 1)
        #expect([c, b, a].sorted() == [a, b, c])
    }

    @Test func messagesNameTheField() {
        let all: [MemberNumberError] = [.empty, .nonDigit("x"), .wrongLength(3), .invalidKelurahanCode("1"), .sequenceOutOfRange(0), .checkDigitMismatch]
        for error in all { #expect(error.message.hasPrefix("Nomor KTA"), "\(error)") }
        #expect(MemberNumberError.wrongLength(16).message
                == "Nomor KTA harus 17 digit (10 digit kode kelurahan, 6 digit nomor urut, 1 digit pemeriksa); terbaca 16 digit.")
    }

    private func randomNumber(_ rng: inout SplitMix64) throws -> MemberNumber {
        let code = "\(Int.random(in: 11...99, using: &rng))" + pad(Int.random(in: 1...99, using: &rng), 2)
            + pad(Int.random(in: 1...99, using: &rng), 2) + "\(Int.random(in: 1...2, using: &rng))" + pad(Int.random(in: 1...999, using: &rng), 3)
        return try MemberNumber(kelurahanCode: code, sequence: Int.random(in: 1...999_999, using: &rng))
    }
}
