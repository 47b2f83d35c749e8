import CSV
import Fluent
import Foundation
import SimpulCore
import Vapor

/// A small CSV file read whole (results and turnout files are thousands of rows, not
/// millions): headers normalised to lower-case words joined by "_", data rows with
/// their spreadsheet row number (header = row 1).
struct CSVTable {
    let headers: [String]
    let rows: [(line: Int, fields: [String])]

    static func parse(_ text: String) throws -> CSVTable {
        let clean = text.replacingOccurrences(of: "\u{FEFF}", with: "")
        let head = clean.prefix { $0 != "\n" }
        let delimiter = MemberImport.delimiter(ofHeaderLine: head)
        let reader = try CSVReader(string: clean, hasHeaderRow: true, trimFields: true, delimiter: delimiter)
        let headers = (reader.headerRow ?? []).map(normalise)
        var rows: [(Int, [String])] = []
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy(\.isEmpty) { continue }
            rows.append((line, fields))
        }
        if let error = reader.error, !(error is CSVError) || !"\(error)".contains("cannotReadFile") {
            throw Abort(.unprocessableEntity, reason: "Berkas CSV rusak setelah baris \(line).")
        }
        return CSVTable(headers: headers, rows: rows)
    }

    static func normalise(_ header: String) -> String {
        header.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "_")
    }

    /// Index of the first column named any of `names`.
    func column(_ names: [String]) -> Int? { headers.firstIndex { names.contains($0) } }
}

/// Reads an election's results or turnout file, checks every row, and stores all of it
/// or nothing. A new file for the same election replaces the previous one, so running
/// the same import twice gives the same data.
struct ResultsImport {
    let data: ElectionData
    let regionsByName: [String: Region]

    struct Outcome: Content {
        let rows: Int
        let errors: [FieldError]
    }

    /// Every kelurahan/kecamatan of the election's region, by code and by lower-case name.
    static func make(_ data: ElectionData, on db: any Database) async throws -> ResultsImport {
        let regions = try await Region.query(on: db).filter(\.$level ~~ [.regency, .district, .village]).all()
            .filter { $0.id!.hasPrefix(data.election.regionCode + ".") }
        var byName: [String: Region] = [:]
        for r in regions {
            byName[r.id!] = r
            if byName[r.name.lowercased()] == nil { byName[r.name.lowercased()] = r }
        }
        return ResultsImport(data: data, regionsByName: byName)
    }

    // MARK: Results

