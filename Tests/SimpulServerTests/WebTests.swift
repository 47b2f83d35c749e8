import Fluent
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Pages, sessions, CSRF and sign-in throttling")
struct WebTests {
    @Test("the stylesheet and the scan script are served with their type and an ETag; nothing else is read from disk")
    func staticFiles() async throws {
        try await withSimpul { app in
            let css = try await app.testing().sendRequest(.GET, "/app.css")
            #expect(css.status == .ok && css.headers.contentType?.subType == "css" && css.headers.first(name: .eTag) != nil)
            #expect(css.body.string.contains("{"))
            let js = try await app.testing().sendRequest(.GET, "/scan.js")
            #expect(js.status == .ok && js.headers.contentType?.subType == "javascript")
            let etag = try #require(css.headers.first(name: .eTag))
            let again = try await app.testing().sendRequest(.GET, "/app.css", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
            for path in ["/Views/base.leaf", "/../Package.swift", "/openapi.json", "/app.css.bak"] {
                #expect(try await app.testing().sendRequest(.GET, path).status == .notFound)
            }
        }
    }

    @Test("pages need a session; the dashboard shows the user's tree with counts per child")
    func dashboardAfterLogin() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpd", role: .pengurus, at: "36.73")
            try await f.person("Siti Aminah", in: "36.73.04.1001")
            let web = WebClient(app: app)
            let anonymous = try await web.get("/")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers.first(name: .location) == "/login")
            let login = try await web.login("ketua.dpd")
            #expect(login.status == .seeOther)
            #expect(login.headers.first(name: .location) == "/")
            let home = try await web.get("/")
            #expect(home.status == .ok)
            let html = home.body.string
            #expect(html.contains("DPD Kota Serang"))
            for name in ["Serang", "Kasemen", "Walantaka", "Curug", "Cipocok Jaya", "Taktakan"] {
                #expect(html.contains("DPC \(name)"))
            }
            // Curug's row counts the one person recorded there.
            #expect(html.contains(#"<meter min="0" max="1" value="1">"#))
        }
    }

    @Test("a national administrator lands on the branch's own tree (Kota Serang) first")
    func nationalAdminSeesBranchFirst() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("pusat", role: .admin, at: nil)
            let web = WebClient(app: app)
            _ = try await web.login("pusat")
            let html = try await web.get("/").body.string
            let branch = try #require(html.range(of: "DPD Kota Serang"))
            let national = try #require(html.range(of: "DPP Nasional"))
            #expect(branch.lowerBound < national.lowerBound)
            #expect(html.contains("DPC Cipocok Jaya"))
            #expect(html.contains("DPW Banten"))
        }
    }

    @Test("every page a DPD official opens renders")
    func pagesRender() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpd", role: .pengurus, at: "36.73")
            let person = try await f.person("Siti Aminah", in: "36.73.04.1001", nik: "3673045508900001")
            let curug = try await f.unit("36.73.04")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpd")
            for path in ["/", "/units", "/units/\(curug.id!)", "/people", "/people?q=siti", "/people/new",
                         "/people/\(person.id!)", "/users", "/audit"] {
                let res = try await web.get(path)
                #expect(res.status == .ok || res.status == .seeOther, "\(path): \(res.status)")
                #expect(!res.body.string.contains("Kesalahan server"), "\(path)")
            }
            #expect(try await web.get("/people/\(person.id!)").body.string.contains("3673********0001"))
            // Level labels are for national administrators only.
            #expect(try await web.get("/settings/labels").status == .forbidden)
        }
    }

    @Test("a form without the CSRF token is refused and changes nothing")
    func csrfIsEnforced() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua.dpd", role: .pengurus, at: "36.73")
            let web = WebClient(app: app)
            try await web.get("/login")
            let forged = try await web.post("/login", form: ["username": "ketua.dpd", "password": "rahasia-123"], withCSRF: false)
            #expect(forged.status == .forbidden)
            #expect(forged.body.string.contains("token keamanan"))
            _ = try await web.login("ketua.dpd")
            let form = ["fullName": "Tanpa Token", "regionCode": "36.73.04.1001"]
            #expect(try await web.post("/people", form: form, withCSRF: false).status == .forbidden)
            let wrong = try await web.post("/people", form: form.merging(["_csrf": "00"]) { $1 }, withCSRF: false)
            #expect(wrong.status == .forbidden)
            #expect(try await Person.query(on: app.db).count() == 0)
            let ok = try await web.post("/people", form: form)
            #expect(ok.status == .seeOther)
            #expect(try await Person.query(on: app.db).count() == 1)
        }
    }

    @Test("after five wrong passwords even the right one is refused for a while")
    func badLoginsAreThrottled() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("ketua.dpd", role: .pengurus, at: "36.73")
            let web = WebClient(app: app)
            for _ in 1...5 {
                let res = try await web.login("ketua.dpd", password: "salah-salah")
                #expect(res.status == .unauthorized)
                #expect(res.body.string.contains("Nama pengguna atau kata sandi salah"))
            }
            let blocked = try await web.login("ketua.dpd")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Terlalu banyak percobaan"))
            // The API shares the same counter.
            let api = try await app.testing().sendRequest(.POST, "/api/v1/auth/token", beforeRequest: { req in
                try req.content.encode(["username": "ketua.dpd", "password": "rahasia-123"])
            })
            #expect(api.status == .tooManyRequests)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "login.failure").count() == 5)
        }
    }

    @Test("a successful sign-in clears earlier failures and rotates the session id")
    func successResetsFailures() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("ketua.dpd", role: .pengurus, at: "36.73")
            let web = WebClient(app: app)
            for _ in 1...4 { _ = try await web.login("ketua.dpd", password: "salah-salah") }
            let before = web.cookie
            #expect(try await web.login("ketua.dpd").status == .seeOther)
            #expect(web.cookie != nil && web.cookie != before)
            for _ in 1...4 { _ = try await WebClient(app: app).login("ketua.dpd", password: "salah-salah") }
            #expect(try await WebClient(app: app).login("ketua.dpd").status == .seeOther)
        }
    }

    @Test("a DPC official creates accounts only below itself, never admins, and cannot revoke its own role")
    func userManagementIsScoped() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            let me = try await f.user("ketua.dpc", role: .pengurus, at: "36.73.04")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpc")
            let page = try await web.get("/users")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("DPRa Curug"))
            #expect(!page.body.string.contains("DPC Cipocok Jaya"))
            let dpra = try await f.unit("36.73.04.1001")
            let sibling = try await f.unit("36.73.05")
            let form = ["username": "op.curug", "displayName": "Operator Curug", "password": "sandi-rahasia-1", "role": "operator",
                        "orgUnitID": dpra.id!.uuidString]
            #expect(try await web.post("/users", form: form).status == .seeOther)
            let created = try #require(try await User.query(on: app.db).filter(\.$username == "op.curug").with(\.$grants).first())
            #expect(created.grants.map(\.grant) == [Grant(role: .operator, path: dpra.orgPath)])
            let elsewhere = try await web.post("/users", form: form.merging(["username": "op.lain", "orgUnitID": sibling.id!.uuidString]) { $1 })
            #expect(elsewhere.status == .forbidden)
            let admin = try await web.post("/users", form: form.merging(["username": "calon.admin", "role": "admin"]) { $1 })
            #expect(admin.status == .forbidden)
            let short = try await web.post("/users", form: form.merging(["username": "op.dua", "password": "pendek"]) { $1 })
            #expect(short.status == .unprocessableEntity)
            #expect(short.body.string.contains("Kata sandi minimal 10 karakter"))
            #expect(try await User.query(on: app.db).count() == 3)
            let own = try #require(try await RoleGrant.query(on: app.db).filter(\.$user.$id == me.requireID()).first())
            #expect(try await web.post("/users/\(me.id!)/grants/\(own.id!)/delete", form: [:]).status == .forbidden)
            #expect(try await RoleGrant.query(on: app.db).filter(\.$user.$id == me.requireID()).count() == 1)
        }
    }

    @Test("sign-out ends the session")
    func logout() async throws {
        try await withSimpul { app in
            try await Fixtures(app: app).user("ketua.dpd", role: .pengurus, at: "36.73")
            let web = WebClient(app: app)
            _ = try await web.login("ketua.dpd")
            let stolen = web.cookie
            #expect(try await web.post("/logout", form: [:]).status == .seeOther)
            let reuse = WebClient(app: app)
            reuse.cookie = stolen
            #expect(try await reuse.get("/").status == .seeOther)
        }
    }

    @Test("after sign-in the user returns to the page asked for, never to another site")
    func nextIsLocalOnly() {
        #expect(AuthController.safeNext("/people?q=a") == "/people?q=a")
        #expect(AuthController.safeNext("//evil.example") == "/")
        #expect(AuthController.safeNext("https://evil.example") == "/")
        #expect(AuthController.safeNext("/\\evil.example") == "/")
    }
}
