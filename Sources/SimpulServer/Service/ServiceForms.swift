import Fluent
import SimpulCore
import Vapor

/// A service request as filed by a citizen (public form, public API) or recorded by staff.
struct ServiceRequestForm: Content {
    /// "request" (permohonan) or "complaint" (pengaduan).
    var kind: String?
    var category: String?
    var summary: String?
    var description: String?
    /// Kelurahan code, e.g. 36.73.04.1001.
    var regionCode: String?
    var locationDetail: String?
    var requesterName: String?
    var phone: String?
    /// Optional: links the request to the shared person record.
    var nik: String?
    /// "on"/"true": consent to process the data for handling this request (required).
    var consent: String?
    /// Page form only: JPEG, at most 1 MB.
    var photo: File?

    struct Valid {
        let kind: ServiceRequest.Kind
        let category: ServiceCategory
        let summary: String
        let details: String
        let region: Region
        let unit: OrgUnit
        let locationDetail: String?
        let requesterName: String
        let phone: String
        let nik: NIK?
        let photo: String?
    }

    func validate(on db: any Database, today: CivilDate = CivilDate(Date())) async throws -> Valid {
        var errors = FormErrors()
        let kindValue = ServiceRequest.Kind(rawValue: (kind ?? "").trimmingCharacters(in: .whitespaces))
        if kindValue == nil { errors.add("kind", "Jenis wajib dipilih: permohonan bantuan atau pengaduan.") }
        let categoryValue = ServiceCategory(rawValue: (category ?? "").trimmingCharacters(in: .whitespaces))
        if categoryValue == nil { errors.add("category", "Kategori wajib dipilih dari daftar.") }
        let title = errors.required(summary, field: "summary", label: "Judul singkat", max: 120)
        let text = errors.required(description, field: "description", label: "Uraian", max: 2000)
        if !text.isEmpty && text.count < 10 { errors.add("description", "Uraian terlalu singkat; ceritakan apa yang terjadi dan bantuan yang diharapkan.") }
        let place = try await Kelurahan.resolve(regionCode, field: "regionCode", errors: &errors, on: db)
        let detail = errors.optional(locationDetail, field: "locationDetail", label: "Lokasi/patokan", max: 200)
        let name = errors.required(requesterName, field: "requesterName", label: "Nama pelapor", max: 120)
        var normalizedPhone = ""
        let rawPhone = (phone ?? "").trimmingCharacters(in: .whitespaces)
        if rawPhone.isEmpty {
            errors.add("phone", "Nomor HP/WhatsApp wajib diisi agar petugas dapat menghubungi Anda.")
        } else {
            switch IndonesianPhone.validate(rawPhone) {
            case .success(let p): normalizedPhone = p
            case .failure(let e): errors.add("phone", e.message + " Contoh: 081234567890.")
            }
        }
        var parsedNIK: NIK?
        if let raw = nik?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            do { parsedNIK = try NIK(validating: raw, today: today) } catch { errors.add("nik", error.message) }
        }
        if !RegistrationForm.ticked(consent) {
            errors.add("consent", "Persetujuan pemrosesan data untuk menangani laporan ini wajib dicentang.")
        }
        let photoData = MembershipService.photo(photo, errors: &errors)
        try errors.throwIfAny()
        guard let kindValue, let categoryValue, let place else { throw ValidationFailure(errors: errors.all) }
        return Valid(kind: kindValue, category: categoryValue, summary: title, details: text, region: place.region,
                     unit: place.unit, locationDetail: detail, requesterName: name, phone: normalizedPhone,
                     nik: parsedNIK, photo: photoData)
    }
}

