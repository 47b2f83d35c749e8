import Fluent
import FluentPostgresDriver
import Foundation
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// Runs `body` against a fresh, bootstrapped Simpul: a private in-memory SQLite database,
/// or — when SIMPUL_TEST_DATABASE_URL (or DATABASE_URL) names a PostgreSQL server — a
/// fresh database created on it for this test and dropped afterwards. `sqliteFile` makes it
/// a SQLite file whatever the environment says (for SQLite-only code such as LoopLocalSQLite).
func withSimpul(sqliteFile: String? = nil, _ body: (Application) async throws -> Void) async throws {
    var settings = AppSettings(storage: sqliteFile.map { .sqliteFile($0) } ?? .sqliteMemory, announceFirstAdmin: false, bcryptCost: 4)
    settings.formMinimumSeconds = 0
    // Uploaded import files go under the data directory: a private one, not ./data of the checkout.
    let scratchDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-test-\(UUID().uuidString)").path
    settings.dataDirectory = scratchDirectory
    defer { try? FileManager.default.removeItem(atPath: scratchDirectory) }
    if let sqliteFile {
        settings.dataDirectory = URL(fileURLWithPath: sqliteFile).deletingLastPathComponent().path
        settings.dataKeyBase64 = Data([UInt8].random(count: 32)).base64EncodedString()
    }
    var scratchDatabase: (base: String, name: String)?
    if sqliteFile == nil, let base = TestDatabase.postgresURL {
        let name = "simpul_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await TestDatabase.execute("CREATE DATABASE \(name)", on: base)
        scratchDatabase = (base, name)
        settings.storage = .postgres(TestDatabase.url(base, database: name))
        settings.dataKeyBase64 = Data([UInt8].random(count: 32)).base64EncodedString()
    }
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, settings: settings)
        try await body(app)
    } catch {
        try? await app.asyncShutdown()
        if let scratchDatabase { try? await TestDatabase.execute("DROP DATABASE \(scratchDatabase.name)", on: scratchDatabase.base) }
        throw error
    }
    try await app.asyncShutdown()
    if let scratchDatabase { try await TestDatabase.execute("DROP DATABASE \(scratchDatabase.name) WITH (FORCE)", on: scratchDatabase.base) }
}

enum TestDatabase {
    static var postgresURL: String? {
        let env = ProcessInfo.processInfo.environment
        let url = env["SIMPUL_TEST_DATABASE_URL"] ?? env["DATABASE_URL"]
        guard let url, url.hasPrefix("postgres") else { return nil }
        return url
    }

    static var isPostgres: Bool { postgresURL != nil }

    /// The same server URL with another database name.
    static func url(_ base: String, database: String) -> String {
        var components = URLComponents(string: base)!
        components.path = "/" + database
        return components.string!
    }

    /// Runs one statement outside any test database (CREATE/DROP DATABASE).
    static func execute(_ statement: String, on base: String) async throws {
        let admin = try await Application.make(.testing)
        admin.logger.logLevel = .warning
        do {
            admin.databases.use(try .postgres(url: url(base, database: "postgres")), as: .psql)
            try await (admin.db as! any SQLDatabase).raw(SQLQueryString(statement)).run()
        } catch {
            try? await admin.asyncShutdown()
            throw error
        }
        try await admin.asyncShutdown()
    }
}

/// Fixtures: units, users with roles, people.
struct Fixtures {
    let app: Application

    func unit(_ regionCode: String?) async throws -> OrgUnit {
        try #require(try await OrgQueries.unit(at: OrgPath(regionCode: regionCode), on: app.db))
    }

    /// A user holding `role` on the unit of `regionCode` (nil = national), with password "rahasia-123".
    @discardableResult
    func user(_ username: String, role: Role, at regionCode: String?) async throws -> User {
        let user = User(username: username, displayName: username.capitalized, passwordHash: try app.password.hash("rahasia-123"))
        try await user.create(on: app.db)
        try await RoleGrant(userID: user.requireID(), role: role, unit: try await unit(regionCode), grantedBy: nil).create(on: app.db)
        return user
    }

