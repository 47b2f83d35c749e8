import Fluent
import SQLKit
import SimpulCore
import Vapor

/// One upload of a member list: checked first (every row, errors downloadable), imported
/// after the official confirms. Re-running a batch, or importing the same file again, only
/// adds the rows that are not there yet: a NIK already recorded is counted, never doubled.
final class ImportBatch: Model, @unchecked Sendable {
    static let schema = "import_batches"

    enum Status: String, Codable, Sendable {
        /// Uploaded; columns being mapped.
        case uploaded
        case validating
        /// Checked; waiting for the official to start the import.
        case validated
        case importing
        case done
        case failed
        /// The server stopped while importing; run again to finish (idempotent).
        case interrupted

        var label: String {
            switch self {
            case .uploaded: return "Diunggah"
            case .validating: return "Sedang diperiksa"
            case .validated: return "Sudah diperiksa"
            case .importing: return "Sedang diimpor"
            case .done: return "Selesai"
            case .failed: return "Gagal"
            case .interrupted: return "Terputus — jalankan lagi"
            }
        }

        var isRunning: Bool { self == .validating || self == .importing }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "file_name") var fileName: String
    @Field(key: "file_path") var filePath: String
    @Field(key: "content_hash") var contentHash: String
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "username") var username: String
    @Enum(key: "status") var status: Status
    /// Status given to imported memberships: pending, verified or active.
    @Field(key: "initial_status") var initialStatus: String
    /// JSON object: field name → column index.
    @Field(key: "mapping") var mapping: String
    @Field(key: "headers") var headers: String
    @Field(key: "total_rows") var totalRows: Int
    @Field(key: "valid_rows") var validRows: Int
    @Field(key: "error_rows") var errorRows: Int
    @Field(key: "processed_rows") var processedRows: Int
    @Field(key: "imported_rows") var importedRows: Int
    @Field(key: "existing_rows") var existingRows: Int
    @OptionalField(key: "error_csv") var errorCSV: String?
    @OptionalField(key: "message") var message: String?
    /// The official's statement that members consented to their data being processed.
    @Field(key: "consent_statement") var consentStatement: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    var columnMapping: ColumnMapping {
        get {
            let raw = (try? JSONDecoder().decode([String: Int].self, from: Data(mapping.utf8))) ?? [:]
            var columns: [MemberField: Int] = [:]
            for (k, v) in raw { if let f = MemberField(rawValue: k) { columns[f] = v } }
            return ColumnMapping(columns: columns)
        }
        set {
            let raw = Dictionary(uniqueKeysWithValues: newValue.columns.map { ($0.key.rawValue, $0.value) })
            mapping = String(decoding: (try? JSONEncoder().encode(raw)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }

    var headerList: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(headers.utf8))) ?? []
    }
}

struct CreateImportBatches: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let status = try await database.enum("import_status")
            .case("uploaded").case("validating").case("validated").case("importing").case("done").case("failed").case("interrupted")
            .create()
        try await database.schema(ImportBatch.schema)
            .id()
            .field("file_name", .string, .required)
            .field("file_path", .string, .required)
            .field("content_hash", .string, .required)
            .field("uploaded_by", .uuid, .required)
            .field("username", .string, .required)
            .field("status", status, .required)
            .field("initial_status", .string, .required)
            .field("mapping", .string, .required)
            .field("headers", .string, .required)
            .field("total_rows", .int, .required)
            .field("valid_rows", .int, .required)
            .field("error_rows", .int, .required)
            .field("processed_rows", .int, .required)
            .field("imported_rows", .int, .required)
            .field("existing_rows", .int, .required)
            .field("error_csv", .string)
            .field("message", .string)
            .field("consent_statement", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("finished_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportBatch.schema).delete()
        try await database.enum("import_status").delete()
    }
}

extension ImportBatch {
    /// A new batch of `user`'s file: columns guessed from the header, every count at zero.
    convenience init(id: UUID? = nil, fileName: String, filePath: String, contentHash: String, by user: User, status: Status,
                     initial: MembershipStatus, headers: [String], consentStatement: String) throws {
        self.init()
        self.id = id
        self.fileName = fileName
        self.filePath = filePath
        self.contentHash = contentHash
        uploadedBy = try user.requireID()
        username = user.username
        self.status = status
        initialStatus = initial.rawValue
        columnMapping = ColumnMapping.guess(headers: headers)
        self.headers = String(decoding: try JSONEncoder().encode(headers), as: UTF8.self)
        totalRows = 0; validRows = 0; errorRows = 0
        processedRows = 0; importedRows = 0; existingRows = 0
        self.consentStatement = consentStatement
    }

    /// A batch for `simpul import`: no check pass first.
    static func commandLine(file url: URL, by user: User, initial status: MembershipStatus) async throws -> ImportBatch {
        try ImportBatch(fileName: url.lastPathComponent, filePath: url.path,
                        contentHash: SHA256.hash(data: try Data(contentsOf: url, options: .mappedIfSafe)).hex, by: user,
                        status: .validating, initial: status, headers: try await MemberImporter.headers(of: url),
                        consentStatement: "Impor baris perintah oleh \(user.username).")
    }
}
