import Fluent
import FluentSQLiteDriver
import SQLKit
import SimpulCore
import Vapor

/// Who may see and move stock: the office's own officials and everyone above them.
struct FoodBankPolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ path: OrgPath) throws { try require(.viewService, at: path, visibleWith: .viewService) }
    func requireManage(_ path: OrgPath) throws { try require(.manageStock, at: path, visibleWith: .viewService) }
    func canManage(_ path: OrgPath) -> Bool { access.allows(.manageStock, at: path) }
}

extension Request {
    var foodBankPolicy: FoodBankPolicy { FoodBankPolicy(access: access) }
    var foodBank: FoodBank { FoodBank(req: self) }
}

struct FoodItemDTO: Content {
    let id: UUID
    let orgUnitID: UUID
    let name: String
    let unit: String
    let lowThreshold: Int
    let stock: Int
    let low: Bool
}

struct StockEntryDTO: Content {
    let id: UUID
    let kind: StockMovementKind
    let kindLabel: String
    let quantity: Int
    let at: Date
    let atText: String
    let onDate: String
    let counterparty: String?
    let regionCode: String?
    let householdSize: Int?
    let transferID: UUID?
    let counterpartUnitID: UUID?
    let reversesID: UUID?
    let reversedBy: UUID?
    let costRupiah: Int64?
    let serviceRequestID: UUID?
    let note: String?
    let username: String

    init(_ e: StockEntry, reversedBy: UUID?) {
        id = e.id!
        kind = e.kind
        kindLabel = e.kind.label
        quantity = e.quantity
        at = e.at
        atText = WIB.text(e.at)
        onDate = e.onDate
        counterparty = e.counterparty
        regionCode = e.regionCode
        householdSize = e.householdSize
        transferID = e.transferID
        counterpartUnitID = e.counterpartUnitID
        reversesID = e.reversesID
        self.reversedBy = reversedBy
        costRupiah = e.costRupiah
        serviceRequestID = e.serviceRequestID
        note = e.note
        username = e.username
    }
}

struct FoodItemDetail: Content {
    let item: FoodItemDTO
    let unitName: String
    let entries: [StockEntryDTO]
}

/// Input for a new item.
struct FoodItemForm: Content {
    var unitID: String?
    var name: String?
    var unit: String?
    var lowThreshold: String?
}

/// Input for a stock movement: donationIn, purchaseIn or distributionOut; or a transfer.
struct StockMovementForm: Content {
    var kind: String?
    var quantity: String?
    var onDate: String?
    var counterparty: String?
    var note: String?
    /// Purchases: rupiah paid.
    var cost: String?
    // distribution
    var regionCode: String?
    var householdSize: String?
    var nik: String?
    /// Tracking code of the service request this distribution answers (optional).
    var requestCode: String?
    // transfer
    var toUnitID: String?
}

struct DistributionRow: Content {
    let regionCode: String
    let regionName: String
    let item: String
    let unit: String
    let quantity: Int
    let distributions: Int
    let households: Int
}

/// Items, the append-only ledger, transfers and distribution reports.
struct FoodBank {
    let req: Request

    /// The office a page or API call works on: `unit` when given and visible, else the
    /// user's first home unit.
    func office(_ id: UUID?) async throws -> OrgUnit {
        _ = try req.requireUser()
        if let id {
            guard let unit = try await OrgUnit.find(id, on: req.db) else { throw Abort(.notFound, reason: "Unit tidak ditemukan.") }
            try req.foodBankPolicy.requireView(unit.orgPath)
            return unit
        }
        // The branch this installation serves first (a national administrator lands on DPD
        // Kota Serang, not on the national office), else the user's first unit.
        let branch = OrgPath(regionCode: try await Setting.value(BranchSettings.homeRegionKey, on: req.db))
        let roots = req.access.roots(for: .viewService)
        guard let root = roots.contains(where: { $0.contains(branch) }) ? branch : roots.first,
              let unit = try await OrgQueries.unit(at: root, on: req.db) else {
            throw Abort(.forbidden, reason: "Akun Anda belum berwenang melihat lumbung pangan di unit mana pun.")
        }
        return unit
    }

