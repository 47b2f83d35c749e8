import Fluent
import Foundation
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

// MARK: - The table

/// Who may use every route, as one line per route. The test enumerates `app.routes.all`:
/// a route without a line here fails (naming the route), and so does a line without a route,
/// so a new route cannot skip the matrix.
///
/// Format: `E("METHOD /path/:param", rule, rule, …)`. Each rule is checked for every user
/// (one per `Role` granted on the OWN unit, a signed-in user with no grants, anonymous, and
/// a national administrator) and, where the route names a record, for a record in the OWN
/// unit (kecamatan Curug 36.73.04) and one in the OTHER unit (Cipocok Jaya 36.73.05).
///
/// Gates (who gets through):
/// - `.open`                    anyone, anonymous included
/// - `.signedIn`                any signed-in user, with or without roles
/// - `.anywhere(p)`             a user holding permission `p` on some unit; checked with an
///                              empty body / no query, so a form must not be validated before
///                              the user is known to be allowed to send it
/// - `.at(p)`                   a user holding `p` on the unit of the sample record (own: yes,
///                              other: no, national admin: both)
/// - `.nationalAdmin`           an administrator granted at the national unit
/// - `.uploader`                import batches: the user who uploaded (own batch: the own
///                              pengurus) and national administrators
///
/// Modifiers (chain them): `.path(["action": "reject"])` fills literal path parameters;
/// `.body([...])` sends fields; `.query("unit={unitID}")` adds a query string. A value in
/// `{…}` is taken from the sample (own / other): `{unitID}` `{personID}` `{kelurahan}` …, see
/// `Side.values`. A rule with a `{…}` in its body or query is checked with the own and the
/// other sample as well as without (`.anywhere` then means `.at` for the samples).
/// `.fresh(.personPair)` / `.fresh(.grant)` builds a new record for each call (the call
/// destroys it); `.isolated` runs the call on a session of its own (it signs in or out).
///
/// Path parameters are filled from the sample by name (`:personID` → the sample person).
/// ALLOW = any answer but 401/403/404 (a 422 for an empty form or a 409 for a wrong state
/// means the user got past the permission check) and no 5xx. DENY = 403 or 404 for a
/// signed-in user; 401 for anonymous API calls; a redirect to /login?next=… for anonymous pages.
/// Every allowed answer to a user who is not a national admin must not mention a record of
/// the other unit (ids and names): lists cannot leak.
enum PermissionMatrix {
    static let tally = #"{"votersPresent":200,"validVotes":190,"invalidVotes":10,"parties":{"8":110,"2":80}}"#

