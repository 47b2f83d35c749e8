import Fluent
import NIOConcurrencyHelpers
import SQLKit
import SimpulCore
import Vapor

/// Loads the signed-in user's grants once per request. Module policies read `req.access`.
struct AccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let user = request.auth.get(User.self) {
            // A page session lasts 12 hours from sign-in, whatever the cookie says.
            if request.hasSession {
                let since = Double(request.session.data[AuthController.signedInAtKey] ?? "") ?? 0
                if Date().timeIntervalSince1970 - since > AuthController.sessionLifetime {
                    request.auth.logout(User.self)
                    request.session.destroy()
                    throw Abort(.unauthorized, reason: "Sesi berakhir. Silakan masuk lagi.")
                }
            }
            guard user.active else {
                request.auth.logout(User.self)
                request.session.unauthenticate(User.self)
                throw Abort(.unauthorized, reason: "Akun ini dinonaktifkan.")
            }
            // Bearer requests already carry their grants (APITokenAuthenticator).
            if request.storage[AccessKey.self] == nil {
                let grants = try await RoleGrant.query(on: request.db).filter(\.$user.$id == user.requireID()).all()
                request.storage[AccessKey.self] = AccessScope(grants: grants.map(\.grant))
            }
        }
        return try await next.respond(to: request)
    }
}

struct AccessKey: StorageKey { typealias Value = AccessScope }

extension Request {
    /// What the current user may do where; `.none` for anonymous requests.
    var access: AccessScope { storage[AccessKey.self] ?? .none }

    /// Signed in (401 otherwise, pages redirect to the login form) and holding `permission`
    /// on some unit (403 otherwise): asked before a list is read or a form is validated, so
    /// nobody is told how to fill in a form they may not send.
    @discardableResult
    func requireAnywhere(_ permission: Permission, _ reason: String) throws -> User {
        let user = try requireUser()
        guard access.hasAny(permission) else { throw Abort(.forbidden, reason: reason) }
        return user
    }

    /// The signed-in user, or 401 (pages redirect to the login form).
    func requireUser() throws -> User {
        guard let user = auth.get(User.self) else { throw Abort(.unauthorized, reason: "Silakan masuk terlebih dahulu.") }
        return user
    }
}

/// Authorisation for one module. Each module has its own policy type built on this, so a
/// permission is decided in one place and never in a view or a controller.
protocol ModulePolicy {
    var access: AccessScope { get }
}

extension ModulePolicy {
    /// 404 when the record lies outside everything the user may see (its existence is not
    /// revealed), 403 when it is visible but the action is not allowed.
    func require(_ permission: Permission, at path: OrgPath, visibleWith view: Permission) throws {
        guard access.allows(view, at: path) else { throw Abort(.notFound, reason: "Data tidak ditemukan.") }
        guard access.allows(permission, at: path) else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang melakukan ini di unit tersebut.")
        }
    }

    /// A query filter: `column` starts with one of the subtree roots where `permission` holds.
    /// `broad` (see `SubtreeMatch.broad`) when the subtrees hold most of the table.
    func scopeFilter<M: Model>(_ query: QueryBuilder<M>, column: FieldKey, for permission: Permission, broad: Bool = false) -> QueryBuilder<M> {
        let roots = access.roots(for: permission)
        if roots.isEmpty { return query.filter(.sql(unsafeRaw: "1 = 0")) }
        if roots.contains(.national) { return query }
        return query.group(.or) { group in
            for root in roots {
                SubtreeMatch(root, on: query.database, broad: broad).filter(group, column: column)
            }
        }
    }
}

/// How a page of a list ordered by some indexed column is best read on SQLite, whose
/// planner has no statistics on how much of a table a subtree holds and so always starts
/// from the scope index, then sorts everything it found: 2.7 s for the first page of a
/// million people in one DPD. Reading the sort column's index in order and skipping rows
/// outside the subtree costs about `pageEnd × tableRows / matching` rows instead; that is
/// the better plan when it is fewer than `matching`.
enum ListPagePlan {
    static func readsInSortOrder(matching: Int, tableRows: Int, pageEnd: Int) -> Bool {
        let (cost, overflow) = pageEnd.multipliedReportingOverflow(by: max(tableRows, matching))
        return matching > 5_000 && !overflow && cost < matching * matching
    }

    /// About how many rows `table` has, without counting them (SQLite: the largest rowid;
    /// PostgreSQL: the planner's estimate, 0 before the table was first analysed).
    static func approximateRows(of table: String, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        if sql.dialect.name == "postgresql" {
            let estimate = try await sql.raw("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass(\(bind: table))")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            return max(estimate, 0)
        }
        return try await sql.raw("SELECT COALESCE(MAX(rowid), 0) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// For a list of `matching` rows: whether to filter its scope as `broad` (SQLite only).
    static func broad(matching: Int, table: String, pageEnd: Int, on db: any Database) async throws -> Bool {
        guard matching > 5_000, let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return false }
        return readsInSortOrder(matching: matching, tableRows: try await approximateRows(of: table, on: db), pageEnd: pageEnd)
    }
}

/// "In this subtree" as SQL each database can answer from an index: SQLite's LIKE is
/// case-insensitive and skips the index, its GLOB does not; PostgreSQL has LIKE with
/// pattern-ops indexes (CreatePostgresPatternIndexes). Paths hold only digits and dots,
/// so neither pattern needs escaping.
struct SubtreeMatch {
    let op: String
    let pattern: String
    /// On SQLite, the column is written `+column`, which keeps the planner off the scope
    /// index (see ListPagePlan): for a subtree that holds most of the table.
    let broad: Bool

