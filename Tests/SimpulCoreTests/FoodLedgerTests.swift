import Testing
@testable import SimpulCore

@Suite("Lumbung pangan: buku stok dan rupiah")
struct FoodLedgerTests {
    @Test("stock is the sum of the ledger; outgoing never exceeds it")
    func outgoing() throws {
        let ledger = [100, -30, 25]
        let balance = StockLedger.balance(ledger)
        #expect(balance == 95)
        #expect(try StockLedger.signedQuantity(.distributionOut, quantity: 95, balance: balance, item: "Beras", unit: "kg") == -95)
        #expect(try StockLedger.signedQuantity(.donationIn, quantity: 5, balance: 0, item: "Beras", unit: "kg") == 5)
        #expect(throws: StockError.insufficient(item: "Beras", unit: "kg", available: 95, requested: 96)) {
            try StockLedger.signedQuantity(.transferOut, quantity: 96, balance: balance, item: "Beras", unit: "kg")
        }
        #expect(throws: StockError.nonPositiveQuantity) {
            try StockLedger.signedQuantity(.donationIn, quantity: 0, balance: 0, item: "Beras", unit: "kg")
        }
        #expect(throws: StockError.tooLarge) {
            try StockLedger.signedQuantity(.purchaseIn, quantity: 1_000_001, balance: 0, item: "Beras", unit: "kg")
        }
        #expect(StockError.insufficient(item: "Beras", unit: "kg", available: 2, requested: 5).message
                == "Stok Beras tidak cukup: tersedia 2 kg, diminta 5 kg.")
    }

    @Test("a reversal is the exact opposite, once, and cannot drive stock below zero")
    func reversals() throws {
        #expect(try StockLedger.reversal(of: .distributionOut, signedQuantity: -10, alreadyReversed: false, balance: 0, item: "Minyak", unit: "liter") == 10)
        #expect(try StockLedger.reversal(of: .donationIn, signedQuantity: 10, alreadyReversed: false, balance: 10, item: "Minyak", unit: "liter") == -10)
        #expect(throws: StockError.reversalWouldGoNegative(item: "Minyak", unit: "liter", available: 4, needed: 10)) {
            try StockLedger.reversal(of: .donationIn, signedQuantity: 10, alreadyReversed: false, balance: 4, item: "Minyak", unit: "liter")
        }
        #expect(throws: StockError.alreadyReversed) {
            try StockLedger.reversal(of: .donationIn, signedQuantity: 10, alreadyReversed: true, balance: 40, item: "Minyak", unit: "liter")
        }
        #expect(throws: StockError.reversalOfReversal) {
            try StockLedger.reversal(of: .reversal, signedQuantity: -10, alreadyReversed: false, balance: 40, item: "Minyak", unit: "liter")
        }
        #expect(StockLedger.isLow(balance: 5, threshold: 5))
        #expect(!StockLedger.isLow(balance: 6, threshold: 5))
        #expect(StockLedger.isLow(balance: 0, threshold: 0))
    }

    @Test("rupiah: formatting and lenient parsing, integers only")
    func rupiah() {
        #expect(Rupiah.format(500_000_000) == "Rp 500.000.000")
        #expect(Rupiah.format(0) == "Rp 0")
        #expect(Rupiah.format(999) == "Rp 999")
        #expect(Rupiah.format(1_000) == "Rp 1.000")
        #expect(Rupiah.format(-25_000) == "-Rp 25.000")
        #expect(IndonesianNumber.grouped(1_188) == "1.188" && IndonesianNumber.grouped(2_000) == "2.000")
        #expect(IndonesianNumber.grouped(0) == "0" && IndonesianNumber.grouped(-1_234_567) == "-1.234.567")
        #expect(IndonesianNumber.grouped(Int64.min) == "-9.223.372.036.854.775.808")
        #expect(Rupiah.parse("500000") == 500_000)
        #expect(Rupiah.parse("Rp 500.000") == 500_000)
        #expect(Rupiah.parse("rp500.000,-") == 500_000)
        #expect(Rupiah.parse("1.250.000,00") == 1_250_000)
        #expect(Rupiah.parse("12,5") == nil)
        #expect(Rupiah.parse("0") == nil)
        #expect(Rupiah.parse("-5") == nil)
        #expect(Rupiah.parse("") == nil)
        #expect(Rupiah.parse("99999999999999") == nil)
        #expect(Rupiah.percent(125_000_000, of: 500_000_000) == 25)
        #expect(Rupiah.percent(1, of: 3) == 33)
        #expect(Rupiah.percent(1, of: 300) == 0)
        #expect(Rupiah.percent(5, of: 0) == 0)
        #expect(Rupiah.percent(10_000, of: 1) == 999)
    }
}

@Suite("Kampanye donasi: total dan pengeluaran")
struct CampaignLedgerTests {
    @Test("totals from pledges, receipts and spending; spending never exceeds the balance")
    func totals() throws {
        let t = CampaignTotals(target: 500_000_000, donations: [(.pledge, 100_000_000), (.receipt, 60_000_000), (.receipt, 65_000_000)],
                               spending: [25_000_000])
        #expect(t.pledged == 100_000_000 && t.received == 125_000_000 && t.spent == 25_000_000)
        #expect(t.balance == 100_000_000)
        #expect(t.percentOfTarget == 25)
        #expect(t.remaining == 375_000_000)
        try t.checkSpending(100_000_000)
        #expect(throws: CampaignError.overspend(balance: 100_000_000, requested: 100_000_001)) { try t.checkSpending(100_000_001) }
        #expect(throws: CampaignError.nonPositive) { try t.checkSpending(0) }
        #expect(CampaignError.overspend(balance: 5_000, requested: 7_500).message == "Pengeluaran Rp 7.500 melebihi saldo kampanye Rp 5.000.")
        #expect(CampaignTotals(target: 10, pledged: 0, received: 20, spent: 0).remaining == 0)
    }

    @Test("slugs: lower-case ASCII words joined by hyphens")
    func slugs() {
        #expect(Slug.make("Dana Bencana Banjir Serang 2026") == "dana-bencana-banjir-serang-2026")
        #expect(Slug.make("  Peduli   Gempa — Cianjur! ") == "peduli-gempa-cianjur")
        #expect(Slug.make("!!!") == "kampanye")
        #expect(Slug.make(String(repeating: "a", count: 100)).count == 60)
    }
}