    func results(_ table: CSVTable) -> (drafts: [AreaResult], errors: [FieldError]) {
        var errors = FormErrors()
        let dapilCol = table.column(["dapil", "no_dapil", "nomor_dapil"])
        let partyCol = table.column(["partai", "parpol", "no_partai", "nomor_partai"])
        let votesCol = table.column(["suara", "jumlah_suara", "suara_sah"])
        let areaCol = table.column(["wilayah", "kode_wilayah", "kelurahan", "kecamatan", "kode"])
        let candidateCol = table.column(["calon", "nama_calon", "caleg"])
        let sexCol = table.column(["jenis_kelamin", "jk", "l_p"])
        for (col, name) in [(dapilCol, "dapil"), (partyCol, "partai"), (votesCol, "suara")] where col == nil {
            errors.add(name, "Kolom \"\(name)\" tidak ada di baris judul (baris 1).")
        }
        guard let dapilCol, let partyCol, let votesCol else { return ([], errors.all) }

        var drafts: [AreaResult] = []
        var seen: [String: Int] = [:]
        var levels: [String: Set<Bool>] = [:]   // dapil+party → has area rows / dapil-level rows
        for (line, f) in table.rows {
            func cell(_ i: Int?) -> String { i.flatMap { $0 < f.count ? f[$0] : nil } ?? "" }
            func fail(_ column: String, _ message: String) { errors.add("Baris \(line), kolom \(column)", "Baris \(line), kolom \(column): \(message)") }
            guard let dapil = findDapil(cell(dapilCol)) else {
                fail("dapil", "dapil \"\(cell(dapilCol))\" tidak ada dalam pemilu ini."); continue
            }
            guard let party = findParty(cell(partyCol)) else {
                fail("partai", "partai \"\(cell(partyCol))\" tidak ada dalam pemilu ini (pakai nomor urut atau singkatan)."); continue
            }
            guard let votes = Self.count(cell(votesCol)) else {
                fail("suara", "\"\(cell(votesCol))\" bukan jumlah suara (bilangan bulat 0 atau lebih)."); continue
            }
            var regionCode = ""
            let areaText = cell(areaCol)
            if !areaText.isEmpty {
                guard let region = regionsByName[areaText] ?? regionsByName[areaText.lowercased()] else {
                    fail("wilayah", "wilayah \"\(areaText)\" tidak dikenal (pakai kode Kemendagri atau nama kelurahan/kecamatan)."); continue
                }
                guard covers(dapil, region.id!) else {
                    fail("wilayah", "\(region.name) (\(region.id!)) tidak termasuk \(dapil.name)."); continue
                }
                regionCode = region.id!
            }
            let candidate = cell(candidateCol).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            var sex: String?
            switch cell(sexCol).lowercased() {
            case "": sex = nil
            case "l", "laki-laki", "laki laki", "pria": sex = Sex.male.rawValue
            case "p", "perempuan", "wanita": sex = Sex.female.rawValue
            default: fail("jenis_kelamin", "isi L atau P, bukan \"\(cell(sexCol))\"."); continue
            }
            let key = "\(dapil.number)|\(regionCode)|\(party.number)|\(candidate.lowercased())"
            if let first = seen[key] {
                fail(candidate.isEmpty ? "partai" : "calon", "baris yang sama dengan baris \(first) (dapil, wilayah, partai, calon)."); continue
            }
            seen[key] = line
            levels["\(dapil.number)|\(party.number)", default: []].insert(regionCode.isEmpty)
            if levels["\(dapil.number)|\(party.number)"]!.count > 1 {
                fail("wilayah", "\(party.abbreviation) di \(dapil.name) diisi per wilayah dan juga untuk seluruh dapil; pilih salah satu agar suara tidak terhitung dua kali."); continue
            }
            let r = AreaResult()
            r.electionID = data.election.id!
            r.dapilID = dapil.id!
            r.regionCode = regionCode
            r.partyID = party.id!
            r.candidate = candidate
            r.candidateSex = sex
            r.votes = votes
            drafts.append(r)
        }
        if table.rows.isEmpty { errors.add("berkas", "Berkas tidak berisi baris data.") }
        return (drafts, errors.all)
    }

    // MARK: Turnout

    func turnout(_ table: CSVTable) -> (drafts: [AreaTurnout], errors: [FieldError]) {
        var errors = FormErrors()
        let cols = [("wilayah", ["wilayah", "kode_wilayah", "kelurahan", "kecamatan", "kode"]),
                    ("dpt", ["dpt", "pemilih_terdaftar", "jumlah_pemilih"]),
                    ("pengguna_hak_pilih", ["pengguna_hak_pilih", "pemilih_hadir", "hadir"]),
                    ("suara_sah", ["suara_sah", "sah"]),
                    ("suara_tidak_sah", ["suara_tidak_sah", "tidak_sah"])].map { ($0.0, table.column($0.1)) }
        for (name, col) in cols where col == nil {
            errors.add(name, "Kolom \"\(name)\" tidak ada di baris judul (baris 1).")
        }
        guard errors.isEmpty else { return ([], errors.all) }
        var drafts: [AreaTurnout] = []
        var seen: [String: Int] = [:]
        rows: for (line, f) in table.rows {
            func fail(_ column: String, _ message: String) { errors.add("Baris \(line), kolom \(column)", "Baris \(line), kolom \(column): \(message)") }
            let areaText = cols[0].1! < f.count ? f[cols[0].1!] : ""
            guard let region = regionsByName[areaText] ?? regionsByName[areaText.lowercased()] else {
                fail("wilayah", "wilayah \"\(areaText)\" tidak dikenal."); continue
            }
            var numbers: [Int] = []
            for (name, col) in cols.dropFirst() {
                let text = col! < f.count ? f[col!] : ""
                guard let n = Self.count(text) else { fail(name, "\"\(text)\" bukan bilangan bulat 0 atau lebih."); continue rows }
                numbers.append(n)
            }
            let (registered, voters, valid, invalid) = (numbers[0], numbers[1], numbers[2], numbers[3])
            if voters > registered { fail("pengguna_hak_pilih", "pengguna hak pilih (\(voters)) melebihi DPT (\(registered))."); continue }
            if valid + invalid != voters {
                fail("suara_sah", "suara sah (\(valid)) + tidak sah (\(invalid)) harus sama dengan pengguna hak pilih (\(voters))."); continue
            }
            if let first = seen[region.id!] { fail("wilayah", "\(region.name) sudah ada di baris \(first)."); continue }
            seen[region.id!] = line
            let t = AreaTurnout()
            t.electionID = data.election.id!
            t.regionCode = region.id!
            (t.registered, t.voters, t.valid, t.invalid) = (registered, voters, valid, invalid)
            drafts.append(t)
        }
        if table.rows.isEmpty { errors.add("berkas", "Berkas tidak berisi baris data.") }
        return (drafts, errors.all)
    }

