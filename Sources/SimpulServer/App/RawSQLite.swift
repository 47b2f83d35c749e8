import NIOCore
import SQLiteNIO
// SQLiteNIO's own copy of SQLite. A second copy (Debian's libsqlite3) in the same process
// would keep its own table of POSIX locks, and closing a file in one copy drops the locks
// the other holds: the two must be the same library.
import VaporCSQLite

/// A connection of our own to the SQLite file, with statements prepared once and kept.
/// SQLiteNIO prepares every statement again and runs it on its thread pool; that is right
/// for most work, but not for the two hot paths that use this: the public card check
/// (LoopLocalSQLite) and the member import's writes (SQLiteBulkWriter). Not thread-safe
/// (@unchecked Sendable, opened with SQLITE_OPEN_NOMUTEX):
/// each user keeps a connection on one thread.
final class RawSQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        var description: String { "SQLite \(code): \(message)" }
    }

    /// - Parameter busyTimeout: how long a write waits for another writer (milliseconds).
    init(path: String, pragmas: [String], busyTimeout: Int32 = 0) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            sqlite_nio_sqlite3_close_v2(handle)
            throw Failure(code: status, message: "cannot open \(path)")
        }
        if busyTimeout > 0 { sqlite_nio_sqlite3_busy_timeout(handle, busyTimeout) }
        for pragma in pragmas {
            do { try execute(pragma) } catch {
                close()
                throw error
            }
        }
    }

    /// Statements without parameters or results (BEGIN, COMMIT, PRAGMA).
    func execute(_ sql: String) throws {
        let status = sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw failure(status, sql) }
    }

    /// The first row of `sql` with `text` bound to its one parameter, nil when there is none.
    func firstRow(_ sql: String, text: String) throws -> [SQLiteData]? {
        var first: [SQLiteData]?
        try run(sql, [.text(text)]) { if first == nil { first = $0 } }
        return first
    }

    /// Runs `sql` with `binds`, handing each result row to `row`.
    func run(_ sql: String, _ binds: [SQLiteData], row: ([SQLiteData]) throws -> Void = { _ in }) throws {
        let statement = try prepared(sql)
        // Reset only; the bindings are SQLite's copies and the next run replaces them. Not
        // sqlite3_clear_bindings: on a statement whose plan looked at a parameter (the card
        // check's joins do) it expires the statement, and every next step parsed and planned
        // the query again, a tenth of the check's CPU.
        defer { sqlite_nio_sqlite3_reset(statement) }
        for (i, value) in binds.enumerated() {
            let index = Int32(i + 1)
            let status: Int32
            switch value {
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .integer(let int): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(int))
            case .float(let double): status = sqlite_nio_sqlite3_bind_double(statement, index, double)
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw failure(status, sql) }
        }
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            switch status {
            case SQLITE_DONE: return
            case SQLITE_ROW: try row(columns(statement))
            default: throw failure(status, sql)
            }
        }
    }

    /// Rows the last INSERT, UPDATE or DELETE changed.
    var changes: Int { Int(sqlite_nio_sqlite3_changes(handle)) }

    /// How often SQLite had to prepare `sql` again (0 when the statement is reused as meant).
    func reprepares(_ sql: String) -> Int {
        statements[sql].map { Int(sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0)) } ?? 0
    }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(handle)
        handle = nil
    }

    deinit { if handle != nil { close() } }

    // SQLite copies the value before the bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func columns(_ statement: OpaquePointer) -> [SQLiteData] {
        (0..<sqlite_nio_sqlite3_column_count(statement)).map { i in
            switch sqlite_nio_sqlite3_column_type(statement, i) {
            case SQLITE_INTEGER: .integer(Int(sqlite_nio_sqlite3_column_int64(statement, i)))
            case SQLITE_FLOAT: .float(sqlite_nio_sqlite3_column_double(statement, i))
            case SQLITE_TEXT: sqlite_nio_sqlite3_column_text(statement, i).map { .text(String(cString: $0)) } ?? .null
            case SQLITE_BLOB:
                if let bytes = sqlite_nio_sqlite3_column_blob(statement, i) {
                    .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: bytes, count: Int(sqlite_nio_sqlite3_column_bytes(statement, i)))))
                } else {
                    .blob(ByteBuffer())
                }
            default: .null
            }
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw failure(status, sql) }
        statements[sql] = statement
        return statement
    }

    private func failure(_ status: Int32, _ sql: String) -> Failure {
        let message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? ""
        return Failure(code: status, message: "\(message) (\(sql.prefix(80)))")
    }
}
