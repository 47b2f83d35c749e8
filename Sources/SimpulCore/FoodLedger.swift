import Foundation

/// Lumbung pangan: stock is never stored, it is the sum of an append-only ledger.
/// Every movement is one entry with a signed quantity (in: positive, out: negative);
/// a mistake is corrected by a reversing entry, never by editing or deleting.

public enum StockMovementKind: String, Codable, CaseIterable, Sendable {
    /// Donasi masuk (from a person, a company, a campaign).
    case donationIn
    /// Pembelian (bought, e.g. from campaign funds).
    case purchaseIn
    /// Diterima dari kantor lain.
    case transferIn
    /// Disalurkan ke rumah tangga / penerima manfaat.
    case distributionOut
    /// Dikirim ke kantor lain.
    case transferOut
    /// Koreksi: the exact opposite of an earlier entry.
    case reversal

    public var label: String {
        switch self {
        case .donationIn: return "Donasi masuk"
        case .purchaseIn: return "Pembelian"
        case .transferIn: return "Terima dari kantor lain"
        case .distributionOut: return "Penyaluran"
        case .transferOut: return "Kirim ke kantor lain"
        case .reversal: return "Koreksi (pembalik)"
        }
    }

    /// +1 for stock coming in, -1 for stock going out; 0 for a reversal, whose sign is
    /// the opposite of the entry it reverses.
    public var sign: Int {
        switch self {
        case .donationIn, .purchaseIn, .transferIn: return 1
        case .distributionOut, .transferOut: return -1
        case .reversal: return 0
        }
    }

    /// Movements an official records directly (transfers come in pairs, reversals from an entry).
    public static let recordable: [StockMovementKind] = [.donationIn, .purchaseIn, .distributionOut]
}

public enum StockError: Error, Equatable, Sendable {
    case nonPositiveQuantity
    case tooLarge
    case insufficient(item: String, unit: String, available: Int, requested: Int)
    case alreadyReversed
    case reversalOfReversal
    case reversalWouldGoNegative(item: String, unit: String, available: Int, needed: Int)

    public var message: String {
        switch self {
        case .nonPositiveQuantity: return "Jumlah harus bilangan bulat lebih dari 0."
        case .tooLarge: return "Jumlah terlalu besar (maksimal 1.000.000 per catatan)."
        case let .insufficient(item, unit, available, requested):
            return "Stok \(item) tidak cukup: tersedia \(available) \(unit), diminta \(requested) \(unit)."
        case .alreadyReversed: return "Catatan ini sudah dikoreksi sebelumnya."
        case .reversalOfReversal: return "Catatan koreksi tidak dapat dikoreksi lagi; catat transaksi baru bila perlu."
        case let .reversalWouldGoNegative(item, unit, available, needed):
            return "Koreksi ditolak: stok \(item) tinggal \(available) \(unit), padahal koreksi mengurangi \(needed) \(unit)."
        }
    }
}

public enum StockLedger {
    public static let maximumQuantity = 1_000_000

    /// Current stock: the sum of the signed quantities.
    public static func balance<S: Sequence>(_ signedQuantities: S) -> Int where S.Element == Int {
        signedQuantities.reduce(0, +)
    }

    /// The signed quantity of a new movement of `kind`, after checking it: positive,
    /// bounded, and — for stock going out — no more than is in stock.
    public static func signedQuantity(_ kind: StockMovementKind, quantity: Int, balance: Int,
                                      item: String, unit: String) throws(StockError) -> Int {
        guard quantity > 0 else { throw .nonPositiveQuantity }
        guard quantity <= maximumQuantity else { throw .tooLarge }
        if kind.sign < 0 && quantity > balance {
            throw .insufficient(item: item, unit: unit, available: max(0, balance), requested: quantity)
        }
        return kind.sign * quantity
    }

    /// The signed quantity that reverses an entry; refused for a reversal, for an entry
    /// reversed already, and when taking back an incoming entry would leave stock below 0.
    public static func reversal(of kind: StockMovementKind, signedQuantity: Int, alreadyReversed: Bool,
                                balance: Int, item: String, unit: String) throws(StockError) -> Int {
        guard kind != .reversal else { throw .reversalOfReversal }
        guard !alreadyReversed else { throw .alreadyReversed }
        let opposite = -signedQuantity
        if balance + opposite < 0 {
            throw .reversalWouldGoNegative(item: item, unit: unit, available: balance, needed: -opposite)
        }
        return opposite
    }

    /// Low-stock alert: at or below the item's threshold (a threshold of 0 alerts when empty).
    public static func isLow(balance: Int, threshold: Int) -> Bool { balance <= threshold }
}

/// Rupiah amounts: whole rupiah as Int64, never floating point.
public enum Rupiah {
    /// "Rp 500.000.000"
    public static func format(_ amount: Int64) -> String {
        (amount < 0 ? "-Rp " : "Rp ") + IndonesianNumber.grouped(amount.magnitude)
    }

    /// Reads what people type: "500000", "500.000", "Rp 500.000", "Rp500.000,-". Decimal
    /// commas with cents are refused (rupiah have no cents in practice). Nil when not an
    /// amount of at least 1 and at most 1 trillion.
    public static func parse(_ raw: String) -> Int64? {
        var text = raw.trimmingCharacters(in: .whitespaces).uppercased()
        if text.hasPrefix("RP") { text.removeFirst(2) }
        if text.hasSuffix(",-") { text.removeLast(2) }
        if text.hasSuffix(",00") { text.removeLast(3) }
        let kept = text.filter { !($0 == "." || $0 == " ") }
        guard !kept.isEmpty, kept.allSatisfy(\.isASCIIDigit), kept.count <= 13, let value = Int64(kept),
              value >= 1, value <= 1_000_000_000_000 else { return nil }
        return value
    }

    /// Progress towards a target in whole percent, rounded down, capped at 999.
    public static func percent(_ part: Int64, of whole: Int64) -> Int {
        guard whole > 0, part > 0 else { return 0 }
        return Int(min(999, part.multipliedReportingOverflow(by: 100).partialValue / whole))
    }
}

/// Whole numbers as Indonesians write them: "2.000", "1.250.000".
public enum IndonesianNumber {
    public static func grouped<N: BinaryInteger>(_ n: N) -> String {
        let digits = String(n.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (n < 0 ? "-" : "") + groups.joined(separator: ".")
    }
}
