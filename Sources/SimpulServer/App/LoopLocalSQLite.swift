import NIOCore
import SQLiteNIO
// SQLiteNIO's own copy of SQLite. A second copy (Debian's libsqlite3) in the same process
// would keep its own table of POSIX locks, and closing a file in one copy drops the locks
// the other holds: the two must be the same library.
import VaporCSQLite
import Vapor

/// Read-only SQLite connections to the database file, one per event loop, answering point
/// reads on the loop itself. SQLiteNIO runs every statement on its thread pool: two thread
/// wake-ups per request, a sixth of the CPU of the public card check under load. A lookup by
/// a unique index takes microseconds, less than those wake-ups, so the busiest public read
/// is done here. With WAL a reader never waits for the writer; if SQLite answers anything but
/// a row or "no row" (busy, a changed schema, an error), `firstRow` throws and the caller
/// takes the pool as before.
final class LoopLocalSQLite: Sendable {
    let path: String
    private let connections: [ObjectIdentifier: NIOLoopBoundBox<Connection?>]

    init(path: String, eventLoops: any EventLoopGroup) {
        self.path = path
        var boxes: [ObjectIdentifier: NIOLoopBoundBox<Connection?>] = [:]
        for loop in eventLoops.makeIterator() {
            boxes[ObjectIdentifier(loop)] = .makeEmptyBox(valueType: Connection.self, eventLoop: loop)
        }
        connections = boxes
    }

    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        var description: String { "SQLite \(code): \(message)" }
    }

    /// The first row of `sql` with `text` bound to its one parameter, nil when there is none.
    /// Throws when not called on `eventLoop` or the loop is not the application's.
    func firstRow(_ sql: String, text: String, on eventLoop: any EventLoop) throws -> [SQLiteData]? {
        guard let box = connections[ObjectIdentifier(eventLoop)], eventLoop.inEventLoop else {
            throw Failure(code: SQLITE_MISUSE, message: "not on one of the application's event loops")
        }
        let connection: Connection
        if let open = box.value {
            connection = open
        } else {
            connection = try Connection(path: path)
            box.value = connection
        }
        return try connection.firstRow(sql, text: text)
    }

    /// `Connection.reprepares` of this loop's connection (for tests; on `eventLoop`).
    func reprepares(_ sql: String, on eventLoop: any EventLoop) -> Int {
        connections[ObjectIdentifier(eventLoop)]?.value?.reprepares(sql) ?? 0
    }

    /// Closes every connection (at shutdown; SQLite is built serialized, so any thread may).
    func close() {
        for box in connections.values {
            box.eventLoop.execute {
                box.value?.close()
                box.value = nil
            }
        }
    }

    struct Closer: LifecycleHandler {
        let reader: LoopLocalSQLite
        func shutdown(_ application: Application) { reader.close() }
    }

    /// One connection and its prepared statements; used only on its event loop.
    final class Connection {
        private var handle: OpaquePointer?
        private var statements: [String: OpaquePointer] = [:]

        init(path: String) throws {
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard status == SQLITE_OK else {
                sqlite_nio_sqlite3_close_v2(handle)
                throw Failure(code: status, message: "cannot open \(path)")
            }
            // Never writes; index pages read through the mapping the server's own
            // connections also use (the OS keeps one copy).
            for pragma in ["PRAGMA query_only=1", "PRAGMA mmap_size=268435456"] {
                let status = sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil)
                guard status == SQLITE_OK else {
                    defer { close() }
                    throw Failure(code: status, message: pragma)
                }
            }
        }

        func firstRow(_ sql: String, text: String) throws -> [SQLiteData]? {
            let statement = try prepared(sql)
            defer {
                sqlite_nio_sqlite3_reset(statement)
                // Not sqlite3_clear_bindings: on a statement whose plan looked at a parameter
                // (the card check's joins do) it expires the statement, and every next step
                // parsed and planned the query again, a tenth of the check's CPU.
                sqlite_nio_sqlite3_bind_null(statement, 1)
            }
            return try text.withCString { cString -> [SQLiteData]? in
                // SQLITE_STATIC (nil): the text outlives the step, which happens in this closure.
                var status = sqlite_nio_sqlite3_bind_text(statement, 1, cString, -1, nil)
                guard status == SQLITE_OK else { throw failure(status) }
                status = sqlite_nio_sqlite3_step(statement)
                switch status {
                case SQLITE_DONE:
                    return nil
                case SQLITE_ROW:
                    return (0..<sqlite_nio_sqlite3_column_count(statement)).map { column(statement, $0) }
                default:
                    throw failure(status)
                }
            }
        }

        /// How often SQLite had to prepare `sql` again (0 when the statement is reused as meant).
        func reprepares(_ sql: String) -> Int {
            statements[sql].map { Int(sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0)) } ?? 0
        }

        private func column(_ statement: OpaquePointer, _ i: Int32) -> SQLiteData {
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

        private func prepared(_ sql: String) throws -> OpaquePointer {
            if let statement = statements[sql] { return statement }
            var statement: OpaquePointer?
            let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard status == SQLITE_OK, let statement else { throw failure(status) }
            statements[sql] = statement
            return statement
        }

        private func failure(_ status: Int32) -> Failure {
            Failure(code: status, message: sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "")
        }

        func close() {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements = [:]
            sqlite_nio_sqlite3_close_v2(handle)
            handle = nil
        }
    }
}

extension Application {
    private struct LoopLocalSQLiteKey: StorageKey { typealias Value = LoopLocalSQLite }

    /// Set for a SQLite file (not for PostgreSQL, nor for a private in-memory database,
    /// which another connection cannot see).
    var loopLocalSQLite: LoopLocalSQLite? {
        get { storage[LoopLocalSQLiteKey.self] }
        set { storage[LoopLocalSQLiteKey.self] = newValue }
    }
}
