import Fluent
import Foundation
import SimpulCore
import Vapor

/// Election night: witnesses (saksi) send TPS tallies from their phones; officials watch
/// the roll-up TPS → kelurahan → kecamatan → dapil with projected seats and decide
/// conflicting tallies.
struct TallyController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("tally", use: myStationsPage)
        routes.get("tally", ":stationID", use: formPage)
        routes.post("tally", ":stationID", use: submitForm)
        let e = routes.grouped("elections", ":electionID")
        e.get("tally", use: rollupPage)
        e.get("tally", "stations", use: stationsPage)
        e.get("tally", "stations", ":stationID", use: stationPage)
        e.post("tally", "stations", ":stationID", "resolve", use: resolve)
        e.get("tps", use: tpsImportPage)
        e.on(.POST, "tps", body: .collect(maxSize: "20mb"), use: tpsImport)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("tally", "stations", use: myStationsAPI)
        routes.post("tally", ":stationID", use: submitAPI)
        routes.get("elections", ":electionID", "rollup", use: rollupAPI)
    }

    // MARK: Witness side

    struct StationRow: Content {
        let id: UUID
        let label: String
        let kelurahan: String
        let registered: Int
        let status: String
    }

    private func myStations(_ req: Request) async throws -> [StationRow] {
        let user = try req.requireUser()
        guard req.electoralPolicy.maySubmitAnyTally else { throw Abort(.forbidden, reason: "Anda tidak berwenang mengirim hasil TPS.") }
        let ids = try await WitnessAssignment.query(on: req.db).filter(\.$userID == user.requireID()).all(\.$pollingStationID)
        guard !ids.isEmpty else { return [] }
        let stations = try await PollingStation.query(on: req.db).filter(\.$id ~~ ids).sort(\.$regionCode).sort(\.$number).all()
            .filter { req.electoralPolicy.maySubmitTally(to: $0, assigned: true) }
        let regions = try await Region.query(on: req.db).filter(\.$id ~~ Set(stations.map(\.regionCode))).all()
        return stations.map { s in
            StationRow(id: s.id!, label: s.label, kelurahan: regions.first { $0.id == s.regionCode }?.name ?? s.regionCode,
                       registered: s.registered, status: s.status.rawValue)
        }
    }

    @Sendable func myStationsAPI(req: Request) async throws -> [StationRow] { try await myStations(req) }

    @Sendable func myStationsPage(req: Request) async throws -> Response {
        struct Body: Encodable { let stations: [StationRow] }
        return try await req.render("electoral/my-stations", title: "TPS saya", Body(stations: try await myStations(req)))
    }

    /// The TPS, if the user may send its tally: an assigned witness with submitTally
    /// there, or an official with manageElectoral over it. Otherwise 404/403.
    private func stationForSubmission(_ req: Request) async throws -> (PollingStation, User) {
        let user = try req.requireUser()
        guard let id = req.parameters.get("stationID", as: UUID.self), let station = try await PollingStation.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "TPS tidak ditemukan.")
        }
        let assigned = try await WitnessAssignment.query(on: req.db)
            .filter(\.$pollingStationID == id).filter(\.$userID == user.requireID()).first() != nil
        guard req.electoralPolicy.maySubmitTally(to: station, assigned: assigned) else { throw Abort(.notFound, reason: "TPS tidak ditemukan.") }
        return (station, user)
    }

    private func parties(of station: PollingStation, on db: any Database) async throws -> [Party] {
        try await Party.query(on: db).filter(\.$election.$id == station.electionID).sort(\.$number).all()
    }

    /// Queued to the tally writer, which checks the TPS and the witness's assignment in
    /// its batch: no reads here beyond the signed-in user.
    @Sendable func submitAPI(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("stationID", as: UUID.self),
              req.electoralPolicy.maySubmitAnyTally
        else { throw Abort(.notFound, reason: "TPS tidak ditemukan.") }
        let input = try TallyFastPath.input(req)
        let (receipt, created) = try await req.application.tallyIngest.submit(
            .init(stationID: id, input: input, userID: try user.requireID(), username: user.username, access: req.access))
        SimpulMetrics.tallies.increment()
        return TallyFastPath.response(receipt, status: created ? .created : .ok)
    }

    struct FormPage: Encodable {
        struct PartyField: Encodable {
            let number: Int
            let abbreviation: String
            let value: String
        }
        let stationID: UUID
        let label: String
        let kelurahan: String
        let registered: Int
        let clientRef: String
        let parties: [PartyField]
        let votersPresent: String
        let validVotes: String
        let invalidVotes: String
        let errors: [FieldError]
        let history: [HistoryRow]
    }

    struct HistoryRow: Encodable {
        let at: String
        let by: String
        let status: String
        let valid: Int
        let invalid: Int
    }

    private func history(_ station: PollingStation, on db: any Database) async throws -> [HistoryRow] {
        let f = DateFormatter()
        f.dateFormat = "dd-MM-yyyy HH:mm:ss"
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        return try await TallySubmission.query(on: db).filter(\.$pollingStationID == station.requireID())
            .sort(\.$createdAt).all().map {
                HistoryRow(at: $0.createdAt.map(f.string) ?? "", by: $0.username, status: $0.status.label,
                           valid: $0.validVotes, invalid: $0.invalidVotes)
            }
    }

    private func renderForm(_ req: Request, _ station: PollingStation, values: [String: String], errors: [FieldError],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let parties = try await parties(of: station, on: req.db)
        let kelurahan = try await Region.find(station.regionCode, on: req.db)?.name ?? station.regionCode
        let page = FormPage(
            stationID: station.id!, label: station.label, kelurahan: kelurahan, registered: station.registered,
            clientRef: values["clientRef"] ?? UUID().uuidString,
            parties: parties.map { .init(number: $0.number, abbreviation: $0.abbreviation, value: values["party_\($0.number)"] ?? "") },
            votersPresent: values["votersPresent"] ?? "", validVotes: values["validVotes"] ?? "", invalidVotes: values["invalidVotes"] ?? "",
            errors: errors, history: try await history(station, on: req.db))
        return try await req.render("electoral/tally-form", title: "\(station.label) \(kelurahan)", page, status: status)
    }

    @Sendable func formPage(req: Request) async throws -> Response {
        let (station, _) = try await stationForSubmission(req)
        return try await renderForm(req, station, values: [:], errors: [])
    }

    @Sendable func submitForm(req: Request) async throws -> Response {
        let (station, user) = try await stationForSubmission(req)
        let values = (try? req.content.decode([String: String].self)) ?? [:]
        var errors = FormErrors()
        func number(_ key: String, _ label: String) -> Int {
            let text = (values[key] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return 0 }
            guard let n = Int(text), n >= 0 else { errors.add(key, "\(label): \"\(text)\" bukan bilangan bulat 0 atau lebih."); return 0 }
            return n
        }
        let parties = try await parties(of: station, on: req.db)
        var partyVotes: [String: Int] = [:]
        for p in parties { partyVotes[String(p.number)] = number("party_\(p.number)", "Suara \(p.number) \(p.abbreviation)") }
        let input = TallyInput(clientRef: values["clientRef"], votersPresent: number("votersPresent", "Pengguna hak pilih"),
                               validVotes: number("validVotes", "Suara sah"), invalidVotes: number("invalidVotes", "Suara tidak sah"),
                               parties: partyVotes, candidates: nil)
        do {
            try errors.throwIfAny()
            let (receipt, _) = try await req.application.tallyIngest.submit(
                .init(stationID: station.id!, input: input, userID: try user.requireID(), username: user.username, access: req.access))
            SimpulMetrics.tallies.increment()
            req.flash(receipt.message, error: receipt.status == "conflict")
            return req.redirect(to: "/tally/\(station.id!)")
        } catch let failure as ValidationFailure {
            return try await renderForm(req, station, values: values, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    // MARK: Official side

    struct RollupLine: Content {
        let code: String
        let name: String
        let stations: Int
        let reported: Int
        let conflicts: Int
        let votes: [String: Int]
        let projectedSeats: [String: Int]?
    }

    struct RollupResponse: Content {
        let election: String
        let stations: Int
        let reported: Int
        let conflicts: Int
        let dapils: [RollupLine]
        let kecamatan: [RollupLine]
        let kelurahan: [RollupLine]
    }

    private func rollupResponse(_ req: Request) async throws -> (RollupResponse, ElectionData) {
        let election = try await req.election()
        let data = try await ElectoralService.load(election, on: req.db)
        let dapil = try? req.query.get(UUID.self, at: "dapil")
        let r = try await TallyService.rollup(data, dapil: dapil, on: req.db)
        func named(_ v: [String: Int]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: v.map { (data.partyName($0.key), $0.value) })
        }
        func line(_ l: TallyService.Rollup.Line, seats: [String: Int]? = nil) -> RollupLine {
            RollupLine(code: l.code, name: l.name, stations: l.stations, reported: l.reported, conflicts: l.conflicts,
                       votes: named(l.votes), projectedSeats: seats.map(named))
        }
        return (RollupResponse(election: election.name, stations: r.totalStations, reported: r.reported, conflicts: r.conflicts,
                               dapils: r.dapils.map { line($0.line, seats: $0.seats) }, kecamatan: r.kecamatan.map { line($0) },
                               kelurahan: r.kelurahan.map { line($0) }), data)
    }

    @Sendable func rollupAPI(req: Request) async throws -> RollupResponse { try await rollupResponse(req).0 }

    struct RollupPage: Encodable {
        struct Row: Encodable {
            let code: String
            let name: String
            let progress: String
            let conflicts: Int
            let own: String
            let leaders: String
            let seats: String
        }
        let electionID: UUID
        let electionName: String
        let stations: Int
        let reported: Int
        let percent: String
        let conflicts: Int
        let canManage: Bool
        let ownParty: String?
        let dapils: [Row]
        let kecamatan: [Row]
        let kelurahan: [Row]
        let seatChart: String
    }

    @Sendable func rollupPage(req: Request) async throws -> Response {
        let (r, data) = try await rollupResponse(req)
        let own = data.ownPartyKey.map(data.partyName)
        func row(_ l: RollupLine) -> RollupPage.Row {
            let leaders = l.votes.filter { $0.value > 0 }.sorted { $0.value > $1.value }.prefix(3)
                .map { "\($0.key) \(SVGChart.number($0.value))" }.joined(separator: ", ")
            let seats = (l.projectedSeats ?? [:]).filter { $0.value > 0 }.sorted { $0.value > $1.value }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return .init(code: l.code, name: l.name,
                         progress: l.stations == 0 ? "—" : "\(l.reported)/\(l.stations) (\(l.reported * 100 / l.stations)%)",
                         conflicts: l.conflicts, own: own.map { SVGChart.number(l.votes[$0] ?? 0) } ?? "—",
                         leaders: leaders.isEmpty ? "—" : leaders, seats: seats)
        }
        var seatsTotal: [String: Int] = [:]
        for d in r.dapils { seatsTotal.merge(d.projectedSeats ?? [:], uniquingKeysWith: +) }
        let chart = SVGChart.bars(seatsTotal.filter { $0.value > 0 }.sorted { $0.value > $1.value }.map {
            SVGChart.Bar(label: $0.key, value: Double($0.value), highlight: $0.key == own, caption: "\($0.value) kursi")
        }, title: "Proyeksi kursi dari suara yang masuk")
        let election = data.election
        let page = RollupPage(
            electionID: election.id!, electionName: election.name, stations: r.stations, reported: r.reported,
            percent: r.stations == 0 ? "0" : String(format: "%.1f", Double(r.reported) * 100 / Double(r.stations)),
            conflicts: r.conflicts, canManage: req.electoralPolicy.canManage(election), ownParty: own,
            dapils: r.dapils.map(row), kecamatan: r.kecamatan.map(row), kelurahan: r.kelurahan.map(row), seatChart: chart)
        req.storage[PageRefreshKey.self] = 30  // live on election night
        return try await req.render("electoral/rollup", title: "Penghitungan TPS", page)
    }

    struct StationsPage: Encodable {
        let electionID: UUID
        let electionName: String
        let filter: String
        let stations: [StationRow]
    }

    @Sendable func stationsPage(req: Request) async throws -> Response {
        let election = try await req.election()
        let filter = (try? req.query.get(String.self, at: "status")) ?? "conflict"
        var query = PollingStation.query(on: req.db).filter(\.$electionID == (try election.requireID()))
        if let status = PollingStation.Status(rawValue: filter) { query = query.filter(\.$status == status) }
        query = ElectoralPolicy(access: req.access).scopeFilter(query, column: "scope", for: .viewElectoral)
        let stations = try await query.sort(\.$regionCode).sort(\.$number).limit(500).all()
        let regions = try await Region.query(on: req.db).filter(\.$id ~~ Set(stations.map(\.regionCode))).all()
        let rows = stations.map { s in
            StationRow(id: s.id!, label: s.label, kelurahan: regions.first { $0.id == s.regionCode }?.name ?? s.regionCode,
                       registered: s.registered, status: s.status.rawValue)
        }
        return try await req.render("electoral/stations", title: "TPS", StationsPage(electionID: election.id!, electionName: election.name, filter: filter, stations: rows))
    }

    struct StationPage: Encodable {
        struct Submission: Encodable {
            let id: UUID
            let at: String
            let by: String
            let status: String
            let open: Bool
            let accepted: Bool
            let summary: String
        }
        let electionID: UUID
        let stationID: UUID
        let label: String
        let kelurahan: String
        let registered: Int
        let status: String
        let canManage: Bool
        let submissions: [Submission]
    }

    /// A TPS seen by an official (viewElectoral over its kelurahan), with its full history.
    private func officialStation(_ req: Request) async throws -> (Election, PollingStation) {
        let election = try await req.election()
        guard let id = req.parameters.get("stationID", as: UUID.self), let station = try await PollingStation.find(id, on: req.db),
              station.electionID == election.id
        else { throw Abort(.notFound, reason: "TPS tidak ditemukan.") }
        try req.electoralPolicy.require(.viewElectoral, at: OrgPath(rawValue: station.scope), visibleWith: .viewElectoral)
        return (election, station)
    }

    @Sendable func stationPage(req: Request) async throws -> Response {
        let (election, station) = try await officialStation(req)
        let parties = try await parties(of: station, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: parties.map { ($0.id!.uuidString, $0.abbreviation) })
        let f = DateFormatter()
        f.dateFormat = "dd-MM-yyyy HH:mm:ss"
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        let submissions = try await TallySubmission.query(on: req.db).filter(\.$pollingStationID == station.requireID()).sort(\.$createdAt).all()
        let page = StationPage(
            electionID: election.id!, stationID: station.id!, label: station.label,
            kelurahan: try await Region.find(station.regionCode, on: req.db)?.name ?? station.regionCode,
            registered: station.registered, status: station.status.rawValue,
            canManage: req.electoralPolicy.mayDecideTally(station),
            submissions: submissions.map { s in
                let totals = s.sheet?.totals.filter { $0.value > 0 }.sorted { $0.value > $1.value }
                    .map { "\(names[$0.key] ?? "?") \($0.value)" }.joined(separator: ", ") ?? ""
                return .init(id: s.id!, at: s.createdAt.map(f.string) ?? "", by: s.username, status: s.status.label,
                             open: s.status == .conflict || s.status == .accepted && station.status == .conflict,
                             accepted: s.status == .accepted,
                             summary: "hadir \(s.votersPresent), sah \(s.validVotes), tidak sah \(s.invalidVotes): \(totals)")
            })
        return try await req.render("electoral/station", title: station.label, page)
    }

    @Sendable func resolve(req: Request) async throws -> Response {
        let (election, station) = try await officialStation(req)
        try req.electoralPolicy.require(.manageElectoral, at: OrgPath(rawValue: station.scope), visibleWith: .viewElectoral)
        guard let chosen = try? req.content.get(UUID.self, at: "submission") else {
            throw ValidationFailure(errors: [FieldError(field: "submission", message: "Pilih kiriman yang benar.")])
        }
        let note = try? req.content.get(String.self, at: "note")
        let user = try req.requireUser()
        try await TallyService.resolve(station: station, choose: chosen, by: user.username, note: note, on: req.db)
        try await Auditor(request: req).record("tally.resolve", entity: "polling_station", id: station.id?.uuidString,
                                               scope: station.scope, detail: "dipilih \(chosen)\(note.map { ": " + $0 } ?? "")")
        req.flash("Hasil \(station.label) ditetapkan; rekap diperbarui.")
        return req.redirect(to: "/elections/\(election.id!)/tally/stations/\(station.id!)")
    }

    // MARK: TPS list import

    struct TPSImportPage: Encodable {
        let electionID: UUID
        let electionName: String
        let stations: Int
        let witnesses: Int
        let errors: [FieldError]
    }

    @Sendable func tpsImportPage(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        return try await req.render("electoral/tps", title: "Daftar TPS", try await tpsPageData(election, errors: [], on: req.db))
    }

    private func tpsPageData(_ election: Election, errors: [FieldError], on db: any Database) async throws -> TPSImportPage {
        let ids = try await PollingStation.query(on: db).filter(\.$electionID == election.requireID()).all(\.$id)
        let witnesses = ids.isEmpty ? 0 : try await WitnessAssignment.query(on: db).filter(\.$pollingStationID ~~ ids).count()
        return TPSImportPage(electionID: election.id!, electionName: election.name, stations: ids.count,
                             witnesses: witnesses,
                             errors: Array(errors.prefix(100)))
    }

    struct Upload: Content {
        var file: File
    }

    /// CSV `wilayah, tps, dpt, saksi`: adds or updates TPS (by kelurahan + number) and
    /// assigns witnesses by username; all rows or none.
    @Sendable func tpsImport(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let upload = try req.content.decode(Upload.self)
        let table = try CSVTable.parse(String(decoding: Data(buffer: upload.file.data), as: UTF8.self))
        let data = try await ElectoralService.load(election, on: req.db)
        let importer = try await ResultsImport.make(data, on: req.db)
        var errors = FormErrors()
        let areaCol = table.column(["wilayah", "kelurahan", "kode_wilayah", "kode"])
        let numberCol = table.column(["tps", "nomor_tps", "no_tps"])
        let dptCol = table.column(["dpt", "pemilih_terdaftar", "jumlah_pemilih"])
        let witnessCol = table.column(["saksi", "username", "nama_pengguna"])
        for (col, name) in [(areaCol, "wilayah"), (numberCol, "tps"), (dptCol, "dpt")] where col == nil {
            errors.add(name, "Kolom \"\(name)\" tidak ada di baris judul (baris 1).")
        }
        struct Row { let region: Region; let dapil: Dapil; let number: Int; let registered: Int; let witness: User? }
        var rows: [Row] = []
        if let areaCol, let numberCol, let dptCol {
            var users: [String: User] = [:]
            let usernames = Set(table.rows.compactMap { r in witnessCol.flatMap { $0 < r.fields.count ? r.fields[$0].lowercased() : nil } }.filter { !$0.isEmpty })
            if !usernames.isEmpty {
                for u in try await User.query(on: req.db).filter(\.$username ~~ usernames).all() { users[u.username] = u }
            }
            var seen: [String: Int] = [:]
            for (line, f) in table.rows {
                func cell(_ i: Int?) -> String { i.flatMap { $0 < f.count ? f[$0] : nil } ?? "" }
                func fail(_ c: String, _ m: String) { errors.add("Baris \(line), kolom \(c)", "Baris \(line), kolom \(c): \(m)") }
                let text = cell(areaCol)
                guard let region = importer.regionsByName[text] ?? importer.regionsByName[text.lowercased()], region.level == .village else {
                    fail("wilayah", "kelurahan \"\(text)\" tidak dikenal."); continue
                }
                guard let dapil = data.dapils.first(where: { importer.covers($0, region.id!) }) else {
                    fail("wilayah", "\(region.name) tidak termasuk dapil mana pun."); continue
                }
                guard let number = Int(cell(numberCol)), number > 0 else { fail("tps", "nomor TPS \"\(cell(numberCol))\" harus angka 1 atau lebih."); continue }
                guard let registered = Int(cell(dptCol)), registered >= 0 else { fail("dpt", "\"\(cell(dptCol))\" bukan jumlah pemilih."); continue }
                if registered > TallySheet.maximumVotersPerTPS {
                    fail("dpt", "satu TPS paling banyak \(TallySheet.maximumVotersPerTPS) pemilih; terbaca \(registered)."); continue
                }
                let key = "\(region.id!)|\(number)"
                if let first = seen[key] { fail("tps", "TPS \(number) \(region.name) sudah ada di baris \(first)."); continue }
                seen[key] = line
                var witness: User?
                let username = cell(witnessCol).lowercased()
                if !username.isEmpty {
                    guard let u = users[username] else { fail("saksi", "pengguna \"\(username)\" tidak ada."); continue }
                    witness = u
                }
                rows.append(Row(region: region, dapil: dapil, number: number, registered: registered, witness: witness))
            }
        }
        if table.rows.isEmpty { errors.add("berkas", "Berkas tidak berisi baris data.") }
        guard errors.isEmpty else {
            return try await req.render("electoral/tps", title: "Daftar TPS", try await tpsPageData(election, errors: errors.all, on: req.db),
                                        status: .unprocessableEntity)
        }
        let units = try await OrgUnit.query(on: req.db).filter(\.$regionCode ~~ Array(Set(rows.map { $0.region.id! }))).all()
        let accepted = rows
        try await req.db.transaction { tx in
            for r in accepted {
                let station = try await PollingStation.query(on: tx).filter(\.$electionID == election.requireID())
                    .filter(\.$regionCode == r.region.id!).filter(\.$number == r.number).first() ?? {
                        let s = PollingStation()
                        s.electionID = election.id!
                        s.regionCode = r.region.id!
                        s.number = r.number
                        s.status = .waiting
                        return s
                    }()
                station.dapilID = try r.dapil.requireID()
                station.registered = r.registered
                station.scope = units.first { $0.regionCode == r.region.id! }?.path ?? OrgPath(regionCode: r.region.id!).rawValue
                try await station.save(on: tx)
                if let w = r.witness, try await WitnessAssignment.query(on: tx).filter(\.$pollingStationID == station.requireID())
                    .filter(\.$userID == w.requireID()).first() == nil {
                    let a = WitnessAssignment()
                    a.pollingStationID = try station.requireID()
                    a.userID = try w.requireID()
                    try await a.create(on: tx)
                }
            }
        }
        try await Auditor(request: req).record("election.import_tps", entity: "election", id: election.id?.uuidString,
                                               scope: election.scope, detail: "\(upload.file.filename): \(accepted.count) TPS")
        req.flash("\(accepted.count) TPS disimpan dari \(upload.file.filename).")
        return req.redirect(to: "/elections/\(election.id!)/tally")
    }
}
