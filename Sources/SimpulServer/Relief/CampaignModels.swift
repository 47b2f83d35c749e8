import Fluent
import SQLKit
import SimpulCore
import Vapor

/// A donation campaign (penggalangan dana) run by one unit, e.g. a disaster fund of
/// Rp 500 juta at province level. Its public page shows totals and spending; donors
/// appear by name only when they agreed to it.
final class Campaign: Model, @unchecked Sendable {
    static let schema = "campaigns"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    /// Public address part: /donasi/<slug>.
    @Field(key: "slug") var slug: String
    @Field(key: "title") var title: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "target_rupiah") var targetRupiah: Int64
    @Field(key: "starts_on") var startsOn: String
    @OptionalField(key: "ends_on") var endsOn: String?
    /// Shown on the public list and page.
    @Field(key: "is_public") var isPublic: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
}

/// A pledge or a receipt. Donor contact is encrypted; the name is public only with consent.
final class Donation: Model, @unchecked Sendable {
    static let schema = "donations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "scope") var scope: String
    @Field(key: "kind") var kind: DonationKind
    @Field(key: "donor_name") var donorName: String
    @OptionalField(key: "phone_cipher") var phoneCipher: String?
    @OptionalField(key: "phone_masked") var phoneMasked: String?
    /// The donor agreed to have the name shown on the public page.
    @Field(key: "publish_name") var publishName: Bool
    @Field(key: "amount") var amount: Int64
    @Field(key: "on_date") var onDate: String
    @OptionalField(key: "method") var method: PaymentMethod?
    @OptionalField(key: "reference") var reference: String?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "username") var username: String
    @Field(key: "at") var at: Date

    init() {}
}

/// Money spent from a campaign, optionally linked to the food bank purchase or
/// distribution it paid for.
final class CampaignSpending: Model, @unchecked Sendable {
    static let schema = "campaign_spending"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "scope") var scope: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "on_date") var onDate: String
    @Field(key: "purpose") var purpose: String
    @OptionalField(key: "stock_entry_id") var stockEntryID: UUID?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "username") var username: String
    @Field(key: "at") var at: Date

    init() {}
}

struct CreateCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(Campaign.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("purpose", .string, .required)
            .field("target_rupiah", .int64, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string)
            .field("is_public", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "slug")
            .create()
        try await sql.create(index: "campaigns_scope_idx").on(Campaign.schema).column("scope").run()
        try await database.schema(Donation.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, "id"))
            .field("scope", .string, .required)
            .field("kind", .string, .required)
            .field("donor_name", .string, .required)
            .field("phone_cipher", .string)
            .field("phone_masked", .string)
            .field("publish_name", .bool, .required)
            .field("amount", .int64, .required)
            .field("on_date", .string, .required)
            .field("method", .string)
            .field("reference", .string)
            .field("user_id", .uuid)
            .field("username", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await sql.create(index: "donations_campaign_idx").on(Donation.schema).column("campaign_id").column("kind").run()
        try await database.schema(CampaignSpending.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, "id"))
            .field("scope", .string, .required)
            .field("amount", .int64, .required)
            .field("on_date", .string, .required)
            .field("purpose", .string, .required)
            .field("stock_entry_id", .uuid, .references(StockEntry.schema, "id"))
            .field("user_id", .uuid)
            .field("username", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await sql.create(index: "campaign_spending_campaign_idx").on(CampaignSpending.schema).column("campaign_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CampaignSpending.schema).delete()
        try await database.schema(Donation.schema).delete()
        try await database.schema(Campaign.schema).delete()
    }
}
