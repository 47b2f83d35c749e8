import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// Kota Serang: Curug (36.73.04) and Cipocok Jaya (36.73.05) are sibling kecamatan;
/// 36.73.04.1001 and 36.73.04.1002 are sibling kelurahan inside Curug.
@Suite("Permissions follow the org tree")
struct PermissionTests {
    struct World {
        let curugA: Person, curugB: Person, cipocok: Person
        let dpra: String, dpraSibling: String, dpc: String, dpd: String, otherDPC: String
    }

    func world(_ app: Application) async throws -> World {
        let f = Fixtures(app: app)
        let a = try await f.person("Siti Aminah", in: "36.73.04.1001", nik: "3673045508900001", phone: "081234567890")
        let b = try await f.person("Budi Santoso", in: "36.73.04.1002")
        let c = try await f.person("Ahmad Fauzi", in: "36.73.05.1001")
        try await f.user("dpra", role: .operator, at: "36.73.04.1001")
        try await f.user("dpra2", role: .pengurus, at: "36.73.04.1002")
        try await f.user("dpc", role: .pengurus, at: "36.73.04")
        try await f.user("dpd", role: .pengurus, at: "36.73")
        try await f.user("dpc5", role: .pengurus, at: "36.73.05")
        return World(curugA: a, curugB: b, cipocok: c,
                     dpra: try await f.token("dpra"), dpraSibling: try await f.token("dpra2"), dpc: try await f.token("dpc"),
                     dpd: try await f.token("dpd"), otherDPC: try await f.token("dpc5"))
    }

    func visibleNames(_ app: Application, token: String) async throws -> Set<String> {
        let res = try await app.testing().sendRequest(.GET, "/api/v1/people?per=200", headers: .bearer(token))
        #expect(res.status == .ok)
        return Set(try res.content.decode(PeoplePage.self).items.map(\.fullName))
    }

    func status(_ app: Application, _ path: String, token: String) async throws -> HTTPStatus {
        try await app.testing().sendRequest(.GET, path, headers: .bearer(token)).status
    }

