/// Donation campaigns (penggalangan dana): what was promised, what came in, what was
/// spent. Money is whole rupiah in Int64; spending can never exceed what was received.

public enum DonationKind: String, Codable, CaseIterable, Sendable {
    /// Janji donasi: promised, not yet received.
    case pledge
    /// Penerimaan: money received (transfer, cash, QRIS).
    case receipt

    public var label: String { self == .pledge ? "Janji donasi" : "Penerimaan" }
}

public enum PaymentMethod: String, Codable, CaseIterable, Sendable {
    case transfer, cash, qris

    public var label: String {
        switch self {
        case .transfer: return "Transfer bank"
        case .cash: return "Tunai"
        case .qris: return "QRIS"
        }
    }
}

public struct CampaignTotals: Codable, Equatable, Sendable {
    public let target: Int64
    public let pledged: Int64
    public let received: Int64
    public let spent: Int64

    public init(target: Int64, pledged: Int64, received: Int64, spent: Int64) {
        self.target = target
        self.pledged = pledged
        self.received = received
        self.spent = spent
    }

    /// From amounts as stored: donations by kind, spending.
    public init(target: Int64, donations: [(DonationKind, Int64)], spending: [Int64]) {
        self.init(target: target,
                  pledged: donations.filter { $0.0 == .pledge }.reduce(0) { $0 + $1.1 },
                  received: donations.filter { $0.0 == .receipt }.reduce(0) { $0 + $1.1 },
                  spent: spending.reduce(0, +))
    }

    /// Received and not yet spent.
    public var balance: Int64 { received - spent }
    /// Received as a share of the target, whole percent.
    public var percentOfTarget: Int { Rupiah.percent(received, of: target) }
    /// Still to raise to reach the target (0 once reached).
    public var remaining: Int64 { max(0, target - received) }

    /// Checks a new spending entry against the balance.
    public func checkSpending(_ amount: Int64) throws(CampaignError) {
        guard amount > 0 else { throw .nonPositive }
        guard amount <= balance else { throw .overspend(balance: balance, requested: amount) }
    }
}

public enum CampaignError: Error, Equatable, Sendable {
    case nonPositive
    case overspend(balance: Int64, requested: Int64)

    public var message: String {
        switch self {
        case .nonPositive: return "Jumlah harus lebih dari Rp 0."
        case let .overspend(balance, requested):
            return "Pengeluaran \(Rupiah.format(requested)) melebihi saldo kampanye \(Rupiah.format(balance))."
        }
    }
}

/// A public address for a campaign: lower-case words joined by hyphens, ASCII only
/// ("Dana Bencana Banjir Serang 2026" → "dana-bencana-banjir-serang-2026").
public enum Slug {
    public static func make(_ title: String, maxLength: Int = 60) -> String {
        var out = ""
        var pendingHyphen = false
        for scalar in title.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                if pendingHyphen && !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
            if out.count >= maxLength { break }
        }
        return out.isEmpty ? "kampanye" : out
    }
}
