import Fluent
import SQLKit
import SimpulCore
import Vapor

/// One person, shared by every module (member, volunteer, beneficiary, candidate, witness).
/// NIK, phone and address are encrypted at rest; NIK and phone also carry a keyed blind
/// index for exact lookups and duplicate checks, and a masked form for lists.
final class Person: Model, @unchecked Sendable {
    static let schema = "people"

    @ID(key: .id) var id: UUID?
    @Field(key: "full_name") var fullName: String
    /// Lower-cased name for search.
    @Field(key: "name_search") var nameSearch: String
    @OptionalField(key: "nik_cipher") var nikCipher: String?
    @OptionalField(key: "nik_index") var nikIndex: String?
    @OptionalField(key: "nik_masked") var nikMasked: String?
    @OptionalField(key: "birth_place") var birthPlace: String?
    /// ISO date, YYYY-MM-DD.
    @OptionalField(key: "birth_date") var birthDate: String?
    /// "L" (laki-laki) or "P" (perempuan), as on the KTP.
    @OptionalField(key: "sex") var sex: String?
    @OptionalField(key: "phone_cipher") var phoneCipher: String?
    @OptionalField(key: "phone_index") var phoneIndex: String?
    @OptionalField(key: "phone_masked") var phoneMasked: String?
    @OptionalField(key: "address_cipher") var addressCipher: String?
    /// RT/RW as on the KTP, three digits each ("001").
    @OptionalField(key: "rt") var rt: String?
    @OptionalField(key: "rw") var rw: String?
    @OptionalField(key: "occupation") var occupation: String?
    /// belum_kawin, kawin, cerai_hidup, cerai_mati.
    @OptionalField(key: "marital_status") var maritalStatus: String?
    /// Passport photo, JPEG, encrypted like the NIK.
    @OptionalField(key: "photo_cipher") var photoCipher: String?
    /// Kecamatan code encoded in the NIK (first six digits, dotted): for KPU region checks
    /// without decrypting.
    @OptionalField(key: "nik_region") var nikRegion: String?
    /// Set when the person asked to be forgotten; identifying fields are gone.
    @OptionalField(key: "anonymised_at") var anonymisedAt: Date?
    /// Kelurahan (or any region) where the person lives.
    @Field(key: "region_code") var regionCode: String
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    /// Path of the owning org unit: every permission check reads this.
    @Field(key: "scope") var scope: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
}

/// What happened to a person, in any module: the person's timeline.
final class PersonEvent: Model, @unchecked Sendable {
    static let schema = "person_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "at") var at: Date
    /// Module that wrote it: people, organization, membership, …
    @Field(key: "module") var module: String
    /// Machine-readable kind: person.created, office.assigned, …
    @Field(key: "kind") var kind: String
    /// One line in Indonesian for the timeline.
    @Field(key: "summary") var summary: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "scope") var scope: String

    init() {}

    init(personID: UUID, module: String, kind: String, summary: String, actorID: UUID?, scope: String) {
        self.$person.id = personID
        self.at = Date()
        self.module = module
        self.kind = kind
        self.summary = summary
        self.actorID = actorID
        self.scope = scope
    }
}

struct CreatePeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(Person.schema)
            .id()
            .field("full_name", .string, .required)
            .field("name_search", .string, .required)
            .field("nik_cipher", .string)
            .field("nik_index", .string)
            .field("nik_masked", .string)
            .field("birth_place", .string)
            .field("birth_date", .string)
            .field("sex", .string)
            .field("phone_cipher", .string)
            .field("phone_index", .string)
            .field("phone_masked", .string)
            .field("address_cipher", .string)
            .field("rt", .string)
            .field("rw", .string)
            .field("occupation", .string)
            .field("marital_status", .string)
            .field("photo_cipher", .string)
            .field("nik_region", .string)
            .field("anonymised_at", .datetime)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            // One person per NIK; NULLs (no NIK recorded) do not collide on either database.
            .unique(on: "nik_index")
            .create()
        try await sql.create(index: "people_scope_idx").on(Person.schema).column("scope").run()
        try await sql.create(index: "people_phone_idx").on(Person.schema).column("phone_index").run()
        try await sql.create(index: "people_name_idx").on(Person.schema).column("name_search").run()
        try await database.schema(PersonEvent.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("module", .string, .required)
            .field("kind", .string, .required)
            .field("summary", .string, .required)
            .field("actor_id", .uuid)
            .field("scope", .string, .required)
            .create()
        try await sql.create(index: "person_events_person_idx").on(PersonEvent.schema).column("person_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonEvent.schema).delete()
        try await database.schema(Person.schema).delete()
    }
}