    static let table: [E] = [
        // Infrastructure and sign-in
        E("GET /health", .open),
        E("GET /metrics", .open),
        E("GET /api/openapi.json", .open),
        E("GET /app.css", .open),
        E("GET /scan.js", .open),
        E("GET /login", .open),
        E("POST /login", Rule.open.body(["username": "m-login", "password": "rahasia-123"]).isolated),
        E("POST /logout", Rule.open.isolated),
        E("POST /api/v1/auth/token", Rule.open.body(["username": "m-login", "password": "rahasia-123"])),
        E("GET /api/v1/me", .signedIn),
        // Organization
        E("GET /", .signedIn),
        E("GET /units", Rule.anywhere(.viewOrganization)),
        E("GET /units/:unitID", .at(.viewOrganization)),
        E("GET /settings/labels", .nationalAdmin),
        E("POST /settings/labels", .nationalAdmin),
        E("GET /api/v1/dashboard", .signedIn),
        E("GET /api/v1/regions", .signedIn),
        E("GET /api/v1/org-units", .signedIn),
        E("GET /api/v1/org-units/:unitID", .at(.viewOrganization)),
        // People
        E("GET /people/duplicates", .anywhere(.editPeople)),
        E("POST /people/duplicates/merge", Rule.at(.editPeople).fresh(.personPair).body(["keep": "{pairA}", "other": "{pairB}"])),
        E("POST /people/duplicates/dismiss", Rule.at(.editPeople).fresh(.personPair).body(["keep": "{pairA}", "other": "{pairB}"])),
        E("GET /people", Rule.anywhere(.viewPeople).query("unit={unitID}")),
        E("GET /people/new", .anywhere(.editPeople)),
        E("GET /people/export.csv", Rule.anywhere(.exportData).query("unit={unitID}")),
        E("POST /people", .anywhere(.editPeople)),
        E("GET /people/:personID", .at(.viewPeople)),
        E("POST /people/:personID/reveal", .at(.revealPersonalData)),
        E("POST /people/:personID/offices", .at(.manageOrganization)),
        E("GET /people/:personID/data.json", .at(.revealPersonalData)),  // and editPeople: every role with reveal has it
        E("POST /people/:personID/anonymise", .at(.revealPersonalData)),  // likewise; no reason → nothing changes
        E("GET /api/v1/people", Rule.anywhere(.viewPeople).query("unit={unitID}")),
        E("POST /api/v1/people", .anywhere(.editPeople)),
        E("GET /api/v1/people/:personID", .at(.viewPeople)),
        E("GET /api/v1/people/:personID/timeline", .at(.viewPeople)),
        E("POST /api/v1/people/:personID/reveal", .at(.revealPersonalData)),
        // Users and audit
        E("GET /users", .anywhere(.manageUsers)),
        E("POST /users", .anywhere(.manageUsers)),
        E("POST /users/:userID/grants", .at(.manageUsers)),
        E("POST /users/:userID/grants/:grantID/delete", Rule.at(.manageUsers).fresh(.grant)),
        E("GET /audit", .anywhere(.viewAudit)),
        E("GET /api/v1/audit", .anywhere(.viewAudit)),
        // Membership
        E("GET /daftar", .open),
        E("POST /daftar", .open),
        E("GET /kta/:code", .open),
        E("GET /members/kpu", Rule.anywhere(.viewPeople).query("unit={unitID}")),
        E("GET /members/kpu.csv", Rule.anywhere(.exportData).query("unit={unitID}")),  // and revealPersonalData
        E("GET /members", Rule.anywhere(.viewPeople).query("unit={unitID}")),
        E("GET /members/:membershipID", .at(.viewPeople)),
        E("POST /members/:membershipID/:action", Rule.at(.verifyMembers).path(["action": "reject"])),
        E("GET /members/:membershipID/card.svg", .at(.verifyMembers)),
        E("GET /members/:membershipID/card.png", .at(.verifyMembers)),
        E("GET /imports", .anywhere(.editPeople)),
        E("GET /imports/new", .anywhere(.editPeople)),
        E("POST /imports", .anywhere(.editPeople)),
        E("GET /imports/:batchID", .uploader),
        E("POST /imports/:batchID/mapping", .uploader),
        E("POST /imports/:batchID/run", .uploader),
        E("GET /imports/:batchID/errors.csv", .uploader),
        E("POST /api/v1/public/registrations", .open),
        E("GET /api/v1/public/kta/:code", .open),
        E("GET /api/v1/members", Rule.anywhere(.viewPeople).query("unit={unitID}")),
        E("POST /api/v1/members", .anywhere(.editPeople)),
        E("GET /api/v1/members/:membershipID", .at(.viewPeople)),
        E("POST /api/v1/members/:membershipID/:action", Rule.at(.verifyMembers).path(["action": "reject"])),
        // Elections
        E("GET /elections", .anywhere(.viewElectoral)),
        E("GET /elections/new", .anywhere(.manageElectoral)),
        E("POST /elections", .anywhere(.manageElectoral)),
        E("GET /elections/:electionID", .at(.viewElectoral)),
        E("GET /elections/:electionID/dapil/:number", .at(.viewElectoral)),
        E("GET /elections/:electionID/plan", .at(.viewElectoral)),
        E("POST /elections/:electionID/own-party", .at(.manageElectoral)),
        E("GET /elections/:electionID/import", .at(.manageElectoral)),
        E("POST /elections/:electionID/import", .at(.manageElectoral)),
        E("GET /tally", .anywhere(.submitTally)),
        E("GET /tally/:stationID", .at(.submitTally)),  // the own TPS is assigned to the saksi
        E("POST /tally/:stationID", .at(.submitTally)),
        E("GET /elections/:electionID/tally", .at(.viewElectoral)),
        E("GET /elections/:electionID/tally/stations", .at(.viewElectoral)),
        E("GET /elections/:electionID/tally/stations/:stationID", .at(.viewElectoral)),
        E("POST /elections/:electionID/tally/stations/:stationID/resolve", .at(.manageElectoral)),
        E("GET /elections/:electionID/tps", .at(.manageElectoral)),
        E("POST /elections/:electionID/tps", .at(.manageElectoral)),
        E("GET /elections/:electionID/candidates", .at(.manageElectoral)),
        E("POST /elections/:electionID/candidates", .at(.manageElectoral)),
        E("GET /elections/:electionID/candidates/:nominationID", .at(.manageElectoral)),
        E("POST /elections/:electionID/candidates/:nominationID/steps", .at(.manageElectoral)),
        E("GET /elections/:electionID/lists/:number", .at(.manageElectoral)),
        E("POST /elections/:electionID/lists/:number", .at(.manageElectoral)),
        E("GET /elections/:electionID/women", .at(.viewElectoral)),
        E("GET /bcad", .open),
        E("POST /bcad", .open),
        E("POST /api/v1/public/nominations", .open),
        E("GET /api/v1/elections", .anywhere(.viewElectoral)),
        E("GET /api/v1/elections/:electionID/seats", .at(.viewElectoral)),
        E("GET /api/v1/elections/:electionID/plan", .at(.viewElectoral)),
        E("GET /api/v1/tally/stations", .anywhere(.submitTally)),
        E("POST /api/v1/tally/:stationID", Rule.at(.submitTally).json(tally)),
        E("GET /api/v1/elections/:electionID/rollup", .at(.viewElectoral)),
        // Public service
        E("GET /layanan", .open),
        E("POST /layanan", .open),
        E("GET /layanan/cek", .open),
        E("GET /service", .anywhere(.viewService)),
        E("GET /service/new", .anywhere(.handleService)),
        E("GET /service/dashboard", Rule.anywhere(.viewService).query("unit={unitID}")),
        E("POST /service", .anywhere(.handleService)),
        E("GET /service/:requestID", .at(.viewService)),
        E("GET /service/:requestID/photo.jpg", .at(.viewService)),
        E("POST /service/:requestID/reveal", .at(.revealPersonalData)),
        E("POST /service/:requestID/:action", Rule.at(.decideService).path(["action": "assign"]), Rule.at(.handleService).path(["action": "note"])),
        E("GET /api/v1/public/service-categories", .open),
        E("POST /api/v1/public/service-requests", .open),
        E("GET /api/v1/public/service-requests/:code", Rule.open.path(["code": "{trackingCode}"])),
        E("GET /api/v1/service-dashboard", Rule.anywhere(.viewService).query("unit={unitID}")),
        E("GET /api/v1/service-requests", .anywhere(.viewService)),
        E("POST /api/v1/service-requests", .anywhere(.handleService)),
        E("GET /api/v1/service-requests/:requestID", .at(.viewService)),
        E("POST /api/v1/service-requests/:requestID/reveal", .at(.revealPersonalData)),
        E("POST /api/v1/service-requests/:requestID/:action", Rule.at(.decideService).path(["action": "assign"]), Rule.at(.handleService).path(["action": "note"])),
        // Food bank
        E("GET /food", Rule.anywhere(.viewService).query("unit={unitID}")),
        E("POST /food/items", Rule.anywhere(.manageStock).body(["unitID": "{unitID}"])),
        E("GET /food/items/:itemID", .at(.viewService)),
        E("POST /food/items/:itemID/movements", .at(.manageStock)),
        E("POST /food/items/:itemID/transfers", .at(.manageStock)),
        E("POST /food/entries/:entryID/reverse", .at(.manageStock)),
        E("GET /food/report", Rule.anywhere(.viewService).query("unit={unitID}")),
        E("GET /api/v1/food/items", Rule.anywhere(.viewService).query("unit={unitID}")),
        E("POST /api/v1/food/items", Rule.anywhere(.manageStock).body(["unitID": "{unitID}"])),
        E("GET /api/v1/food/items/:itemID", .at(.viewService)),
        E("POST /api/v1/food/items/:itemID/movements", .at(.manageStock)),
        E("POST /api/v1/food/items/:itemID/transfers", .at(.manageStock)),
        E("POST /api/v1/food/entries/:entryID/reverse", .at(.manageStock)),
        E("GET /api/v1/food/distributions", Rule.anywhere(.viewService).query("unit={unitID}")),
        // Donation campaigns
        E("GET /donasi", .open),
        E("GET /donasi/:slug", .open),
        E("GET /campaigns", .anywhere(.viewService)),
        E("POST /campaigns", Rule.anywhere(.manageFunds).body(["unitID": "{unitID}"])),
        E("GET /campaigns/:campaignID", .at(.viewService)),
        E("POST /campaigns/:campaignID/:entry", Rule.at(.manageFunds).path(["entry": "receipts"])),
        E("GET /api/v1/public/campaigns", .open),
        E("GET /api/v1/public/campaigns/:slug", .open),
        E("GET /api/v1/campaigns", .anywhere(.viewService)),
        E("POST /api/v1/campaigns", Rule.anywhere(.manageFunds).body(["unitID": "{unitID}"])),
        E("GET /api/v1/campaigns/:campaignID", .at(.viewService)),
        E("POST /api/v1/campaigns/:campaignID/pledges", .at(.manageFunds)),
        E("POST /api/v1/campaigns/:campaignID/receipts", .at(.manageFunds)),
        E("POST /api/v1/campaigns/:campaignID/spending", .at(.manageFunds)),
        // Disaster volunteers
        E("GET /relawan", .open),
        E("POST /relawan", .open),
        E("POST /api/v1/public/volunteers", .open),
        E("GET /volunteers", .anywhere(.viewService)),
        E("GET /volunteers/new", .anywhere(.manageVolunteers)),
        E("POST /volunteers", .anywhere(.manageVolunteers)),
        E("GET /volunteers/:volunteerID", .at(.viewService)),
        E("POST /volunteers/:volunteerID/:step", Rule.at(.manageVolunteers).path(["step": "decisions"]), Rule.at(.manageVolunteers).path(["step": "certificates"])),
        E("GET /api/v1/volunteers", .anywhere(.viewService)),
        E("POST /api/v1/volunteers", .anywhere(.manageVolunteers)),
        E("GET /api/v1/volunteers/:volunteerID", .at(.viewService)),
        E("POST /api/v1/volunteers/:volunteerID/decisions", .at(.manageVolunteers)),
        E("POST /api/v1/volunteers/:volunteerID/availability", .at(.manageVolunteers)),
        E("POST /api/v1/volunteers/:volunteerID/certificates", .at(.manageVolunteers)),
        E("GET /decrees", .anywhere(.viewService)),
        E("POST /decrees", Rule.anywhere(.manageVolunteers).body(["unitID": "{unitID}"])),
        E("GET /decrees/:decreeID", .at(.viewService)),
        E("POST /decrees/:decreeID/members", .at(.manageVolunteers)),
        E("GET /api/v1/decrees", .anywhere(.viewService)),
        E("POST /api/v1/decrees", Rule.anywhere(.manageVolunteers).body(["unitID": "{unitID}"])),
        E("GET /api/v1/decrees/:decreeID", .at(.viewService)),
        E("POST /api/v1/decrees/:decreeID/members", .at(.manageVolunteers)),
        E("GET /incidents", .anywhere(.viewService)),
        E("POST /incidents", Rule.anywhere(.manageVolunteers).body(["unitID": "{unitID}"])),
        E("GET /incidents/:incidentID", .at(.viewService)),
        E("POST /incidents/:incidentID/deployments", .at(.manageVolunteers)),
        E("POST /incidents/:incidentID/close", .at(.manageVolunteers)),
        E("POST /deployments/:deploymentID/checkout", .at(.manageVolunteers)),
        E("GET /api/v1/incidents", .anywhere(.viewService)),
        E("POST /api/v1/incidents", Rule.anywhere(.manageVolunteers).body(["unitID": "{unitID}"])),
        E("GET /api/v1/incidents/:incidentID", .at(.viewService)),
        E("POST /api/v1/incidents/:incidentID/deployments", .at(.manageVolunteers)),
        E("POST /api/v1/incidents/:incidentID/close", .at(.manageVolunteers)),
        E("POST /api/v1/deployments/:deploymentID/checkout", .at(.manageVolunteers)),
        // Cadre, trainings, growth targets (cadre pages name the member by person id)
        E("GET /sertifikat/:code", Rule.open.path(["code": "{certificateCode}"])),
        E("GET /api/v1/public/certificates/:code", Rule.open.path(["code": "{certificateCode}"])),
        E("GET /cadre", Rule.anywhere(.viewCadre).query("unit={unitID}")),
        E("GET /cadre/ready", Rule.anywhere(.viewCadre).query("unit={unitID}")),
        E("GET /cadre/members/:personID", Rule.at(.viewCadre).path(["personID": "{memberPersonID}"])),
        E("POST /cadre/members/:personID/promote", Rule.at(.manageCadre).path(["personID": "{memberPersonID}"])),
        E("POST /cadre/members/:personID/contributions", Rule.at(.manageCadre).path(["personID": "{memberPersonID}"])),
        E("GET /cadre/trainings", .anywhere(.viewCadre)),
        E("POST /cadre/trainings", .anywhere(.manageCadre)),
        E("GET /cadre/trainings/:trainingID", .at(.viewCadre)),
        E("POST /cadre/trainings/:trainingID/:step", Rule.at(.manageCadre).path(["step": "sessions"]),
          Rule.at(.recordAttendance).path(["step": "checkin"])),
        E("GET /cadre/certificates/:code", Rule.at(.viewCadre).path(["code": "{certificateCode}"])),
        E("GET /cadre/targets", .anywhere(.viewCadre)),
        E("POST /cadre/targets", .anywhere(.manageCadre)),
        E("GET /cadre/targets/:targetID", .at(.viewCadre)),
        E("GET /api/v1/cadre/ladder", Rule.anywhere(.viewCadre).query("unit={unitID}")),
        E("GET /api/v1/cadre/ready", Rule.anywhere(.viewCadre).query("unit={unitID}")),
        E("GET /api/v1/cadre/members/:personID", Rule.at(.viewCadre).path(["personID": "{memberPersonID}"])),
        E("POST /api/v1/cadre/members/:personID/promotions", Rule.at(.manageCadre).path(["personID": "{memberPersonID}"])),
        E("POST /api/v1/cadre/members/:personID/contributions", Rule.at(.manageCadre).path(["personID": "{memberPersonID}"])),
        E("GET /api/v1/cadre/trainings", .anywhere(.viewCadre)),
        E("POST /api/v1/cadre/trainings", .anywhere(.manageCadre)),
        E("GET /api/v1/cadre/trainings/:trainingID", .at(.viewCadre)),
        E("POST /api/v1/cadre/trainings/:trainingID/sessions", .at(.manageCadre)),
        E("POST /api/v1/cadre/trainings/:trainingID/participants", .at(.recordAttendance)),
        E("POST /api/v1/cadre/trainings/:trainingID/checkins", .at(.recordAttendance)),
        E("POST /api/v1/cadre/trainings/:trainingID/attendance", .at(.recordAttendance)),
        E("POST /api/v1/cadre/trainings/:trainingID/certificates", .at(.manageCadre)),
        E("GET /api/v1/cadre/targets", .anywhere(.viewCadre)),
        E("POST /api/v1/cadre/targets", .anywhere(.manageCadre)),
        E("GET /api/v1/cadre/targets/:targetID", .at(.viewCadre)),
        // Work programmes and Raker (a unit also reads the programmes of the units above it)
        E("GET /programmes", .anywhere(.viewProgrammes)),
        E("POST /programmes", .anywhere(.managePrograms)),
        E("GET /programmes/raker", .anywhere(.viewProgrammes)),
        E("POST /programmes/raker", .anywhere(.managePrograms)),
        E("GET /programmes/raker/:meetingID", .at(.viewProgrammes)),
        E("POST /programmes/raker/:meetingID/decisions", .at(.managePrograms)),
        E("GET /programmes/:programmeID", .at(.viewProgrammes)),
        E("POST /programmes/:programmeID", .at(.managePrograms)),
        E("POST /programmes/:programmeID/kpis", .at(.managePrograms)),
        E("POST /programmes/:programmeID/kpis/:kpiID", .at(.managePrograms)),
        E("POST /programmes/:programmeID/derive", .at(.managePrograms)),
        E("GET /api/v1/programmes", .anywhere(.viewProgrammes)),
        E("POST /api/v1/programmes", .anywhere(.managePrograms)),
        E("GET /api/v1/programmes/:programmeID", .at(.viewProgrammes)),
        E("POST /api/v1/programmes/:programmeID/kpis", .at(.managePrograms)),
        E("POST /api/v1/programmes/:programmeID/kpis/:kpiID", .at(.managePrograms)),
        E("POST /api/v1/programmes/:programmeID/derive", .at(.managePrograms)),
        E("GET /api/v1/raker", .anywhere(.viewProgrammes)),
        E("POST /api/v1/raker", .anywhere(.managePrograms)),
        E("GET /api/v1/raker/:meetingID", .at(.viewProgrammes)),
        E("POST /api/v1/raker/:meetingID/decisions", .at(.managePrograms)),
        // Events
        E("GET /events", .anywhere(.viewProgrammes)),
        E("POST /events", .anywhere(.manageEvents)),
        E("GET /events/reminders", .anywhere(.manageEvents)),
        E("POST /events/reminders/send", .nationalAdmin),  // or manageEvents on the branch's home unit (DPD)
        E("GET /events/:eventID", .at(.viewProgrammes)),
        E("POST /events/:eventID/registrations", .at(.checkInEvents)),
        E("POST /events/:eventID/checkins", .at(.checkInEvents)),
        E("POST /events/:eventID/online", .at(.manageEvents)),
        E("GET /api/v1/events", .anywhere(.viewProgrammes)),
        E("POST /api/v1/events", .anywhere(.manageEvents)),
        E("GET /api/v1/events/reminders", .anywhere(.manageEvents)),
        E("POST /api/v1/events/reminders/send", .nationalAdmin),  // likewise
        E("GET /api/v1/events/:eventID", .at(.viewProgrammes)),
        E("POST /api/v1/events/:eventID/registrations", .at(.checkInEvents)),
        E("POST /api/v1/events/:eventID/checkins", .at(.checkInEvents)),
        E("POST /api/v1/events/:eventID/online-counts", .at(.manageEvents)),
        // Political monitoring
        E("GET /monitoring", .anywhere(.viewMonitoring)),
        E("GET /monitoring/reports", .anywhere(.viewMonitoring)),
        E("POST /monitoring/reports", .anywhere(.reportSituation)),
        E("GET /monitoring/reports/:reportID", .at(.viewMonitoring)),
        E("POST /monitoring/reports/:reportID/verification", .at(.verifySituation)),
        E("GET /monitoring/participation", .anywhere(.viewMonitoring)),
        E("GET /monitoring/literacy", .anywhere(.viewMonitoring)),
        E("POST /monitoring/literacy", .anywhere(.reportSituation)),
        E("GET /api/v1/monitoring/reports", .anywhere(.viewMonitoring)),
        E("POST /api/v1/monitoring/reports", .anywhere(.reportSituation)),
        E("GET /api/v1/monitoring/reports/:reportID", .at(.viewMonitoring)),
        E("POST /api/v1/monitoring/reports/:reportID/verification", .at(.verifySituation)),
        E("GET /api/v1/monitoring/risk", .anywhere(.viewMonitoring)),
        E("GET /api/v1/monitoring/participation", .anywhere(.viewMonitoring)),
        E("GET /api/v1/monitoring/literacy", .anywhere(.viewMonitoring)),
        E("POST /api/v1/monitoring/literacy", .anywhere(.reportSituation)),
    ]
}

