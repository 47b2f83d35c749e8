import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A citizen's service request or complaint (permohonan / pengaduan) to the people's
/// service centre (Pusat Pelayanan Rakyat) of the unit of the kelurahan it concerns.
/// Social-welfare advocacy cases are requests in the PPKS category with a case type.
final class ServiceRequest: Model, @unchecked Sendable {
    static let schema = "service_requests"

    enum Kind: String, Codable, CaseIterable, Sendable {
        /// Permohonan: asking for help (an ID card, a hospital referral, aid).
        case request
        /// Pengaduan: reporting a problem (a broken road, bad service).
        case complaint

        var label: String { self == .request ? "Permohonan bantuan" : "Pengaduan" }
    }

    enum Channel: String, Codable, Sendable {
        /// Formulir publik tanpa akun.
        case `public`
        /// Dicatat petugas (datang langsung, telepon).
        case staff
    }

    @ID(key: .id) var id: UUID?
    /// Tracking code, compact (see `TrackingCode`).
    @Field(key: "code") var code: String
    @Field(key: "kind") var kind: Kind
    @Field(key: "category") var category: ServiceCategory
    @OptionalField(key: "ppks_type") var ppksType: PPKSType?
    @Field(key: "urgent") var urgent: Bool
    @Field(key: "summary") var summary: String
    @Field(key: "description") var details: String
    /// Kelurahan the request concerns.
    @Field(key: "region_code") var regionCode: String
    /// Where exactly (street, landmark); shown to officials only.
    @OptionalField(key: "location_detail") var locationDetail: String?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "requester_name") var requesterName: String
    @Field(key: "phone_cipher") var phoneCipher: String
    @Field(key: "phone_masked") var phoneMasked: String
    /// The shared person record, when the requester gave a NIK.
    @OptionalParent(key: "person_id") var person: Person?
    /// Optional photo (JPEG, base64), encrypted.
    @OptionalField(key: "photo_cipher") var photoCipher: String?
    @Field(key: "channel") var channel: Channel
    @Field(key: "status") var status: ServiceStatus
    @Field(key: "received_at") var receivedAt: Date
    /// Calendar day of receipt (WIB) and the SLA due day, ISO dates.
    @Field(key: "received_on") var receivedOn: String
    @Field(key: "due_on") var dueOn: String
    @OptionalParent(key: "assigned_unit_id") var assignedUnit: OrgUnit?
    /// Pendamping: the volunteer or cadre who accompanies the citizen.
    @OptionalParent(key: "advocate_id") var advocate: Person?
    @OptionalField(key: "referred_to") var referredTo: String?
    @OptionalField(key: "follow_up_on") var followUpOn: String?
    @OptionalField(key: "outcome") var outcome: ServiceOutcome?
    @OptionalField(key: "outcome_note") var outcomeNote: String?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
    var trackingCode: String { (try? TrackingCode(parsing: code).formatted) ?? code }
    var due: CivilDate { CivilDate(iso8601: dueOn) ?? CivilDate(receivedAt) }

    func isBreached(today: CivilDate = CivilDate(Date())) -> Bool {
        ServiceSLA.isBreached(due: due, open: status.isOpen, today: today)
    }
}

/// One line in a request's history: every status change, assignment, referral, follow-up
/// and note. Append-only; `isPublic` lines are what the requester sees with the code.
final class ServiceNote: Model, @unchecked Sendable {
    static let schema = "service_notes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "request_id") var request: ServiceRequest
    @Field(key: "at") var at: Date
    /// created, triage, assign, refer, followUp, note, close, reopen
    @Field(key: "action") var action: String
    @Field(key: "body") var body: String
    @Field(key: "is_public") var isPublic: Bool
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "author_name") var authorName: String
    @Field(key: "scope") var scope: String

    init() {}

    init(request: ServiceRequest, action: String, body: String, isPublic: Bool, author: User?) throws {
        $request.id = try request.requireID()
        at = Date()
        self.action = action
        self.body = body
        self.isPublic = isPublic
        authorID = author?.id
        authorName = author?.displayName ?? "Pelapor"
        scope = request.scope
    }
}

struct CreateServiceRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(ServiceRequest.schema)
            .id()
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("category", .string, .required)
            .field("ppks_type", .string)
            .field("urgent", .bool, .required)
            .field("summary", .string, .required)
            .field("description", .string, .required)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("location_detail", .string)
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("requester_name", .string, .required)
            .field("phone_cipher", .string, .required)
            .field("phone_masked", .string, .required)
            .field("person_id", .uuid, .references(Person.schema, "id"))
            .field("photo_cipher", .string)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("received_at", .datetime, .required)
            .field("received_on", .string, .required)
            .field("due_on", .string, .required)
            .field("assigned_unit_id", .uuid, .references(OrgUnit.schema, "id"))
            .field("advocate_id", .uuid, .references(Person.schema, "id"))
            .field("referred_to", .string)
            .field("follow_up_on", .string)
            .field("outcome", .string)
            .field("outcome_note", .string)
            .field("closed_at", .datetime)
            .field("created_by", .uuid)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await sql.create(index: "service_requests_scope_idx").on(ServiceRequest.schema).column("scope").column("status").run()
        try await sql.create(index: "service_requests_due_idx").on(ServiceRequest.schema).column("status").column("due_on").run()
        try await sql.create(index: "service_requests_person_idx").on(ServiceRequest.schema).column("person_id").run()
        try await database.schema(ServiceNote.schema)
            .id()
            .field("request_id", .uuid, .required, .references(ServiceRequest.schema, "id"))
            .field("at", .datetime, .required)
            .field("action", .string, .required)
            .field("body", .string, .required)
            .field("is_public", .bool, .required)
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("scope", .string, .required)
            .create()
        try await sql.create(index: "service_notes_request_idx").on(ServiceNote.schema).column("request_id").column("at").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX service_requests_scope_pattern_idx ON service_requests (scope text_pattern_ops)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ServiceNote.schema).delete()
        try await database.schema(ServiceRequest.schema).delete()
    }
}
