import Fluent
import SimpulCore
import Vapor

/// Managing accounts and their roles: only within the subtree where the manager holds
/// manageUsers, and only administrators may hand out the admin role.
struct UsersPolicy: ModulePolicy {
    let access: AccessScope

    func canGrant(_ role: Role, on unit: OrgUnit) -> Bool {
        access.allows(.manageUsers, at: unit.orgPath) && (role != .admin || access.allows(.grantAdmin, at: unit.orgPath))
    }

    func requireGrant(_ role: Role, on unit: OrgUnit) throws {
        guard canGrant(role, on: unit) else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang memberi peran \(role.label) di unit tersebut.")
        }
    }

    /// A user is manageable when at least one of their grants lies in the manager's subtree.
    func canManage(_ grants: [RoleGrant]) -> Bool {
        grants.contains { access.allows(.manageUsers, at: OrgPath(rawValue: $0.path)) }
    }
}

struct UsersController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("users", use: listPage)
        routes.post("users", use: create)
        routes.post("users", ":userID", "grants", use: grant)
        routes.post("users", ":userID", "grants", ":grantID", "delete", use: revoke)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("me", use: me)
    }

    @Sendable func me(req: Request) async throws -> AuthController.UserSummary {
        try await AuthController.summary(of: req.requireUser(), on: req.db)
    }

    struct GrantRow: Encodable {
        let id: UUID
        let role: String
        let unit: String
        let removable: Bool
    }

    struct UserRow: Encodable {
        let id: UUID
        let username: String
        let displayName: String
        let active: Bool
        let lastLogin: String
        let grants: [GrantRow]
    }

    struct Option: Encodable {
        let value: String
        let label: String
    }

    struct ListPage: Encodable {
        let users: [UserRow]
        let roles: [Option]
        let units: [Option]
        let errors: [String: String]
        let form: NewUserForm
    }

    struct NewUserForm: Content {
        var username: String?
        var displayName: String?
        var password: String?
        var role: String?
        var orgUnitID: String?
    }

    private func policy(_ req: Request) throws -> UsersPolicy {
        try req.requireAnywhere(.manageUsers, "Anda tidak berwenang mengelola pengguna.")
        return UsersPolicy(access: req.access)
    }

    private func renderList(_ req: Request, form: NewUserForm = NewUserForm(), errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let policy = try policy(req)
        let actorID = try req.requireUser().id
        let labels = try await OrgLevelLabels.load(on: req.db)
        let roots = req.access.roots(for: .manageUsers)
        var grantQuery = RoleGrant.query(on: req.db)
        if !roots.contains(.national) {
            grantQuery = grantQuery.group(.or) { g in for r in roots { _ = g.within(\.$path, r) } }
        }
        let userIDs = Set(try await grantQuery.all(\.$user.$id))
        let users = userIDs.isEmpty ? [] : try await User.query(on: req.db).filter(\.$id ~~ Array(userIDs)).with(\.$grants) { $0.with(\.$orgUnit) }.sort(\.$username).all()
        let rows = users.map { u in
            UserRow(id: u.id!, username: u.username, displayName: u.displayName, active: u.active,
                    lastLogin: u.lastLoginAt.map(PeopleController.format) ?? "belum pernah",
                    grants: u.grants.map { g in
                        GrantRow(id: g.id!, role: g.role.label, unit: labels.displayName(of: g.orgUnit),
                                 removable: policy.canGrant(g.role, on: g.orgUnit) && u.id != actorID)
                    })
        }
        // Every unit the manager may grant on; kelurahan units are left out only when there
        // are too many for one list (a national tree), where kecamatan managers grant them.
        var unitQuery = OrgUnit.query(on: req.db)
        if !roots.contains(.national) {
            unitQuery = unitQuery.group(.or) { g in for r in roots { _ = g.within(\.$path, r) } }
        }
        if try await unitQuery.copy().count() > 1500 { unitQuery = unitQuery.filter(\.$level <= 3) }
        let units = try await unitQuery.sort(\.$path).all()
        let unitOptions = units.map { Option(value: $0.id!.uuidString, label: labels.displayName(of: $0)) }
        // Least power first, so the form's default is the safe one.
        let roleOptions = [Role.saksi, .operator, .pengamat, .pengurus, .admin].filter { $0 != .admin || req.access.hasAny(.grantAdmin) }.map { Option(value: $0.rawValue, label: $0.label) }
        return try await req.render("users", title: "Pengguna",
                                    ListPage(users: rows, roles: roleOptions, units: unitOptions, errors: errors, form: form), status: status)
    }

    @Sendable func listPage(req: Request) async throws -> Response { try await renderList(req) }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.requireUser()
        let policy = try policy(req)
        var form = try req.content.decode(NewUserForm.self)
        var errors = FormErrors()
        let username = errors.required(form.username, field: "username", label: "Nama pengguna", max: 40).lowercased()
        if !username.isEmpty && !User.validUsername(username) {
            errors.add("username", "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, minus atau garis bawah.")
        }
        let displayName = errors.required(form.displayName, field: "displayName", label: "Nama tampilan", max: 80)
        let password = form.password ?? ""
        if password.count < 10 { errors.add("password", "Kata sandi minimal 10 karakter.") }
        let role = Role(rawValue: form.role ?? "")
        if role == nil { errors.add("role", "Peran wajib dipilih.") }
        let unit = try await UUID(uuidString: form.orgUnitID ?? "").asyncFlatMap { try await OrgUnit.find($0, on: req.db) }
        if unit == nil { errors.add("orgUnitID", "Unit wajib dipilih.") }
        if !username.isEmpty, try await User.query(on: req.db).filter(\.$username == username).first() != nil {
            errors.add("username", "Nama pengguna \(username) sudah dipakai.")
        }
        guard errors.isEmpty, let role, let unit else {
            form.password = nil
            return try await renderList(req, form: form, errors: errors.byField, status: .unprocessableEntity)
        }
        try policy.requireGrant(role, on: unit)
        let user = User(username: username, displayName: displayName, passwordHash: try await req.password.async.hash(password))
        try await req.db.transaction { db in
            try await user.create(on: db)
            try await RoleGrant(userID: user.requireID(), role: role, unit: unit, grantedBy: actor.id).create(on: db)
            try await req.audit.record("user.create", entity: "user", id: user.id?.uuidString, scope: unit.path,
                                       detail: "\(username) sebagai \(role.label)", on: db)
        }
        req.flash("Pengguna \(username) dibuat.")
        return req.redirect(to: "/users")
    }

    @Sendable func grant(req: Request) async throws -> Response {
        let actor = try req.requireUser()
        let policy = try policy(req)
        guard let user = try await User.find(req.parameters.get("userID", as: UUID.self), on: req.db) else {
            throw Abort(.notFound, reason: "Pengguna tidak ditemukan.")
        }
        let existing = try await user.$grants.get(on: req.db)
        guard policy.canManage(existing) else { throw Abort(.notFound, reason: "Pengguna tidak ditemukan.") }
        guard let role = Role(rawValue: (try? req.content.get(String.self, at: "role")) ?? ""),
              let unitID = try? req.content.get(UUID.self, at: "orgUnitID"),
              let unit = try await OrgUnit.find(unitID, on: req.db) else {
            throw Abort(.unprocessableEntity, reason: "Peran dan unit wajib dipilih.")
        }
        try policy.requireGrant(role, on: unit)
        if !existing.contains(where: { $0.role == role && $0.$orgUnit.id == unitID }) {
            try await RoleGrant(userID: user.requireID(), role: role, unit: unit, grantedBy: actor.id).create(on: req.db)
            try await req.audit.record("user.grant", entity: "user", id: user.id?.uuidString, scope: unit.path, detail: role.rawValue)
        }
        req.flash("Peran \(role.label) diberikan kepada \(user.username).")
        return req.redirect(to: "/users")
    }

    @Sendable func revoke(req: Request) async throws -> Response {
        let actor = try req.requireUser()
        let policy = try policy(req)
        guard let grant = try await RoleGrant.query(on: req.db)
            .filter(\.$id == req.parameters.get("grantID", as: UUID.self) ?? UUID())
            .filter(\.$user.$id == req.parameters.get("userID", as: UUID.self) ?? UUID())
            .with(\.$orgUnit).first() else { throw Abort(.notFound, reason: "Peran tidak ditemukan.") }
        try policy.requireGrant(grant.role, on: grant.orgUnit)
        // Nobody removes their own role: that is how a branch locks itself out.
        guard grant.$user.id != actor.id else {
            throw Abort(.forbidden, reason: "Anda tidak dapat mencabut peran Anda sendiri; minta pengurus lain melakukannya.")
        }
        try await grant.delete(on: req.db)
        req.application.apiTokenCache.clear()  // the revoked role stops at once on this server
        try await req.audit.record("user.revoke", entity: "user", id: grant.$user.id.uuidString, scope: grant.path, detail: grant.role.rawValue)
        req.flash("Peran dicabut.")
        return req.redirect(to: "/users")
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
