import Fluent
import Vapor

/// Refuses sign-in after too many failures for one username (or, four times as many, from
/// one address) within the window. Kept in the database so every app server agrees.
struct LoginThrottle {
    let request: Request

    func check(username: String) async throws {
        let settings = request.application.settings
        let since = Date().addingTimeInterval(-settings.loginWindow)
        let byUser = try await LoginAttempt.query(on: request.db)
            .filter(\.$username == username).filter(\.$succeeded == false).filter(\.$at >= since).count()
        let byAddress = try await LoginAttempt.query(on: request.db)
            .filter(\.$address == request.clientAddress).filter(\.$succeeded == false).filter(\.$at >= since).count()
        if byUser >= settings.loginFailureLimit || byAddress >= settings.loginFailureLimit * 4 {
            let minutes = Int(settings.loginWindow / 60)
            throw Abort(.tooManyRequests, reason: "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam \(minutes) menit.")
        }
    }

    func record(username: String, succeeded: Bool) async throws {
        if succeeded {
            // A success clears that username's failures, so an honest typo never piles up.
            try await LoginAttempt.query(on: request.db).filter(\.$username == username).filter(\.$succeeded == false).delete()
        }
        try await LoginAttempt(username: username, address: request.clientAddress, succeeded: succeeded).create(on: request.db)
        SimpulMetrics.loginAttempt(success: succeeded)
    }

    /// Checks throttle and password; returns the user or throws a message that does not tell
    /// whether the username exists.
    func authenticate(username rawName: String, password: String) async throws -> User {
        let username = rawName.trimmingCharacters(in: .whitespaces).lowercased()
        try await check(username: username)
        let user = try await User.query(on: request.db).filter(\.$username == username).first()
        // Verify against a real hash even for unknown names so timing does not reveal them.
        let hash = user?.passwordHash ?? LoginThrottle.dummyHash
        let ok = (try? await request.password.async.verify(password, created: hash)) ?? false
        guard let user, ok, user.active else {
            try await record(username: username, succeeded: false)
            try await request.audit.record("login.failure", entity: "user", id: username, scope: "", detail: "")
            throw Abort(.unauthorized, reason: "Nama pengguna atau kata sandi salah.")
        }
        try await record(username: username, succeeded: true)
        user.lastLoginAt = Date()
        try await user.save(on: request.db)
        return user
    }

    /// A real bcrypt hash of a random secret, made once.
    private static let dummyHash: String = (try? Bcrypt.hash(UUID().uuidString, cost: 12)) ?? ""
}
