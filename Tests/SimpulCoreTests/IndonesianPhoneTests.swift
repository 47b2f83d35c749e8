import Testing
@testable import SimpulCore

@Suite("Nomor HP")
struct IndonesianPhoneTests {
    @Test(arguments: [
        ("081234567890", "081234567890"),
        ("0812-3456-7890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("(0812) 3456.7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("+6281234567890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("0062 812 3456 7890", "081234567890"),
        ("+62 (0)812 3456 7890", "081234567890"),
        ("81234567890", "081234567890"),     // a spreadsheet dropped the leading 0
        (" 0857 1234 567 ", "08571234567"),
        ("0812345678", "0812345678"),         // 10 digits
        ("0812345678901", "0812345678901"),   // 13 digits
    ])
    func accepted(raw: String, expected: String) {
        #expect(IndonesianPhone.normalize(raw) == expected)
        #expect(IndonesianPhone.validate(raw) == .success(expected))
        // Idempotent on the stored form.
        #expect(IndonesianPhone.normalize(expected) == expected)
    }

    @Test(arguments: [
        ("", PhoneError.empty),
        ("   ", .empty),
        ("8.12346E+10", .scientificNotation("8.12346E+10")),
        ("8,12346E+10", .scientificNotation("8,12346E+10")),
        ("0812345678 / 0857123456", .severalNumbers),
        ("0812-345-678a", .nonDigit("a")),
        ("0254 200123", .notMobile),
        ("021 5551234", .notMobile),
        ("0800 1234567", .notMobile),
        ("62 21 5551234", .notMobile),
        ("081234567", .wrongLength(9)),
        ("08123456789012", .wrongLength(14)),
    ])
    func refused(raw: String, error: PhoneError) {
        #expect(IndonesianPhone.validate(raw) == .failure(error))
        #expect(IndonesianPhone.normalize(raw) == nil)
        #expect(!error.message.isEmpty)
    }

    @Test func messagesNameTheField() {
        for error in [PhoneError.empty, .scientificNotation("8E+10"), .severalNumbers, .nonDigit("x"), .notMobile, .wrongLength(5)] {
            #expect(error.message.contains("Nomor HP") || error.message.contains("nomor"), "\(error)")
        }
        #expect(PhoneError.wrongLength(9).message.contains("terbaca 9 digit"))
    }

    @Test func mask() {
        #expect(IndonesianPhone.mask("081234567890") == "0812****7890")
        #expect(IndonesianPhone.mask("0812345678") == "0812**5678")
        #expect(IndonesianPhone.mask("0812") == "****")
    }
}