/// One table line: a route and the rules it is checked with.
struct E: Sendable {
    let route: String
    let rules: [Rule]
    init(_ route: String, _ rules: Rule...) {
        self.route = route
        self.rules = rules
    }
}

enum Gate: Sendable {
    case open, signedIn, nationalAdmin, uploader
    case anywhere(Permission)
    case at(Permission)
}

enum Fresh: Sendable {
    /// Two new people in the sample's kelurahan: `{pairA}`, `{pairB}`.
    case personPair
    /// A new user with a grant on the sample's kelurahan: `{userID}`, `{grantID}`.
    case grant
}

struct Rule: Sendable {
    var gate: Gate
    var pathValues: [String: String] = [:]
    var bodyFields: [String: String] = [:]
    var queryString: String?
    var rawJSON: String?
    var freshRecord: Fresh?
    var runsIsolated = false

    static let open = Rule(gate: .open)
    static let signedIn = Rule(gate: .signedIn)
    static let nationalAdmin = Rule(gate: .nationalAdmin)
    static let uploader = Rule(gate: .uploader)
    static func anywhere(_ p: Permission) -> Rule { Rule(gate: .anywhere(p)) }
    static func at(_ p: Permission) -> Rule { Rule(gate: .at(p)) }

    func path(_ values: [String: String]) -> Rule { var r = self; r.pathValues = values; return r }
    func body(_ fields: [String: String]) -> Rule { var r = self; r.bodyFields = fields; return r }
    func query(_ q: String) -> Rule { var r = self; r.queryString = q; return r }
    func json(_ raw: String) -> Rule { var r = self; r.rawJSON = raw; return r }
    func fresh(_ f: Fresh) -> Rule { var r = self; r.freshRecord = f; return r }
    var isolated: Rule { var r = self; r.runsIsolated = true; return r }

