import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Lumbung pangan: append-only ledger, transfers, reports, scope")
struct FoodBankTests {
    struct World {
        let dpc: String, dpra: String, sibling: String, watch: String
        let curug: OrgUnit, kelurahan: OrgUnit
    }

    func world(_ app: Application) async throws -> World {
        let f = Fixtures(app: app)
        try await f.user("dpc", role: .pengurus, at: "36.73.04")
        try await f.user("dpra", role: .operator, at: "36.73.04.1001")
        try await f.user("sibling", role: .pengurus, at: "36.73.04.1002")
        try await f.user("watch", role: .pengamat, at: "36.73.04")
        return World(dpc: try await f.token("dpc"), dpra: try await f.token("dpra"), sibling: try await f.token("sibling"),
                     watch: try await f.token("watch"), curug: try await f.unit("36.73.04"), kelurahan: try await f.unit("36.73.04.1001"))
    }

    func post(_ app: Application, _ path: String, _ token: String, _ body: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/food/\(path)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    func item(_ app: Application, _ token: String, unit: OrgUnit, name: String = "Beras", threshold: String = "20") async throws -> UUID {
        let res = try await post(app, "items", token, ["unitID": unit.id!.uuidString, "name": name, "unit": "kg", "lowThreshold": threshold])
        #expect(res.status == .created)
        return try res.content.decode(FoodItemDTO.self).id
    }

    func stock(_ app: Application, _ token: String, _ id: UUID) async throws -> Int {
        try await app.testing().sendRequest(.GET, "/api/v1/food/items/\(id)", headers: .bearer(token)).content.decode(FoodItemDetail.self).item.stock
    }

    @Test("stock is derived from the ledger; distribution never drives it below zero")
    func ledger() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let beras = try await item(app, w.dpc, unit: w.curug)
            #expect(try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "donationIn", "quantity": "100", "counterparty": "Toko Makmur"]).status == .created)
            #expect(try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "purchaseIn", "quantity": "50", "cost": "Rp 650.000"]).status == .created)
            let out = try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "distributionOut", "quantity": "30", "counterparty": "Pak Ujang",
                                                                            "regionCode": "36.73.04.1001", "householdSize": "5"])
            #expect(out.status == .created)
            #expect(try await stock(app, w.dpc, beras) == 120)
            let tooMuch = try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "distributionOut", "quantity": "121", "counterparty": "Bu Eti",
                                                                                 "regionCode": "36.73.04.1001"])
            #expect(tooMuch.status == .unprocessableEntity)
            let errors = try tooMuch.content.get([FieldError].self, at: "fields")
            #expect(errors == [FieldError(field: "quantity", message: "Stok Beras tidak cukup: tersedia 120 kg, diminta 121 kg.")])
            #expect(try await stock(app, w.dpc, beras) == 120)
            // Outside the office's territory, and nonsense input, name their fields.
            let outside = try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "distributionOut", "quantity": "1", "counterparty": "X",
                                                                                 "regionCode": "36.73.05.1001", "nik": "12"])
            #expect(Set(try outside.content.get([FieldError].self, at: "fields").map(\.field)) == ["regionCode", "nik"])
            let bad = try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "donationIn", "quantity": "-5", "onDate": "2999-01-01"])
            #expect(Set(try bad.content.get([FieldError].self, at: "fields").map(\.field)) == ["quantity", "onDate", "counterparty"])
            let purchase = try #require(try await StockEntry.query(on: app.db).filter(\.$kind == .purchaseIn).first())
            #expect(purchase.costRupiah == 650_000)
        }
    }

    @Test("the ledger is append-only: a correction is a reversing entry, once, never below zero")
    func reversals() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let minyak = try await item(app, w.dpc, unit: w.curug, name: "Minyak goreng")
            let donation = try await post(app, "items/\(minyak)/movements", w.dpc, ["kind": "donationIn", "quantity": "40", "counterparty": "Warga"])
            let donationID = try donation.content.decode(StockEntryDTO.self).id
            _ = try await post(app, "items/\(minyak)/movements", w.dpc, ["kind": "distributionOut", "quantity": "35", "counterparty": "Bu Iis",
                                                                       "regionCode": "36.73.04.1002"])
            // Taking back the 40 received would leave -35: refused with the reason.
            let refused = try await post(app, "entries/\(donationID)/reverse", w.dpc, ["reason": "Salah input"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Koreksi ditolak"))
            let distribution = try #require(try await StockEntry.query(on: app.db).filter(\.$kind == .distributionOut).first())
            #expect(try await post(app, "entries/\(distribution.id!)/reverse", w.dpc, [:]).status == .unprocessableEntity)
            let reversed = try await post(app, "entries/\(distribution.id!)/reverse", w.dpc, ["reason": "Penerima ganda"])
            #expect(reversed.status == .created)
            #expect(try await stock(app, w.dpc, minyak) == 40)
            #expect(try await post(app, "entries/\(distribution.id!)/reverse", w.dpc, ["reason": "lagi"]).body.string.contains("sudah dikoreksi"))
            let reversal = try #require(try await StockEntry.query(on: app.db).filter(\.$kind == .reversal).first())
            #expect(try await post(app, "entries/\(reversal.id!)/reverse", w.dpc, ["reason": "x"]).status == .unprocessableEntity)
            // The original rows are untouched and still there.
            let all = try await StockEntry.query(on: app.db).sort(\.$at).all()
            #expect(all.map(\.quantity) == [40, -35, 35])
            #expect(all.last?.reversesID == distribution.id)
            // The database itself refuses to change or delete a ledger row.
            let first = try #require(all.first)
            first.quantity = 1000
            await #expect(throws: (any Error).self) { try await first.update(on: app.db) }
            await #expect(throws: (any Error).self) { try await all[1].delete(on: app.db) }
            #expect(try await StockEntry.query(on: app.db).sort(\.$at).all().map(\.quantity) == [40, -35, 35])
            // No route edits or deletes ledger entries.
            for route in app.routes.all where route.path.contains(.constant("food")) {
                #expect(route.method != .PUT && route.method != .PATCH && route.method != .DELETE)
            }
        }
    }

    @Test("transfers move stock between offices in one step and never exceed what is there")
    func transfers() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let beras = try await item(app, w.dpc, unit: w.curug)
            _ = try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "donationIn", "quantity": "100", "counterparty": "Donatur"])
            let tooMuch = try await post(app, "items/\(beras)/transfers", w.dpc, ["toUnitID": w.kelurahan.id!.uuidString, "quantity": "101"])
            #expect(tooMuch.status == .unprocessableEntity)
            let noTarget = try await post(app, "items/\(beras)/transfers", w.dpc, ["quantity": "10"])
            #expect(try noTarget.content.get([FieldError].self, at: "fields").map(\.field) == ["toUnitID"])
            let sent = try await post(app, "items/\(beras)/transfers", w.dpc, ["toUnitID": w.kelurahan.id!.uuidString, "quantity": "60"])
            #expect(sent.status == .created)
            #expect(try await stock(app, w.dpc, beras) == 40)
            let there = try #require(try await FoodItem.query(on: app.db).filter(\.$orgUnit.$id == w.kelurahan.id!).first())
            #expect(there.name == "Beras" && there.unit == "kg")
            #expect(try await stock(app, w.dpra, there.id!) == 60)
            // A second transfer lands on the same item.
            _ = try await post(app, "items/\(beras)/transfers", w.dpc, ["toUnitID": w.kelurahan.id!.uuidString, "quantity": "10"])
            #expect(try await FoodItem.query(on: app.db).filter(\.$orgUnit.$id == w.kelurahan.id!).count() == 1)
            #expect(try await stock(app, w.dpra, there.id!) == 70)
            // The kelurahan distributes 65, then reversing the first transfer would leave it at -55: refused, nothing written.
            _ = try await post(app, "items/\(there.id!)/movements", w.dpra, ["kind": "distributionOut", "quantity": "65", "counterparty": "Pak Asep",
                                                                           "regionCode": "36.73.04.1001"])
            let first = try #require(try await StockEntry.query(on: app.db).filter(\.$kind == .transferOut).sort(\.$at).first())
            let before = try await StockEntry.query(on: app.db).count()
            #expect(try await post(app, "entries/\(first.id!)/reverse", w.dpc, ["reason": "batal"]).status == .unprocessableEntity)
            #expect(try await StockEntry.query(on: app.db).count() == before)
        }
    }

    @Test("scope: a sibling kelurahan sees no stock (404), a pengamat cannot record (403); low-stock alert; report per kelurahan")
    func scopeAlertsAndReport() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let beras = try await item(app, w.dpra, unit: w.kelurahan, threshold: "10")
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/food/items/\(beras)", headers: .bearer(w.sibling)).status == .notFound)
            #expect(try await post(app, "items/\(beras)/movements", w.sibling, ["kind": "donationIn", "quantity": "1", "counterparty": "x"]).status == .notFound)
            #expect(try await post(app, "items/\(beras)/movements", w.watch, ["kind": "donationIn", "quantity": "1", "counterparty": "x"]).status == .forbidden)
            #expect(try await post(app, "items", w.watch, ["unitID": w.kelurahan.id!.uuidString, "name": "Gula", "unit": "kg"]).status == .forbidden)
            let dup = try await post(app, "items", w.dpra, ["unitID": w.kelurahan.id!.uuidString, "name": "beras", "unit": "kg"])
            #expect(try dup.content.get([FieldError].self, at: "fields").map(\.field) == ["name"])
            _ = try await post(app, "items/\(beras)/movements", w.dpra, ["kind": "donationIn", "quantity": "25", "counterparty": "Masjid Al-Ikhlas"])
            for (name, qty, nik) in [("Pak Ujang", "5", "3673041208850002"), ("Pak Ujang", "3", "3673041208850002"), ("Bu Eti", "4", "")] {
                let res = try await post(app, "items/\(beras)/movements", w.dpra, ["kind": "distributionOut", "quantity": qty, "counterparty": name,
                                                                                 "regionCode": "36.73.04.1001", "nik": nik])
                #expect(res.status == .created)
            }
            let list = try await app.testing().sendRequest(.GET, "/api/v1/food/items?unit=\(w.kelurahan.id!)", headers: .bearer(w.dpc))
            let items = try list.content.decode(FoodBankController.OfficeItems.self).items
            #expect(items.map(\.stock) == [13])
            #expect(items.first?.low == false)
            _ = try await post(app, "items/\(beras)/movements", w.dpra, ["kind": "distributionOut", "quantity": "3", "counterparty": "Bu Eti",
                                                                       "regionCode": "36.73.04.1001"])
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/food/items?unit=\(w.kelurahan.id!)", headers: .bearer(w.dpc))
                .content.decode(FoodBankController.OfficeItems.self).items.first?.low == true)
            // One person record for the NIK, with the distributions on the timeline.
            #expect(try await Person.query(on: app.db).count() == 1)
            let report = try await app.testing().sendRequest(.GET, "/api/v1/food/distributions?unit=\(w.curug.id!)", headers: .bearer(w.dpc))
            let rows = try report.content.decode(FoodBankController.Report.self).rows
            #expect(rows.count == 1)
            #expect(rows.first?.quantity == 15 && rows.first?.distributions == 4 && rows.first?.households == 2)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/food/distributions?unit=\(w.curug.id!)", headers: .bearer(w.sibling)).status == .notFound)
            // Pages render for the office and the item.
            let web = WebClient(app: app)
            _ = try await web.login("dpra")
            #expect(try await web.get("/food").body.string.contains("menipis"))
            let page = try await web.get("/food/items/\(beras)")
            #expect(page.body.string.contains("Buku stok"))
            let refused = try await web.post("/food/items/\(beras)/movements", form: ["kind": "distributionOut", "quantity": "999",
                                                                                      "counterparty": "Bu Eti", "regionCode": "36.73.04.1001"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Stok Beras tidak cukup: tersedia 10 kg, diminta 999 kg."))
        }
    }

    @Test("concurrent distributions cannot together take more than is in stock")
    func concurrentDistributions() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let beras = try await item(app, w.dpc, unit: w.curug)
            _ = try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "donationIn", "quantity": "100", "counterparty": "Donatur"])
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for n in 0..<6 {
                    group.addTask {
                        try await post(app, "items/\(beras)/movements", w.dpc, ["kind": "distributionOut", "quantity": "30",
                                                                               "counterparty": "KK \(n)", "regionCode": "36.73.04.1001"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 3)
            #expect(statuses.filter { $0 == .unprocessableEntity }.count == 3, "\(statuses)")
            #expect(try await stock(app, w.dpc, beras) == 10)
        }
    }
}
