import Foundation
import Vapor

/// Everything Simpul reads from its environment, in one place.
public struct AppSettings: Sendable {
    public enum Storage: Sendable, Equatable {
        /// The embedded default: one SQLite file (WAL) under the data directory.
        case sqliteFile(String)
        /// Tests: a private in-memory SQLite database.
        case sqliteMemory
        /// DATABASE_URL=postgres://…
        case postgres(String)
    }

    public var storage: Storage
    /// Where the SQLite file, the generated data key and backups live (default ./data).
    public var dataDirectory: String
    /// 32-byte key (base64) that encrypts personal data; generated into the data directory
    /// when absent. Several app servers on one PostgreSQL must share it: set SIMPUL_DATA_KEY.
    public var dataKeyBase64: String?
    /// Run migrations and load reference data on start (the "first start" experience).
    public var bootstrap: Bool
    /// Print the first admin's password to standard output (off in tests).
    public var announceFirstAdmin: Bool
    /// bcrypt cost; 12 in production, lower only in tests to keep them fast.
    public var bcryptCost: Int
    /// Failed logins per username (and per address ×4) within `loginWindow` before refusing.
    public var loginFailureLimit: Int
    public var loginWindow: TimeInterval
    /// Mark the session cookie Secure (behind HTTPS).
    public var secureCookies: Bool
    /// Public address of this installation, printed in KTA QR codes (SIMPUL_PUBLIC_URL),
    /// e.g. https://simpul.example.org; without it the request's host is used.
    public var publicURL: String?
    /// Party name on cards and pages, stored on first start (SIMPUL_PARTY_NAME).
    public var partyName: String?
    /// A public form posted sooner than this after it was shown is treated as a bot.
    public var formMinimumSeconds: TimeInterval = 3
    /// Region code of the branch this installation serves, stored on first start
    /// (SIMPUL_HOME_REGION; default 36.73, Kota Serang).
    public var homeRegion: String?

    public init(
        storage: Storage, dataDirectory: String = "./data", dataKeyBase64: String? = nil,
        bootstrap: Bool = true, announceFirstAdmin: Bool = true, bcryptCost: Int = 12,
        loginFailureLimit: Int = 5, loginWindow: TimeInterval = 15 * 60, secureCookies: Bool = false,
        homeRegion: String? = nil
    ) {
        self.homeRegion = homeRegion
        self.storage = storage
        self.dataDirectory = dataDirectory
        self.dataKeyBase64 = dataKeyBase64
        self.bootstrap = bootstrap
        self.announceFirstAdmin = announceFirstAdmin
        self.bcryptCost = bcryptCost
        self.loginFailureLimit = loginFailureLimit
        self.loginWindow = loginWindow
        self.secureCookies = secureCookies
    }

    /// Settings for `simpul` run from a shell: DATABASE_URL, SIMPUL_DATA_DIR, SIMPUL_DATA_KEY,
    /// SIMPUL_SECURE_COOKIES.
    public static func fromEnvironment() -> AppSettings {
        let env = ProcessInfo.processInfo.environment
        let dir = env["SIMPUL_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
        let storage: Storage
        if let url = env["DATABASE_URL"], !url.isEmpty {
            storage = url.hasPrefix("postgres") ? .postgres(url) : .sqliteFile(url.replacingOccurrences(of: "sqlite://", with: ""))
        } else {
            storage = .sqliteFile(dir + "/simpul.sqlite")
        }
        var settings = AppSettings(
            storage: storage, dataDirectory: dir, dataKeyBase64: env["SIMPUL_DATA_KEY"],
            secureCookies: env["SIMPUL_SECURE_COOKIES"] == "1", homeRegion: env["SIMPUL_HOME_REGION"])
        settings.publicURL = env["SIMPUL_PUBLIC_URL"]
        settings.partyName = env["SIMPUL_PARTY_NAME"]
        return settings
    }
}

struct AppSettingsKey: StorageKey { typealias Value = AppSettings }

extension Application {
    public var settings: AppSettings {
        get { storage[AppSettingsKey.self] ?? AppSettings(storage: .sqliteMemory) }
        set { storage[AppSettingsKey.self] = newValue }
    }
}
