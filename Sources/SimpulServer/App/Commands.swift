import Crypto
import Fluent
import Foundation
import SimpulCore
import SQLKit
import Vapor

/// `simpul admin create|reset-password …`
struct AdminCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": CreateUserCommand(), "reset-password": ResetPasswordCommand()]
    var defaultCommand: (any AnyAsyncCommand)? { nil }
    var help: String { "Kelola akun: create (buat pengguna dengan peran), reset-password" }
}

struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "username", help: "Nama pengguna (huruf kecil, angka, . - _)")
        var username: String
        @Option(name: "name", help: "Nama tampilan")
        var name: String?
        @Option(name: "role", help: "admin, pengurus, operator, pengamat atau saksi (bawaan: admin)")
        var role: String?
        @Option(name: "unit", help: "Kode wilayah unit, mis. 36.73 untuk DPD Kota Serang; kosong = nasional")
        var unit: String?
        @Option(name: "password", help: "Kata sandi; kosong = dibuat acak dan ditampilkan sekali")
        var password: String?
    }

    var help: String { "Buat pengguna dan beri peran pada satu unit." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let username = signature.username.lowercased()
        guard User.validUsername(username) else {
            throw Abort(.badRequest, reason: "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, minus atau garis bawah.")
        }
        guard let role = Role(rawValue: signature.role ?? "admin") else {
            throw Abort(.badRequest, reason: "Peran harus salah satu dari: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let path = OrgPath(regionCode: signature.unit)
        guard let unit = try await OrgQueries.unit(at: path, on: app.db) else {
            throw Abort(.badRequest, reason: "Unit dengan kode wilayah \(signature.unit ?? "") tidak ditemukan.")
        }
        if try await User.query(on: app.db).filter(\.$username == username).first() != nil {
            throw Abort(.conflict, reason: "Nama pengguna \(username) sudah dipakai.")
        }
        let password = signature.password ?? FirstStart.generatePassword()
        guard password.count >= 10 else { throw Abort(.badRequest, reason: "Kata sandi minimal 10 karakter.") }
        let user = User(username: username, displayName: signature.name ?? username, passwordHash: try app.password.hash(password))
        try await app.db.transaction { db in
            try await user.create(on: db)
            try await RoleGrant(userID: user.requireID(), role: role, unit: unit, grantedBy: nil).create(on: db)
        }
        let labels = try await OrgLevelLabels.load(on: app.db)
        context.console.print("Pengguna \(username) dibuat: \(role.label) di \(labels.displayName(of: unit)).")
        if signature.password == nil { context.console.print("Kata sandi (ditampilkan sekali): \(password)") }
    }
}

struct ResetPasswordCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "username") var username: String
    }

    var help: String { "Buat kata sandi acak baru untuk seorang pengguna dan tampilkan sekali." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let user = try await User.query(on: app.db).filter(\.$username == signature.username.lowercased()).first() else {
            throw Abort(.notFound, reason: "Pengguna \(signature.username) tidak ditemukan.")
        }
        let password = FirstStart.generatePassword()
        user.passwordHash = try app.password.hash(password)
        try await user.save(on: app.db)
        try await LoginAttempt.query(on: app.db).filter(\.$username == user.username).delete()
        context.console.print("Kata sandi baru untuk \(user.username) (ditampilkan sekali): \(password)")
    }
}

/// `simpul backup [--output FILE]`: a consistent copy of the database while it runs.
/// SQLite: `VACUUM INTO` (one file, safe with WAL writers). PostgreSQL: pg_dump.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "output", short: "o", help: "Berkas tujuan (bawaan: <data>/backups/simpul-<waktu>.sqlite atau .sql)")
        var output: String?
    }

    var help: String { "Cadangkan database. Kunci data (data.key / SIMPUL_DATA_KEY) simpan terpisah." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let settings = app.settings
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        switch settings.storage {
        case .sqliteFile, .sqliteMemory:
            let output = signature.output ?? "\(settings.dataDirectory)/backups/simpul-\(stamp).sqlite"
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: output).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            guard !FileManager.default.fileExists(atPath: output) else { throw Abort(.conflict, reason: "Berkas \(output) sudah ada.") }
            try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: output)").run()
            context.console.print("Cadangan SQLite ditulis ke \(output)")
        case .postgres(let url):
            let output = signature.output ?? "\(settings.dataDirectory)/backups/simpul-\(stamp).sql"
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: output).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["pg_dump", "--no-owner", "--file", output, url.replacingOccurrences(of: "?sslmode=disable", with: "")]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw Abort(.internalServerError, reason: "pg_dump gagal (kode \(process.terminationStatus)).") }
            context.console.print("Cadangan PostgreSQL ditulis ke \(output)")
        }
        context.console.print("Ingat: salin juga kunci data (\(settings.dataDirectory)/data.key atau SIMPUL_DATA_KEY) ke tempat terpisah; tanpa kunci itu NIK, HP dan alamat tidak dapat dibuka.")
    }
}