    @Test("a DPRa user sees only its own kelurahan")
    func dpraSeesOnlyItsKelurahan() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            #expect(try await visibleNames(app, token: w.dpra) == ["Siti Aminah"])
            #expect(try await status(app, "/api/v1/people/\(w.curugA.id!)", token: w.dpra) == .ok)
            #expect(try await status(app, "/api/v1/people/\(w.curugB.id!)", token: w.dpra) == .notFound)
            #expect(try await status(app, "/api/v1/people/\(w.cipocok.id!)/timeline", token: w.dpra) == .notFound)
        }
    }

    @Test("nobody sees a sibling unit's people or pages")
    func siblingsAreInvisible() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            #expect(try await visibleNames(app, token: w.dpraSibling) == ["Budi Santoso"])
            #expect(try await status(app, "/api/v1/people/\(w.curugA.id!)", token: w.dpraSibling) == .notFound)
            #expect(try await visibleNames(app, token: w.otherDPC) == ["Ahmad Fauzi"])
            let curug = try await Fixtures(app: app).unit("36.73.04")
            #expect(try await status(app, "/api/v1/org-units/\(curug.id!)", token: w.otherDPC) == .notFound)
            #expect(try await status(app, "/api/v1/people?unit=\(curug.id!)", token: w.otherDPC) == .notFound)
            // Nor a parent: a DPC cannot open the DPD above it.
            let dpd = try await Fixtures(app: app).unit("36.73")
            #expect(try await status(app, "/api/v1/org-units/\(dpd.id!)", token: w.dpc) == .notFound)
        }
    }

    @Test("a DPC user sees its whole kecamatan, a DPD user the whole city")
    func grantsReachTheSubtree() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            #expect(try await visibleNames(app, token: w.dpc) == ["Siti Aminah", "Budi Santoso"])
            #expect(try await visibleNames(app, token: w.dpd) == ["Siti Aminah", "Budi Santoso", "Ahmad Fauzi"])
            let curug = try await Fixtures(app: app).unit("36.73.04")
            #expect(try await status(app, "/api/v1/org-units/\(curug.id!)", token: w.dpd) == .ok)
        }
    }

    @Test("searching by exact NIK or phone stays inside the scope")
    func searchByNIKIsScoped() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            for (token, expected) in [(w.dpc, 1), (w.otherDPC, 0)] {
                let res = try await app.testing().sendRequest(.GET, "/api/v1/people?q=3673045508900001", headers: .bearer(token))
                #expect(try res.content.decode(PeoplePage.self).total == expected)
                let byPhone = try await app.testing().sendRequest(.GET, "/api/v1/people?q=%2B6281234567890", headers: .bearer(token))
                #expect(try byPhone.content.decode(PeoplePage.self).total == expected)
            }
        }
    }

    @Test("lists are masked; unmasking needs the right role and is audited")
    func revealIsGuardedAndAudited() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let list = try await app.testing().sendRequest(.GET, "/api/v1/people", headers: .bearer(w.dpc))
            #expect(list.body.string.contains("3673********0001"))
            #expect(!list.body.string.contains("3673045508900001"))
            #expect(!list.body.string.contains("081234567890"))
            // An operator may read masked data but not unmask it.
            let denied = try await app.testing().sendRequest(.POST, "/api/v1/people/\(w.curugA.id!)/reveal", headers: .bearer(w.dpra))
            #expect(denied.status == .forbidden)
            let revealed = try await app.testing().sendRequest(.POST, "/api/v1/people/\(w.curugA.id!)/reveal", headers: .bearer(w.dpc), beforeRequest: { req in
                try req.content.encode(["reason": "verifikasi KTA"])
            })
            #expect(revealed.status == .ok)
            #expect(try revealed.content.get(String.self, at: "nik") == "3673045508900001")
            let entries = try await AuditEntry.query(on: app.db).filter(\.$action == "person.reveal").all()
            #expect(entries.count == 1)
            #expect(entries.first?.username == "dpc")
            #expect(entries.first?.detail == "verifikasi KTA")
            #expect(entries.first?.entityID == w.curugA.id?.uuidString)
            // The sibling kecamatan's auditor does not see that entry; the DPD does.
            let other = try await app.testing().sendRequest(.GET, "/api/v1/audit?action=person.reveal", headers: .bearer(w.otherDPC))
            #expect(try other.content.decode([AuditEntryDTO].self).isEmpty)
            let dpd = try await app.testing().sendRequest(.GET, "/api/v1/audit?action=person.reveal", headers: .bearer(w.dpd))
            #expect(try dpd.content.decode([AuditEntryDTO].self).count == 1)
        }
    }

    @Test("a user cannot create people outside its unit")
    func createOutsideScopeIsRefused() async throws {
        try await withSimpul { app in
            let w = try await world(app)
            let res = try await app.testing().sendRequest(.POST, "/api/v1/people", headers: .bearer(w.dpra), beforeRequest: { req in
                try req.content.encode(["fullName": "Orang Luar", "regionCode": "36.73.05.1001"])
            })
            #expect(res.status == .unprocessableEntity)
            #expect(res.body.string.contains("tidak berwenang"))
            #expect(try await Person.query(on: app.db).filter(\.$fullName == "Orang Luar").count() == 0)
        }
    }

    @Test("API without a token, or with a wrong one, is 401")
    func apiNeedsToken() async throws {
        try await withSimpul { app in
            let anonymous = try await app.testing().sendRequest(.GET, "/api/v1/people")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers.first(name: .wwwAuthenticate) == "Bearer")
            let wrong = try await status(app, "/api/v1/people", token: "smp_wrong")
            #expect(wrong == .unauthorized)
        }
    }
}
