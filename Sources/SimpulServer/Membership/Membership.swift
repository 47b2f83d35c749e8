import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Party membership of one person: pending → verified → active (member number and e-KTA
/// issued), or rejected with a reason; an active member may later be made inactive.
final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"

    enum Channel: String, Codable, Sendable {
        /// Daftar sendiri lewat halaman publik.
        case selfRegistration = "self"
        /// Dicatat pengurus.
        case staff
        /// Impor dari berkas.
        case `import`
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Enum(key: "status") var status: MembershipStatus
    @Enum(key: "channel") var channel: Channel
    /// KTA number (see `MemberNumber`), set on activation.
    @OptionalField(key: "number") var number: String?
    /// Random public code behind the card's QR; reveals nothing by itself.
    @OptionalField(key: "verify_code") var verifyCode: String?
    @OptionalField(key: "valid_until") var validUntil: String?
    @OptionalField(key: "rejection_reason") var rejectionReason: String?
    @OptionalField(key: "import_batch_id") var importBatchID: UUID?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @Field(key: "registered_at") var registeredAt: Date
    @OptionalField(key: "activated_at") var activatedAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// Consent per purpose (UU 27/2022 PDP): recorded when given or withdrawn, never edited.
final class Consent: Model, @unchecked Sendable {
    static let schema = "consents"

    enum Purpose: String, Codable, CaseIterable, Sendable {
        /// Data diproses untuk keanggotaan partai.
        case membership
        /// Boleh dihubungi (telepon, WhatsApp).
        case contact
        /// Nama boleh dipublikasikan (mis. daftar pengurus, kegiatan).
        case publication

        var label: String {
            switch self {
            case .membership: return "Pemrosesan data untuk keanggotaan partai"
            case .contact: return "Boleh dihubungi lewat telepon/WhatsApp"
            case .publication: return "Nama boleh dipublikasikan dalam kegiatan partai"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Enum(key: "purpose") var purpose: Purpose
    @Field(key: "granted") var granted: Bool
    @Field(key: "at") var at: Date
    @Field(key: "source") var source: String

    init() {}

    init(personID: UUID, purpose: Purpose, granted: Bool, source: String) {
        self.$person.id = personID
        self.purpose = purpose
        self.granted = granted
        self.at = Date()
        self.source = source
    }
}

/// Last member sequence used per kelurahan, for KTA numbers.
final class MemberSequence: Model, @unchecked Sendable {
    static let schema = "member_sequences"

    @ID(custom: "region_code", generatedBy: .user) var id: String?
    @Field(key: "last_sequence") var lastSequence: Int

    init() {}
}

/// Tokens of a person's name as phonetic keys (see `IndonesianName`), so a name search is
/// an indexed prefix lookup instead of a scan of a million rows.
final class NameToken: Model, @unchecked Sendable {
    static let schema = "name_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "token") var token: String
    @Field(key: "scope") var scope: String
    /// The person's `name_search`, so a search sorts and pages its hits from one covering
    /// index (token, scope, sort_name, person_id) without visiting the people table.
    @Field(key: "sort_name") var sortName: String
    /// All the name's tokens, " key1 key2 …" (`NameIndex.keyList`): a search for several
    /// words looks up the rarest and checks the others here, in the same index entry.
    @Field(key: "name_keys") var nameKeys: String

    init() {}
}

/// Name search answered from the token index alone (see `NameToken.sortName`): with a
/// million members, walking people by name and probing tokens per row took 0.6 s on
/// PostgreSQL for a rare prefix; the covering index answers in milliseconds.
struct AddNameTokenSortName: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(NameToken.schema).field("sort_name", .string, .required, .sql(.default(""))).update()
        try await sql.raw("UPDATE name_tokens SET sort_name = COALESCE((SELECT name_search FROM people WHERE people.id = name_tokens.person_id), '')").run()
        try await sql.drop(index: "name_tokens_token_idx").run()
        try await sql.create(index: "name_tokens_search_idx").on(NameToken.schema)
            .column("token").column("scope").column("sort_name").column("person_id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "name_tokens_search_idx").run()
        try await sql.create(index: "name_tokens_token_idx").on(NameToken.schema).column("token").run()
        try await database.schema(NameToken.schema).deleteField("sort_name").update()
    }
}

/// Several-word searches and common names at a million members (see `AddNameTokenSortName`).
/// "Agus Santoso" used to collect every "agus" row and every "santoso" row (38,000 each) to
/// intersect them, 0.5–0.9 s; a common name grouped and sorted all of its 38,000 hits.
/// Each token row now carries all of its name's keys, so the rarer word's rows are read
/// once with the other words checked in place; and the index is ordered by name within a
/// token, (token, sort_name, person_id, scope, name_keys), so the first page of a common
/// name is the first entries of each matching token, merged. On PostgreSQL the sort name
/// compares bytewise ("C"), as on SQLite, so the merge and the index agree on the order.
struct AddNameKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(NameToken.schema).field("name_keys", .string, .required, .sql(.default(""))).update()
        try await sql.drop(index: "name_tokens_search_idx").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE name_tokens ALTER COLUMN sort_name TYPE TEXT COLLATE \"C\"").run()
            try await sql.raw("""
                UPDATE name_tokens t SET name_keys = k.keys
                FROM (SELECT person_id, ' ' || string_agg(token, ' ') AS keys FROM name_tokens GROUP BY person_id) k
                WHERE k.person_id = t.person_id
                """).run()
        } else {
            try await sql.raw("""
                UPDATE name_tokens SET name_keys =
                  (SELECT ' ' || group_concat(u.token, ' ') FROM name_tokens u WHERE u.person_id = name_tokens.person_id)
                """).run()
        }
        try await sql.create(index: "name_tokens_search_idx").on(NameToken.schema)
            .column("token").column("sort_name").column("person_id").column("scope").column("name_keys").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "name_tokens_search_idx").run()
        try await sql.create(index: "name_tokens_search_idx").on(NameToken.schema)
            .column("token").column("scope").column("sort_name").column("person_id").run()
        try await database.schema(NameToken.schema).deleteField("name_keys").update()
    }
}