    init(_ path: OrgPath, on db: any Database, broad: Bool = false) {
        if (db as? any SQLDatabase)?.dialect.name == "sqlite" {
            (op, pattern, self.broad) = ("GLOB", path.rawValue + "*", broad)
        } else {
            (op, pattern, self.broad) = ("LIKE", path.likePattern, false)
        }
    }

    var sqlOperator: DatabaseQuery.Filter.Method { .custom(op) }

    /// Adds `column` in the subtree to `query`.
    @discardableResult
    func filter<M: Model>(_ query: QueryBuilder<M>, column: FieldKey) -> QueryBuilder<M> {
        guard broad else { return query.filter(.path([column], schema: M.schemaOrAlias), sqlOperator, .bind(pattern)) }
        return query.filter(.sql(SQLQueryString("+\(ident: M.schemaOrAlias).\(ident: column.description) \(unsafeRaw: op) \(bind: pattern)")))
    }

    /// `column <op> 'pattern'` for raw SQL.
    func sql(_ column: SQLQueryString) -> SQLQueryString { column + " \(unsafeRaw: op) \(bind: pattern)" }
}

extension QueryBuilder {
    /// Rows whose `column` lies in the subtree at `path`.
    func within<Value: QueryableProperty>(_ field: KeyPath<Model, Value>, _ path: OrgPath, broad: Bool = false) -> QueryBuilder<Model>
    where Value.Value == String, Value.Model == Model {
        SubtreeMatch(path, on: database, broad: broad).filter(self, column: Model.path(for: field)[0])
    }
}

/// Bearer tokens for /api/v1 (only their SHA-256 is stored). A token seen in the last
/// few seconds is answered from memory with its user and grants: a busy client (a witness
/// app on election night) costs no database reads to authenticate. A revoked token, a
/// deactivated user or a changed grant therefore takes effect within `APITokenCache.lifetime`.
struct APITokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        let hash = APIToken.hash(bearer.token)
        let cache = request.application.apiTokenCache
        if let hit = cache.get(hash) {
            request.auth.login(hit.user)
            request.storage[AccessKey.self] = AccessScope(grants: hit.grants)
            return
        }
        guard let token = try await APIToken.query(on: request.db)
            .filter(\.$tokenHash == hash)
            .with(\.$user)
            .first(),
            token.expiresAt > Date(), token.user.active
        else { return }
        // Touch at most once a minute: a write per API call would halve throughput.
        if (token.lastUsedAt ?? .distantPast) < Date().addingTimeInterval(-60) {
            token.lastUsedAt = Date()
            try await token.update(on: request.db)
        }
        let grants = try await RoleGrant.query(on: request.db).filter(\.$user.$id == token.user.requireID()).all().map(\.grant)
        cache.put(hash, user: token.user, grants: grants, expiresAt: token.expiresAt)
        request.auth.login(token.user)
        request.storage[AccessKey.self] = AccessScope(grants: grants)
    }
}

/// Recently seen API tokens (see APITokenAuthenticator).
final class APITokenCache: Sendable {
    static let lifetime: TimeInterval = 10
    static let capacity = 50_000

    struct Entry: Sendable {
        let user: User
        let grants: [Grant]
        let expiresAt: Date
        let cachedAt: Date
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    func get(_ hash: String) -> Entry? {
        let now = Date()
        return entries.withLockedValue { map in
            guard let e = map[hash] else { return nil }
            guard e.cachedAt > now.addingTimeInterval(-Self.lifetime), e.expiresAt > now else {
                map[hash] = nil
                return nil
            }
            return e
        }
    }

    func put(_ hash: String, user: User, grants: [Grant], expiresAt: Date) {
        entries.withLockedValue { map in
            if map.count >= Self.capacity { map.removeAll(keepingCapacity: true) }
            map[hash] = Entry(user: user, grants: grants, expiresAt: expiresAt, cachedAt: Date())
        }
    }

    /// Forget everything (after a password reset, a grant change, a token revocation).
    func clear() { entries.withLockedValue { $0.removeAll() } }
}

extension Application {
    private struct APITokenCacheKey: StorageKey { typealias Value = APITokenCache }

    var apiTokenCache: APITokenCache {
        get { storage[APITokenCacheKey.self]! }
        set { storage[APITokenCacheKey.self] = newValue }
    }
}
