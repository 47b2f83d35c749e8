import Fluent
import SimpulCore
import Vapor

/// Sign-in and sign-out for pages (session cookie) and the API (bearer token).
struct AuthController {
    static let signedInAtKey = "signed_in_at"
    static let sessionLifetime: TimeInterval = 12 * 3600

    struct LoginForm: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    struct LoginPage: Encodable {
        let username: String
        let next: String
        let error: String?
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("login", use: loginPage)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.post("auth", "token", use: issueToken)
    }

    @Sendable func loginPage(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: "/") }
        let next = (try? req.query.get(String.self, at: "next")) ?? "/"
        return try await req.render("login", title: "Masuk", LoginPage(username: "", next: Self.safeNext(next), error: nil))
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let next = Self.safeNext(form.next ?? "/")
        do {
            let user = try await LoginThrottle(request: req).authenticate(username: form.username ?? "", password: form.password ?? "")
            // New session id on sign-in so a planted cookie is worthless (session fixation).
            if let old = req.session.id {
                try await req.application.sessions.driver.deleteSession(old, for: req).get()
                req.session.id = nil
            }
            req.auth.login(user)
            req.session.authenticate(user)
            req.session.data[Self.signedInAtKey] = String(Date().timeIntervalSince1970)
            try await req.audit.record("login.success", entity: "user", id: user.id?.uuidString, scope: "")
            return req.redirect(to: next)
        } catch let abort as Abort where abort.status == .unauthorized || abort.status == .tooManyRequests {
            return try await req.render("login", title: "Masuk",
                                        LoginPage(username: form.username ?? "", next: next, error: abort.reason),
                                        status: abort.status)
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: "/login")
    }

    struct TokenRequest: Content {
        var username: String
        var password: String
        /// Label shown in the token list, e.g. "aplikasi saksi".
        var name: String?
    }

    struct TokenResponse: Content {
        let token: String
        let expiresAt: Date
        let user: UserSummary
    }

    struct UserSummary: Content {
        let id: UUID
        let username: String
        let displayName: String
        let grants: [GrantSummary]
    }

    struct GrantSummary: Content {
        let role: Role
        let orgUnitID: UUID
        let path: String
    }

    @Sendable func issueToken(req: Request) async throws -> Response {
        let body = try req.content.decode(TokenRequest.self)
        let user = try await LoginThrottle(request: req).authenticate(username: body.username, password: body.password)
        let (raw, token) = APIToken.generate(for: try user.requireID(), name: body.name ?? "api", lifetime: 30 * 24 * 3600)
        try await token.create(on: req.db)
        req.auth.login(user)
        try await req.audit.record("token.issue", entity: "user", id: user.id?.uuidString, scope: "", detail: token.name)
        let summary = try await Self.summary(of: user, on: req.db)
        let response = try await TokenResponse(token: raw, expiresAt: token.expiresAt, user: summary).encodeResponse(status: .created, for: req)
        return response
    }

    static func summary(of user: User, on db: any Database) async throws -> UserSummary {
        let grants = try await RoleGrant.query(on: db).filter(\.$user.$id == user.requireID()).all()
        return UserSummary(id: try user.requireID(), username: user.username, displayName: user.displayName,
                           grants: grants.map { GrantSummary(role: $0.role, orgUnitID: $0.$orgUnit.id, path: $0.path) })
    }

    /// Only local paths: never redirect a signed-in user to another site.
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}
