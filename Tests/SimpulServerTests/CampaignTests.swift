import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Donasi: campaigns, receipts, spending, public transparency")
struct CampaignTests {
    func post(_ app: Application, _ path: String, _ token: String, _ body: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/\(path)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    @Test("a province disaster fund: receipts and pledges add up, spending is capped by the balance and linked to a distribution")
    func fund() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpw", role: .pengurus, at: "36")
            let token = try await f.token("dpw")
            let banten = try await f.unit("36")
            let bad = try await post(app, "campaigns", token, ["unitID": banten.id!.uuidString, "target": "lima ratus juta", "endsOn": "2020-01-01",
                                                              "startsOn": "2026-01-01"])
            #expect(Set(try bad.content.get([FieldError].self, at: "fields").map(\.field)) == ["title", "purpose", "target", "endsOn"])
            let created = try await post(app, "campaigns", token, ["unitID": banten.id!.uuidString, "title": "Dana Tanggap Bencana Banten 2026",
                                                                  "purpose": "Bantuan pangan dan logistik korban banjir.", "target": "Rp 500.000.000",
                                                                  "isPublic": "on"])
            #expect(created.status == .created)
            let campaign = try created.content.decode(CampaignDTO.self)
            #expect(campaign.slug == "dana-tanggap-bencana-banten-2026")
            #expect(campaign.totals.target == 500_000_000)
            let id = campaign.id
            _ = try await post(app, "campaigns/\(id)/receipts", token, ["donorName": "H. Sanusi", "amount": "100.000.000", "method": "transfer",
                                                                        "publishName": "on", "phone": "081298765432"])
            _ = try await post(app, "campaigns/\(id)/receipts", token, ["donorName": "Ibu Rahayu Widjaja", "amount": "25000000", "method": "qris"])
            _ = try await post(app, "campaigns/\(id)/pledges", token, ["donorName": "PT Serang Jaya", "amount": "50.000.000"])
            let noMethod = try await post(app, "campaigns/\(id)/receipts", token, ["donorName": "X", "amount": "12,5"])
            #expect(Set(try noMethod.content.get([FieldError].self, at: "fields").map(\.field)) == ["amount", "method"])
            // A distribution from a food bank to link the spending to.
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            let dpc = try await f.token("dpc")
            let item = try await post(app, "food/items", dpc, ["unitID": try await f.unit("36.73.04").id!.uuidString, "name": "Beras", "unit": "kg"])
            let itemID = try item.content.decode(FoodItemDTO.self).id
            let purchase = try await post(app, "food/items/\(itemID)/movements", dpc, ["kind": "purchaseIn", "quantity": "500", "cost": "6.500.000"])
            let entryID = try purchase.content.decode(StockEntryDTO.self).id
            let over = try await post(app, "campaigns/\(id)/spending", token, ["amount": "125.000.001", "purpose": "Logistik"])
            #expect(try over.content.get([FieldError].self, at: "fields")
                    == [FieldError(field: "amount", message: "Pengeluaran Rp 125.000.001 melebihi saldo kampanye Rp 125.000.000.")])
            let spent = try await post(app, "campaigns/\(id)/spending", token, ["amount": "6.500.000", "purpose": "Beras 500 kg untuk korban banjir",
                                                                               "stockEntryID": entryID.uuidString])
            #expect(spent.status == .created)
            let detail = try spent.content.decode(CampaignDetail.self)
            #expect(detail.campaign.totals == CampaignTotals(target: 500_000_000, pledged: 50_000_000, received: 125_000_000, spent: 6_500_000))
            #expect(detail.campaign.percent == 25)
            #expect(detail.spending.first?.linkedStock == "Pembelian 500 kg Beras")

            // The public page: totals and spending; names only with consent; never a phone number.
            let pub = try await app.testing().sendRequest(.GET, "/api/v1/public/campaigns/\(campaign.slug)")
            #expect(pub.status == .ok)
            let view = try pub.content.decode(PublicCampaign.self)
            #expect(view.receivedText == "Rp 125.000.000")
            #expect(Set(view.receipts.map(\.donor)) == ["H. Sanusi", "Hamba Allah"])
            #expect(!pub.body.string.contains("Rahayu") && !pub.body.string.contains("0812") && !pub.body.string.contains("Serang Jaya"))
            let page = try await app.testing().sendRequest(.GET, "/donasi/\(campaign.slug)")
            #expect(page.body.string.contains("Rp 125.000.000"))
            #expect(page.body.string.contains("Pembelian 500 kg Beras"))
            #expect(!page.body.string.contains("Rahayu"))
            #expect(try await app.testing().sendRequest(.GET, "/donasi").body.string.contains("Dana Tanggap Bencana Banten 2026"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "campaign.spending").count() == 1)
            // The officials' page offers the territory's purchases and distributions to link spending to.
            let web = WebClient(app: app)
            _ = try await web.login("dpw")
            let detailPage = try await web.get("/campaigns/\(id)")
            #expect(detailPage.body.string.contains(#"<option value="\#(entryID.uuidString)">"#))
            #expect(detailPage.body.string.contains("Pembelian 500 kg Beras"))
        }
    }

    @Test("scope: a kecamatan sees only its own campaigns; a pengamat cannot record money; private campaigns are not public")
    func scope() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc4", role: .pengurus, at: "36.73.04")
            try await f.user("dpc5", role: .pengurus, at: "36.73.05")
            try await f.user("op", role: .operator, at: "36.73.04")
            let dpc4 = try await f.token("dpc4"), dpc5 = try await f.token("dpc5"), op = try await f.token("op")
            let created = try await post(app, "campaigns", dpc4, ["unitID": try await f.unit("36.73.04").id!.uuidString, "title": "Kas Curug",
                                                                 "purpose": "Internal", "target": "1000000"])
            let c = try created.content.decode(CampaignDTO.self)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/campaigns/\(c.id)", headers: .bearer(dpc5)).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/campaigns", headers: .bearer(dpc5)).content.decode([CampaignDTO].self).isEmpty)
            #expect(try await post(app, "campaigns/\(c.id)/receipts", op, ["donorName": "A", "amount": "5000", "method": "cash"]).status == .forbidden)
            #expect(try await post(app, "campaigns", dpc5, ["unitID": try await f.unit("36.73.04").id!.uuidString, "title": "x", "purpose": "y",
                                                           "target": "1"]).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/public/campaigns/\(c.slug)").status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/public/campaigns").content.decode([CampaignController.PublicSummary].self).isEmpty)
        }
    }
}
