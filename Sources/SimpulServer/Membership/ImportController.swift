import Crypto
import Fluent
import SimpulCore
import Vapor

/// Member list imports from the web: upload → map columns → check every row → import.
/// Long steps run in the background; the page refreshes itself to show progress.
struct ImportController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("imports", use: listPage)
        routes.get("imports", "new", use: newPage)
        routes.on(.POST, "imports", body: .collect(maxSize: "256mb"), use: upload)
        routes.get("imports", ":batchID", use: batchPage)
        routes.post("imports", ":batchID", "mapping", use: saveMapping)
        routes.post("imports", ":batchID", "run", use: run)
        routes.get("imports", ":batchID", "errors.csv", use: errorFile)
    }

    static func requireImporter(_ req: Request) throws -> User {
        let user = try req.requireUser()
        try req.membershipPolicy.requireImport()
        return user
    }

    /// A batch the user uploaded (administrators at national level see all).
    static func find(_ req: Request) async throws -> ImportBatch {
        let user = try requireImporter(req)
        guard let batch = try await ImportBatch.find(req.parameters.get("batchID", as: UUID.self), on: req.db),
              req.membershipPolicy.canSee(batch, user: user) else {
            throw Abort(.notFound, reason: "Impor tidak ditemukan.")
        }
        return batch
    }

    struct BatchRow: Encodable {
        let id: UUID
        let fileName: String
        let status: String
        let createdAt: String
        let summary: String
    }

    @Sendable func listPage(req: Request) async throws -> Response {
        let user = try Self.requireImporter(req)
        var query = ImportBatch.query(on: req.db)
        if !req.access.allows(.grantAdmin, at: .national) { query = query.filter(\.$uploadedBy == user.id!) }
        let rows = try await query.sort(\.$createdAt, .descending).limit(50).all().map {
            BatchRow(id: $0.id!, fileName: $0.fileName, status: $0.status.label, createdAt: $0.createdAt.map(PeopleController.format) ?? "",
                     summary: "\(IndonesianNumber.grouped($0.totalRows)) baris · \(IndonesianNumber.grouped($0.errorRows)) salah · "
                        + "\(IndonesianNumber.grouped($0.importedRows)) masuk · \(IndonesianNumber.grouped($0.existingRows)) sudah ada")
        }
        return try await req.render("imports/list", title: "Impor anggota", rows)
    }

    struct NewPage: Encodable {
        let canActivate: Bool
        let error: String?
    }

    @Sendable func newPage(req: Request) async throws -> Response {
        _ = try Self.requireImporter(req)
        return try await req.render("imports/new", title: "Impor anggota", NewPage(canActivate: req.access.hasAny(.verifyMembers), error: nil))
    }

    struct UploadForm: Content {
        var file: File?
        var initialStatus: String?
        var consent: String?
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let user = try Self.requireImporter(req)
        let form = try req.content.decode(UploadForm.self)
        func refuse(_ message: String) async throws -> Response {
            try await req.render("imports/new", title: "Impor anggota",
                                 NewPage(canActivate: req.access.hasAny(.verifyMembers), error: message), status: .unprocessableEntity)
        }
        guard let file = form.file, file.data.readableBytes > 0 else { return try await refuse("Berkas: pilih berkas CSV daftar anggota.") }
        guard RegistrationForm.ticked(form.consent) else {
            return try await refuse("Pernyataan persetujuan: centang bahwa anggota dalam daftar telah menyetujui pemrosesan datanya.")
        }
        let initial = MembershipStatus(rawValue: form.initialStatus ?? "pending") ?? .pending
        guard [.pending, .verified, .active].contains(initial) else { return try await refuse("Status awal tidak sah.") }
        do { try req.membershipPolicy.requireImport(initial: initial) } catch let abort as Abort { return try await refuse(abort.reason) }
        let id = UUID()
        let dir = req.application.settings.dataDirectory + "/imports"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/\(id.uuidString).csv"
        let data = Data(buffer: file.data)
        try data.write(to: URL(fileURLWithPath: path))
        let headers: [String]
        do { headers = try await MemberImporter.headers(of: URL(fileURLWithPath: path)) } catch {
            try? FileManager.default.removeItem(atPath: path)
            return try await refuse("Berkas tidak terbaca sebagai CSV. Simpan dari spreadsheet sebagai CSV (UTF-8).")
        }
        guard !headers.isEmpty else { return try await refuse("Berkas kosong: baris pertama harus berisi judul kolom.") }
        let batch = try ImportBatch(
            id: id, fileName: String(file.filename.prefix(200)), filePath: path, contentHash: SHA256.hash(data: data).hex, by: user,
            status: .uploaded, initial: initial, headers: headers,
            consentStatement: "Pengunggah \(user.username) menyatakan anggota telah menyetujui pemrosesan data untuk keanggotaan.")
        try await batch.create(on: req.db)
        try await req.audit.record("import.upload", entity: "import_batch", id: id.uuidString, scope: "",
                                   detail: "\(batch.fileName), \(data.count) byte, status awal \(initial.rawValue)")
        return req.redirect(to: "/imports/\(id)")
    }

    struct MappingRow: Encodable {
        let field: String
        let label: String
        let required: Bool
        let options: [Option]
    }

    struct Option: Encodable {
        let value: Int
        let label: String
        let selected: Bool
    }

    struct BatchPage: Encodable {
        let id: UUID
        let fileName: String
        let status: String
        let statusLabel: String
        let running: Bool
        let mapping: [MappingRow]
        let preview: [[String]]
        let headers: [String]
        let totalRows: Int
        let validRows: Int
        let errorRows: Int
        let processedRows: Int
        let importedRows: Int
        let existingRows: Int
        let percent: Int
        let message: String?
        let initialStatus: String
        let missing: String?
        let sameFileBefore: Int
    }

    @Sendable func batchPage(req: Request) async throws -> Response {
        let batch = try await Self.find(req)
        let headers = batch.headerList
        let mapping = batch.columnMapping
        let required: Set<MemberField> = [.fullName, .nik, .birthDate, .sex, .villageCode, .villageName]
        let rows = MemberField.allCases.map { field in
            MappingRow(field: field.rawValue, label: field.label, required: required.contains(field),
                       options: [Option(value: -1, label: "— tidak ada —", selected: mapping.columns[field] == nil)]
                       + headers.enumerated().map { Option(value: $0.offset, label: $0.element, selected: mapping.columns[field] == $0.offset) })
        }
        var preview: [[String]] = []
        if batch.status == .uploaded {
            preview = (try? await MemberImporter.preview(of: URL(fileURLWithPath: batch.filePath), count: 5)) ?? []
        }
        let sameFile = try await ImportBatch.query(on: req.db).filter(\.$contentHash == batch.contentHash)
            .filter(\.$id != batch.requireID()).filter(\.$status == .done).count()
        let page = BatchPage(
            id: batch.id!, fileName: batch.fileName, status: batch.status.rawValue, statusLabel: batch.status.label,
            running: batch.status.isRunning, mapping: rows, preview: preview, headers: headers,
            totalRows: batch.totalRows, validRows: batch.validRows, errorRows: batch.errorRows, processedRows: batch.processedRows,
            importedRows: batch.importedRows, existingRows: batch.existingRows,
            percent: batch.validRows > 0 ? min(100, batch.processedRows * 100 / batch.validRows) : 0,
            message: batch.message, initialStatus: MembershipStatus(rawValue: batch.initialStatus)?.label ?? batch.initialStatus,
            missing: mapping.missingRequiredMessage, sameFileBefore: sameFile)
        return try await req.render("imports/batch", title: "Impor \(batch.fileName)", page)
    }

    @Sendable func saveMapping(req: Request) async throws -> Response {
        let batch = try await Self.find(req)
        guard [.uploaded, .validated, .failed, .interrupted].contains(batch.status) else {
            throw Abort(.conflict, reason: "Pemetaan kolom tidak dapat diubah saat impor berjalan atau sesudah selesai.")
        }
        var columns: [MemberField: Int] = [:]
        for field in MemberField.allCases {
            if let index = try? req.content.get(Int.self, at: field.rawValue), index >= 0, index < batch.headerList.count {
                columns[field] = index
            }
        }
        let mapping = ColumnMapping(columns: columns)
        batch.columnMapping = mapping
        if let missing = mapping.missingRequiredMessage {
            batch.status = .uploaded
            try await batch.save(on: req.db)
            req.flash(missing, error: true)
            return req.redirect(to: "/imports/\(batch.id!)")
        }
        batch.status = .validating
        batch.message = nil
        try await batch.save(on: req.db)
        Self.background(req, batch: batch) { importer in
            _ = try await importer.validate(batch)
        }
        return req.redirect(to: "/imports/\(batch.id!)")
    }

    @Sendable func run(req: Request) async throws -> Response {
        let batch = try await Self.find(req)
        guard [.validated, .interrupted, .failed].contains(batch.status), batch.validRows > 0 else {
            throw Abort(.conflict, reason: "Impor hanya dapat dijalankan sesudah pemeriksaan dengan baris yang valid.")
        }
        batch.status = .importing
        batch.message = nil
        try await batch.save(on: req.db)
        try await req.audit.record("import.run", entity: "import_batch", id: batch.id?.uuidString, scope: "",
                                   detail: "\(batch.validRows) baris valid")
        Self.background(req, batch: batch) { importer in
            _ = try await importer.run(batch)
        }
        return req.redirect(to: "/imports/\(batch.id!)")
    }

    /// Runs `work` after the response, with the uploader's permissions; a failure is kept
    /// on the batch for the page to show.
    static func background(_ req: Request, batch: ImportBatch, _ work: @escaping @Sendable (MemberImporter) async throws -> Void) {
        let importer = MemberImporter(app: req.application, access: req.access, logger: req.logger)
        let db = req.application.db
        let logger = req.logger
        Task.detached {
            do {
                try await work(importer)
            } catch {
                logger.error("import \(batch.id?.uuidString ?? "?") failed: \(error)")
                batch.status = .failed
                batch.message = (error as? any AbortError)?.reason ?? "Kesalahan: \(error)"
                try? await batch.save(on: db)
            }
        }
    }

    @Sendable func errorFile(req: Request) async throws -> Response {
        let batch = try await Self.find(req)
        guard let csv = batch.errorCSV else { throw Abort(.notFound, reason: "Tidak ada baris yang salah.") }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"kesalahan-\(batch.fileName)\"")
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }
}
