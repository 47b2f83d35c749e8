import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Campaigns are seen by everyone with viewService in the campaign's unit, and run
/// (created, money recorded) with manageFunds there.
struct CampaignPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ c: Campaign) throws { try require(.viewService, at: c.orgPath, visibleWith: .viewService) }
    func requireManage(_ c: Campaign) throws { try require(.manageFunds, at: c.orgPath, visibleWith: .viewService) }
    func canManage(_ c: Campaign) -> Bool { access.allows(.manageFunds, at: c.orgPath) }
    func visible(_ q: QueryBuilder<Campaign>) -> QueryBuilder<Campaign> { scopeFilter(q, column: "scope", for: .viewService) }
}

extension Request {
    var campaignPolicy: CampaignPolicy { CampaignPolicy(access: access) }
    var campaigns: Campaigns { Campaigns(req: self) }
}

struct CampaignForm: Content {
    var unitID: String?
    var title: String?
    var purpose: String?
    var target: String?
    var startsOn: String?
    var endsOn: String?
    var isPublic: String?
}

struct DonationForm: Content {
    var donorName: String?
    var phone: String?
    var amount: String?
    var onDate: String?
    var method: String?
    var reference: String?
    /// "on"/"true": the donor agreed to be named on the public page.
    var publishName: String?
}

struct SpendingForm: Content {
    var amount: String?
    var onDate: String?
    var purpose: String?
    /// A food bank entry this spending paid for (purchase or distribution).
    var stockEntryID: String?
}

struct CampaignDTO: Content {
    let id: UUID
    let slug: String
    let title: String
    let purpose: String
    let unitName: String
    let startsOn: String
    let endsOn: String?
    let isPublic: Bool
    let totals: CampaignTotals
    let targetText: String
    let receivedText: String
    let pledgedText: String
    let spentText: String
    let balanceText: String
    let percent: Int
}

struct DonationDTO: Content {
    let id: UUID
    let kind: DonationKind
    let kindLabel: String
    let donorName: String
    let phoneMasked: String?
    let publishName: Bool
    let amount: Int64
    let amountText: String
    let onDate: String
    let method: PaymentMethod?
    let methodLabel: String?
    let reference: String?
}

struct SpendingDTO: Content {
    let id: UUID
    let amount: Int64
    let amountText: String
    let onDate: String
    let purpose: String
    /// What the linked food bank entry was, e.g. "Penyaluran 30 kg Beras".
    let linkedStock: String?
}

struct CampaignDetail: Content {
    let campaign: CampaignDTO
    let donations: [DonationDTO]
    let spending: [SpendingDTO]
}

/// The public transparency page: totals, receipts (names only with consent), spending.
struct PublicCampaign: Content {
    struct Gift: Content {
        let donor: String
        let amountText: String
        let onDate: String
    }

    let slug: String
    let title: String
    let purpose: String
    let unitName: String
    let totals: CampaignTotals
    let targetText: String
    let receivedText: String
    let spentText: String
    let balanceText: String
    let percent: Int
    let receipts: [Gift]
    let spending: [SpendingDTO]
}

struct Campaigns {
    let req: Request

    static func totals(of c: Campaign, on db: any Database) async throws -> CampaignTotals {
        let id = try c.requireID()
        let donations = try await Donation.query(on: db).filter(\.$campaign.$id == id).all().map { ($0.kind, $0.amount) }
        let spending = try await CampaignSpending.query(on: db).filter(\.$campaign.$id == id).all().map(\.amount)
        return CampaignTotals(target: c.targetRupiah, donations: donations, spending: spending)
    }

    func dto(_ c: Campaign) async throws -> CampaignDTO {
        let t = try await Self.totals(of: c, on: req.db)
        let unit = try await c.$orgUnit.get(on: req.db)
        return CampaignDTO(id: c.id!, slug: c.slug, title: c.title, purpose: c.purpose,
                           unitName: try await req.levelLabels().displayName(of: unit),
                           startsOn: c.startsOn, endsOn: c.endsOn, isPublic: c.isPublic, totals: t,
                           targetText: Rupiah.format(t.target), receivedText: Rupiah.format(t.received),
                           pledgedText: Rupiah.format(t.pledged), spentText: Rupiah.format(t.spent),
                           balanceText: Rupiah.format(t.balance), percent: t.percentOfTarget)
    }

    func list() async throws -> [CampaignDTO] {
        try req.requireAnywhere(.viewService, "Anda tidak berwenang melihat kampanye donasi.")
        var out: [CampaignDTO] = []
        for c in try await req.campaignPolicy.visible(Campaign.query(on: req.db)).sort(\.$startsOn, .descending).limit(200).all() {
            out.append(try await dto(c))
        }
        return out
    }

    func find(_ id: UUID?) async throws -> Campaign {
        _ = try req.requireUser()
        guard let id, let c = try await Campaign.find(id, on: req.db) else { throw Abort(.notFound, reason: "Kampanye tidak ditemukan.") }
        try req.campaignPolicy.requireView(c)
        return c
    }

