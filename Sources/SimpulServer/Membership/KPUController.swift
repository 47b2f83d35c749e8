import Fluent
import NIOConcurrencyHelpers
import SQLKit
import SimpulCore
import Vapor

/// KPU readiness: the SIPOL-style pre-verification of active members per kabupaten/kota,
/// and the export of the list in the documented layout (docs/kpu-export.md).
struct KPUController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("members", "kpu", use: reportPage)
        routes.get("members", "kpu.csv", use: export)
    }

    /// What the report and the export read about one active member.
    struct Row: Sendable {
        let membershipID: String
        let scope: String
        let number: String
        let nikCipher: String?
        let fullName: String
        let birthPlace: String?
        let birthDate: String?
        let sex: String?
        let maritalStatus: String?
        let occupation: String?
        let addressCipher: String?
        let rt: String?
        let rw: String?
        let regionCode: String
    }

    /// The unit the report or export is for: the user's highest unit, or `?unit=`.
    private func root(_ req: Request, permission: Permission) async throws -> OrgPath {
        _ = try req.requireUser()
        var root = req.access.roots(for: permission).first
        if let id = try? req.query.get(UUID.self, at: "unit"), let unit = try await OrgUnit.find(id, on: req.db) {
            root = unit.orgPath
        }
        guard let root, req.access.allows(permission, at: root) else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang membuat laporan KPU untuk unit ini.")
        }
        return root
    }

    /// How many active members are under `root` (from the scope and status index).
    static func activeCount(under root: OrgPath, on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        return try await sql.raw("""
            SELECT COUNT(m.scope) AS n FROM memberships m
            WHERE m.status = \(literal: MembershipStatus.active.rawValue) AND \(SubtreeMatch(root, on: db).sql("m.scope"))
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Every active member under `root` in KTA-number order, `chunk` at a time: each chunk
    /// starts after the last number of the one before, so memory holds two chunks however
    /// big the party (the whole list in memory took 1 GB at a million members). Activation
    /// always assigns a number (MembershipService, MemberImporter), so no active member is
    /// left out by the keyset. `withAddress` for the export only.
    static func eachActive(under root: OrgPath, total: Int, withAddress: Bool = false, chunk: Int = 2_000,
                           on db: any Database, _ visit: ([Row]) async throws -> Void) async throws {
        let sql = db as! any SQLDatabase
        // SQLite: a scope holding most of the table is read along the number index, else
        // through the scope index and sorted (see ListPagePlan).
        let broad = try await ListPagePlan.broad(matching: total, table: Membership.schema, pageEnd: chunk, on: db)
        let inScope = SubtreeMatch(root, on: db).sql(broad ? "+m.scope" : "m.scope")
        let address: SQLQueryString = withAddress ? "p.address_cipher" : "NULL"
        @Sendable func read(after: String) async throws -> [Row] {
            try await sql.raw("""
                SELECT m.id, m.scope, m.number, p.nik_cipher, p.full_name, p.birth_place, p.birth_date, p.sex, p.marital_status,
                  p.occupation, \(address) AS address_cipher, p.rt, p.rw, p.region_code
                FROM memberships m JOIN people p ON p.id = m.person_id
                WHERE m.status = \(literal: MembershipStatus.active.rawValue) AND \(inScope) AND m.number > \(bind: after)
                ORDER BY m.number LIMIT \(literal: chunk)
                """).all().map { row in
                Row(membershipID: try row.decode(column: "id", as: UUID.self).uuidString, scope: try row.decode(column: "scope", as: String.self),
                    number: try row.decode(column: "number", as: String.self), nikCipher: try row.decode(column: "nik_cipher", as: String?.self),
                    fullName: try row.decode(column: "full_name", as: String.self), birthPlace: try row.decode(column: "birth_place", as: String?.self),
                    birthDate: try row.decode(column: "birth_date", as: String?.self), sex: try row.decode(column: "sex", as: String?.self),
                    maritalStatus: try row.decode(column: "marital_status", as: String?.self),
                    occupation: try row.decode(column: "occupation", as: String?.self),
                    addressCipher: try row.decode(column: "address_cipher", as: String?.self),
                    rt: try row.decode(column: "rt", as: String?.self), rw: try row.decode(column: "rw", as: String?.self),
                    regionCode: try row.decode(column: "region_code", as: String.self))
            }
        }
        // The next chunk is read and decoded while `visit` works on this one (decrypting,
        // checking, writing): two cores instead of one, and still two chunks in memory at most.
        var rows = try await read(after: "")
        while let last = rows.last {
            let more = rows.count == chunk, after = last.number
            async let next = more ? read(after: after) : []
            try await visit(rows)
            rows = try await next
        }
    }

    /// The screen over every active member under `root`, decrypted one chunk at a time.
    /// Duplicate NIKs are not looked for: the database holds one person per NIK (unique
    /// blind index `uq:people.nik_index`) and one membership per person, so this list
    /// cannot name a NIK twice.
    static func screen(under root: OrgPath, referenceDate: CivilDate, findingsKept: Int, on db: any Database,
                       vault: PersonalDataVault) async throws -> KPUPreverificationReport {
        var scan = KPUPreverificationScan(referenceDate: referenceDate, findingsKept: findingsKept)
        let total = try await activeCount(under: root, on: db)
        try await eachActive(under: root, total: total, on: db) { rows in
            for r in rows {
                scan.add(KPUMember(id: r.membershipID, nikDigits: try r.nikCipher.map(vault.decrypt) ?? "",
                                   fullName: r.fullName, birthDate: r.birthDate.flatMap(CivilDate.init(iso8601:)),
                                   sex: r.sex == "L" ? .male : r.sex == "P" ? .female : nil,
                                   married: MaritalStatus(rawValue: r.maritalStatus ?? "")?.hasMarried ?? false,
                                   regencyCode: String(r.scope.prefix(5))))
            }
        }
        return scan.report
    }

    struct SummaryRow: Encodable {
        let regency: String
        let members: Int
        let clean: Int
        let counts: [Int]
    }

    struct FindingRow: Encodable {
        let membershipID: String
        let name: String
        let category: String
        let message: String
    }

    struct ReportPage: Encodable {
        let categories: [String]
        let summaries: [SummaryRow]
        let findings: [FindingRow]
        let moreFindings: Int?
        let referenceDate: String
        let canExport: Bool
    }

    @Sendable func reportPage(req: Request) async throws -> Response {
        let root = try await root(req, permission: .viewPeople)
        let reference = (try? req.query.get(String.self, at: "date")).flatMap(CivilDate.init(iso8601:)) ?? CivilDate(Date())
        let report = try await Self.screen(under: root, referenceDate: reference, findingsKept: Self.findingsShown, on: req.db, vault: req.vault)
        let regions = try await Region.query(on: req.db).filter(\.$level == .regency).all()
        let regencyName = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
        let categories = KPUFindingCategory.allCases
        try await req.audit.record("report.kpu", entity: "membership", scope: root.rawValue,
                                   detail: "\(report.summaries.reduce(0) { $0 + $1.members }) anggota aktif, \(report.findingCount) temuan")
        return try await req.render("membership/kpu", title: "Kesiapan verifikasi KPU", ReportPage(
            categories: categories.map(\.label),
            summaries: report.summaries.map { s in
                SummaryRow(regency: regencyName[s.regencyCode] ?? s.regencyCode, members: s.members, clean: s.clean,
                           counts: categories.map { s.count($0) })
            },
            findings: report.findings.map {
                FindingRow(membershipID: $0.memberID, name: $0.memberName, category: $0.category.label, message: $0.message)
            },
            moreFindings: report.findingCount > report.findings.count ? report.findingCount - report.findings.count : nil,
            referenceDate: reference.indonesian,
            canExport: req.access.allows(.exportData, at: root) && req.access.allows(.revealPersonalData, at: root)))
    }

    /// Findings listed on the page (all are counted in the table).
    static let findingsShown = 500

    /// The member list for SIPOL, unmasked: needs both exportData and revealPersonalData;
    /// audited with the row count. Streamed a chunk at a time. Layout: docs/kpu-export.md.
    @Sendable func export(req: Request) async throws -> Response {
        let root = try await root(req, permission: .exportData)
        guard req.access.allows(.revealPersonalData, at: root) else {
            throw Abort(.forbidden, reason: "Ekspor KPU berisi NIK lengkap: perlu kewenangan membuka data pribadi.")
        }
        let regions = try await Region.query(on: req.db).all()
        let regionName = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
        let vault = req.vault, db = req.db, logger = req.logger
        let total = try await Self.activeCount(under: root, on: req.db)
        try await req.audit.record("export.kpu", entity: "membership", scope: root.rawValue,
                                   detail: "\(total) anggota aktif, NIK lengkap")
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"anggota-kpu.csv\"")
        return Response(status: .ok, headers: headers, body: .init(asyncStream: { writer in
            do {
                try await writer.write(.buffer(ByteBuffer(string: "\u{FEFF}" + KPUExport.header.joined(separator: ",") + "\r\n")))
                var index = 0
                try await Self.eachActive(under: root, total: total, withAddress: true, on: db) { rows in
                    var lines = ""
                    for p in rows {
                        index += 1
                        let village = p.regionCode
                        let district = String(village.prefix(8)), regency = String(village.prefix(5))
                        let fields: [String] = [
                            String(index), try p.nikCipher.map(vault.decrypt) ?? "", p.fullName, p.birthPlace ?? "",
                            p.birthDate.flatMap(CivilDate.init(iso8601:))?.indonesian ?? "", p.sex ?? "",
                            MaritalStatus(rawValue: p.maritalStatus ?? "")?.label ?? "", p.occupation ?? "",
                            try p.addressCipher.map(vault.decrypt) ?? "", p.rt ?? "", p.rw ?? "",
                            regionName[village] ?? village, regionName[district] ?? district, regionName[regency] ?? regency,
                            p.number,
                        ]
                        lines += fields.map(MemberImport.csvField).joined(separator: ",") + "\r\n"
                    }
                    try await writer.write(.buffer(ByteBuffer(string: lines)))
                }
                try await writer.write(.end)
            } catch {
                logger.report(error: error)
                try? await writer.write(.error(error))
            }
        }))
    }
}

/// Column layout of the KPU export (documented in docs/kpu-export.md).
enum KPUExport {
    static let header = ["NO", "NIK", "NAMA", "TEMPAT_LAHIR", "TANGGAL_LAHIR", "JENIS_KELAMIN", "STATUS_PERKAWINAN",
                         "PEKERJAAN", "ALAMAT", "RT", "RW", "KELURAHAN_DESA", "KECAMATAN", "KABUPATEN_KOTA", "NOMOR_KTA"]
}