    // MARK: Dapil and parties

    struct DapilDraft {
        let number: Int
        let name: String
        let seats: Int
        let areas: [String]
    }

    /// CSV `dapil, nama, kursi, wilayah`: wilayah lists kecamatan/kelurahan codes or names
    /// separated by spaces or semicolons (a name with spaces needs semicolons). Seats must
    /// add up to the body's seats, 3–12 per dapil (UU 7/2017 Pasal 187, 189, 192), and no
    /// area may be in two dapil.
    func dapils(_ table: CSVTable) -> (drafts: [DapilDraft], errors: [FieldError]) {
        var errors = FormErrors()
        let numberCol = table.column(["dapil", "no_dapil", "nomor"]), nameCol = table.column(["nama", "nama_dapil"])
        let seatsCol = table.column(["kursi", "alokasi_kursi", "jumlah_kursi"]), areasCol = table.column(["wilayah", "kode_wilayah", "daerah"])
        for (col, name) in [(numberCol, "dapil"), (seatsCol, "kursi"), (areasCol, "wilayah")] where col == nil {
            errors.add(name, "Kolom \"\(name)\" tidak ada di baris judul (baris 1).")
        }
        guard let numberCol, let seatsCol, let areasCol else { return ([], errors.all) }
        var drafts: [DapilDraft] = []
        var owner: [String: Int] = [:]   // region code → line
        for (line, f) in table.rows {
            func cell(_ i: Int?) -> String { i.flatMap { $0 < f.count ? f[$0] : nil } ?? "" }
            func fail(_ c: String, _ m: String) { errors.add("Baris \(line), kolom \(c)", "Baris \(line), kolom \(c): \(m)") }
            guard let number = Int(cell(numberCol)), number > 0 else { fail("dapil", "nomor dapil \"\(cell(numberCol))\" harus angka 1 atau lebih."); continue }
            if drafts.contains(where: { $0.number == number }) { fail("dapil", "dapil \(number) sudah ada di baris sebelumnya."); continue }
            guard let seats = Int(cell(seatsCol)), (3...12).contains(seats) else {
                fail("kursi", "alokasi kursi per dapil 3–12, terbaca \"\(cell(seatsCol))\"."); continue
            }
            let text = cell(areasCol)
            let parts = (text.contains(";") ? text.split(separator: ";") : text.split(separator: " "))
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if parts.isEmpty { fail("wilayah", "tidak ada wilayah."); continue }
            var codes: [String] = []
            var bad = false
            for part in parts {
                guard let region = regionsByName[part] ?? regionsByName[part.lowercased()] else {
                    fail("wilayah", "wilayah \"\(part)\" tidak dikenal di \(data.election.regionCode)."); bad = true; continue
                }
                let code = region.id!
                // The same area, or one inside another, already in a dapil.
                if let other = owner.first(where: { $0.key == code || code.hasPrefix($0.key + ".") || $0.key.hasPrefix(code + ".") }) {
                    fail("wilayah", "\(region.name) sudah termasuk dapil di baris \(other.value)."); bad = true; continue
                }
                owner[code] = line
                codes.append(code)
            }
            if bad { continue }
            let name = cell(nameCol).isEmpty ? "Dapil \(number)" : cell(nameCol)
            drafts.append(DapilDraft(number: number, name: name, seats: seats, areas: codes))
        }
        if table.rows.isEmpty { errors.add("berkas", "Berkas tidak berisi baris data.") }
        let total = drafts.reduce(0) { $0 + $1.seats }
        if errors.isEmpty && total != data.election.totalSeats {
            errors.add("kursi", "Jumlah kursi semua dapil \(total), harus sama dengan kursi lembaga \(data.election.totalSeats).")
        }
        return (drafts, errors.all)
    }

