import Fluent
import SQLKit

/// Secondary indexes set aside while a big list is loaded and built again after it.
///
/// Keeping an index up to date row by row costs a random page write per row once the index
/// is bigger than the cache (a name-token index of a million members is 300 MB); building
/// it afterwards is one sort. Only non-unique indexes are suspended: the unique ones keep
/// guarding the NIK and the card numbers during the load. Each index's exact definition,
/// as the database reports it, is written to `suspended_indexes` in the same transaction
/// that drops it, so a load killed half-way leaves a record, and `restore` (run when the
/// server or an import starts) builds whatever is missing.
///
/// On PostgreSQL the foreign keys from the loaded tables to the reference tables (regions,
/// org units) are set aside the same way: PostgreSQL checks a foreign key with a query per
/// row, three per member here, about a sixth of a million-member load. The importer locks the
/// kelurahan and units each chunk refers to instead (`MemberImporter.lockParents`), and adding
/// a key back checks every row in one pass. The app never deletes a region or an org unit;
/// keys to people stay, since merging duplicates deletes a person and relies on their cascade.
enum SuspendedIndexes {
    static let schema = "suspended_indexes"

    /// Worth it when the load at least doubles the table: rebuilding then costs about as
    /// much as the rows already there, while keeping the indexes costs a page per row.
    static func worthSuspending(incomingRows: Int, storedRows: Int, minimum: Int = bulkLoadMinimum) -> Bool {
        incomingRows >= minimum && incomingRows >= storedRows
    }

    static let bulkLoadMinimum = 50_000

    /// The tables whose rows the loaded tables' set-aside foreign keys point to.
    static let referenceTables = ["regions", "org_units"]

    /// Drops every non-unique index of `tables` (and on PostgreSQL their foreign keys to
    /// `referenceTables`); returns their names.
    @discardableResult
    static func suspend(tables: [String], on db: any Database) async throws -> [String] {
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            var names: [String] = []
            for item in try await suspendable(of: tables, on: sql) {
                try await sql.raw("INSERT INTO \(ident: schema) (name, definition) VALUES (\(bind: item.name), \(bind: item.definition))").run()
                try await sql.raw(SQLQueryString(item.drop)).run()
                names.append(item.name)
            }
            return names
        }
    }

    /// Builds every suspended index (or key) that is missing and forgets it; a no-op when
    /// none is. Returns the names built.
    ///
    /// A key comes back `NOT VALID` (it holds for every new row at once) and is then validated
    /// against the stored rows. Should a row break it, the key stays unvalidated and the error
    /// is logged, rather than stopping the server's start or the import that called this.
    /// The record is forgotten only after the validation was tried, so a start killed between
    /// the two steps validates the key the next time (validating a valid key costs nothing).
    @discardableResult
    static func restore(on db: any Database) async throws -> [String] {
        let sql = db as! any SQLDatabase
        var built: [String] = []
        for row in try await sql.raw("SELECT name, definition FROM \(ident: schema) ORDER BY name").all() {
            let name = try row.decode(column: "name", as: String.self)
            let definition = try row.decode(column: "definition", as: String.self)
            let validation = validation(of: definition, name: name)
            let added = try await db.transaction { db in
                let sql = db as! any SQLDatabase
                guard try await !exists(name, on: sql) else { return false }
                try await sql.raw(SQLQueryString(validation == nil ? definition : definition + " NOT VALID")).run()
                return true
            }
            if added { built.append(name) }
            if let validation {
                do {
                    try await sql.raw(SQLQueryString(validation)).run()
                } catch {
                    db.logger.error("Kunci asing \(name) dipasang lagi tetapi ada baris lama yang melanggarnya; kunci berlaku untuk baris baru saja: \(String(reflecting: error))")
                }
            }
            try await sql.raw("DELETE FROM \(ident: schema) WHERE name = \(bind: name)").run()
        }
        return built
    }

    /// "ALTER TABLE t VALIDATE CONSTRAINT c" for a key's definition ("ALTER TABLE t ADD
    /// CONSTRAINT c …", as `suspendable` writes it); nil for an index.
    static func validation(of definition: String, name: String) -> String? {
        guard definition.hasPrefix("ALTER TABLE "), let add = definition.range(of: " ADD CONSTRAINT ") else { return nil }
        return definition[..<add.lowerBound] + " VALIDATE CONSTRAINT \"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// What `suspend` sets aside in `tables`, with the statement that creates each.
    static func definitions(of tables: [String], on sql: any SQLDatabase) async throws -> [(name: String, definition: String)] {
        try await suspendable(of: tables, on: sql).map { ($0.name, $0.definition) }
    }

    private struct Suspendable {
        let name: String
        let definition: String
        let drop: String
    }

    private static func suspendable(of tables: [String], on sql: any SQLDatabase) async throws -> [Suspendable] {
        let rows: [any SQLRow]
        if sql.dialect.name == "postgresql" {
            rows = try await sql.raw("""
                SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition, format('DROP INDEX %I', i.relname) AS drop
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = current_schema() AND t.relname IN (\(binds: tables)) AND NOT x.indisunique
                UNION ALL
                SELECT c.conname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname, pg_get_constraintdef(c.oid)),
                  format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname)
                FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname IN (\(binds: tables))
                  AND r.relname IN (\(binds: referenceTables))
                ORDER BY name
                """).all()
        } else {
            // Indexes behind UNIQUE constraints have no SQL of their own (and stay anyway).
            rows = try await sql.raw("""
                SELECT name, sql AS definition, 'DROP INDEX "' || name || '"' AS "drop" FROM sqlite_master
                WHERE type = 'index' AND tbl_name IN (\(binds: tables)) AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
                ORDER BY name
                """).all()
        }
        return try rows.map {
            Suspendable(name: try $0.decode(column: "name", as: String.self), definition: try $0.decode(column: "definition", as: String.self),
                        drop: try $0.decode(column: "drop", as: String.self))
        }
    }

    static func exists(_ index: String, on sql: any SQLDatabase) async throws -> Bool {
        if sql.dialect.name == "postgresql" {
            return try await sql.raw("""
                SELECT 1 AS found WHERE to_regclass(\(bind: index)) IS NOT NULL OR EXISTS (SELECT 1 FROM pg_constraint c
                  JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.conname = \(bind: index) AND n.nspname = current_schema())
                """).first() != nil
        }
        return try await sql.raw("SELECT 1 AS found FROM sqlite_master WHERE type = 'index' AND name = \(bind: index)").first() != nil
    }
}

struct CreateSuspendedIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SuspendedIndexes.schema)
            .field("name", .string, .identifier(auto: false))
            .field("definition", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await SuspendedIndexes.restore(on: database)
        try await database.schema(SuspendedIndexes.schema).delete()
    }
}
