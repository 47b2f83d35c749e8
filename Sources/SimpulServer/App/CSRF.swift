import Crypto
import Foundation
import Vapor

/// Synchroniser-token CSRF protection for the web pages: every session carries a random
/// token, every form sends it back in `_csrf` (or the X-CSRF-Token header), and any
/// state-changing request without the right token is refused. The JSON API uses bearer
/// tokens, not cookies, so it is not exposed to CSRF and does not pass through here.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let sessionKey = "csrf"
    static let maxUpload = 256 * 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let token: String
        if let existing = request.session.data[Self.sessionKey] {
            token = existing
        } else {
            token = Hex.encode([UInt8].random(count: 32))
            request.session.data[Self.sessionKey] = token
        }
        request.storage[CSRFTokenKey.self] = token
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            // Uploads stream by default; the token is inside the multipart body.
            if request.body.data == nil, request.headers.contentType?.type == "multipart" {
                _ = try await request.body.collect(max: Self.maxUpload).get()
            }
            let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: Self.field))
            guard let sent, Self.constantTimeEqual(sent, token) else {
                throw Abort(.forbidden, reason: "Formulir kedaluwarsa atau tidak sah (token keamanan tidak cocok). Muat ulang halaman lalu kirim lagi.")
            }
        }
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

struct CSRFTokenKey: StorageKey { typealias Value = String }

extension Request {
    var csrfToken: String { storage[CSRFTokenKey.self] ?? "" }
}
