import Fluent
import SQLKit
import SimpulCore
import Vapor

/// An item kept in an office's food bank (lumbung pangan): beras, minyak goreng, paket
/// sembako… Its stock is never stored: it is the sum of its ledger entries.
final class FoodItem: Model, @unchecked Sendable {
    static let schema = "food_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "scope") var scope: String
    @Field(key: "name") var name: String
    /// Lower-cased name: one item per name per office; transfers match on it.
    @Field(key: "name_key") var nameKey: String
    /// Satuan: kg, liter, paket, dus, karung, buah…
    @Field(key: "unit") var unit: String
    /// Low-stock alert at or below this quantity.
    @Field(key: "low_threshold") var lowThreshold: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var orgPath: OrgPath { OrgPath(rawValue: scope) }
}

/// One stock movement. Append-only: nothing updates or deletes a row; a mistake is
/// undone by a reversing entry (`reverses_id`), at most one per entry.
final class StockEntry: Model, @unchecked Sendable {
    static let schema = "stock_entries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "item_id") var item: FoodItem
    @Field(key: "scope") var scope: String
    @Field(key: "kind") var kind: StockMovementKind
    /// Signed: positive in, negative out.
    @Field(key: "quantity") var quantity: Int
    @Field(key: "at") var at: Date
    /// Calendar day (WIB) of the movement, ISO, for reports.
    @Field(key: "on_date") var onDate: String
    /// Donor or supplier (in), household head (distribution).
    @OptionalField(key: "counterparty") var counterparty: String?
    /// The shared person record of a beneficiary who gave a NIK.
    @OptionalField(key: "person_id") var personID: UUID?
    /// Kelurahan of the household that received a distribution.
    @OptionalField(key: "region_code") var regionCode: String?
    @OptionalField(key: "household_size") var householdSize: Int?
    /// Both halves of a transfer share this id.
    @OptionalField(key: "transfer_id") var transferID: UUID?
    /// The other office of a transfer.
    @OptionalField(key: "counterpart_unit_id") var counterpartUnitID: UUID?
    @OptionalField(key: "reverses_id") var reversesID: UUID?
    /// Purchases: what was paid, whole rupiah.
    @OptionalField(key: "cost_rupiah") var costRupiah: Int64?
    /// A distribution made for a service request.
    @OptionalField(key: "service_request_id") var serviceRequestID: UUID?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "username") var username: String

    init() {}
}

struct CreateFoodBank: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(FoodItem.schema)
            .id()
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, "id"))
            .field("scope", .string, .required)
            .field("name", .string, .required)
            .field("name_key", .string, .required)
            .field("unit", .string, .required)
            .field("low_threshold", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "org_unit_id", "name_key")
            .create()
        try await sql.create(index: "food_items_scope_idx").on(FoodItem.schema).column("scope").run()
        try await database.schema(StockEntry.schema)
            .id()
            .field("item_id", .uuid, .required, .references(FoodItem.schema, "id"))
            .field("scope", .string, .required)
            .field("kind", .string, .required)
            .field("quantity", .int, .required)
            .field("at", .datetime, .required)
            .field("on_date", .string, .required)
            .field("counterparty", .string)
            .field("person_id", .uuid, .references(Person.schema, "id"))
            .field("region_code", .string, .references(Region.schema, "code"))
            .field("household_size", .int)
            .field("transfer_id", .uuid)
            .field("counterpart_unit_id", .uuid, .references(OrgUnit.schema, "id"))
            .field("reverses_id", .uuid, .references(StockEntry.schema, "id"))
            .field("cost_rupiah", .int64)
            .field("service_request_id", .uuid, .references(ServiceRequest.schema, "id"))
            .field("note", .string)
            .field("user_id", .uuid)
            .field("username", .string, .required)
            // A reversal undoes exactly one entry, once.
            .unique(on: "reverses_id")
            .create()
        try await sql.create(index: "stock_entries_item_idx").on(StockEntry.schema).column("item_id").column("at").run()
        try await sql.create(index: "stock_entries_scope_idx").on(StockEntry.schema).column("scope").column("kind").column("on_date").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX food_items_scope_pattern_idx ON food_items (scope text_pattern_ops)").run()
            try await sql.raw("CREATE INDEX stock_entries_scope_pattern_idx ON stock_entries (scope text_pattern_ops)").run()
        }
        try await Self.appendOnly(sql)
    }

    /// The database itself refuses to change or delete a ledger row. Only `person_id` may
    /// change, when two person records are merged into one.
    static let guardedColumns = "item_id, scope, kind, quantity, at, on_date, counterparty, region_code, household_size, transfer_id, "
        + "counterpart_unit_id, reverses_id, cost_rupiah, service_request_id, note, user_id, username"

    static func appendOnly(_ sql: any SQLDatabase) async throws {
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION stock_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'stock_entries is append-only: record a reversing entry instead'; END; $$
                """).run()
            try await sql.raw(SQLQueryString("CREATE TRIGGER stock_entries_no_change BEFORE UPDATE OF \(guardedColumns) OR DELETE ON stock_entries "
                + "FOR EACH ROW EXECUTE FUNCTION stock_entries_append_only()")).run()
        } else {
            try await sql.raw(SQLQueryString("CREATE TRIGGER stock_entries_no_update BEFORE UPDATE OF \(guardedColumns) ON stock_entries "
                + "BEGIN SELECT RAISE(ABORT, 'stock_entries is append-only: record a reversing entry instead'); END")).run()
            try await sql.raw("CREATE TRIGGER stock_entries_no_delete BEFORE DELETE ON stock_entries BEGIN SELECT RAISE(ABORT, 'stock_entries is append-only'); END").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StockEntry.schema).delete()
        try await database.schema(FoodItem.schema).delete()
        if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("DROP FUNCTION IF EXISTS stock_entries_append_only()").run()
        }
    }
}
