import Fluent
import Vapor

/// Every route, grouped by how it authenticates: pages use the session cookie and CSRF
/// tokens; /api/v1 uses bearer tokens; /health, /metrics and the OpenAPI document are open.
func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: MetricsController())
    try app.register(collection: StaticFilesController())
    app.get("api", "openapi.json", use: OpenAPIDocument.serve)

    let web = app.grouped(app.sessions.middleware, User.sessionAuthenticator(), CSRFMiddleware(), AccessMiddleware())
    AuthController().bootWeb(web)
    OrganizationController().bootWeb(web)
    DuplicatesController().bootWeb(web)
    PeopleController().bootWeb(web)
    UsersController().bootWeb(web)
    AuditController().bootWeb(web)
    MembershipController().bootPublicWeb(web)
    KPUController().bootWeb(web)
    MembershipController().bootWeb(web)
    ImportController().bootWeb(web)
    ElectoralController().bootWeb(web)
    TallyController().bootWeb(web)
    CandidatesController().bootWeb(web)
    ServiceController().bootPublicWeb(web)
    ServiceController().bootWeb(web)
    FoodBankController().bootWeb(web)
    CampaignController().bootPublicWeb(web)
    CampaignController().bootWeb(web)
    VolunteerController().bootPublicWeb(web)
    VolunteerController().bootWeb(web)
    CadreController().bootPublicWeb(web)
    CadreController().bootWeb(web)
    ProgrammesController().bootWeb(web)
    EventsController().bootWeb(web)
    MonitoringController().bootWeb(web)

    let api = app.grouped("api", "v1").grouped(APITokenAuthenticator(), AccessMiddleware())
    AuthController().bootAPI(api)
    UsersController().bootAPI(api)
    OrganizationController().bootAPI(api)
    PeopleController().bootAPI(api)
    AuditController().bootAPI(api)
    MembershipController().bootAPI(api)
    ElectoralController().bootAPI(api)
    TallyController().bootAPI(api)
    ServiceController().bootAPI(api)
    FoodBankController().bootAPI(api)
    CampaignController().bootAPI(api)
    VolunteerController().bootAPI(api)
    CadreController().bootAPI(api)
    ProgrammesController().bootAPI(api)
    EventsController().bootAPI(api)
    MonitoringController().bootAPI(api)

    // Open to the public: registration (rate-limited) and the KTA check behind the QR.
    MembershipController().bootPublicAPI(app.grouped("api", "v1", "public"))
    // Member proposals of prospective candidates (rate-limited).
    CandidatesController().bootPublicAPI(app.grouped("api", "v1", "public"))
    // Public service: filing (rate-limited), the tracking check, campaign transparency, volunteer sign-up.
    ServiceController().bootPublicAPI(app.grouped("api", "v1", "public"))
    CampaignController().bootPublicAPI(app.grouped("api", "v1", "public"))
    VolunteerController().bootPublicAPI(app.grouped("api", "v1", "public"))
    // The check behind a training certificate's QR.
    CadreController().bootPublicAPI(app.grouped("api", "v1", "public"))
}

/// The OpenAPI 3 description of /api/v1, kept beside the templates
/// (Resources/openapi.json); a test checks it lists exactly the registered routes.
enum OpenAPIDocument {
    static let data: Data = (try? Data(contentsOf: BundledResources.root.appendingPathComponent("openapi.json"))) ?? Data("{}".utf8)

    @Sendable static func serve(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
