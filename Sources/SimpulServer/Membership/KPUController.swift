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

    struct Loaded {
        let members: [KPUMember]
        let rows: [Row]
        let root: OrgPath
    }

    /// What the report and the export read about one active member.
    struct Row: Sendable {
        let membershipID: String
        let scope: String
        let number: String?
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

    /// Active members under the user's highest unit (or `?unit=`), decrypted for the checks.
    /// One query read row by row into these few columns: Fluent models of a million members
    /// and their people took 5 minutes and 10 GB (and eager loading them bound more
    /// parameters than SQLite takes). `withAddress` for the export only.
    private func load(_ req: Request, permission: Permission, withAddress: Bool = false) async throws -> Loaded {
        _ = try req.requireUser()
        var root = req.access.roots(for: permission).first
        if let id = try? req.query.get(UUID.self, at: "unit"), let unit = try await OrgUnit.find(id, on: req.db) {
            root = unit.orgPath
        }
        guard let root, req.access.allows(permission, at: root) else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang membuat laporan KPU untuk unit ini.")
        }
        let sql = req.db as! any SQLDatabase
        let address: SQLQueryString = withAddress ? "p.address_cipher" : "NULL"
        let collected = NIOLockedValueBox<(rows: [Row], failure: (any Error)?)>(([], nil))
        try await sql.raw("""
            SELECT m.id, m.scope, m.number, p.nik_cipher, p.full_name, p.birth_place, p.birth_date, p.sex, p.marital_status,
              p.occupation, \(address) AS address_cipher, p.rt, p.rw, p.region_code
            FROM memberships m JOIN people p ON p.id = m.person_id
            WHERE m.status = \(literal: MembershipStatus.active.rawValue) AND \(SubtreeMatch(root, on: req.db).sql("m.scope"))
            """).run { row in
            do {
                let decoded = Row(
                    membershipID: try row.decode(column: "id", as: UUID.self).uuidString, scope: try row.decode(column: "scope", as: String.self),
                    number: try row.decode(column: "number", as: String?.self), nikCipher: try row.decode(column: "nik_cipher", as: String?.self),
                    fullName: try row.decode(column: "full_name", as: String.self), birthPlace: try row.decode(column: "birth_place", as: String?.self),
                    birthDate: try row.decode(column: "birth_date", as: String?.self), sex: try row.decode(column: "sex", as: String?.self),
                    maritalStatus: try row.decode(column: "marital_status", as: String?.self),
                    occupation: try row.decode(column: "occupation", as: String?.self),
                    addressCipher: try row.decode(column: "address_cipher", as: String?.self),
                    rt: try row.decode(column: "rt", as: String?.self), rw: try row.decode(column: "rw", as: String?.self),
                    regionCode: try row.decode(column: "region_code", as: String.self))
                collected.withLockedValue { $0.rows.append(decoded) }
            } catch {
                collected.withLockedValue { if $0.failure == nil { $0.failure = error } }
            }
        }
        let (rows, failure) = collected.withLockedValue { $0 }
        if let failure { throw failure }
        let vault = req.vault
        let members = try rows.map { r -> KPUMember in
            KPUMember(id: r.membershipID, nikDigits: try r.nikCipher.map(vault.decrypt) ?? "",
                      fullName: r.fullName, birthDate: r.birthDate.flatMap(CivilDate.init(iso8601:)),
                      sex: r.sex == "L" ? .male : r.sex == "P" ? .female : nil,
                      married: MaritalStatus(rawValue: r.maritalStatus ?? "")?.hasMarried ?? false,
                      regencyCode: String(r.scope.prefix(5)))
        }
        return Loaded(members: members, rows: rows, root: root)
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
        let moreFindings: Int
        let referenceDate: String
        let canExport: Bool
    }

    @Sendable func reportPage(req: Request) async throws -> Response {
        let loaded = try await load(req, permission: .viewPeople)
        let reference = (try? req.query.get(String.self, at: "date")).flatMap(CivilDate.init(iso8601:)) ?? CivilDate(Date())
        let report = KPUPreverification.run(loaded.members, referenceDate: reference)
        let regions = try await Region.query(on: req.db).filter(\.$level == .regency).all()
        let regencyName = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
        let names = Dictionary(uniqueKeysWithValues: loaded.rows.map { ($0.membershipID, $0.fullName) })
        let categories = KPUFindingCategory.allCases
        try await req.audit.record("report.kpu", entity: "membership", scope: loaded.root.rawValue,
                                   detail: "\(loaded.members.count) anggota aktif, \(report.findings.count) temuan")
        return try await req.render("membership/kpu", title: "Kesiapan verifikasi KPU", ReportPage(
            categories: categories.map(\.label),
            summaries: report.summaries.map { s in
                SummaryRow(regency: regencyName[s.regencyCode] ?? s.regencyCode, members: s.members, clean: s.clean,
                           counts: categories.map { s.count($0) })
            },
            findings: report.findings.prefix(500).map {
                FindingRow(membershipID: $0.memberID, name: names[$0.memberID] ?? "", category: $0.category.label, message: $0.message)
            },
            moreFindings: max(0, report.findings.count - 500), referenceDate: reference.indonesian,
            canExport: req.access.allows(.exportData, at: loaded.root) && req.access.allows(.revealPersonalData, at: loaded.root)))
    }

    /// The member list for SIPOL, unmasked: needs both exportData and revealPersonalData;
    /// audited with the row count. Layout: docs/kpu-export.md.
    @Sendable func export(req: Request) async throws -> Response {
        let loaded = try await load(req, permission: .exportData, withAddress: true)
        guard req.access.allows(.revealPersonalData, at: loaded.root) else {
            throw Abort(.forbidden, reason: "Ekspor KPU berisi NIK lengkap: perlu kewenangan membuka data pribadi.")
        }
        let regions = try await Region.query(on: req.db).all()
        let regionName = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
        let vault = req.vault
        var lines = [KPUExport.header.joined(separator: ",")]
        for (index, p) in loaded.rows.sorted(by: { ($0.number ?? "") < ($1.number ?? "") }).enumerated() {
            let village = p.regionCode
            let district = String(village.prefix(8)), regency = String(village.prefix(5))
            let fields: [String] = [
                String(index + 1), try p.nikCipher.map(vault.decrypt) ?? "", p.fullName, p.birthPlace ?? "",
                p.birthDate.flatMap(CivilDate.init(iso8601:))?.indonesian ?? "", p.sex ?? "",
                MaritalStatus(rawValue: p.maritalStatus ?? "")?.label ?? "", p.occupation ?? "",
                try p.addressCipher.map(vault.decrypt) ?? "", p.rt ?? "", p.rw ?? "",
                regionName[village] ?? village, regionName[district] ?? district, regionName[regency] ?? regency,
                p.number ?? "",
            ]
            lines.append(fields.map(MemberImport.csvField).joined(separator: ","))
        }
        try await req.audit.record("export.kpu", entity: "membership", scope: loaded.root.rawValue,
                                   detail: "\(loaded.rows.count) anggota aktif, NIK lengkap")
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"anggota-kpu.csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"))
    }
}

/// Column layout of the KPU export (documented in docs/kpu-export.md).
enum KPUExport {
    static let header = ["NO", "NIK", "NAMA", "TEMPAT_LAHIR", "TANGGAL_LAHIR", "JENIS_KELAMIN", "STATUS_PERKAWINAN",
                         "PEKERJAAN", "ALAMAT", "RT", "RW", "KELURAHAN_DESA", "KECAMATAN", "KABUPATEN_KOTA", "NOMOR_KTA"]
}
