import Fluent
import SimpulCore
import Vapor

/// Input for creating a person, from a page form or JSON. Every failure names its field.
struct PersonForm: Content {
    var fullName: String?
    var nik: String?
    var birthPlace: String?
    /// YYYY-MM-DD.
    var birthDate: String?
    /// "L" or "P".
    var sex: String?
    var phone: String?
    var address: String?
    /// Kemendagri code of the kelurahan where the person lives, e.g. 36.73.04.1001.
    var regionCode: String?

    /// The clean, validated values.
    struct Valid {
        var fullName: String
        var nik: NIK?
        var birthPlace: String?
        var birthDate: CivilDate?
        var sex: Sex?
        var phone: String?
        var address: String?
        var region: Region
        var unit: OrgUnit
    }

    func validate(on db: any Database, today: CivilDate = CivilDate(Date())) async throws -> (Valid?, FormErrors) {
        var errors = FormErrors()
        let name = errors.required(fullName, field: "fullName", label: "Nama lengkap", max: 120)
        var parsedNIK: NIK?
        if let raw = nik, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            do { parsedNIK = try NIK(validating: raw, today: today) } catch { errors.add("nik", error.message) }
        }
        var date: CivilDate?
        if let raw = birthDate?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if let d = CivilDate(iso8601: raw) {
                if d > today { errors.add("birthDate", "Tanggal lahir tidak boleh di masa depan.") } else { date = d }
            } else {
                errors.add("birthDate", "Tanggal lahir harus berformat TTTT-BB-HH, misalnya 1990-08-17.")
            }
        }
        var parsedSex: Sex?
        switch sex?.trimmingCharacters(in: .whitespaces).uppercased() {
        case nil, "": break
        case "L": parsedSex = .male
        case "P": parsedSex = .female
        default: errors.add("sex", "Jenis kelamin harus L (laki-laki) atau P (perempuan).")
        }
        if let nik = parsedNIK {
            for issue in nik.check(birthDate: date, sex: parsedSex) {
                errors.add(issue.field == "Tanggal lahir" ? "birthDate" : issue.field == "Jenis kelamin" ? "sex" : "nik", issue.message)
            }
        }
        var normalizedPhone: String?
        if let raw = phone, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            normalizedPhone = PhoneNumber.normalize(raw)
            if normalizedPhone == nil {
                errors.add("phone", "Nomor HP tidak sah: gunakan 10–13 digit yang diawali 08 atau +628, misalnya 081234567890.")
            }
        }
        let place = errors.optional(birthPlace, field: "birthPlace", label: "Tempat lahir", max: 80)
        let addr = errors.optional(address, field: "address", label: "Alamat", max: 300)
        var region: Region?
        var unit: OrgUnit?
        let code = (regionCode ?? "").trimmingCharacters(in: .whitespaces)
        if code.isEmpty {
            errors.add("regionCode", "Kelurahan wajib dipilih.")
        } else if let found = try await Region.find(code, on: db), found.level == .village {
            region = found
            unit = try await OrgQueries.unit(at: OrgPath(regionCode: code), on: db)
            if unit == nil { errors.add("regionCode", "Belum ada unit organisasi untuk kelurahan \(code).") }
        } else {
            errors.add("regionCode", "Kelurahan dengan kode \(code) tidak dikenal.")
        }
        guard errors.isEmpty, let region, let unit else { return (nil, errors) }
        return (Valid(fullName: name, nik: parsedNIK, birthPlace: place, birthDate: date, sex: parsedSex,
                      phone: normalizedPhone, address: addr, region: region, unit: unit), errors)
    }
}

/// Indonesian mobile numbers in one form: 08…, 10–13 digits.
enum PhoneNumber {
    static func normalize(_ raw: String) -> String? {
        var digits = raw.filter { !" -.()".contains($0) }
        if digits.hasPrefix("+62") { digits = "0" + digits.dropFirst(3) }
        else if digits.hasPrefix("62") { digits = "0" + digits.dropFirst(2) }
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), digits.hasPrefix("08"), (10...13).contains(digits.count) else { return nil }
        return digits
    }

    /// 0812****7890: the operator prefix and the last four digits.
    static func mask(_ phone: String) -> String {
        guard phone.count > 8 else { return String(repeating: "*", count: phone.count) }
        return phone.prefix(4) + String(repeating: "*", count: phone.count - 8) + phone.suffix(4)
    }
}
