import Fluent
import SimpulCore
import Vapor

/// Finds the member behind what a check-in desk scanned or typed: the e-KTA's QR (a URL
/// ending in `/kta/<code>`), the bare 10-character verify code, or the KTA number printed on
/// the card. Used by trainings and events so every check-in reads cards the same way.
enum MemberCheckIn {
    struct Found: Sendable {
        let membership: Membership
        let personID: UUID
        let fullName: String
        let number: String
        /// Org path of the member's unit (for scope checks by the caller).
        let scope: String
        let active: Bool
    }

    /// What the scanned text is, before touching the database.
    enum Scanned: Equatable, Sendable {
        case verifyCode(String)
        case memberNumber(String)
        case unreadable
    }

    static func classify(_ raw: String) -> Scanned {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let range = text.range(of: "/kta/", options: [.caseInsensitive, .backwards]) {
            text = String(text[range.upperBound...])
            if let end = text.firstIndex(where: { $0 == "?" || $0 == "#" || $0 == "/" }) { text = String(text[..<end]) }
            let code = text.uppercased().filter { $0.isLetter || $0.isNumber }
            return code.count == 10 ? .verifyCode(code) : .unreadable
        }
        let compact = text.filter { !$0.isWhitespace }
        if !compact.isEmpty, compact.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) {
            // A typo in the number is caught by its check digit, not by a failed lookup.
            guard let number = try? MemberNumber(parsing: compact) else { return .unreadable }
            return .memberNumber(number.formatted)
        }
        let code = compact.uppercased().filter { $0.isLetter || $0.isNumber }
        return code.count == 10 && compact.count == 10 ? .verifyCode(code) : .unreadable
    }

    /// The membership for a scan, or nil when no card matches. Inactive members are returned
    /// with `active == false` so the desk can say why instead of "not found".
    static func find(_ raw: String, on db: any Database) async throws -> Found? {
        let query = Membership.query(on: db).with(\.$person)
        switch classify(raw) {
        case .unreadable: return nil
        case .verifyCode(let code): query.filter(\.$verifyCode == code)
        case .memberNumber(let number): query.filter(\.$number == number)
        }
        guard let m = try await query.first(), let number = m.number else { return nil }
        return Found(membership: m, personID: m.person.id!, fullName: m.person.fullName, number: number,
                     scope: m.scope, active: m.status == .active && (m.validUntil ?? "") >= CivilDate(Date()).iso8601)
    }
}