    /// Public pages show every unit's public records (campaigns, elections to propose for).
    var isPublic: Bool { if case .open = gate { true } else { false } }

    /// Does the sample go into the body or the query (not only the path)?
    var samplesOutsidePath: Bool {
        (queryString?.contains("{") ?? false) || bodyFields.values.contains { $0.contains("{") }
    }
}

// MARK: - The world

/// The records of one unit: own (Curug) or other (Cipocok Jaya).
struct Side: Sendable {
    let name: String
    /// Placeholder and path-parameter values: unitID, personID, membershipID, …
    var values: [String: String]
    /// Ids and names of this side's records: none may appear on a page or in an answer
    /// of a user who sees only the other side.
    var leakTokens: [String]
    let kelurahan: String
}

struct MatrixUser: Sendable {
    let label: String
    let role: Role?
    let signedIn: Bool
    let username: String?
    var token: String?
    var isNationalAdmin: Bool { role == .admin }
}

@Suite("Permission matrix: every route × role × own/other unit")
struct PermissionMatrixTests {
    static let ownKecamatan = "36.73.04", otherKecamatan = "36.73.05"

    @Test("every route has a line in the matrix table, and every line a route")
    func everyRouteHasAnEntry() async throws {
        try await withSimpul { app in
            let registered = Set(app.routes.all.map(Self.key))
            let listed = PermissionMatrix.table.map(\.route)
            for route in registered.sorted() where !listed.contains(route) {
                Issue.record("route \(route) has no line in PermissionMatrix.table (PermissionMatrixTests.swift): add one")
            }
            for route in listed where !registered.contains(route) {
                Issue.record("PermissionMatrix.table lists \(route), which is not a registered route")
            }
            #expect(Set(listed).count == listed.count, "a route is listed twice")
        }
    }

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
    }

    @Test("every route answers each role on its own and on another unit as the table says")
    func matrix() async throws {
        try await withSimpul { app in
            let started = Date()
            let f = Fixtures(app: app)
            // Users: one per role on the own kecamatan, one without grants, anonymous, a national admin.
            try await f.user("m-admin", role: .admin, at: nil)
            var users: [MatrixUser] = []
            for role in [Role.pengurus, .operator, .pengamat, .saksi] {
                try await f.user("m-\(role.rawValue)", role: role, at: Self.ownKecamatan)
                users.append(MatrixUser(label: role.rawValue, role: role, signedIn: true, username: "m-\(role.rawValue)"))
            }
            for name in ["m-nogrants", "m-login"] {
                try await User(username: name, displayName: name, passwordHash: try app.password.hash("rahasia-123")).create(on: app.db)
            }
            users.append(MatrixUser(label: "no grants", role: nil, signedIn: true, username: "m-nogrants"))
            users.append(MatrixUser(label: "anonymous", role: nil, signedIn: false, username: nil))
            users.append(MatrixUser(label: "national admin", role: .admin, signedIn: true, username: "m-admin"))

            let world = try await MatrixWorld.build(app)
            var clients: [String: WebClient] = [:]
            for i in users.indices {
                clients[users[i].label] = try await Self.client(app, users[i])
                if let name = users[i].username { users[i].token = try await f.token(name) }
            }

            let routes = Set(app.routes.all.map(Self.key))
            var checks = 0
            var failures: [String] = []
            for user in users {
                let web = clients[user.label]!
                for entry in PermissionMatrix.table where routes.contains(entry.route) {
                    for rule in entry.rules {
                        for side in Self.samples(entry.route, rule) {
                            let sideRecords = side.map { $0 == "own" ? world.own : world.other }
                            var values = sideRecords?.values ?? [:]
                            if let fresh = rule.freshRecord, let sideRecords {
                                values.merge(try await world.fresh(fresh, in: sideRecords.kelurahan, app: app)) { $1 }
                            }
                            let client = rule.runsIsolated ? try await Self.client(app, user) : web
                            let res = try await Self.send(app, entry.route, rule, values: values, user: user, web: client)
                            checks += 1
                            let expected = Self.expectAllow(rule.gate, user: user, side: side, world: world)
                            let seen = Self.classify(res, route: entry.route)
                            let label = "\(entry.route)\(Self.variant(rule)) as \(user.label)\(side.map { " on \($0) unit" } ?? "")"
                            if let problem = Self.judge(expected: expected, seen: seen, user: user, res: res) {
                                failures.append("\(label): \(problem)")
                                continue
                            }
                            // No leaks: an allowed answer never names the other unit's records.
                            if seen == .allowed, user.signedIn, !user.isNationalAdmin, side != "other", !rule.isPublic {
                                let body = res.body.string
                                for token in world.other.leakTokens where body.contains(token) {
                                    failures.append("\(label): the answer shows \"\(token)\" of the other unit")
                                }
                            }
                        }
                    }
                }
            }
            for failure in failures { Issue.record(Comment(rawValue: failure)) }
            let seconds = Date().timeIntervalSince(started)
            print("permission matrix: \(routes.count) routes, \(users.count) users, own/other samples, \(checks) checks, \(failures.count) failures in \(String(format: "%.1f", seconds)) s")
        }
    }

    // MARK: expectations

    /// nil = no sample (collection route, empty body); "own" / "other".
    static func samples(_ route: String, _ rule: Rule) -> [String?] {
        let hasParams = route.contains("/:")
        switch rule.gate {
        case .anywhere:
            return rule.samplesOutsidePath ? [nil, "own", "other"] : [nil]
        case .at, .uploader:
            return ["own", "other"]
        case .open, .signedIn, .nationalAdmin:
            return hasParams || rule.samplesOutsidePath ? ["own", "other"] : [nil]
        }
    }

    static func expectAllow(_ gate: Gate, user: MatrixUser, side: String?, world: MatrixWorld) -> Bool {
        let permissions = user.role?.permissions ?? []
        switch gate {
        case .open: return true
        case .signedIn: return user.signedIn
        case .nationalAdmin: return user.isNationalAdmin
        case .uploader: return user.isNationalAdmin || (side == "own" && user.username == world.ownUploader)
        case .anywhere(let p):
            if side == nil { return permissions.contains(p) }
            return permissions.contains(p) && (side == "own" || user.isNationalAdmin)
        case .at(let p):
            return permissions.contains(p) && (side == "own" || user.isNationalAdmin)
        }
    }

    enum Seen: Equatable { case allowed, deniedAnonymous, deniedSignedIn, broken }

    static func classify(_ res: TestingHTTPResponse, route: String) -> Seen {
        let code = res.status.code
        if code >= 500 { return .broken }
        let path = String(route.split(separator: " ")[1])
        if path.hasPrefix("/api/") {
            if code == 401 { return .deniedAnonymous }
            if code == 403 || code == 404 { return .deniedSignedIn }
            return .allowed
        }
        let location = res.headers.first(name: .location) ?? ""
        if (code == 303 || code == 302), location.hasPrefix("/login?next=") || (path == "/" && location == "/login") {
            return .deniedAnonymous
        }
        if code == 401 { return .deniedAnonymous }
        if code == 403 || code == 404 { return .deniedSignedIn }
        return .allowed
    }

    static func judge(expected allow: Bool, seen: Seen, user: MatrixUser, res: TestingHTTPResponse) -> String? {
        let got = "\(res.status.code)\(res.headers.first(name: .location).map { " → \($0)" } ?? "")"
        if seen == .broken { return "server error \(got): \(excerpt(res))" }
        if allow {
            return seen == .allowed ? nil : "expected ALLOW, got \(got): \(excerpt(res))"
        }
        if user.signedIn {
            return seen == .deniedSignedIn ? nil : "expected DENY (403/404), got \(got): \(excerpt(res))"
        }
        return seen == .deniedAnonymous ? nil : "expected DENY for anonymous (401 / redirect to /login), got \(got)"
    }

    /// The reason in an answer, on one line: JSON as is, a page without its markup.
    static func excerpt(_ res: TestingHTTPResponse) -> String {
        var text = res.body.string
        if text.hasPrefix("<") {
            text = text.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            if let reason = text.range(of: "Kesalahan server:") { text = String(text[reason.lowerBound...]) }
            else if let nav = text.range(of: "Keluar") { text = String(text[nav.upperBound...]) }
        }
        return String(text.split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(240))
    }

    static func variant(_ rule: Rule) -> String {
        rule.pathValues.isEmpty ? "" : " [" + rule.pathValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }

    // MARK: requests

    /// A browser session for the user (signed in, with a CSRF token).
    static func client(_ app: Application, _ user: MatrixUser) async throws -> WebClient {
        let web = WebClient(app: app)
        if let name = user.username {
            let res = try await web.login(name)
            #expect(res.status == .seeOther, "\(name) signs in")
            try await web.get("/")
        } else {
            try await web.get("/login")
        }
        return web
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = template
        while let open = out.range(of: "{"), let close = out.range(of: "}", range: open.upperBound..<out.endIndex) {
            let name = String(out[open.upperBound..<close.lowerBound])
            out.replaceSubrange(open.lowerBound..<close.upperBound, with: values[name] ?? "missing-\(name)")
        }
        return out
    }

    static func send(_ app: Application, _ route: String, _ rule: Rule, values: [String: String], user: MatrixUser,
                     web: WebClient) async throws -> TestingHTTPResponse {
        let parts = route.split(separator: " ", maxSplits: 1)
        let method = HTTPMethod(rawValue: String(parts[0]))
        var path = String(parts[1]).split(separator: "/", omittingEmptySubsequences: false).map { component -> String in
            guard component.hasPrefix(":") else { return String(component) }
            let name = String(component.dropFirst())
            return fill(rule.pathValues[name] ?? values[name] ?? "missing-\(name)", values)
        }.joined(separator: "/")
        let hasSample = !values.isEmpty
        if let q = rule.queryString, hasSample { path += "?" + fill(q, values) }
        var body: [String: String] = [:]
        for (k, v) in rule.bodyFields where hasSample || !v.contains("{") { body[k] = fill(v, values) }
        if path.hasPrefix("/api/") {
            var headers = HTTPHeaders()
            if let token = user.token { headers = .bearer(token) }
            if method == .GET { return try await app.testing().sendRequest(.GET, path, headers: headers) }
            let data: Data = if let raw = rule.rawJSON { Data(raw.utf8) } else { try JSONEncoder().encode(body) }
            headers.contentType = .json
            return try await app.testing().sendRequest(method, path, headers: headers, body: ByteBuffer(data: data))
        }
        if method == .GET { return try await web.get(path) }
        return try await web.post(path, form: body)
    }
}

