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

    /// The stamp for a form being rendered: on a page sent back with errors, the genuine
    /// stamp it was submitted with (so a person who fixes one field quickly is not taken
    /// for a bot), else a new one.
    static func stamp(for req: Request) -> String {
        if req.method == .POST, let submitted = try? req.content.get(String.self, at: stampField), isGenuine(submitted, vault: req.vault) {
            return submitted
        }
        return stamp(vault: req.vault)
    }

    static func isGenuine(_ stamp: String, vault: PersonalDataVault) -> Bool {
        let parts = stamp.split(separator: ".")
        return parts.count == 2 && TimeInterval(parts[0]) != nil
            && vault.blindIndex(String(parts[0]), purpose: "form-stamp").prefix(16) == parts[1]
    }

    /// True when the submission looks human: honeypot empty, stamp genuine, old enough, fresh.
    static func looksHuman(honeypot: String?, stamp: String?, vault: PersonalDataVault, minimumSeconds: TimeInterval, now: Date = Date()) -> Bool {
        guard (honeypot ?? "").isEmpty, let stamp, isGenuine(stamp, vault: vault),
              let t = TimeInterval(stamp.split(separator: ".")[0]) else { return false }
        let age = now.timeIntervalSince1970 - t
        return age >= minimumSeconds && age <= 24 * 3600
    }
}
