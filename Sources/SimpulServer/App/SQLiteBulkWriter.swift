import NIOCore
import NIOPosix
import SQLiteNIO

/// The member import's writes to a SQLite file: a connection of its own (RawSQLiteConnection)
/// on a thread of its own, with each INSERT prepared once and run row by row. Through
/// SQLiteNIO every 1,000-row chunk was a new statement of 23,000 parameters to parse and
/// plan, and a trip to its thread pool and back; on a million members that, not SQLite's
/// own work, was most of the writer's time. Other writers (the server's own connections)
/// wait while a chunk's transaction is open, and it waits for theirs (busy timeout).
final class SQLiteBulkWriter: @unchecked Sendable {
    // @unchecked: `connection` is only touched on `thread`'s one thread, one call at a time.
    private let path: String
    private let thread: NIOThreadPool
    private var connection: RawSQLiteConnection?

    /// Opens nothing yet: the connection is made by the first transaction, so a file that
    /// cannot be opened fails that chunk, on the import's usual error path.
    init(path: String) {
        self.path = path
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// `body` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK if it throws).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (RawSQLiteConnection) throws -> T) async throws -> T {
        try await thread.runIfActive { [self] in
            let connection = try self.open()
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    private func open() throws -> RawSQLiteConnection {
        if let connection { return connection }
        // The server's settings (configure), except three:
        // - no checkpoint at each commit, since an index page dirtied by every chunk would be
        //   copied back into the database every time; one at `close`;
        // - no foreign-key checks: six lookups a member were a quarter of SQLite's time. The
        //   importer checks the parents it refers to in each chunk's transaction instead
        //   (`MemberImporter.checkParents`); the people it refers to it writes itself;
        // - a page cache of 512 MiB: every page the import changes lives in the WAL until the
        //   checkpoint at the end, and one that falls out of a small cache is read back from
        //   the WAL file, a system call each time.
        let opened = try RawSQLiteConnection(path: path, pragmas: [
            "PRAGMA foreign_keys=OFF", "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-524288", "PRAGMA mmap_size=268435456",
            "PRAGMA temp_store=MEMORY", "PRAGMA wal_autocheckpoint=0",
        ], busyTimeout: 60_000)
        connection = opened
        return opened
    }

    func close() async {
        _ = try? await thread.runIfActive { [self] in
            // TRUNCATE waits for readers (up to 2 s here) and leaves no big WAL file behind.
            try? connection?.execute("PRAGMA busy_timeout=2000")
            try? connection?.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection?.close()
            connection = nil
        }
        try? await thread.shutdownGracefully()
    }
}