// MARK: - Records in both units

/// Records of every kind in the own and the other unit, made through the API and the pages
/// as a national administrator, where the app offers a way.
struct MatrixWorld: Sendable {
    var own: Side
    var other: Side
    let ownUploader = "m-pengurus"

    static func build(_ app: Application) async throws -> MatrixWorld {
        let f = Fixtures(app: app)
        let admin = try await f.token("m-admin")
        let adminWeb = WebClient(app: app)
        try await adminWeb.login("m-admin")
        let pengurusWeb = WebClient(app: app)
        try await pengurusWeb.login("m-pengurus")
        let own = try await side(app, admin: admin, adminWeb: adminWeb, uploaderWeb: pengurusWeb, name: "own",
                                 kecamatan: PermissionMatrixTests.ownKecamatan, n: 1,
                                 words: ["Sumarni Wulandari", "Ratna Kusumawati", "Jajang Nurjaman", "Euis Komalasari",
                                         "Beras Pandanwangi", "Dana Sumur Bor Sukamaju", "Satgas Sukamaju", "Banjir Sukamaju", "Pemilihan Uji Sukamaju"])
        let other = try await side(app, admin: admin, adminWeb: adminWeb, uploaderWeb: adminWeb, name: "other",
                                   kecamatan: PermissionMatrixTests.otherKecamatan, n: 2,
                                   words: ["Kartini Puspitasari", "Rohayati Nurjanah", "Ujang Suherman", "Neneng Hasanah",
                                           "Minyak Goreng Curah", "Dana Renovasi Mushola Cilaku", "Satgas Cilaku", "Longsor Cilaku", "Pemilihan Uji Cilaku"])
        return MatrixWorld(own: own, other: other)
    }

