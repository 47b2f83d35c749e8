import Fluent
import SQLKit
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("First start and migrations")
struct BootstrapTests {
    @Test("first start loads Kota Serang's tree and one administrator")
    func firstStart() async throws {
        try await withSimpul { app in
            let villages = try await Region.query(on: app.db).filter(\.$parentCode, .custom("LIKE"), "36.73.%").filter(\.$level == .village).count()
            #expect(villages == 67)
            let districts = try await Region.query(on: app.db).filter(\.$parentCode == "36.73").count()
            #expect(districts == 6)
            let regencies = try await Region.query(on: app.db).filter(\.$parentCode == "36").count()
            #expect(regencies == 8)
            // One unit per region plus the national root, each under the unit of its parent region.
            let regions = try await Region.query(on: app.db).count()
            let units = try await OrgUnit.query(on: app.db).all()
            #expect(units.count == regions + 1)
            let byID = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0) })
            for unit in units where unit.level > 0 {
                let parentID = try #require(unit.$parent.id)
                let parent = try #require(byID[parentID])
                #expect(OrgPath(rawValue: parent.path).contains(unit.orgPath))
                #expect(parent.level == unit.level - 1)
            }
            let kotaSerang = try await Fixtures(app: app).unit("36.73")
            #expect(kotaSerang.level == 2)
            #expect(OrgLevelLabels.default.displayName(of: kotaSerang) == "DPD Kota Serang")
            let admins = try await User.query(on: app.db).all()
            #expect(admins.map(\.username) == ["admin"])
            let grants = try await RoleGrant.query(on: app.db).all()
            #expect(grants.map(\.grant) == [Grant(role: .admin, path: .national)])
        }
    }

    @Test("a second start adds nothing and creates no second administrator")
    func secondStartIsIdempotent() async throws {
        try await withSimpul { app in
            let before = try await OrgUnit.query(on: app.db).count()
            let again = try await FirstStart.run(on: app)
            #expect(again.regionsAdded == 0)
            #expect(again.unitsAdded == 0)
            #expect(again.firstAdmin == nil)
            #expect(try await OrgUnit.query(on: app.db).count() == before)
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    @Test("the printed first password really signs in")
    func firstAdminPasswordWorks() async throws {
        try await withSimpul { app in
            // Start over: no users, so the bootstrap makes the first admin again and returns it.
            try await RoleGrant.query(on: app.db).delete()
            try await User.query(on: app.db).delete()
            let result = try await FirstStart.run(on: app)
            let admin = try #require(result.firstAdmin)
            #expect(admin.password.count == 16)
            try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                try req.content.encode(["username": admin.username, "password": admin.password])
            }, afterResponse: { res in
                #expect(res.status == .created)
            })
        }
    }

    @Test("a body that cannot be read gets an Indonesian reason naming the field, not Vapor's English")
    func undecodableBodyIsExplainedInIndonesian() async throws {
        try await withSimpul { app in
            func reason(_ body: String, contentType: String = "application/json") async throws -> (HTTPStatus, String) {
                var result: (HTTPStatus, String) = (.ok, "")
                try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                    req.headers.contentType = HTTPMediaType(type: contentType.components(separatedBy: "/")[0],
                                                            subType: contentType.components(separatedBy: "/")[1])
                    req.body = ByteBuffer(string: body)
                }, afterResponse: { res in
                    result = (res.status, try res.content.decode(SimpulErrorMiddleware.APIError.self).reason)
                })
                return result
            }
            let wrongType = try await reason(#"{"username": 5, "password": "x"}"#)
            #expect(wrongType.0 == .badRequest)
            #expect(wrongType.1 == "Data yang dikirim tidak dapat dibaca: kolom 'username' tidak sah.")
            let missing = try await reason(#"{"username": "admin"}"#)
            #expect(missing.1 == "Data yang dikirim tidak dapat dibaca: kolom 'password' wajib diisi.")
            let broken = try await reason(#"{"username": "#)
            #expect(broken.0 == .badRequest)
            #expect(broken.1.hasPrefix("Data yang dikirim tidak dapat dibaca"))
            let unsupported = try await reason("username=admin", contentType: "text/csv")
            #expect(unsupported.0 == .unsupportedMediaType)
            #expect(unsupported.1.hasPrefix("Jenis data yang dikirim tidak didukung"))
        }
    }

    @Test("migrations revert completely and apply again")
    func migrationsRoundTrip() async throws {
        try await withSimpul { app in
            try await app.autoRevert()
            let sql = app.db as! any SQLDatabase
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT COUNT(*) FROM people").run() }
            try await app.autoMigrate()
            try await FirstStart.run(on: app)
            #expect(try await Region.query(on: app.db).count() > 67)
            #expect(try await Person.query(on: app.db).count() == 0)
        }
    }

    @Test("health answers with the database in use; metrics are Prometheus text")
    func healthAndMetrics() async throws {
        try await withSimpul { app in
            let health = try await app.testing().sendRequest(.GET, "/health")
            #expect(health.status == .ok)
            #expect(try health.content.get(String.self, at: "status") == "ok")
            #expect(try health.content.get(String.self, at: "database") == (TestDatabase.isPostgres ? "postgresql" : "sqlite"))
            let metrics = try await app.testing().sendRequest(.GET, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers.contentType?.subType == "plain")
            #expect(metrics.body.string.contains("http_requests_total"))
        }
    }
}
