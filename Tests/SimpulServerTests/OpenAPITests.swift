import Foundation
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("/api/openapi.json lists exactly the /api/v1 routes the server registers")
    func documentMatchesRoutes() async throws {
        try await withSimpul { app in
            let res = try await app.testing().sendRequest(.GET, "/api/openapi.json")
            #expect(res.status == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(res.body.string.utf8)) as! [String: Any]
            #expect((json["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = json["paths"] as! [String: [String: Any]]
            var documented = Set<String>()
            for (path, operations) in paths where path.hasPrefix("/api/v1") {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            var registered = Set<String>()
            for route in app.routes.all {
                let components = route.path.map { component -> String in
                    switch component {
                    case .constant(let c): return c
                    case .parameter(let p): return "{\(p)}"
                    default: return "*"
                    }
                }
                guard components.starts(with: ["api", "v1"]) else { continue }
                registered.insert("\(route.method.rawValue) /" + components.joined(separator: "/"))
            }
            #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented))")
            #expect(documented.subtracting(registered).isEmpty, "documented but missing: \(documented.subtracting(registered))")
        }
    }
}
