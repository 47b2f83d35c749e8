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
    var rt: String?
    var rw: String?
    var occupation: String?
    /// belum_kawin, kawin, cerai_hidup, cerai_mati (or the usual spellings).
    var maritalStatus: String?

    /// The clean, validated values.
    struct Valid {
        var fullName: String
        var nik: NIK?
        var birthPlace: String?
        var birthDate: CivilDate?
        var sex: Sex?
        var phone: String?
        var address: String?
        var rt: String?
        var rw: String?
        var occupation: String?
        var maritalStatus: MaritalStatus?
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
            switch IndonesianPhone.validate(raw) {
            case .success(let phone): normalizedPhone = phone
            case .failure(let error): errors.add("phone", error.message + " Contoh: 081234567890.")
            }
        }
        let place = errors.optional(birthPlace, field: "birthPlace", label: "Tempat lahir", max: 80)
        let addr = errors.optional(address, field: "address", label: "Alamat", max: 300)
        let cleanRT = Self.neighbourhood(rt, field: "rt", label: "RT", errors: &errors)
        let cleanRW = Self.neighbourhood(rw, field: "rw", label: "RW", errors: &errors)
        let job = errors.optional(occupation, field: "occupation", label: "Pekerjaan", max: 80)
        var marital: MaritalStatus?
        if let raw = maritalStatus?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            marital = MaritalStatus(text: raw)
            if marital == nil { errors.add("maritalStatus", "Status perkawinan harus salah satu dari: belum kawin, kawin, cerai hidup, cerai mati.") }
        }
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
                      phone: normalizedPhone, address: addr, rt: cleanRT, rw: cleanRW, occupation: job,
                      maritalStatus: marital, region: region, unit: unit), errors)
    }

    /// RT and RW: 1–3 digits, stored as three ("001").
    static func neighbourhood(_ raw: String?, field: String, label: String, errors: inout FormErrors) -> String? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        guard t.count <= 3, t.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(t), n > 0 else {
            errors.add(field, "\(label) harus angka 1–999, misalnya 003.")
            return nil
        }
        return String(repeating: "0", count: 3 - String(n).count) + String(n)
    }
}
