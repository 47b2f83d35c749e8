import NIOCore
import SQLiteNIO
import VaporCSQLite
import Vapor

/// Read-only SQLite connections (RawSQLiteConnection) to the database file, one per event
/// loop, answering point reads on the loop itself. SQLiteNIO runs every statement on its
/// thread pool: two thread wake-ups per request, most of the 17 % of the public card check's
/// CPU that was in the kernel under load. A lookup by
/// a unique index takes microseconds, less than those wake-ups, so the busiest public read
/// is done here. With WAL a reader never waits for the writer; if SQLite answers anything but
/// a row or "no row" (busy, a changed schema, an error), `firstRow` throws and the caller
/// takes the pool as before.
final class LoopLocalSQLite: Sendable {
    let path: String
    private let connections: [ObjectIdentifier: NIOLoopBoundBox<RawSQLiteConnection?>]

    init(path: String, eventLoops: any EventLoopGroup) {
        self.path = path
        var boxes: [ObjectIdentifier: NIOLoopBoundBox<RawSQLiteConnection?>] = [:]
        for loop in eventLoops.makeIterator() {
            boxes[ObjectIdentifier(loop)] = .makeEmptyBox(valueType: RawSQLiteConnection.self, eventLoop: loop)
        }
        connections = boxes
    }

    /// The first row of `sql` with `text` bound to its one parameter, nil when there is none.
    /// Throws when not called on `eventLoop` or the loop is not the application's.
    func firstRow(_ sql: String, text: String, on eventLoop: any EventLoop) throws -> [SQLiteData]? {
        guard let box = connections[ObjectIdentifier(eventLoop)], eventLoop.inEventLoop else {
            throw RawSQLiteConnection.Failure(code: SQLITE_MISUSE, message: "not on one of the application's event loops")
        }
        let connection: RawSQLiteConnection
        if let open = box.value {
            connection = open
        } else {
            // Never writes; index pages read through the mapping the server's own
            // connections also use (the OS keeps one copy).
            connection = try RawSQLiteConnection(path: path, pragmas: ["PRAGMA query_only=1", "PRAGMA mmap_size=268435456"])
            box.value = connection
        }
        return try connection.firstRow(sql, text: text)
    }

    /// `RawSQLiteConnection.reprepares` of this loop's connection (for tests; on `eventLoop`).
    func reprepares(_ sql: String, on eventLoop: any EventLoop) -> Int {
        connections[ObjectIdentifier(eventLoop)]?.value?.reprepares(sql) ?? 0
    }

    /// How many event loops have opened their connection (for tests).
    func openConnections() async throws -> Int {
        var count = 0
        for box in connections.values where try await box.eventLoop.submit({ box.value != nil }).get() { count += 1 }
        return count
    }

    /// Closes every connection, each on its own event loop (at shutdown).
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