    /// Stock per item: the sum of its ledger (PostgreSQL sums BIGINT to NUMERIC, so cast back).
    static func stock(of itemIDs: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard !itemIDs.isEmpty else { return [:] }
        let rows = try await (db as! any SQLDatabase).select()
            .column("item_id").column(SQLRaw("CAST(SUM(quantity) AS BIGINT)"), as: "total")
            .from(StockEntry.schema).where("item_id", .in, itemIDs).groupBy("item_id").all()
        var result: [UUID: Int] = [:]
        for row in rows { result[try row.decode(column: "item_id", as: UUID.self)] = try row.decode(column: "total", as: Int?.self) ?? 0 }
        return result
    }

    func dto(_ item: FoodItem, stock: Int) -> FoodItemDTO {
        FoodItemDTO(id: item.id!, orgUnitID: item.$orgUnit.id, name: item.name, unit: item.unit, lowThreshold: item.lowThreshold,
                    stock: stock, low: StockLedger.isLow(balance: stock, threshold: item.lowThreshold))
    }

    func items(at office: OrgUnit) async throws -> [FoodItemDTO] {
        let items = try await FoodItem.query(on: req.db).filter(\.$orgUnit.$id == office.requireID()).sort(\.$name).all()
        let stock = try await Self.stock(of: items.compactMap(\.id), on: req.db)
        return items.map { dto($0, stock: stock[$0.id!] ?? 0) }
    }

    func findItem(_ id: UUID?) async throws -> FoodItem {
        _ = try req.requireUser()
        guard let id, let item = try await FoodItem.find(id, on: req.db) else { throw Abort(.notFound, reason: "Barang tidak ditemukan.") }
        try req.foodBankPolicy.requireView(item.orgPath)
        return item
    }

    func detail(_ item: FoodItem) async throws -> FoodItemDetail {
        let entries = try await StockEntry.query(on: req.db).filter(\.$item.$id == item.requireID()).sort(\.$at, .descending).all()
        var reversedBy: [UUID: UUID] = [:]
        for e in entries { if let target = e.reversesID { reversedBy[target] = e.id } }
        let unit = try await item.$orgUnit.get(on: req.db)
        return FoodItemDetail(item: dto(item, stock: StockLedger.balance(entries.map(\.quantity))),
                              unitName: try await req.levelLabels().displayName(of: unit),
                              entries: entries.map { StockEntryDTO($0, reversedBy: reversedBy[$0.id!]) })
    }

    func createItem(_ form: FoodItemForm) async throws -> FoodItem {
        let user = try req.requireUser()
        var errors = FormErrors()
        let office = try await self.office(form.unitID.flatMap(UUID.init(uuidString:)))
        try req.foodBankPolicy.requireManage(office.orgPath)
        let name = errors.required(form.name, field: "name", label: "Nama barang", max: 80)
        let unit = errors.required(form.unit, field: "unit", label: "Satuan", max: 20)
        let threshold = Self.count(form.lowThreshold, field: "lowThreshold", label: "Batas stok menipis", allowZero: true, errors: &errors) ?? 0
        if !name.isEmpty, try await FoodItem.query(on: req.db).filter(\.$orgUnit.$id == office.requireID())
            .filter(\.$nameKey == name.lowercased()).first() != nil {
            errors.add("name", "Barang \"\(name)\" sudah ada di lumbung ini.")
        }
        try errors.throwIfAny()
        let item = FoodItem()
        item.$orgUnit.id = try office.requireID()
        item.scope = office.path
        item.name = name
        item.nameKey = name.lowercased()
        item.unit = unit
        item.lowThreshold = threshold
        try await item.create(on: req.db)
        try await req.audit.record("food.item", entity: "food_item", id: item.id?.uuidString, scope: item.scope, detail: "\(name) (\(unit)) oleh \(user.username)")
        return item
    }