    /// Bearer token for a fixture user through the real token endpoint.
    func token(_ username: String) async throws -> String {
        var token = ""
        try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
            try req.content.encode(["username": username, "password": "rahasia-123"])
        }, afterResponse: { res in
            #expect(res.status == .created)
            token = try res.content.get(String.self, at: "token")
        })
        return token
    }

    /// An active membership of `person` in its kelurahan, with the next KTA number there.
    @discardableResult
    func activeMembership(of person: Person) async throws -> Membership {
        let m = Membership()
        m.$person.id = try person.requireID()
        m.$orgUnit.id = try await unit(person.regionCode).requireID()
        m.scope = person.scope
        m.status = .active
        m.channel = .staff
        m.number = try await MembershipService.nextNumber(for: person.regionCode, on: app.db).formatted
        m.registeredAt = Date()
        try await m.create(on: app.db)
        return m
    }

    /// A person in kelurahan `regionCode`, created directly (bypassing permissions).
    @discardableResult
    func person(_ name: String, in regionCode: String, nik: String? = nil, phone: String? = nil) async throws -> Person {
        let unit = try await unit(regionCode)
        let person = Person()
        person.fullName = name
        person.nameSearch = name.lowercased()
        if let nik {
            person.nikCipher = try app.vault.encrypt(nik)
            person.nikIndex = app.vault.blindIndex(nik, purpose: "nik")
            person.nikMasked = NIK.mask(nik)
        }
        if let phone {
            person.phoneCipher = try app.vault.encrypt(phone)
            person.phoneIndex = app.vault.blindIndex(phone, purpose: "phone")
            person.phoneMasked = IndonesianPhone.mask(phone)
        }
        person.regionCode = regionCode
        person.$orgUnit.id = try unit.requireID()
        person.scope = unit.path
        try await person.create(on: app.db)
        try await person.indexName(on: app.db)
        return person
    }
}

extension HTTPHeaders {
    static func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }
}

/// A browser-like client for the pages: keeps the session cookie and the CSRF token.
final class WebClient: @unchecked Sendable {
    let app: Application
    var cookie: String?
    var csrf: String?

    init(app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        let res = try await app.testing().sendRequest(.GET, path, headers: headers())
        absorb(res)
        return res
    }

    @discardableResult
    func post(_ path: String, form: [String: String], withCSRF: Bool = true) async throws -> TestingHTTPResponse {
        var fields = form
        if withCSRF, let csrf { fields["_csrf"] = csrf }
        let res = try await app.testing().sendRequest(.POST, path, headers: headers(), beforeRequest: { req in
            try req.content.encode(fields, as: .urlEncodedForm)
        })
        absorb(res)
        return res
    }

    /// A multipart form with one file, as a browser uploads it.
    @discardableResult
    func postMultipart(_ path: String, fields: [String: String], file: (field: String, name: String, content: String)) async throws -> TestingHTTPResponse {
        try await postMultipart(path, fields: fields, file: (file.field, file.name, Array(file.content.utf8)))
    }

    /// A multipart form with one file of raw bytes, as a browser uploads it.
    @discardableResult
    func postMultipart(_ path: String, fields: [String: String], file: (field: String, name: String, bytes: [UInt8])) async throws -> TestingHTTPResponse {
        let boundary = "simpul-\(UUID().uuidString)"
        var body = ByteBuffer()
        var all = fields
        if let csrf { all["_csrf"] = csrf }
        for (k, v) in all { body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n") }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file.bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var h = headers()
        h.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let res = try await app.testing().sendRequest(.POST, path, headers: h, body: body)
        absorb(res)
        return res
    }

    /// Signs in through the real login form.
    @discardableResult
    func login(_ username: String, password: String = "rahasia-123") async throws -> TestingHTTPResponse {
        try await get("/login")
        return try await post("/login", form: ["username": username, "password": password])
    }

    private func headers() -> HTTPHeaders {
        var h = HTTPHeaders()
        if let cookie { h.add(name: .cookie, value: cookie) }
        return h
    }

    private func absorb(_ res: TestingHTTPResponse) {
        for value in res.headers[.setCookie] where value.hasPrefix("simpul_session=") {
            let pair = String(value.split(separator: ";")[0])
            cookie = pair == "simpul_session=" ? nil : pair
        }
        let body = res.body.string
        if let range = body.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            let match = String(body[range])
            csrf = String(match.dropFirst(#"name="_csrf" value=""#.count).dropLast())
        }
    }
}