struct CreateMembership: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let status = try await database.enum("membership_status")
            .case("pending").case("verified").case("active").case("rejected").case("inactive").create()
        let channel = try await database.enum("membership_channel").case("self").case("staff").case("import").create()
        try await database.schema(Membership.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("status", status, .required)
            .field("channel", channel, .required)
            .field("number", .string)
            .field("verify_code", .string)
            .field("valid_until", .string)
            .field("rejection_reason", .string)
            .field("import_batch_id", .uuid)
            .field("decided_by", .uuid)
            .field("registered_at", .datetime, .required)
            .field("activated_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "person_id")
            .unique(on: "number")
            .unique(on: "verify_code")
            .create()
        try await sql.create(index: "memberships_scope_status_idx").on(Membership.schema).column("scope").column("status").run()
        let purpose = try await database.enum("consent_purpose").case("membership").case("contact").case("publication").create()
        try await database.schema(Consent.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("purpose", purpose, .required)
            .field("granted", .bool, .required)
            .field("at", .datetime, .required)
            .field("source", .string, .required)
            .create()
        try await sql.create(index: "consents_person_idx").on(Consent.schema).column("person_id").run()
        try await database.schema(MemberSequence.schema)
            .field("region_code", .string, .identifier(auto: false))
            .field("last_sequence", .int, .required)
            .create()
        try await database.schema(NameToken.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("token", .string, .required)
            .field("scope", .string, .required)
            .create()
        if sql.dialect.name == "postgresql" {
            // Byte order whatever the server's locale, so `token >= k AND token < k||'~'`
            // is a prefix range that the index serves (SQLite compares bytes already).
            try await sql.raw("ALTER TABLE name_tokens ALTER COLUMN token TYPE TEXT COLLATE \"C\"").run()
        }
        try await sql.create(index: "name_tokens_token_idx").on(NameToken.schema).column("token").run()
        try await sql.create(index: "name_tokens_person_idx").on(NameToken.schema).column("person_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(NameToken.schema).delete()
        try await database.schema(MemberSequence.schema).delete()
        try await database.schema(Consent.schema).delete()
        try await database.enum("consent_purpose").delete()
        try await database.schema(Membership.schema).delete()
        try await database.enum("membership_channel").delete()
        try await database.enum("membership_status").delete()
    }
}