/// A kelurahan chosen in a form, with the org unit that stands on it.
enum Kelurahan {
    static func resolve(_ raw: String?, field: String, label: String = "Kelurahan", errors: inout FormErrors,
                        on db: any Database) async throws -> (region: Region, unit: OrgUnit)? {
        let code = (raw ?? "").trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty else {
            errors.add(field, "\(label) wajib dipilih.")
            return nil
        }
        guard let region = try await Region.find(code, on: db), region.level == .village else {
            errors.add(field, "\(label) dengan kode \(code) tidak dikenal.")
            return nil
        }
        guard let unit = try await OrgQueries.unit(at: OrgPath(regionCode: code), on: db) else {
            errors.add(field, "Belum ada unit organisasi untuk kelurahan \(region.name).")
            return nil
        }
        return (region, unit)
    }
}

/// What an official sends with an action on a request; which fields count depends on it.
struct ServiceActionForm: Content {
    var note: String?
    /// "on"/"true": the note is shown to the requester on the tracking page.
    var isPublic: String?
    // triage
    var category: String?
    var ppksType: String?
    var urgent: String?
    // assign
    var unitID: String?
    /// Empty: no advocate.
    var advocateID: String?
    // refer
    var agency: String?
    // followUp
    var nextFollowUpOn: String?
    // close
    var outcome: String?
}

/// One choice in a select or radio group on a page.
typealias SelectOption = MembershipController.Option

extension ValidationFailure {
    /// Field → first message, for templates.
    var byField: [String: String] { Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first }) }
}

/// Offices a user picks from (food bank, campaigns): the user's own units where
/// `permission` holds — the branch this installation serves first when the user is above
/// it — and the units one level below each.
enum OfficeChoices {
    static func units(_ req: Request, for permission: Permission) async throws -> [OrgUnit] {
        var roots = req.access.roots(for: permission)
        let branch = OrgPath(regionCode: try await Setting.value(BranchSettings.homeRegionKey, on: req.db))
        if !roots.contains(branch), roots.contains(where: { $0.contains(branch) }) { roots.insert(branch, at: 0) }
        var units: [OrgUnit] = []
        for root in roots {
            guard let unit = try await OrgQueries.unit(at: root, on: req.db) else { continue }
            units.append(unit)
            units += try await OrgUnit.query(on: req.db).filter(\.$parent.$id == unit.requireID()).sort(\.$path).all()
        }
        return units
    }

    static func options(_ req: Request, for permission: Permission) async throws -> [SelectOption] {
        let labels = try await req.levelLabels()
        return try await units(req, for: permission).map { SelectOption(value: $0.id!.uuidString, label: labels.displayName(of: $0), selected: false) }
    }
}

extension Request {
    /// A page form's usual ending: on success go to the new record's page, on invalid
    /// input show the form again with the messages (422).
    func saveOrShow(_ save: () async throws -> String, show: (ValidationFailure) async throws -> Response) async throws -> Response {
        do {
            return redirect(to: try await save())
        } catch let failure as ValidationFailure {
            return try await show(failure)
        }
    }
}

/// Records of the public-service modules that point at a person.
enum PublicServiceRecords {
    /// When two person records are merged (People › duplicates), this module's records move
    /// from `other` to `keep`. Two volunteer registrations cannot become one silently.
    static func movePerson(from other: UUID, to keep: UUID, on db: any Database) async throws {
        try await ServiceRequest.query(on: db).filter(\.$person.$id == other).set(\.$person.$id, to: keep).update()
        try await ServiceRequest.query(on: db).filter(\.$advocate.$id == other).set(\.$advocate.$id, to: keep).update()
        try await StockEntry.query(on: db).filter(\.$personID == other).set(\.$personID, to: keep).update()
        guard let volunteer = try await Volunteer.query(on: db).filter(\.$person.$id == other).first() else { return }
        if try await Volunteer.query(on: db).filter(\.$person.$id == keep).first() != nil {
            throw Abort(.conflict, reason: "Kedua data terdaftar sebagai relawan satgas. Tandai salah satu pendaftaran relawan tidak lolos lalu hubungi administrator sebelum menggabungkan.")
        }
        volunteer.$person.id = keep
        try await volunteer.update(on: db)
    }
}
