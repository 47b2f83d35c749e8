import Fluent
import SQLKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import Vapor

/// Where the bundled templates, static files and reference data are. Leaf would otherwise
/// look relative to the working directory, so `simpul serve` works from anywhere.
enum BundledResources {
    static var root: URL { Bundle.module.url(forResource: "Resources", withExtension: nil)! }
    static var views: String { root.appendingPathComponent("Views", isDirectory: true).path + "/" }
    static var publicFiles: String { root.appendingPathComponent("Public", isDirectory: true).path + "/" }
    static func reference(_ name: String) -> URL {
        root.appendingPathComponent("Reference", isDirectory: true).appendingPathComponent(name)
    }
}

/// Builds the whole application: database, views, sessions, security, modules, routes.
public func configure(_ app: Application, settings: AppSettings) async throws {
    app.settings = settings
    try configureDatabase(app, settings: settings)
    if case .sqliteFile = settings.storage, let sql = app.db as? any SQLDatabase {
        // WAL (persistent in the file): readers never wait for the writer.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        // With WAL, synchronous=NORMAL syncs at checkpoints instead of at every commit:
        // a killed server loses nothing it acknowledged; only a power cut or kernel crash
        // can roll back the last commits (never corrupting the file). Per connection, so
        // once on each event loop's pool (one connection each).
        // The page cache (32 MiB per connection instead of 2) and memory-mapped reads keep
        // index pages of a million members in memory: with the defaults, an import of
        // 20,000 members made 170,000 pread and 290,000 pwrite calls.
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(.sqlite, logger: app.logger, on: eventLoop) as! any SQLDatabase
            try await db.raw("PRAGMA synchronous=NORMAL").run()
            try await db.raw("PRAGMA cache_size=-32768").run()
            try await db.raw("PRAGMA mmap_size=268435456").run()
            // Statement journals in memory, and a checkpoint every 32 MiB of WAL instead of
            // every 4 MiB: an import chunk dirties thousands of index pages, and the default
            // copied them back into the database after nearly every commit.
            try await db.raw("PRAGMA temp_store=MEMORY").run()
            try await db.raw("PRAGMA wal_autocheckpoint=8192").run()
        }
    }
    if case .sqliteFile(let path) = settings.storage {
        let reader = LoopLocalSQLite(path: path, eventLoops: app.eventLoopGroup)
        app.loopLocalSQLite = reader
        app.lifecycle.use(LoopLocalSQLite.Closer(reader: reader))
    }

    app.directory.viewsDirectory = BundledResources.views
    app.directory.publicDirectory = BundledResources.publicFiles
    app.views.use(.leaf)
    app.leaf.tags["number"] = NumberTag()
    // The bundle lives under .build/ when run with `swift run`; Leaf's default sandbox
    // refuses any path with a hidden folder in it, so allow the bundled views explicitly.
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
        sandboxDirectory: BundledResources.views, viewDirectory: BundledResources.views))

    app.passwords.use(.bcrypt(cost: settings.bcryptCost))
    app.vault = try PersonalDataVault.load(settings: settings, logger: app.logger)
    app.storage[LevelLabelCacheKey.self] = LevelLabelCache()
    app.tallyIngest = TallyIngest(db: app.db)
    app.apiTokenCache = APITokenCache()

    app.sessions.use(.fluent)
    app.sessions.configuration.cookieName = "simpul_session"
    let secure = settings.secureCookies
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: Int(AuthController.sessionLifetime), path: "/", isSecure: secure,
                          isHTTPOnly: true, sameSite: .lax)
    }

    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .debug))
    app.middleware.use(SimpulErrorMiddleware(environment: app.environment))
    app.middleware.use(SecurityHeadersMiddleware())

    SimpulMetrics.bootstrapOnce()

    addMigrations(app)
    app.asyncCommands.use(AdminCommand(), as: "admin")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(TallyBenchCommand(), as: "bench-tally")
    app.asyncCommands.use(HelloBenchCommand(), as: "bench-hello")
    app.asyncCommands.use(SendRemindersCommand(), as: "send-reminders")
    EventReminders.install(app)

    try routes(app)

    if settings.bootstrap {
        try await app.autoMigrate()
        try await FirstStart.run(on: app)
    }
}

func configureDatabase(_ app: Application, settings: AppSettings) throws {
    switch settings.storage {
    case .sqliteMemory:
        // SQLiteKit fakes a shared in-memory database with a file in the temporary directory and
        // never deletes it (every test run left hundreds behind); the file goes when the app stops.
        let identifier = UUID().uuidString
        app.databases.use(.sqlite(SQLiteConfiguration(storage: .memory(identifier: identifier)), sqlLogLevel: .trace), as: .sqlite)
        app.lifecycle.use(RemoveFakeMemoryDatabase(identifier: identifier))
    case .sqliteFile(let path):
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
    case .postgres(let url):
        var config = try SQLPostgresConfiguration(url: url)
        config.searchPath = nil
        // The planner's default page costs are for spinning disks: with them every foreign-key
        // check against a small parent table (regions, org units: a few pages) is a sequential
        // scan of that table, which made a member import's COPY twice as slow as with an index
        // lookup. 1.1 is the usual setting for SSD storage; a connection's startup parameter,
        // so the checks' cached plans are made with it from the first.
        config.coreConfiguration.options.additionalStartupParameters = [("random_page_cost", "1.1")]
        app.databases.use(
            .postgres(configuration: config, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(30),
                      encodingContext: .default, decodingContext: .default, sqlLogLevel: .trace),
            as: .psql)
        app.cardCheckBatch = CardCheckBatch()
    }
}

/// Deletes the file behind SQLiteKit's "in-memory" database (named as in SQLiteKit's
/// `SQLiteConfiguration.Storage.urlForSQLite`) and its WAL companions.
private struct RemoveFakeMemoryDatabase: LifecycleHandler {
    let identifier: String

    func shutdownAsync(_ app: Application) async {
        let name = "sqlite-kit_memorydb-\(ProcessInfo.processInfo.processIdentifier)-\(identifier).sqlite3"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}

func addMigrations(_ app: Application) {
    app.migrations.add(SessionRecord.migration)
    app.migrations.add(CreateRegions())
    app.migrations.add(CreateOrganization())
    app.migrations.add(CreateAccounts())
    app.migrations.add(CreatePeople())
    app.migrations.add(CreateOfficeTerms())
    app.migrations.add(CreateAudit())
    app.migrations.add(CreateRateLimits())
    app.migrations.add(CreateMembership())
    app.migrations.add(CreateImportBatches())
    app.migrations.add(CreateDuplicateDismissals())
    app.migrations.add(CreatePostgresPatternIndexes())
    app.migrations.add(CreateElectoral())
    app.migrations.add(AddWitnessRole())
    app.migrations.add(CreateTallies())
    app.migrations.add(CreateNominations())
    app.migrations.add(CreateServiceRequests())
    app.migrations.add(CreateFoodBank())
    app.migrations.add(CreateCampaigns())
    app.migrations.add(CreateVolunteers())
    app.migrations.add(CreateCadre())
    app.migrations.add(CreateProgrammes())
    app.migrations.add(CreateEvents())
    app.migrations.add(CreateMonitoring())
    app.migrations.add(AddNameTokenSortName())
    app.migrations.add(AddNameKeys())
    app.migrations.add(CreateSuspendedIndexes())
    app.migrations.add(CreateMembershipRegisteredIndex())
    app.migrations.add(CreatePeopleBirthDateIndex())
}
