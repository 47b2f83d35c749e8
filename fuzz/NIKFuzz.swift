// libFuzzer target: NIK and the other identity parsers on arbitrary text.
// Built by fuzz/run.sh as one module with SimpulCore's sources (no `import SimpulCore`).
import Foundation

private let today = CivilDate(year: 2026, month: 11, day: 26)!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNIK(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let nik = try NIK(validating: text, today: today)
        // A NIK that parses is 16 ASCII digits, parses again to itself, and its mask hides the serial and birth date.
        precondition(nik.digits.utf8.count == 16 && nik.digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
        precondition((try? NIK(validating: nik.digits, today: today)) == nik)
        precondition(!nik.masked.contains(String(nik.digits.suffix(10))))
        precondition(nik.birthDate <= today)
    } catch {
        // Every refusal has an Indonesian message for the form.
        precondition(!error.message.isEmpty)
    }
    if let number = try? MemberNumber(parsing: text) {
        precondition((try? MemberNumber(parsing: number.formatted)) == number)
        precondition((try? MemberNumber(parsing: number.compact)) == number)
    }
    if let phone = IndonesianPhone.normalize(text) {
        precondition(IndonesianPhone.normalize(phone) == phone)
        _ = IndonesianPhone.mask(phone)
    }
    if case .success(let date) = SpreadsheetDate.parse(text) {
        precondition(date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= 31)
    }
    return 0
}