    static func api(_ app: Application, _ path: String, _ token: String?, _ body: [String: String], expect: HTTPStatus = .created) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers = .bearer(token) }
        let res = try await app.testing().sendRequest(.POST, "/api/v1/\(path)", headers: headers, beforeRequest: { req in
            try req.content.encode(body)
        })
        #expect(res.status == expect, "world: POST \(path) → \(res.status) \(res.body.string.prefix(300))")
        return res
    }

    static func id(_ res: TestingHTTPResponse) throws -> String { try res.content.get(UUID.self, at: "id").uuidString }

    /// Records of every kind in kecamatan `kecamatan` and its first kelurahan.
    static func side(_ app: Application, admin: String, adminWeb: WebClient, uploaderWeb: WebClient, name: String,
                     kecamatan: String, n: Int, words: [String]) async throws -> Side {
        let f = Fixtures(app: app)
        let kel = kecamatan + ".1001"
        let kec = kecamatan.replacingOccurrences(of: ".", with: "")
        let unit = try await f.unit(kecamatan)
        var v: [String: String] = ["unitID": unit.id!.uuidString, "kelurahan": kel, "number": "1"]
        var leaks = Array(words)

        // A person.
        v["personID"] = try id(try await api(app, "people", admin, ["fullName": words[0], "regionCode": kel]))
        // A membership, verified and activated: it has a KTA verify code.
        let reg = try await api(app, "members", admin, [
            "fullName": words[1], "nik": "\(kec)5508900011", "birthPlace": "Serang", "birthDate": "1990-08-15", "sex": "P",
            "phone": "08123456780\(n)", "address": "Jl. Uji No. \(n)", "rt": "1", "rw": "2", "regionCode": kel,
            "occupation": "Guru", "maritalStatus": "kawin", "consentMembership": "true",
        ])
        let membershipID = try id(reg)
        v["membershipID"] = membershipID
        for action in ["verify", "activate"] { _ = try await api(app, "members/\(membershipID)/\(action)", admin, [:], expect: .ok) }
        let membership = try #require(try await Membership.find(UUID(uuidString: membershipID), on: app.db))
        v["code"] = try #require(membership.verifyCode) as String
        v["memberPersonID"] = membership.$person.id.uuidString

        // An import batch, uploaded by the own pengurus (own) or the admin (other).
        try await uploaderWeb.get("/imports/new")
        let csv = ImportTests.header + "\n" + "Warga Uji,\(kec)5508850099,Serang,15-08-1985,P,Kp. Baru,001,002,\(kel),081200000\(n)99,Guru,Kawin"
        let uploaded = try await uploaderWeb.postMultipart("/imports", fields: ["initialStatus": "pending", "consent": "on"], file: ("file", "uji.csv", csv))
        #expect(uploaded.status == .seeOther, "world: import upload \(uploaded.status)")
        let location = try #require(uploaded.headers.first(name: .location))
        let batch = try #require(try await ImportBatch.find(UUID(uuidString: String(location.split(separator: "/").last ?? "")), on: app.db))
        batch.errorCSV = "baris,kolom,pesan\r\n"
        try await batch.update(on: app.db)
        v["batchID"] = batch.id!.uuidString

        // An election of the kecamatan (it belongs to the unit of its region), one dapil, parties.
        let election = Election()
        election.key = "matrix-\(name)"
        election.name = words[8]
        election.year = 2029
        election.body = "dprd_kabkota"
        election.regionCode = kecamatan
        election.scope = OrgPath(regionCode: kecamatan).rawValue
        election.totalSeats = 5
        election.thresholdBasisPoints = 0
        try await election.create(on: app.db)
        for p in try ElectoralReference.partyRows() {
            _ = try await Party.insert(election: election.requireID(), number: p.number, abbreviation: p.abbreviation, name: p.name, on: app.db)
        }
        let dapil = try await Dapil.insert(election: election.requireID(), number: 1, name: "Uji \(name)", seats: 5, areas: [kel], on: app.db)
        v["electionID"] = election.id!.uuidString
        // Its TPS through the TPS import page; the own TPS is assigned to the saksi.
        try await adminWeb.get("/elections/\(election.id!)/tps")
        let tps = "wilayah,tps,dpt,saksi\n\(kel),1,250,\(name == "own" ? "m-saksi" : "")"
        let imported = try await adminWeb.postMultipart("/elections/\(election.id!)/tps", fields: [:], file: ("file", "tps.csv", tps))
        #expect(imported.status == .seeOther, "world: TPS import \(imported.status) \(imported.body.string.prefix(300))")
        let station = try #require(try await PollingStation.query(on: app.db).filter(\.$electionID == election.requireID()).first())
        v["stationID"] = station.id!.uuidString
        // A nomination of the person in the dapil.
        let nomination = Nomination()
        nomination.electionID = try election.requireID()
        nomination.dapilID = try dapil.requireID()
        nomination.$person.id = UUID(uuidString: v["personID"]!)!
        nomination.reason = "Tokoh masyarakat"
        nomination.stage = Nomination.Stage.proposed.rawValue
        nomination.scope = election.scope
        try await nomination.create(on: app.db)
        v["nominationID"] = nomination.id!.uuidString

        // A service request filed by the public, with a photo.
        let filed = try await api(app, "public/service-requests", nil, [
            "kind": "request", "category": "kesehatan", "summary": "Permohonan \(words[3])",
            "description": "Mohon dibantu pendaftaran BPJS PBI untuk ibu kami.", "regionCode": kel,
            "locationDetail": "RT 02/01", "requesterName": words[3], "phone": "08131111000\(n)", "consent": "true",
        ])
        let trackingCode = try filed.content.get(String.self, at: "code")
        v["trackingCode"] = trackingCode.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? trackingCode
        let request = try #require(try await ServiceRequest.query(on: app.db).filter(\.$scope == OrgPath(regionCode: kel).rawValue).first())
        request.photoCipher = try app.vault.encrypt(Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).base64EncodedString())
        try await request.update(on: app.db)
        v["requestID"] = request.id!.uuidString

        // A food item with a donation in the ledger.
        let item = try id(try await api(app, "food/items", admin, ["unitID": v["unitID"]!, "name": words[4], "unit": "kg"]))
        v["itemID"] = item
        v["entryID"] = try id(try await api(app, "food/items/\(item)/movements", admin, ["kind": "donationIn", "quantity": "100", "counterparty": "Toko Makmur"]))

        // A public donation campaign.
        let campaign = try await api(app, "campaigns", admin, ["unitID": v["unitID"]!, "title": words[5], "purpose": "Air bersih untuk warga.",
                                                               "target": "10000000", "isPublic": "on"])
        v["campaignID"] = try id(campaign)
        v["slug"] = try campaign.content.get(String.self, at: "slug")

        // A volunteer who passed selection, a decree, an incident with a deployment.
        let form = VolunteerForm(fullName: words[2], nik: "\(kec)1208850021", phone: "08131222000\(n)", regionCode: kel,
                                 skills: ["sar"], motivation: nil, consent: "true")
        let signUp = try await app.testing().sendRequest(.POST, "/api/v1/public/volunteers", beforeRequest: { req in try req.content.encode(form) })
        #expect(signUp.status == .created, "world: volunteer \(signUp.body.string.prefix(300))")
        let person = try #require(try await Person.query(on: app.db).filter(\.$fullName == words[2]).first())
        let volunteer = try #require(try await Volunteer.query(on: app.db).filter(\.$person.$id == person.requireID()).first())
        v["volunteerID"] = volunteer.id!.uuidString
        for stage in SelectionStage.allCases {
            _ = try await api(app, "volunteers/\(volunteer.id!)/decisions", admin, ["stage": stage.rawValue, "result": "passed", "reason": "Memenuhi syarat"], expect: .ok)
        }
        v["decreeID"] = try id(try await api(app, "decrees", admin, ["unitID": v["unitID"]!, "number": "0\(n)/SK/\(name)", "title": words[6], "issuedOn": "2026-11-02"]))
        let incident = try id(try await api(app, "incidents", admin, ["unitID": v["unitID"]!, "title": words[7], "hazard": "banjir", "regionCode": kel]))
        v["incidentID"] = incident
        _ = try await api(app, "incidents/\(incident)/deployments", admin, ["volunteerID": volunteer.id!.uuidString, "task": "Evakuasi warga"])
        let deployment = try #require(try await Deployment.query(on: app.db).filter(\.$incident.$id == UUID(uuidString: incident)!).first())
        v["deploymentID"] = deployment.id!.uuidString

        // Cadre: a training with a guest holding a certificate, and a growth target.
        let training = try await api(app, "cadre/trainings", admin, [
            "unitID": v["unitID"]!, "title": "Pelatihan \(words[6])", "curriculum": "Ideologi; Komunikasi politik",
            "location": "Aula \(name)", "startsOn": "2026-10-01", "endsOn": "2026-10-02"]).content.get(UUID.self, at: "training", "id").uuidString
        v["trainingID"] = training
        _ = try await api(app, "cadre/trainings/\(training)/participants", admin, ["fullName": "Tamu \(words[3])", "organisation": "KPPI"])
        let guest = try #require(try await TrainingParticipant.query(on: app.db).filter(\.$training.$id == UUID(uuidString: training)!).first())
        guest.certificateCode = "MATRIX\(name == "own" ? "0WN" : "0TH")\(n)"
        try await guest.update(on: app.db)
        v["certificateCode"] = guest.certificateCode!
        v["targetID"] = try id(try await api(app, "cadre/targets", admin, [
            "unitID": v["unitID"]!, "title": "Target \(words[7])", "measure": "members", "percent": "50",
            "startsOn": CivilDate(Date()).iso8601, "deadline": "2028-12-31"]))
        // Programmes: one with a KPI, a Raker meeting; an event; a situation report.
        let programme = try id(try await api(app, "programmes", admin, [
            "unitID": v["unitID"]!, "title": "Program \(words[5])", "focus": "kaderisasi", "owner": "Bidang Kaderisasi",
            "startsOn": "2026-01-01", "endsOn": "2026-12-31"]))
        v["programmeID"] = programme
        _ = try await api(app, "programmes/\(programme)/kpis", admin, ["name": "Kader baru", "unit": "orang", "target": "100"])
        v["kpiID"] = try #require(try await ProgrammeKPI.query(on: app.db).filter(\.$programme.$id == UUID(uuidString: programme)!).first()).id!.uuidString
        v["meetingID"] = try id(try await api(app, "raker", admin, [
            "unitID": v["unitID"]!, "year": "2026", "stage": "pre", "title": "Pra-Raker \(words[4])", "heldOn": "2026-11-01"]))
        v["eventID"] = try id(try await api(app, "events", admin, [
            "unitID": v["unitID"]!, "title": "Kegiatan \(words[2])", "mode": "hybrid", "venue": "Aula \(name)",
            "onlineURL": "https://youtube.com/live/uji", "startsAt": EventTime.input(Date().addingTimeInterval(3 * 86_400))]))
        v["reportID"] = try id(try await api(app, "monitoring/reports", admin, [
            "regionCode": kel, "category": "hoax", "severity": "2", "source": "citizen", "summary": "Laporan \(words[1])"]))

        // A user with a grant on the kelurahan.
        let (userID, grantID) = try await grant(app, in: kel, username: "m-target-\(name)")
        v["userID"] = userID
        v["grantID"] = grantID
        leaks.append("m-target-\(name)")

        for key in ["personID", "membershipID", "batchID", "electionID", "stationID", "nominationID", "requestID", "itemID", "entryID",
                    "campaignID", "volunteerID", "decreeID", "incidentID", "deploymentID", "userID",
                    "trainingID", "targetID", "programmeID", "kpiID", "meetingID", "eventID", "reportID", "certificateCode"] {
            leaks.append(v[key]!)
        }
        return Side(name: name, values: v, leakTokens: leaks, kelurahan: kel)
    }

    static func grant(_ app: Application, in kelurahan: String, username: String) async throws -> (String, String) {
        let user = User(username: username, displayName: username, passwordHash: try app.password.hash("rahasia-123"))
        try await user.create(on: app.db)
        let unit = try await Fixtures(app: app).unit(kelurahan)
        let g = try RoleGrant(userID: user.requireID(), role: .pengamat, unit: unit, grantedBy: nil)
        try await g.create(on: app.db)
        return (user.id!.uuidString, g.id!.uuidString)
    }

    /// New records for a call that destroys or consumes its record.
    func fresh(_ kind: Fresh, in kelurahan: String, app: Application) async throws -> [String: String] {
        switch kind {
        case .personPair:
            let f = Fixtures(app: app)
            let a = try await f.person("Pasangan Satu", in: kelurahan)
            let b = try await f.person("Pasangan Dua", in: kelurahan)
            return ["pairA": a.id!.uuidString, "pairB": b.id!.uuidString]
        case .grant:
            let (user, grant) = try await Self.grant(app, in: kelurahan, username: "m-fresh-\(UUID().uuidString.prefix(8).lowercased())")
            return ["userID": user, "grantID": grant]
        }
    }
}
