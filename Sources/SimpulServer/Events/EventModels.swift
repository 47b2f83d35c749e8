import Fluent
import SQLKit
import SimpulCore
import Vapor

/// How people attend an event (kegiatan).
enum EventMode: String, Codable, CaseIterable, Sendable {
    /// Tatap muka: in the hall, attendance per person by check-in.
    case inPerson
    /// Daring: online only, attendance as viewer counts per source.
    case online
    /// Hibrida: both.
    case hybrid

    var label: String {
        switch self {
        case .inPerson: return "Tatap muka"
        case .online: return "Daring"
        case .hybrid: return "Hibrida (tatap muka + daring)"
        }
    }

    var hasHall: Bool { self != .online }
    var hasStream: Bool { self != .inPerson }
}

/// An event of a unit: a consolidation meeting, a training, a webinar, a Raker session.
final class PartyEvent: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @OptionalField(key: "programme_id") var programmeID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var details: String
    @Field(key: "mode") var mode: EventMode
    @Field(key: "venue") var venue: String
    @Field(key: "online_url") var onlineURL: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    /// Seats in the hall; nil = unlimited.
    @OptionalField(key: "capacity") var capacity: Int?
    @Field(key: "cancelled") var cancelled: Bool
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
}

/// A person registered for an event: a member (found by e-KTA) or a guest with name and
/// phone. Check-in is per person and only for the hall.
final class EventRegistration: Model, @unchecked Sendable {
    static let schema = "event_registrations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "event_id") var event: PartyEvent
    @Field(key: "scope") var scope: String
    @OptionalField(key: "person_id") var personID: UUID?
    @OptionalField(key: "member_number") var memberNumber: String?
    @Field(key: "name") var name: String
    @OptionalField(key: "phone_cipher") var phoneCipher: String?
    @OptionalField(key: "phone_masked") var phoneMasked: String?
    /// The guest agreed to be contacted (reminders); members' consent is their own record.
    @Field(key: "contact_consent") var contactConsent: Bool
    /// For hybrid events: inPerson or online.
    @Field(key: "attend_mode") var attendMode: EventMode
    @Field(key: "registered_at") var registeredAt: Date
    @Field(key: "walk_in") var walkIn: Bool
    @OptionalField(key: "checked_in_at") var checkedInAt: Date?
    @OptionalField(key: "checked_in_by") var checkedInBy: String?

    init() {}
}

/// A count of online viewers from one source (YouTube live, Zoom) at one moment.
final class OnlineCount: Model, @unchecked Sendable {
    static let schema = "event_online_counts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "event_id") var event: PartyEvent
    @Field(key: "scope") var scope: String
    @Field(key: "source") var source: String
    @Field(key: "viewers") var viewers: Int
    @Field(key: "note") var note: String
    @Field(key: "username") var username: String
    @Field(key: "at") var at: Date

    init() {}
}

/// One reminder in the outbox: scheduled at registration, sent by the reminder job.
final class EventReminder: Model, @unchecked Sendable {
    static let schema = "event_reminders"

    enum Status: String, Codable, CaseIterable, Sendable {
        case pending, sending, sent, skipped, failed

        var label: String {
            switch self {
            case .pending: return "Menunggu"
            case .sending: return "Sedang dikirim"
            case .sent: return "Terkirim"
            case .skipped: return "Dilewati"
            case .failed: return "Gagal"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "event_id") var event: PartyEvent
    @Parent(key: "registration_id") var registration: EventRegistration
    @Field(key: "scope") var scope: String
    @Field(key: "kind") var kind: String
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "claim") var claim: String?
    @OptionalField(key: "claimed_at") var claimedAt: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "channel") var channel: String?
    @OptionalField(key: "last_error") var lastError: String?

    init() {}
}

struct CreateEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(PartyEvent.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("programme_id", .uuid, .references(Programme.schema, "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("mode", .string, .required)
            .field("venue", .string, .required)
            .field("online_url", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("capacity", .int)
            .field("cancelled", .bool, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await sql.create(index: "events_scope_idx").on(PartyEvent.schema).column("scope").column("starts_at").run()
        try await database.schema(EventRegistration.schema)
            .id()
            .field("event_id", .uuid, .required, .references(PartyEvent.schema, "id"))
            .field("scope", .string, .required)
            .field("person_id", .uuid, .references(Person.schema, "id"))
            .field("member_number", .string)
            .field("name", .string, .required)
            .field("phone_cipher", .string)
            .field("phone_masked", .string)
            .field("contact_consent", .bool, .required)
            .field("attend_mode", .string, .required)
            .field("registered_at", .datetime, .required)
            .field("walk_in", .bool, .required)
            .field("checked_in_at", .datetime)
            .field("checked_in_by", .string)
            .create()
        try await sql.create(index: "event_registrations_event_idx").on(EventRegistration.schema).column("event_id").column("person_id").run()
        try await database.schema(OnlineCount.schema)
            .id()
            .field("event_id", .uuid, .required, .references(PartyEvent.schema, "id"))
            .field("scope", .string, .required)
            .field("source", .string, .required)
            .field("viewers", .int, .required)
            .field("note", .string, .required)
            .field("username", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await sql.create(index: "event_online_counts_event_idx").on(OnlineCount.schema).column("event_id").run()
        try await database.schema(EventReminder.schema)
            .id()
            .field("event_id", .uuid, .required, .references(PartyEvent.schema, "id"))
            .field("registration_id", .uuid, .required, .references(EventRegistration.schema, "id"))
            .field("scope", .string, .required)
            .field("kind", .string, .required)
            .field("due_at", .datetime, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("claim", .string)
            .field("claimed_at", .datetime)
            .field("sent_at", .datetime)
            .field("channel", .string)
            .field("last_error", .string)
            .create()
        try await sql.create(index: "event_reminders_due_idx").on(EventReminder.schema).column("status").column("due_at").run()
        try await sql.create(index: "event_reminders_event_idx").on(EventReminder.schema).column("event_id").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX events_scope_pattern_idx ON events (scope text_pattern_ops)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EventReminder.schema).delete()
        try await database.schema(OnlineCount.schema).delete()
        try await database.schema(EventRegistration.schema).delete()
        try await database.schema(PartyEvent.schema).delete()
    }
}