    /// A whole number from a form field; nil (with a message) when it is not one.
    static func count(_ raw: String?, field: String, label: String, allowZero: Bool = false, errors: inout FormErrors) -> Int? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ".", with: "")
        if t.isEmpty {
            if allowZero { return nil }
            errors.add(field, "\(label) wajib diisi.")
            return nil
        }
        guard let n = Int(t), n >= (allowZero ? 0 : 1), n <= StockLedger.maximumQuantity else {
            errors.add(field, "\(label) harus bilangan bulat \(allowZero ? "0" : "1")–1.000.000.")
            return nil
        }
        return n
    }

    /// Locks the item row on PostgreSQL so two distributions cannot both pass the stock
    /// check; SQLite runs one write transaction at a time anyway.
    static func lock(_ itemID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT id FROM food_items WHERE id = \(bind: itemID) FOR UPDATE").run()
        }
    }

    /// A stock-changing transaction. PostgreSQL serialises them on the item row
    /// (`lock`); SQLite answers a second concurrent writer with "database is locked", so
    /// the whole transaction is tried again after a short pause, reading the new balance.
    static func ledgerTransaction<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await db.transaction(body)
            } catch let error as SQLiteError where (error.reason == .busy || error.reason == .locked) && attempt < 50 {
                attempt += 1
                try await Task.sleep(nanoseconds: UInt64(5_000_000 * min(attempt, 10)))
            }
        }
    }

    static func balance(_ itemID: UUID, on db: any Database) async throws -> Int {
        try await stock(of: [itemID], on: db)[itemID] ?? 0
    }

    private func entry(_ item: FoodItem, kind: StockMovementKind, quantity: Int, onDate: CivilDate, user: User) throws -> StockEntry {
        let e = StockEntry()
        e.$item.id = try item.requireID()
        e.scope = item.scope
        e.kind = kind
        e.quantity = quantity
        e.at = Date()
        e.onDate = onDate.iso8601
        e.userID = user.id
        e.username = user.username
        return e
    }

    private func movementDate(_ raw: String?, errors: inout FormErrors) -> CivilDate {
        let today = CivilDate(Date())
        guard let t = raw?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return today }
        guard let d = CivilDate(iso8601: t), d <= today, d > today.adding(days: -366) else {
            errors.add("onDate", "Tanggal harus dalam setahun terakhir dan tidak di masa depan (TTTT-BB-HH).")
            return today
        }
        return d
    }

    /// Records stock coming in or a distribution going out.
    func record(_ form: StockMovementForm, on item: FoodItem) async throws -> StockEntry {
        let user = try req.requireUser()
        try req.foodBankPolicy.requireManage(item.orgPath)
        var errors = FormErrors()
        guard let kind = StockMovementKind(rawValue: form.kind ?? ""), StockMovementKind.recordable.contains(kind) else {
            throw ValidationFailure(errors: [FieldError(field: "kind", message: "Jenis transaksi wajib dipilih: donasi masuk, pembelian atau penyaluran.")])
        }
        let quantity = Self.count(form.quantity, field: "quantity", label: "Jumlah", errors: &errors)
        let day = movementDate(form.onDate, errors: &errors)
        let note = errors.optional(form.note, field: "note", label: "Catatan", max: 300)
        var counterparty: String?
        var cost: Int64?
        var place: (region: Region, unit: OrgUnit)?
        var household: Int?
        var nik: NIK?
        var request: ServiceRequest?
        switch kind {
        case .donationIn:
            counterparty = errors.required(form.counterparty, field: "counterparty", label: "Nama donatur", max: 120)
        case .purchaseIn:
            counterparty = errors.optional(form.counterparty, field: "counterparty", label: "Pemasok", max: 120)
            if let raw = form.cost, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                cost = Rupiah.parse(raw)
                if cost == nil { errors.add("cost", "Harga harus jumlah rupiah bulat, misalnya 1.250.000.") }
            }
        case .distributionOut:
            counterparty = errors.required(form.counterparty, field: "counterparty", label: "Nama kepala keluarga penerima", max: 120)
            place = try await Kelurahan.resolve(form.regionCode, field: "regionCode", label: "Kelurahan penerima", errors: &errors, on: req.db)
            if let place, !item.orgPath.contains(place.unit.orgPath) {
                errors.add("regionCode", "Kelurahan \(place.region.name) di luar wilayah lumbung ini.")
            }
            if let raw = form.householdSize, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                household = Self.count(raw, field: "householdSize", label: "Jumlah anggota keluarga", errors: &errors)
            }
            if let raw = form.nik?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                do { nik = try NIK(validating: raw, today: CivilDate(Date())) } catch { errors.add("nik", error.message) }
            }
            if let raw = form.requestCode?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                if let code = try? TrackingCode(parsing: raw),
                   let found = try await ServiceRequest.query(on: req.db).filter(\.$code == code.compact).first(),
                   req.access.allows(.viewService, at: found.orgPath) {
                    request = found
                } else {
                    errors.add("requestCode", "Kode laporan \(raw) tidak ditemukan di wilayah Anda.")
                }
            }
        default: break
        }
        try errors.throwIfAny()
        guard let quantity else { throw ValidationFailure(errors: errors.all) }
        let vault = req.vault
        return try await Self.ledgerTransaction(on: req.db) { [counterparty, cost, place, household, request, nik] db -> StockEntry in
            let itemID = try item.requireID()
            try await Self.lock(itemID, on: db)
            let balance = try await Self.balance(itemID, on: db)
            let signed: Int
            do {
                signed = try StockLedger.signedQuantity(kind, quantity: quantity, balance: balance, item: item.name, unit: item.unit)
            } catch let error as StockError {
                throw ValidationFailure(errors: [FieldError(field: "quantity", message: error.message)])
            }
            let e = try entry(item, kind: kind, quantity: signed, onDate: day, user: user)
            e.counterparty = counterparty
            e.costRupiah = cost
            e.note = note
            e.regionCode = try place?.region.requireID()
            e.householdSize = household
            e.serviceRequestID = request?.id
            if let nik, let place {
                let person = try await ServiceDesk.person(nik: nik, name: counterparty ?? "", phone: nil, region: place.region,
                                                          unit: place.unit, vault: vault, on: db)
                e.personID = person.id
                try await PersonEvent(personID: person.requireID(), module: "foodbank", kind: "food.distribution",
                                      summary: "Menerima \(quantity) \(item.unit) \(item.name) dari lumbung pangan.",
                                      actorID: user.id, scope: person.scope).create(on: db)
            }
            try await e.create(on: db)
            if let request {
                try await ServiceNote(request: request, action: "note", body: "Bantuan disalurkan: \(quantity) \(item.unit) \(item.name).",
                                      isPublic: true, author: user).create(on: db)
            }
            try await req.audit.record("food.\(kind.rawValue)", entity: "stock_entry", id: e.id?.uuidString, scope: e.scope,
                                       detail: "\(item.name) \(signed)", on: db)
            return e
        }
    }

    /// Moves stock to another office: both halves in one transaction, never below zero.
    func transfer(_ form: StockMovementForm, from item: FoodItem) async throws -> (StockEntry, StockEntry) {
        let user = try req.requireUser()
        try req.foodBankPolicy.requireManage(item.orgPath)
        var errors = FormErrors()
        let quantity = Self.count(form.quantity, field: "quantity", label: "Jumlah", errors: &errors)
        let day = movementDate(form.onDate, errors: &errors)
        let note = errors.optional(form.note, field: "note", label: "Catatan", max: 300)
        let source = try await item.$orgUnit.get(on: req.db)
        var target: OrgUnit?
        if let id = form.toUnitID.flatMap(UUID.init(uuidString:)), let unit = try await OrgUnit.find(id, on: req.db),
           unit.id != source.id,
           req.access.allows(.viewService, at: unit.orgPath) || unit.orgPath.contains(source.orgPath) {
            target = unit
        } else {
            errors.add("toUnitID", "Kantor tujuan wajib dipilih: kantor lain di wilayah Anda atau kantor di atasnya.")
        }
        try errors.throwIfAny()
        guard let quantity, let target else { throw ValidationFailure(errors: errors.all) }
        let labels = try await req.levelLabels()
        return try await Self.ledgerTransaction(on: req.db) { db -> (StockEntry, StockEntry) in
            let itemID = try item.requireID()
            try await Self.lock(itemID, on: db)
            let balance = try await Self.balance(itemID, on: db)
            let signed: Int
            do {
                signed = try StockLedger.signedQuantity(.transferOut, quantity: quantity, balance: balance, item: item.name, unit: item.unit)
            } catch let error as StockError {
                throw ValidationFailure(errors: [FieldError(field: "quantity", message: error.message)])
            }
            // The same item at the destination, matched by name; created when missing.
            let destination: FoodItem
            if let existing = try await FoodItem.query(on: db).filter(\.$orgUnit.$id == target.requireID())
                .filter(\.$nameKey == item.nameKey).first() {
                destination = existing
            } else {
                destination = FoodItem()
                destination.$orgUnit.id = try target.requireID()
                destination.scope = target.path
                destination.name = item.name
                destination.nameKey = item.nameKey
                destination.unit = item.unit
                destination.lowThreshold = 0
                try await destination.create(on: db)
            }
            let transferID = UUID()
            var halves: [StockEntry] = []
            for (side, kind, signedQuantity, other) in [(item, StockMovementKind.transferOut, signed, target),
                                                        (destination, .transferIn, quantity, source)] {
                let half = try entry(side, kind: kind, quantity: signedQuantity, onDate: day, user: user)
                half.transferID = transferID
                half.counterpartUnitID = other.id
                half.counterparty = labels.displayName(of: other)
                half.note = note
                try await half.create(on: db)
                halves.append(half)
            }
            let (out, incoming) = (halves[0], halves[1])
            try await req.audit.record("food.transfer", entity: "stock_entry", id: out.id?.uuidString, scope: item.scope,
                                       detail: "\(item.name) \(quantity) \(item.unit) → \(target.path)", on: db)
            return (out, incoming)
        }
    }

    /// Undoes an entry with its exact opposite (both halves of a transfer together).
    func reverse(_ entryID: UUID?, reason raw: String?) async throws -> [StockEntry] {
        let user = try req.requireUser()
        guard let entryID, let original = try await StockEntry.query(on: req.db).filter(\.$id == entryID).with(\.$item).first() else {
            throw Abort(.notFound, reason: "Catatan stok tidak ditemukan.")
        }
        try req.foodBankPolicy.requireManage(OrgPath(rawValue: original.scope))
        var errors = FormErrors()
        let reason = errors.required(raw, field: "reason", label: "Alasan koreksi", max: 300)
        try errors.throwIfAny()
        let originals: [StockEntry]
        if let transferID = original.transferID {
            originals = try await StockEntry.query(on: req.db).filter(\.$transferID == transferID).with(\.$item).all()
        } else {
            originals = [original]
        }
        return try await Self.ledgerTransaction(on: req.db) { db -> [StockEntry] in
            var made: [StockEntry] = []
            for o in originals {
                let itemID = o.$item.id
                try await Self.lock(itemID, on: db)
                let balance = try await Self.balance(itemID, on: db)
                let already = try await StockEntry.query(on: db).filter(\.$reversesID == o.requireID()).first() != nil
                let opposite: Int
                do {
                    opposite = try StockLedger.reversal(of: o.kind, signedQuantity: o.quantity, alreadyReversed: already,
                                                        balance: balance, item: o.item.name, unit: o.item.unit)
                } catch let error as StockError {
                    throw ValidationFailure(errors: [FieldError(field: "reason", message: error.message)])
                }
                let r = try entry(o.item, kind: .reversal, quantity: opposite, onDate: CivilDate(Date()), user: user)
                r.reversesID = o.id
                r.counterparty = o.counterparty
                r.regionCode = o.regionCode
                r.note = "Koreksi: \(reason)"
                try await r.create(on: db)
                made.append(r)
                try await req.audit.record("food.reverse", entity: "stock_entry", id: o.id?.uuidString, scope: o.scope, detail: reason, on: db)
            }
            return made
        }
    }

    /// Distributions per kelurahan and item within `office`'s subtree, reversed ones left out.
    func distributions(in office: OrgUnit, from: CivilDate, to: CivilDate) async throws -> [DistributionRow] {
        let sql = req.db as! any SQLDatabase
        let match = SubtreeMatch(office.orgPath, on: req.db)
        let rows = try await sql.raw("""
            SELECT e.region_code AS region_code, r.name AS region_name, i.name AS item, i.unit AS unit,
                   CAST(SUM(-e.quantity) AS BIGINT) AS quantity, COUNT(*) AS distributions,
                   COUNT(DISTINCT COALESCE(CAST(e.person_id AS TEXT), e.counterparty)) AS households
            FROM stock_entries e JOIN food_items i ON i.id = e.item_id JOIN regions r ON r.code = e.region_code
            WHERE \(match.sql("e.scope")) AND e.kind = 'distributionOut'
              AND e.on_date >= \(bind: from.iso8601) AND e.on_date <= \(bind: to.iso8601)
              AND NOT EXISTS (SELECT 1 FROM stock_entries x WHERE x.reverses_id = e.id)
            GROUP BY e.region_code, r.name, i.name, i.unit
            ORDER BY e.region_code, i.name
            """).all()
        return try rows.map {
            DistributionRow(regionCode: try $0.decode(column: "region_code", as: String.self),
                            regionName: try $0.decode(column: "region_name", as: String.self),
                            item: try $0.decode(column: "item", as: String.self), unit: try $0.decode(column: "unit", as: String.self),
                            quantity: try $0.decode(column: "quantity", as: Int.self),
                            distributions: try $0.decode(column: "distributions", as: Int.self),
                            households: try $0.decode(column: "households", as: Int.self))
        }
    }
}