    /// CSV `nomor, singkatan, nama`.
    func parties(_ table: CSVTable) -> (drafts: [(number: Int, abbreviation: String, name: String)], errors: [FieldError]) {
        var errors = FormErrors()
        let numberCol = table.column(["nomor", "no", "nomor_urut"]), abbrCol = table.column(["singkatan", "partai"])
        let nameCol = table.column(["nama", "nama_partai"])
        for (col, name) in [(numberCol, "nomor"), (abbrCol, "singkatan")] where col == nil {
            errors.add(name, "Kolom \"\(name)\" tidak ada di baris judul (baris 1).")
        }
        guard let numberCol, let abbrCol else { return ([], errors.all) }
        var drafts: [(number: Int, abbreviation: String, name: String)] = []
        for (line, f) in table.rows {
            func cell(_ i: Int?) -> String { i.flatMap { $0 < f.count ? f[$0] : nil } ?? "" }
            guard let number = Int(cell(numberCol)), number > 0, !drafts.contains(where: { $0.number == number }) else {
                errors.add("Baris \(line), kolom nomor", "Baris \(line), kolom nomor: nomor urut \"\(cell(numberCol))\" kosong, bukan angka, atau dipakai dua kali."); continue
            }
            let abbr = cell(abbrCol)
            guard !abbr.isEmpty, abbr.count <= 20 else {
                errors.add("Baris \(line), kolom singkatan", "Baris \(line), kolom singkatan: isi singkatan partai (maks. 20 karakter)."); continue
            }
            drafts.append((number, abbr, cell(nameCol).isEmpty ? abbr : cell(nameCol)))
        }
        if table.rows.isEmpty { errors.add("berkas", "Berkas tidak berisi baris data.") }
        return (drafts, errors.all)
    }

    static func replaceDapils(_ drafts: [DapilDraft], election: Election, on db: any Database) async throws {
        try await db.transaction { tx in
            try await Dapil.query(on: tx).filter(\.$election.$id == election.requireID()).delete()
            for d in drafts {
                try await Dapil.insert(election: election.requireID(), number: d.number, name: d.name, seats: d.seats, areas: d.areas, on: tx)
            }
        }
    }

    static func replaceParties(_ drafts: [(number: Int, abbreviation: String, name: String)], election: Election, on db: any Database) async throws {
        try await db.transaction { tx in
            try await Party.query(on: tx).filter(\.$election.$id == election.requireID()).delete()
            election.ownPartyID = nil
            try await election.update(on: tx)
            for d in drafts {
                try await Party.insert(election: election.requireID(), number: d.number, abbreviation: d.abbreviation, name: d.name, on: tx)
            }
        }
    }

    // MARK: Lookups

    func findDapil(_ text: String) -> Dapil? {
        let t = text.lowercased().replacingOccurrences(of: "dapil", with: "").trimmingCharacters(in: .whitespaces)
        if let n = Int(t) { return data.dapils.first { $0.number == n } }
        return data.dapils.first { $0.name.lowercased() == text.lowercased() }
    }

    func findParty(_ text: String) -> Party? {
        let t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if let n = Int(t) { return data.parties.first { $0.number == n } }
        return data.parties.first { $0.abbreviation.lowercased() == t || $0.name.lowercased() == t }
    }

    /// Is `region` (kelurahan or kecamatan) inside the dapil?
    func covers(_ dapil: Dapil, _ region: String) -> Bool {
        dapil.areas.contains { region == $0.regionCode || region.hasPrefix($0.regionCode + ".") }
    }

    /// "12345", "12.345" or "12,345" (thousands separators) → 12345; anything else nil.
    static func count(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = Int(t), n >= 0 { return n }
        let groups = t.split(separator: ".", omittingEmptySubsequences: false)
        let commaGroups = t.split(separator: ",", omittingEmptySubsequences: false)
        for g in [groups, commaGroups] where g.count > 1 {
            if g.first!.count <= 3, g.dropFirst().allSatisfy({ $0.count == 3 }), g.allSatisfy({ $0.allSatisfy(\.isNumber) }) {
                return Int(g.joined())
            }
        }
        return nil
    }

    /// Replaces the election's results (or turnout) with `drafts` in one transaction.
    static func store<M: Model>(_ drafts: [M], replacing type: M.Type, election: UUID, on db: any Database) async throws {
        try await db.transaction { tx in
            try await M.query(on: tx).filter(.path(["election_id"], schema: M.schema), .equal, .bind(election)).delete()
            for chunk in stride(from: 0, to: drafts.count, by: 500) {
                try await Array(drafts[chunk..<min(chunk + 500, drafts.count)]).create(on: tx)
            }
        }
    }
}
