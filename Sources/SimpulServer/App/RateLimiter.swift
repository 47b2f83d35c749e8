import Fluent
import SQLKit
import Vapor

/// Fixed-window counters in the database, shared by every app server: public forms allow
/// so many submissions per address per window.
struct RateLimiter {
    let request: Request

    /// Counts one hit for `key`; throws 429 with an Indonesian message past `limit`.
    func hit(_ key: String, limit: Int, window: TimeInterval) async throws {
        let sql = request.db as! any SQLDatabase
        let now = Date().timeIntervalSince1970
        let windowStart = (now / window).rounded(.down) * window
        let row = try await sql.raw("""
            INSERT INTO rate_buckets (bucket, window_start, hits) VALUES (\(bind: key), \(bind: windowStart), 1)
            ON CONFLICT (bucket) DO UPDATE SET
              hits = CASE WHEN rate_buckets.window_start = excluded.window_start THEN rate_buckets.hits + 1 ELSE 1 END,
              window_start = excluded.window_start
            RETURNING hits
            """).first()
        let hits = try row?.decode(column: "hits", as: Int.self) ?? 1
        if hits > limit {
            let minutes = Int(((windowStart + window - now) / 60).rounded(.up))
            throw Abort(.tooManyRequests, reason: "Terlalu banyak pengiriman dari alamat Anda. Coba lagi dalam \(max(1, minutes)) menit.")
        }
    }
}

extension Request {
    var rateLimiter: RateLimiter { RateLimiter(request: self) }
}

struct CreateRateLimits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("rate_buckets")
            .field("bucket", .string, .identifier(auto: false))
            .field("window_start", .double, .required)
            .field("hits", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("rate_buckets").delete()
    }
}

/// Spam resistance without third-party captchas: a hidden field people never fill, and a
/// signed render time so a form posted faster than a person can type is refused.
enum FormGuard {
    static let honeypotField = "website"
    static let stampField = "formStamp"

    static func stamp(vault: PersonalDataVault, now: Date = Date()) -> String {
        let t = String(Int(now.timeIntervalSince1970))
        return t + "." + vault.blindIndex(t, purpose: "form-stamp").prefix(16)
    }

    /// True when the submission looks human: honeypot empty, stamp genuine, old enough, fresh.
    static func looksHuman(honeypot: String?, stamp: String?, vault: PersonalDataVault, minimumSeconds: TimeInterval, now: Date = Date()) -> Bool {
        guard (honeypot ?? "").isEmpty, let stamp else { return false }
        let parts = stamp.split(separator: ".")
        guard parts.count == 2, let t = TimeInterval(parts[0]),
              vault.blindIndex(String(parts[0]), purpose: "form-stamp").prefix(16) == parts[1] else { return false }
        let age = now.timeIntervalSince1970 - t
        return age >= minimumSeconds && age <= 24 * 3600
    }
}
