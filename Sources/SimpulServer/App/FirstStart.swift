import Fluent
import Foundation
import SimpulCore
import Vapor

/// First start (and every start after): reference territory loaded, one org unit per
/// region, and — only while no user exists — a first administrator whose password is
/// printed once. Idempotent: rows already present are left as they are.
enum FirstStart {
    struct Result: Sendable {
        var regionsAdded = 0
        var unitsAdded = 0
        /// Set only when the first administrator was created in this run.
        var firstAdmin: (username: String, password: String)?
    }

    @discardableResult
    static func run(on app: Application) async throws -> Result {
        let rows = try RegionRow.parse(csv: String(contentsOf: BundledResources.reference("wilayah.csv"), encoding: .utf8))
        // Indexes set aside by a bulk import that was killed before it could build them.
        let rebuilt = try await SuspendedIndexes.restore(on: app.db)
        if !rebuilt.isEmpty { app.logger.notice("Indeks dibangun ulang setelah impor yang terputus: \(rebuilt.joined(separator: ", ")).") }
        let result = try await app.db.transaction { db in
            var result = Result()
            result.regionsAdded = try await loadRegions(rows, on: db)
            result.unitsAdded = try await buildOrgTree(on: db)
            result.firstAdmin = try await createFirstAdmin(on: db, app: app)
            // Work that was running when the server stopped: rerunning finishes it exactly.
            try await ImportBatch.query(on: db).filter(\.$status ~~ [.validating, .importing])
                .set(\.$status, to: .interrupted).update()
            if try await Setting.value(BranchSettings.homeRegionKey, on: db) == nil {
                let home = app.settings.homeRegion ?? BranchSettings.defaultHomeRegion
                guard try await Region.find(home, on: db) != nil else {
                    throw Abort(.internalServerError, reason: "SIMPUL_HOME_REGION=\(home) tidak ada dalam data wilayah.")
                }
                try await Setting(key: BranchSettings.homeRegionKey, value: home).create(on: db)
            }
            if let party = app.settings.partyName, !party.isEmpty, try await Setting.value(BranchSettings.partyNameKey, on: db) == nil {
                try await Setting(key: BranchSettings.partyNameKey, value: party).create(on: db)
            }
            try await ElectoralReference.seed(on: db, partyName: try await Setting.value(BranchSettings.partyNameKey, on: db))
            return result
        }
        if result.regionsAdded > 0 || result.unitsAdded > 0 {
            app.logger.notice("Data referensi dimuat: \(result.regionsAdded) wilayah, \(result.unitsAdded) unit organisasi.")
        }
        if let admin = result.firstAdmin, app.settings.announceFirstAdmin {
            FileHandle.standardOutput.write(Data("""

            ================================================================
             Akun administrator pertama telah dibuat.
               Nama pengguna : \(admin.username)
               Kata sandi    : \(admin.password)
             Kata sandi ini hanya ditampilkan SEKALI. Simpan sekarang, lalu
             masuk dan buat akun untuk pengurus lain.
            ================================================================

            """.utf8))
        }
        return result
    }

    static func loadRegions(_ rows: [RegionRow], on db: any Database) async throws -> Int {
        let existing = Set(try await Region.query(on: db).all(\.$id))
        // Parents before children: codes sort that way (36 < 36.73 < 36.73.01).
        let missing = rows.filter { !existing.contains($0.code) }.sorted { $0.code.count < $1.code.count }
        for row in missing {
            try await Region(code: row.code, name: row.name, level: row.level, parentCode: row.parentCode).create(on: db)
        }
        return missing.count
    }

    static func buildOrgTree(on db: any Database) async throws -> Int {
        var added = 0
        var unitByPath: [String: OrgUnit] = [:]
        for unit in try await OrgUnit.query(on: db).all() { unitByPath[unit.path] = unit }
        if unitByPath[OrgPath.national.rawValue] == nil {
            let national = OrgUnit(name: "Nasional", level: 0, regionCode: nil, parentID: nil)
            try await national.create(on: db)
            unitByPath[national.path] = national
            added += 1
        }
        let regions = try await Region.query(on: db).all().sorted { ($0.id ?? "").count < ($1.id ?? "").count }
        for region in regions {
            let path = OrgPath(regionCode: region.id).rawValue
            if unitByPath[path] != nil { continue }
            let parentPath = OrgPath(regionCode: region.parentCode).rawValue
            guard let parent = unitByPath[parentPath] else { continue }
            let unit = OrgUnit(name: region.name, level: parent.level + 1, regionCode: region.id, parentID: try parent.requireID())
            try await unit.create(on: db)
            unitByPath[path] = unit
            added += 1
        }
        return added
    }

    static func createFirstAdmin(on db: any Database, app: Application) async throws -> (String, String)? {
        guard try await User.query(on: db).count() == 0 else { return nil }
        guard let national = try await OrgUnit.query(on: db).filter(\.$path == OrgPath.national.rawValue).first() else { return nil }
        let password = generatePassword()
        let user = User(username: "admin", displayName: "Administrator", passwordHash: try app.password.hash(password))
        try await user.create(on: db)
        try await RoleGrant(userID: try user.requireID(), role: .admin, unit: national, grantedBy: nil).create(on: db)
        return ("admin", password)
    }

    /// 16 characters without look-alikes (no 0/O, 1/l/I): easy to copy from a terminal.
    static func generatePassword(length: Int = 16) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