    static func money(_ raw: String?, field: String, label: String, errors: inout FormErrors) -> Int64? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { errors.add(field, "\(label) wajib diisi."); return nil }
        guard let v = Rupiah.parse(t) else {
            errors.add(field, "\(label) harus jumlah rupiah bulat, misalnya 500.000.")
            return nil
        }
        return v
    }

    static func date(_ raw: String?, field: String, label: String, required: Bool, errors: inout FormErrors) -> CivilDate? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty {
            if required { errors.add(field, "\(label) wajib diisi.") }
            return nil
        }
        guard let d = CivilDate(iso8601: t) else {
            errors.add(field, "\(label) harus berformat TTTT-BB-HH, misalnya 2026-12-01.")
            return nil
        }
        return d
    }

    func create(_ form: CampaignForm) async throws -> Campaign {
        try req.requireAnywhere(.manageFunds, "Anda tidak berwenang membuat kampanye donasi.")
        var errors = FormErrors()
        guard let unitID = form.unitID.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(unitID, on: req.db) else {
            throw ValidationFailure(errors: [FieldError(field: "unitID", message: "Unit penyelenggara wajib dipilih.")])
        }
        let probe = Campaign()
        probe.scope = unit.path
        try req.campaignPolicy.requireManage(probe)
        let title = errors.required(form.title, field: "title", label: "Judul kampanye", max: 120)
        let purpose = errors.required(form.purpose, field: "purpose", label: "Tujuan penggunaan dana", max: 2000)
        let target = Self.money(form.target, field: "target", label: "Target dana", errors: &errors)
        let starts = Self.date(form.startsOn, field: "startsOn", label: "Tanggal mulai", required: false, errors: &errors) ?? CivilDate(Date())
        let ends = Self.date(form.endsOn, field: "endsOn", label: "Tanggal selesai", required: false, errors: &errors)
        if let ends, ends < starts { errors.add("endsOn", "Tanggal selesai tidak boleh sebelum tanggal mulai.") }
        try errors.throwIfAny()
        var slug = Slug.make(title)
        if try await Campaign.query(on: req.db).filter(\.$slug == slug).first() != nil {
            slug += "-" + String(TrackingCode().compact.prefix(4)).lowercased()
        }
        let c = Campaign()
        c.$orgUnit.id = try unit.requireID()
        c.scope = unit.path
        c.slug = slug
        c.title = title
        c.purpose = purpose
        c.targetRupiah = target ?? 0
        c.startsOn = starts.iso8601
        c.endsOn = ends?.iso8601
        c.isPublic = RegistrationForm.ticked(form.isPublic)
        try await c.create(on: req.db)
        try await req.audit.record("campaign.create", entity: "campaign", id: c.id?.uuidString, scope: c.scope, detail: title)
        return c
    }

    func addDonation(_ kind: DonationKind, _ form: DonationForm, to c: Campaign) async throws -> Donation {
        let user = try req.requireUser()
        try req.campaignPolicy.requireManage(c)
        var errors = FormErrors()
        let name = errors.required(form.donorName, field: "donorName", label: "Nama donatur", max: 120)
        let amount = Self.money(form.amount, field: "amount", label: "Jumlah", errors: &errors)
        let day = Self.date(form.onDate, field: "onDate", label: "Tanggal", required: false, errors: &errors) ?? CivilDate(Date())
        if day > CivilDate(Date()) { errors.add("onDate", "Tanggal tidak boleh di masa depan.") }
        var phone: String?
        if let raw = form.phone?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            switch IndonesianPhone.validate(raw) {
            case .success(let p): phone = p
            case .failure(let e): errors.add("phone", e.message + " Contoh: 081234567890.")
            }
        }
        var method: PaymentMethod?
        if kind == .receipt {
            method = PaymentMethod(rawValue: form.method ?? "")
            if method == nil { errors.add("method", "Cara pembayaran wajib dipilih: transfer bank, tunai atau QRIS.") }
        }
        let reference = errors.optional(form.reference, field: "reference", label: "Nomor bukti", max: 80)
        try errors.throwIfAny()
        let d = Donation()
        d.$campaign.id = try c.requireID()
        d.scope = c.scope
        d.kind = kind
        d.donorName = name
        d.phoneCipher = try phone.map { try req.vault.encrypt($0) }
        d.phoneMasked = phone.map(IndonesianPhone.mask)
        d.publishName = RegistrationForm.ticked(form.publishName)
        d.amount = amount ?? 0
        d.onDate = day.iso8601
        d.method = method
        d.reference = reference
        d.userID = user.id
        d.username = user.username
        d.at = Date()
        try await d.create(on: req.db)
        try await req.audit.record("campaign.\(kind.rawValue)", entity: "donation", id: d.id?.uuidString, scope: c.scope,
                                   detail: Rupiah.format(d.amount))
        return d
    }

    func addSpending(_ form: SpendingForm, to c: Campaign) async throws -> CampaignSpending {
        let user = try req.requireUser()
        try req.campaignPolicy.requireManage(c)
        var errors = FormErrors()
        let amount = Self.money(form.amount, field: "amount", label: "Jumlah", errors: &errors)
        let day = Self.date(form.onDate, field: "onDate", label: "Tanggal", required: false, errors: &errors) ?? CivilDate(Date())
        let purpose = errors.required(form.purpose, field: "purpose", label: "Keperluan", max: 300)
        var stockEntry: StockEntry?
        if let raw = form.stockEntryID?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if let id = UUID(uuidString: raw), let e = try await StockEntry.find(id, on: req.db),
               req.access.allows(.viewService, at: OrgPath(rawValue: e.scope)), [.purchaseIn, .distributionOut].contains(e.kind) {
                stockEntry = e
            } else {
                errors.add("stockEntryID", "Transaksi lumbung pangan tidak ditemukan di wilayah Anda (hanya pembelian atau penyaluran).")
            }
        }
        try errors.throwIfAny()
        guard let amount else { throw ValidationFailure(errors: errors.all) }
        return try await req.db.transaction { [stockEntry] db -> CampaignSpending in
            let sql = db as! any SQLDatabase
            if sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT id FROM campaigns WHERE id = \(bind: c.requireID()) FOR UPDATE").run()
            }
            let totals = try await Self.totals(of: c, on: db)
            do {
                try totals.checkSpending(amount)
            } catch let error as CampaignError {
                throw ValidationFailure(errors: [FieldError(field: "amount", message: error.message)])
            }
            let s = CampaignSpending()
            s.$campaign.id = try c.requireID()
            s.scope = c.scope
            s.amount = amount
            s.onDate = day.iso8601
            s.purpose = purpose
            s.stockEntryID = stockEntry?.id
            s.userID = user.id
            s.username = user.username
            s.at = Date()
            try await s.create(on: db)
            try await req.audit.record("campaign.spending", entity: "campaign_spending", id: s.id?.uuidString, scope: c.scope,
                                       detail: "\(Rupiah.format(amount)) \(purpose)", on: db)
            return s
        }
    }

    static func spending(of c: Campaign, on db: any Database) async throws -> [SpendingDTO] {
        let rows = try await CampaignSpending.query(on: db).filter(\.$campaign.$id == c.requireID()).sort(\.$onDate, .descending).all()
        let entryIDs = rows.compactMap(\.stockEntryID)
        let entries = entryIDs.isEmpty ? [] : try await StockEntry.query(on: db).filter(\.$id ~~ entryIDs).with(\.$item).all()
        let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0.id!, $0) })
        return rows.map { s in
            let linked = s.stockEntryID.flatMap { byID[$0] }.map { "\($0.kind.label) \(abs($0.quantity)) \($0.item.unit) \($0.item.name)" }
            return SpendingDTO(id: s.id!, amount: s.amount, amountText: Rupiah.format(s.amount), onDate: s.onDate, purpose: s.purpose, linkedStock: linked)
        }
    }

    func detail(_ c: Campaign) async throws -> CampaignDetail {
        let donations = try await Donation.query(on: req.db).filter(\.$campaign.$id == c.requireID()).sort(\.$at, .descending).all()
        return CampaignDetail(
            campaign: try await dto(c),
            donations: donations.map {
                DonationDTO(id: $0.id!, kind: $0.kind, kindLabel: $0.kind.label, donorName: $0.donorName, phoneMasked: $0.phoneMasked, publishName: $0.publishName,
                            amount: $0.amount, amountText: Rupiah.format($0.amount), onDate: $0.onDate, method: $0.method, methodLabel: $0.method?.label, reference: $0.reference)
            },
            spending: try await Self.spending(of: c, on: req.db))
    }

    static let anonymousDonor = "Hamba Allah"

    /// The public page of a public campaign; 404 for anything else.
    static func publicView(slug: String, on db: any Database, labels: OrgLevelLabels) async throws -> PublicCampaign {
        guard let c = try await Campaign.query(on: db).filter(\.$slug == slug.lowercased()).filter(\.$isPublic == true).first() else {
            throw Abort(.notFound, reason: "Kampanye tidak ditemukan.")
        }
        let t = try await totals(of: c, on: db)
        let receipts = try await Donation.query(on: db).filter(\.$campaign.$id == c.requireID()).filter(\.$kind == .receipt)
            .sort(\.$onDate, .descending).limit(500).all()
        let unit = try await c.$orgUnit.get(on: db)
        return PublicCampaign(
            slug: c.slug, title: c.title, purpose: c.purpose, unitName: labels.displayName(of: unit), totals: t,
            targetText: Rupiah.format(t.target), receivedText: Rupiah.format(t.received), spentText: Rupiah.format(t.spent),
            balanceText: Rupiah.format(t.balance), percent: t.percentOfTarget,
            receipts: receipts.map { .init(donor: $0.publishName ? $0.donorName : anonymousDonor, amountText: Rupiah.format($0.amount), onDate: $0.onDate) },
            spending: try await spending(of: c, on: db))
    }
}