/// `simpul import FILE --as USERNAME [--status pending|verified|active]`: the web import
/// from the shell, for big files. Same checks, same chunks, same idempotence; prints the
/// error file's path and the rate.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "CSV daftar anggota (baris pertama judul kolom)")
        var file: String
        @Option(name: "as", help: "Nama pengguna yang mengimpor; kewenangannya membatasi kelurahan")
        var username: String?
        @Option(name: "status", help: "Status awal: pending (bawaan), verified atau active")
        var status: String?
        @Option(name: "chunk", help: "Baris per transaksi (bawaan 10000)")
        var chunk: Int?
    }

    var help: String { "Impor daftar anggota dari CSV (setiap baris diperiksa; yang valid disimpan, yang salah masuk daftar kesalahan)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let username = signature.username,
              let user = try await User.query(on: app.db).filter(\.$username == username.lowercased()).with(\.$grants).first() else {
            throw Abort(.badRequest, reason: "Sebutkan pengguna yang mengimpor dengan --as NAMA (kewenangannya dipakai).")
        }
        let access = AccessScope(grants: user.grants.map(\.grant))
        let initial = signature.status ?? "pending"
        guard let status = MembershipStatus(rawValue: initial), [.pending, .verified, .active].contains(status) else {
            throw Abort(.badRequest, reason: "--status harus pending, verified atau active.")
        }
        try MembershipPolicy(access: access).requireImport(initial: status)
        let url = URL(fileURLWithPath: signature.file)
        let batch = try await ImportBatch.commandLine(file: url, by: user, initial: status)
        try await batch.create(on: app.db)
        var importer = MemberImporter(app: app, access: access, logger: app.logger)
        if let chunk = signature.chunk { importer.chunkSize = max(1, chunk) }
        // One read of the file: each row is checked on its way to the database (the web import
        // checks first so the user can fix the file; here the error file comes at the end).
        let start = Date()
        let stats = try await importer.run(batch)
        let seconds = Date().timeIntervalSince(start)
        context.console.print("Diperiksa: \(stats.total) baris, \(stats.valid) valid, \(stats.errorRows) salah.")
        if let csv = batch.errorCSV {
            let errorPath = url.deletingPathExtension().path + "-kesalahan.csv"
            try csv.write(toFile: errorPath, atomically: true, encoding: .utf8)
            context.console.print("Daftar kesalahan: \(errorPath)")
        }
        if !stats.rebuiltIndexes.isEmpty {
            context.console.print("Indeks yang dibangun ulang di akhir: \(stats.rebuiltIndexes.joined(separator: ", ")).")
        }
        context.console.print("Diimpor: \(stats.imported) baru, \(stats.existing) sudah ada; \(String(format: "%.1f", seconds)) s = \(Int(Double(stats.valid) / max(seconds, 0.001))) baris/detik.")
        // After a bulk load PostgreSQL needs fresh statistics for its plans and a visibility
        // map for index-only scans (name search reads only the token index); autovacuum would
        // get there within minutes, a big import does it at once.
        if let sql = app.db as? any SQLDatabase, sql.dialect.name == "postgresql", stats.imported >= 10_000 {
            let vacuumStart = Date()
            try await sql.raw("VACUUM (ANALYZE) people, memberships, name_tokens").run()
            context.console.print("Statistik PostgreSQL diperbarui (VACUUM ANALYZE, \(String(format: "%.1f", Date().timeIntervalSince(vacuumStart))) s).")
        }
        try await AuditEntry.create(app: app, user: user, action: "import.cli", entity: "import_batch", id: batch.id?.uuidString,
                                    detail: "\(url.lastPathComponent): \(stats.imported) baru, \(stats.existing) sudah ada")
    }
}

/// `simpul bench-hello --port N`: a plain Vapor hello-world (no database, no Simpul
/// middleware) in the same binary, so bench/run.sh can set our routes next to the
/// framework's own ceiling on this machine in the same run.
struct HelloBenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "port", help: "Port (bawaan 8098)") var port: Int?
    }

    var help: String { "Vapor hello-world polos sebagai pembanding tolok ukur (GET /hello)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let hello = try await Application.make(.production)
        hello.get("hello") { _ in "Hello, world!" }
        try await hello.asyncBoot()
        try await hello.server.start(address: .hostname("127.0.0.1", port: signature.port ?? 8098))
        context.console.print("GET http://127.0.0.1:\(signature.port ?? 8098)/hello")
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
