import Fluent
import Foundation
import SimpulCore
import Vapor

/// Dapil analysis: seats by Sainte-Laguë, votes needed for the next seat, the cheapest
/// way to a seat target, what-if scenarios and dapil splits; results import.
struct ElectoralController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("elections", use: listPage)
        routes.get("elections", "new", use: newElectionPage)
        routes.post("elections", use: createElection)
        let one = routes.grouped("elections", ":electionID")
        one.get(use: overviewPage)
        one.get("dapil", ":number", use: dapilPage)
        one.get("plan", use: planPage)
        one.post("own-party", use: setOwnParty)
        one.get("import", use: importPage)
        one.on(.POST, "import", body: .collect(maxSize: "20mb"), use: importUpload)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("elections", use: listAPI)
        routes.get("elections", ":electionID", "seats", use: seatsAPI)
        routes.get("elections", ":electionID", "plan", use: planAPI)
    }

    // MARK: List

    struct ElectionSummary: Content {
        let id: UUID
        let name: String
        let year: Int
        let body: String
        let regionCode: String
        let totalSeats: Int
    }

    private func visibleElections(_ req: Request) async throws -> [ElectionSummary] {
        _ = try req.requireUser()
        guard req.electoralPolicy.seesAnything else { throw Abort(.forbidden, reason: "Anda tidak berwenang melihat data pemilu.") }
        return try await req.electoralPolicy.visible(Election.query(on: req.db)).sort(\.$year, .descending).all().map {
            ElectionSummary(id: $0.id!, name: $0.name, year: $0.year, body: Election.bodyLabels[$0.body] ?? $0.body,
                            regionCode: $0.regionCode, totalSeats: $0.totalSeats)
        }
    }

    @Sendable func listPage(req: Request) async throws -> Response {
        struct Body: Encodable {
            let elections: [ElectionSummary]
            let canCreate: Bool
        }
        return try await req.render("electoral/list", title: "Pemilu", Body(
            elections: try await visibleElections(req), canCreate: req.electoralPolicy.mayCreateAnyElection))
    }

    // MARK: New election

    struct NewElectionForm: Content {
        var name: String?
        var year: String?
        var body: String?
        var region: String?
        var totalSeats: String?
        var threshold: String?
    }

    struct NewElectionPage: Encodable {
        let form: NewElectionForm
        let regions: [Option]
        let bodies: [Option]
        let errors: [String: String]
    }

    private func renderNewElection(_ req: Request, form: NewElectionForm = NewElectionForm(), errors: [String: String] = [:],
                                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let regions = try await Region.query(on: req.db).filter(\.$level ~~ [.province, .regency]).sort(\.$id).all()
            .filter { req.electoralPolicy.mayCreateElection(in: $0.id!) }
        return try await req.render("electoral/new", title: "Pemilu baru", NewElectionPage(
            form: form,
            regions: regions.map { Option(value: $0.id!, label: "\($0.id!) \($0.name)", selected: form.region == $0.id) },
            bodies: Election.bodyLabels.sorted { $0.key > $1.key }.map { Option(value: $0.key, label: $0.value, selected: form.body == $0.key) },
            errors: errors), status: status)
    }

    @Sendable func newElectionPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        guard req.electoralPolicy.mayCreateAnyElection else { throw Abort(.forbidden, reason: "Anda tidak berwenang membuat pemilu.") }
        return try await renderNewElection(req)
    }

    /// A new election for a body in a region the user manages; parties start as the 2024
    /// national list, dapil come from a CSV on the import page.
    @Sendable func createElection(req: Request) async throws -> Response {
        _ = try req.requireUser()
        guard req.electoralPolicy.mayCreateAnyElection else { throw Abort(.forbidden, reason: "Anda tidak berwenang membuat pemilu.") }
        let form = try req.content.decode(NewElectionForm.self)
        var errors = FormErrors()
        let name = errors.required(form.name, field: "name", label: "Nama pemilu", max: 120)
        let year = Int(form.year ?? "") ?? 0
        if !(2004...2100).contains(year) { errors.add("year", "Tahun pemilu harus antara 2004 dan 2100.") }
        let body = form.body ?? ""
        if Election.bodyLabels[body] == nil { errors.add("body", "Pilih lembaga: DPR, DPRD provinsi atau DPRD kabupaten/kota.") }
        let seats = Int(form.totalSeats ?? "") ?? 0
        if !(1...600).contains(seats) { errors.add("totalSeats", "Jumlah kursi harus 1–600.") }
        let threshold = Double((form.threshold ?? "0").replacingOccurrences(of: ",", with: ".")) ?? -1
        if !(0...20).contains(threshold) { errors.add("threshold", "Ambang batas dalam persen, 0–20 (DPRD: 0).") }
        let region = try await Region.find(form.region ?? "", on: req.db)
        if region == nil { errors.add("region", "Pilih wilayah pemilihan.") }
        if let region, !req.electoralPolicy.mayCreateElection(in: region.id!) {
            errors.add("region", "Anda tidak berwenang mengelola pemilu di \(region.name).")
        }
        let key = "\(body.replacingOccurrences(of: "_", with: "-"))-\(form.region ?? "")-\(year)"
        if errors.isEmpty, try await Election.query(on: req.db).filter(\.$key == key).first() != nil {
            errors.add("year", "Pemilu \(Election.bodyLabels[body] ?? body) \(region?.name ?? "") \(year) sudah ada.")
        }
        guard errors.isEmpty, let region else {
            return try await renderNewElection(req, form: form, errors: errors.byField, status: .unprocessableEntity)
        }
        let election = Election()
        election.key = key
        election.name = name
        election.year = year
        election.body = body
        election.regionCode = region.id!
        election.scope = OrgPath(regionCode: region.id).rawValue
        election.totalSeats = seats
        election.thresholdBasisPoints = Int((threshold * 100).rounded())
        try await req.db.transaction { db in
            try await election.create(on: db)
            for p in try ElectoralReference.partyRows() {
                try await Party.insert(election: election.requireID(), number: p.number, abbreviation: p.abbreviation, name: p.name, on: db)
            }
            try await req.audit.record("election.create", entity: "election", id: election.id?.uuidString, scope: election.scope, detail: key, on: db)
        }
        req.flash("Pemilu dibuat dengan 18 partai nasional 2024. Impor dapil (CSV) untuk memulai.")
        return req.redirect(to: "/elections/\(election.id!)/import")
    }

    @Sendable func listAPI(req: Request) async throws -> [ElectionSummary] { try await visibleElections(req) }

    // MARK: Overview

    struct DapilRow: Encodable {
        let number: Int
        let name: String
        let seats: Int
        let areas: String
        let ownVotes: String
        let ownSeats: Int
        let nextSeat: String
        let winners: String
    }

    struct PartyRow: Encodable {
        let abbreviation: String
        let votes: String
        let share: String
        let seats: Int
        let previousVotes: String
        let previousSeats: String
        let change: String
        let own: Bool
    }

    struct TurnoutRow: Encodable {
        let area: String
        let registered: String
        let voters: String
        let percent: String
        let previousPercent: String
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct OverviewPage: Encodable {
        let id: UUID
        let name: String
        let body: String
        let totalSeats: Int
        let ownParty: String?
        let partyOptions: [Option]
        let canManage: Bool
        let hasResults: Bool
        let dapils: [DapilRow]
        let parties: [PartyRow]
        let seatChart: String
        let previousName: String?
        let turnout: [TurnoutRow]
    }

    @Sendable func overviewPage(req: Request) async throws -> Response {
        let election = try await req.election()
        let data = try await ElectoralService.load(election, on: req.db)
        let own = data.ownPartyKey
        var seatsTotal: [String: Int] = [:]
        var votesTotal: [String: Int] = [:]
        var rows: [DapilRow] = []
        for d in data.dapils {
            let votes = data.votes(in: d)
            let seats = SainteLague.allocate(votes: votes, seats: d.seats)
            seatsTotal.merge(seats, uniquingKeysWith: +)
            votesTotal.merge(votes, uniquingKeysWith: +)
            var next = "—"
            if let own, data.hasResults, let n = SainteLague.votesNeededForNextSeat(party: own, votes: votes, seats: d.seats) {
                next = "+\(SVGChart.number(n.extraVotes)) suara" + (n.losingParty.map { " (dari \(data.partyName($0)))" } ?? "")
            }
            let winners = seats.filter { $0.value > 0 }.sorted { ($0.value, votes[$0.key]!) > ($1.value, votes[$1.key]!) }
                .map { "\(data.partyName($0.key)) \($0.value)" }.joined(separator: ", ")
            rows.append(DapilRow(number: d.number, name: d.name, seats: d.seats,
                                 areas: d.areas.map { data.regions[$0.regionCode]?.name ?? $0.regionCode }.sorted().joined(separator: ", "),
                                 ownVotes: own.map { SVGChart.number(votes[$0] ?? 0) } ?? "—", ownSeats: own.map { seats[$0] ?? 0 } ?? 0,
                                 nextSeat: next, winners: winners.isEmpty ? "—" : winners))
        }

        // Trend: the same parties (by abbreviation) in the previous election of this body.
        let previous = try await ElectoralService.previous(of: election, on: req.db)
        var previousVotes: [String: Int] = [:], previousSeats: [String: Int] = [:]
        if let previous {
            let p = try await ElectoralService.load(previous, on: req.db)
            for d in p.dapils {
                let v = p.votes(in: d)
                for (k, n) in v { previousVotes[p.partyName(k), default: 0] += n }
                for (k, n) in SainteLague.allocate(votes: v, seats: d.seats) { previousSeats[p.partyName(k), default: 0] += n }
            }
        }
        let allVotes = max(votesTotal.values.reduce(0, +), 1)
        let ranked = data.parties.sorted {
            let a = $0.id!.uuidString, b = $1.id!.uuidString
            return (seatsTotal[a] ?? 0, votesTotal[a] ?? 0, $1.number) > (seatsTotal[b] ?? 0, votesTotal[b] ?? 0, $0.number)
        }
        let parties = ranked.map { party -> PartyRow in
            let key = party.id!.uuidString
            let v = votesTotal[key] ?? 0
            let before = previousVotes[party.abbreviation]
            return PartyRow(abbreviation: party.abbreviation, votes: SVGChart.number(v),
                            share: String(format: "%.1f%%", Double(v) * 100 / Double(allVotes)), seats: seatsTotal[key] ?? 0,
                            previousVotes: before.map(SVGChart.number) ?? "—",
                            previousSeats: previousSeats[party.abbreviation].map(String.init) ?? "—",
                            change: before.map { b in b == 0 ? "—" : String(format: "%+.1f%%", Double(v - b) * 100 / Double(b)) } ?? "—",
                            own: key == own)
        }
        let chart = SVGChart.bars(data.parties.compactMap { p in
            let s = seatsTotal[p.id!.uuidString] ?? 0
            return s > 0 ? SVGChart.Bar(label: p.abbreviation, value: Double(s), highlight: p.id!.uuidString == own, caption: "\(s) kursi") : nil
        }.sorted { $0.value > $1.value }, title: "Perolehan kursi per partai")

        let turnout = try await turnoutRows(election, previous: previous, data: data, on: req.db)
        let page = OverviewPage(
            id: election.id!, name: election.name, body: Election.bodyLabels[election.body] ?? election.body,
            totalSeats: election.totalSeats, ownParty: own.map(data.partyName),
            partyOptions: data.parties.map { Option(value: $0.id!.uuidString, label: "\($0.number). \($0.abbreviation)", selected: $0.id!.uuidString == own) },
            canManage: req.electoralPolicy.canManage(election), hasResults: data.hasResults, dapils: rows, parties: parties,
            seatChart: chart, previousName: previous?.name, turnout: turnout)
        return try await req.render("electoral/overview", title: election.name, page)
    }

    /// Turnout per kecamatan (summed from the areas), with the previous election's rate.
    private func turnoutRows(_ election: Election, previous: Election?, data: ElectionData, on db: any Database) async throws -> [TurnoutRow] {
        func byKecamatan(_ rows: [String: AreaTurnout]) -> [String: (Int, Int)] {
            var out: [String: (Int, Int)] = [:]
            for (code, t) in rows {
                let k = ElectoralService.kecamatanCode(of: code)
                let old = out[k] ?? (0, 0)
                out[k] = (old.0 + t.registered, old.1 + t.voters)
            }
            return out
        }
        let now = byKecamatan(try await ElectoralService.turnout(of: election, on: db))
        var before: [String: (Int, Int)] = [:]
        if let previous { before = byKecamatan(try await ElectoralService.turnout(of: previous, on: db)) }
        let names = try await Region.query(on: db).filter(\.$id ~~ Array(now.keys)).all()
        func percent(_ pair: (Int, Int)?) -> String {
            guard let (registered, voters) = pair, registered > 0 else { return "—" }
            return String(format: "%.1f%%", Double(voters) * 100 / Double(registered))
        }
        return now.keys.sorted().map { k -> TurnoutRow in
            let (registered, voters) = now[k]!
            let pct = percent(now[k])
            let prev = percent(before[k])
            return TurnoutRow(area: names.first { $0.id == k }?.name ?? k, registered: SVGChart.number(registered),
                              voters: SVGChart.number(voters), percent: pct, previousPercent: prev)
        }
    }

    @Sendable func setOwnParty(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let raw = (try? req.content.get(String.self, at: "party")) ?? ""
        guard let id = UUID(uuidString: raw),
              try await Party.query(on: req.db).filter(\.$id == id).filter(\.$election.$id == election.requireID()).first() != nil
        else { throw ValidationFailure(errors: [FieldError(field: "party", message: "Pilih partai dari daftar peserta pemilu ini.")]) }
        election.ownPartyID = id
        try await election.update(on: req.db)
        try await Auditor(request: req).record("election.own_party", entity: "election", id: election.id?.uuidString, scope: election.scope, detail: raw)
        req.flash("Partai kita disimpan.")
        return req.redirect(to: "/elections/\(election.id!)")
    }

    // MARK: One dapil

    struct QuotientRow: Encodable {
        let party: String
        let votes: String
        let seats: Int
        let own: Bool
        let cells: [Cell]
        struct Cell: Encodable {
            let value: String
            let seat: Int?
        }
    }

    struct CandidateRow: Encodable {
        let party: String
        let name: String
        let sex: String
        let votes: String
        let elected: Bool
    }

    struct AreaRow: Encodable {
        let area: String
        let own: String
        let top: String
    }

    struct DapilPage: Encodable {
        let electionID: UUID
        let electionName: String
        let number: Int
        let name: String
        let seats: Int
        let divisors: [Int]
        let quotients: [QuotientRow]
        let candidates: [CandidateRow]
        let areas: [AreaRow]
        let chart: String
    }

    @Sendable func dapilPage(req: Request) async throws -> Response {
        let election = try await req.election()
        let data = try await ElectoralService.load(election, on: req.db)
        guard let number = req.parameters.get("number", as: Int.self), let dapil = data.dapils.first(where: { $0.number == number }) else {
            throw Abort(.notFound, reason: "Dapil tidak ditemukan.")
        }
        let votes = data.votes(in: dapil)
        let own = data.ownPartyKey
        let seats = SainteLague.allocate(votes: votes, seats: dapil.seats)
        let quotients = SainteLague.quotients(votes: votes, seats: dapil.seats, columns: min(dapil.seats, 6)).map { row in
            QuotientRow(party: data.partyName(row.party), votes: SVGChart.number(row.votes), seats: row.seats, own: row.party == own,
                        cells: row.cells.map { .init(value: SVGChart.number($0.quotient), seat: $0.seatNumber) })
        }
        // Candidates: seats inside each party go by most votes (UU 7/2017 Pasal 422).
        let candidateRows = try await AreaResult.query(on: req.db)
            .filter(\.$electionID == election.requireID()).filter(\.$dapilID == dapil.requireID())
            .filter(\.$candidate != "").all()
        var byCandidate: [String: (party: UUID, name: String, sex: String?, votes: Int)] = [:]
        for r in candidateRows {
            let key = r.partyID.uuidString + "|" + r.candidate.lowercased()
            var c = byCandidate[key] ?? (r.partyID, r.candidate, r.candidateSex, 0)
            c.votes += r.votes
            byCandidate[key] = c
        }
        var candidates: [CandidateRow] = []
        for party in data.parties {
            let list = byCandidate.values.filter { $0.party == party.id! }
            let ranked = SainteLague.allocateWithinParty(candidates: list.map { (id: $0.name, votes: $0.votes) }, seats: seats[party.id!.uuidString] ?? 0)
            for c in list.sorted(by: { ($0.votes, $1.name) > ($1.votes, $0.name) }) {
                candidates.append(CandidateRow(party: party.abbreviation, name: c.name,
                                               sex: c.sex == "female" ? "P" : c.sex == "male" ? "L" : "",
                                               votes: SVGChart.number(c.votes), elected: ranked.contains(c.name)))
            }
        }
        var areas: [AreaRow] = []
        let areaCodes = Set(data.areaVotes.keys.filter { $0.dapil == dapil.id! }.map(\.region))
        for code in areaCodes.sorted() {
            let v = data.areaVotes.filter { $0.key.dapil == dapil.id! && $0.key.region == code }
            let top = v.max { $0.value < $1.value }
            areas.append(AreaRow(area: data.regions[code]?.name ?? code,
                                 own: own.map { o in SVGChart.number(v.first { $0.key.party == o }?.value ?? 0) } ?? "—",
                                 top: top.map { "\(data.partyName($0.key.party)) \(SVGChart.number($0.value))" } ?? "—"))
        }
        let chart = SVGChart.bars(votes.filter { $0.value > 0 }.sorted { $0.value > $1.value }.map {
            SVGChart.Bar(label: data.partyName($0.key), value: Double($0.value), highlight: $0.key == own)
        }, title: "Suara sah per partai di \(dapil.name)")
        return try await req.render("electoral/dapil", title: dapil.name, DapilPage(
            electionID: election.id!, electionName: election.name, number: dapil.number, name: dapil.name, seats: dapil.seats,
            divisors: (0..<min(dapil.seats, 6)).map { 2 * $0 + 1 }, quotients: quotients, candidates: candidates, areas: areas, chart: chart))
    }

    // MARK: Seats API

    struct SeatsResponse: Content {
        struct DapilSeats: Content {
            let number: Int
            let name: String
            let seats: Int
            let votes: [String: Int]
            let allocation: [String: Int]
        }
        let election: String
        let dapils: [DapilSeats]
        let totalSeats: [String: Int]
    }

    @Sendable func seatsAPI(req: Request) async throws -> SeatsResponse {
        let election = try await req.election()
        let data = try await ElectoralService.load(election, on: req.db)
        var total: [String: Int] = [:]
        let dapils = data.dapils.map { d -> SeatsResponse.DapilSeats in
            let votes = data.votes(in: d)
            let seats = SainteLague.allocate(votes: votes, seats: d.seats)
            total.merge(seats, uniquingKeysWith: +)
            return .init(number: d.number, name: d.name, seats: d.seats,
                         votes: Dictionary(uniqueKeysWithValues: votes.map { (data.partyName($0.key), $0.value) }),
                         allocation: Dictionary(uniqueKeysWithValues: seats.map { (data.partyName($0.key), $0.value) }))
        }
        return SeatsResponse(election: election.name, dapils: dapils,
                             totalSeats: Dictionary(uniqueKeysWithValues: total.map { (data.partyName($0.key), $0.value) }))
    }

    // MARK: Planner

    /// Reads `party` (id or abbreviation, default: the election's own party) and `target`.
    private func plannerInput(_ req: Request, _ data: ElectionData) throws -> (party: String, target: Int) {
        var party = data.ownPartyKey
        if let raw = try? req.query.get(String.self, at: "party"), !raw.isEmpty {
            party = data.parties.first { $0.id!.uuidString == raw || $0.abbreviation.lowercased() == raw.lowercased() }?.id?.uuidString
            guard party != nil else { throw ValidationFailure(errors: [FieldError(field: "party", message: "Partai \"\(raw)\" tidak ada dalam pemilu ini.")]) }
        }
        guard let party else {
            throw ValidationFailure(errors: [FieldError(field: "party", message: "Pilih partai kita dulu di halaman pemilu.")])
        }
        let current = data.dapils.reduce(0) { $0 + (SainteLague.allocate(votes: data.votes(in: $1), seats: $1.seats)[party] ?? 0) }
        var target = current + 2
        if let raw = try? req.query.get(String.self, at: "target"), !raw.isEmpty {
            guard let t = Int(raw), (1...data.election.totalSeats).contains(t) else {
                throw ValidationFailure(errors: [FieldError(field: "target", message: "Target kursi harus angka 1–\(data.election.totalSeats).")])
            }
            target = t
        }
        return (party, target)
    }

    struct PlanResponse: Content {
        struct Gain: Content {
            let dapil: String
            let seats: Int
            let extraVotes: Int
            let takenFrom: [String: Int]
        }
        let party: String
        let currentSeats: Int
        let targetSeats: Int
        let reachable: Bool
        let totalExtraVotes: Int?
        let gains: [Gain]
    }

    private func plan(_ data: ElectionData, party: String, target: Int) -> PlanResponse {
        let plan = SeatTargetPlanner.cheapestPlan(party: party, dapils: data.plannerDapils, targetSeats: target)
        let gains = (plan?.gains ?? [:]).compactMap { id, k -> PlanResponse.Gain? in
            guard let d = data.dapils.first(where: { $0.id!.uuidString == id }) else { return nil }
            let ladder = SeatTargetPlanner.ladder(party: party, dapil: .init(id: id, seats: d.seats, votes: data.votes(in: d)), maxSteps: k)
            var losers: [String: Int] = [:]
            for step in ladder.steps { for (p, n) in step.losingParties { losers[data.partyName(p), default: 0] += n } }
            return .init(dapil: d.name, seats: k, extraVotes: plan!.votes[id] ?? 0, takenFrom: losers)
        }.sorted { $0.extraVotes < $1.extraVotes }
        let current = plan?.currentSeats ?? data.dapils.reduce(0) { $0 + (SainteLague.allocate(votes: data.votes(in: $1), seats: $1.seats)[party] ?? 0) }
        return PlanResponse(party: data.partyName(party), currentSeats: current, targetSeats: target, reachable: plan != nil,
                            totalExtraVotes: plan?.totalVotes, gains: gains)
    }

    @Sendable func planAPI(req: Request) async throws -> PlanResponse {
        let election = try await req.election()
        let data = try await ElectoralService.load(election, on: req.db)
        let input = try plannerInput(req, data)
        return plan(data, party: input.party, target: input.target)
    }

    struct LadderRow: Encodable {
        let dapil: String
        let seats: Int
        let current: Int
        let steps: [String]
    }

    struct ScenarioRow: Encodable {
        let dapil: String
        let seats: Int
        let before: Int
        let after: Int
        let change: String
    }

    struct KecamatanInput: Encodable {
        let code: String
        let name: String
        let swing: String
    }

    struct PlanPage: Encodable {
        let electionID: UUID
        let electionName: String
        let party: String
        let partyOptions: [Option]
        let target: Int
        let plan: PlanResponse
        let totalVotes: String
        let gains: [GainRow]
        let ladders: [LadderRow]
        let turnout: String
        let kecamatan: [KecamatanInput]
        let scenarioActive: Bool
        let scenario: [ScenarioRow]
        let scenarioBefore: Int
        let scenarioAfter: Int
        let splitOptions: [Option]
        let split: [ScenarioRow]
        let splitNote: String?
        let mergeOptions: [Option]
        let merge: [ScenarioRow]
        let chart: String
    }

    struct GainRow: Encodable {
        let dapil: String
        let seats: Int
        let votes: String
        let from: String
    }

    @Sendable func planPage(req: Request) async throws -> Response {
        let election = try await req.election()
        let data = try await ElectoralService.load(election, on: req.db)
        guard data.hasResults else {
            req.flash("Impor hasil pemilu dulu; perencana kursi menghitung dari suara per dapil.", error: true)
            return req.redirect(to: "/elections/\(election.id!)")
        }
        let (party, target) = try plannerInput(req, data)
        let result = plan(data, party: party, target: target)
        let ladders = data.dapils.map { d -> LadderRow in
            let l = SeatTargetPlanner.ladder(party: party, dapil: .init(id: d.id!.uuidString, seats: d.seats, votes: data.votes(in: d)), maxSteps: 3)
            return LadderRow(dapil: d.name, seats: d.seats, current: l.currentSeats, steps: l.steps.map { s in
                "+\(SVGChart.number(s.cumulativeVotes))" + (s.losingParties.keys.first.map { " (\(data.partyName($0)))" } ?? "")
            })
        }

        // What-if: turnout change everywhere, swing toward our party per kecamatan.
        let turnout = (try? req.query.get(Double.self, at: "turnout")) ?? 0
        var swings: [String: Double] = [:]
        let kecamatanCodes = Set(data.scenarioAreas.map(\.kecamatan)).filter { !$0.hasPrefix("dapil:") }.sorted()
        for code in kecamatanCodes {
            if let v = try? req.query.get(Double.self, at: "swing_\(code.replacingOccurrences(of: ".", with: "_"))"), v != 0 {
                swings[code] = max(-100, min(100, v))
            }
        }
        let adjustments = ElectionScenario.Adjustments(turnoutPercent: max(-100, min(100, turnout)), swingPointsByKecamatan: swings, swingParty: party)
        let before = ElectionScenario.run(areas: data.scenarioAreas, map: data.scenarioMap)
        let after = ElectionScenario.run(areas: data.scenarioAreas, map: data.scenarioMap, adjustments: adjustments)
        let scenario = zip(before, after).map { b, a in
            let name = data.dapils.first { $0.id!.uuidString == b.dapil }?.name ?? b.dapil
            let x = b.allocation[party] ?? 0, y = a.allocation[party] ?? 0
            return ScenarioRow(dapil: name, seats: b.seats, before: x, after: y, change: y == x ? "" : String(format: "%+d", y - x))
        }

        // Dapil split: one dapil replaced by one dapil per kecamatan, seats re-apportioned.
        var split: [ScenarioRow] = []
        var splitNote: String?
        let splittable = data.dapils.filter { Set($0.areas.map { ElectoralService.kecamatanCode(of: $0.regionCode) }).count > 1 }
        let splitID = try? req.query.get(UUID.self, at: "split")
        if let splitID, let target = splittable.first(where: { $0.id == splitID }) {
            (split, splitNote) = try await simulateSplit(target, data: data, party: party, on: req.db)
        }
        // Dapil merge: two dapil become one with their seats added up.
        var merge: [ScenarioRow] = []
        let mergeA = try? req.query.get(UUID.self, at: "merge_a"), mergeB = try? req.query.get(UUID.self, at: "merge_b")
        if let mergeA, let mergeB, mergeA != mergeB,
           let a = data.scenarioMap.first(where: { $0.id == mergeA.uuidString }), let b = data.scenarioMap.first(where: { $0.id == mergeB.uuidString }) {
            let merged = ElectionScenario.DapilMap(id: "merge", seats: a.seats + b.seats, areas: a.areas.union(b.areas))
            let map = data.scenarioMap.filter { $0.id != a.id && $0.id != b.id } + [merged]
            let after = ElectionScenario.run(areas: data.scenarioAreas, map: map)
            let name = { (id: String) in data.dapils.first { $0.id!.uuidString == id }?.name ?? id }
            for o in after {
                let beforeSeats = o.dapil == "merge"
                    ? [a.id, b.id].reduce(0) { t, id in t + (before.first { $0.dapil == id }?.allocation[party] ?? 0) }
                    : before.first { $0.dapil == o.dapil }?.allocation[party] ?? 0
                let y = o.allocation[party] ?? 0
                merge.append(ScenarioRow(dapil: o.dapil == "merge" ? "\(name(a.id)) + \(name(b.id))" : name(o.dapil), seats: o.seats,
                                         before: beforeSeats, after: y, change: y == beforeSeats ? "" : String(format: "%+d", y - beforeSeats)))
            }
        }
        let chart = SVGChart.bars(result.gains.map { SVGChart.Bar(label: $0.dapil.replacingOccurrences(of: "Kota Serang ", with: "Dapil "), value: Double($0.extraVotes), highlight: true, caption: "+\(SVGChart.number($0.extraVotes))") },
                                  title: "Tambahan suara yang dibutuhkan per dapil")
        let page = PlanPage(
            electionID: election.id!, electionName: election.name, party: data.partyName(party),
            partyOptions: data.parties.map { Option(value: $0.id!.uuidString, label: "\($0.number). \($0.abbreviation)", selected: $0.id!.uuidString == party) },
            target: target, plan: result, totalVotes: result.totalExtraVotes.map(SVGChart.number) ?? "—",
            gains: result.gains.map { g in
                GainRow(dapil: g.dapil, seats: g.seats, votes: SVGChart.number(g.extraVotes),
                        from: g.takenFrom.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            },
            ladders: ladders, turnout: turnout == 0 ? "" : String(turnout),
            kecamatan: kecamatanCodes.map { code in
                KecamatanInput(code: code.replacingOccurrences(of: ".", with: "_"), name: data.regions[code]?.name ?? code,
                               swing: swings[code].map { String($0) } ?? "")
            },
            scenarioActive: turnout != 0 || !swings.isEmpty, scenario: scenario,
            scenarioBefore: scenario.reduce(0) { $0 + $1.before }, scenarioAfter: scenario.reduce(0) { $0 + $1.after },
            splitOptions: splittable.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id == splitID) },
            split: split, splitNote: splitNote,
            mergeOptions: data.dapils.map { Option(value: $0.id!.uuidString, label: $0.name, selected: false) },
            merge: merge, chart: chart)
        return try await req.render("electoral/plan", title: "Perencana kursi", page)
    }

    /// Splits `dapil` into one dapil per kecamatan and re-apportions the body's seats over
    /// the new map by registered voters (or valid votes where turnout is not imported).
    private func simulateSplit(_ dapil: Dapil, data: ElectionData, party: String, on db: any Database) async throws -> ([ScenarioRow], String?) {
        let areas = data.scenarioAreas
        guard areas.contains(where: { a in dapil.areas.contains { a.area == $0.regionCode || a.kecamatan == $0.regionCode || a.area.hasPrefix($0.regionCode + ".") } }) else {
            return ([], "Simulasi pemekaran butuh hasil per kecamatan atau kelurahan untuk \(dapil.name). Impor hasil dengan kolom wilayah.")
        }
        let kecamatan = Set(dapil.areas.map { ElectoralService.kecamatanCode(of: $0.regionCode) }).sorted()
        var map = data.scenarioMap.filter { $0.id != dapil.id!.uuidString }
        for k in kecamatan {
            let inside = Set(dapil.areas.map(\.regionCode).filter { ElectoralService.kecamatanCode(of: $0) == k })
            map.append(.init(id: "split:\(k)", seats: 0, areas: inside))
        }
        // Weight of each dapil: registered voters if imported for every area, else valid votes.
        let turnout = try await ElectoralService.turnout(of: data.election, on: db)
        var weight: [String: Int] = [:]
        var basis = "pemilih terdaftar (DPT)"
        for m in map {
            let covered = areas.filter { a in m.areas.contains(a.area) || m.areas.contains(a.kecamatan) }
            let registered = covered.map { turnout[$0.area]?.registered }
            if registered.allSatisfy({ $0 != nil }) && !registered.isEmpty {
                weight[m.id] = registered.reduce(0) { $0 + $1! }
            } else {
                basis = "suara sah (DPT per wilayah belum diimpor)"
                weight[m.id] = covered.reduce(0) { $0 + $1.votes.values.reduce(0, +) }
            }
        }
        let seats: [String: Int]
        do {
            seats = try DapilApportionment.apportion(population: weight, totalSeats: data.election.totalSeats)
        } catch {
            return ([], "Pembagian kursi tidak mungkin: setiap dapil harus 3–12 kursi.")
        }
        let newMap = map.map { ElectionScenario.DapilMap(id: $0.id, seats: seats[$0.id] ?? $0.seats, areas: $0.areas) }
        let before = ElectionScenario.run(areas: areas, map: data.scenarioMap)
        let after = ElectionScenario.run(areas: areas, map: newMap)
        var rows: [ScenarioRow] = []
        for a in after {
            let name = a.dapil.hasPrefix("split:") ? "\(dapil.name) — \(data.regions[String(a.dapil.dropFirst(6))]?.name ?? a.dapil)"
                : data.dapils.first { $0.id!.uuidString == a.dapil }?.name ?? a.dapil
            let b = before.first { $0.dapil == a.dapil }
            let x = b?.allocation[party], y = a.allocation[party] ?? 0
            rows.append(ScenarioRow(dapil: name, seats: a.seats, before: x ?? 0, after: y,
                                    change: x.map { y == $0 ? "" : String(format: "%+d", y - $0) } ?? "baru"))
        }
        let beforeTotal = before.reduce(0) { $0 + ($1.allocation[party] ?? 0) }
        let afterTotal = after.reduce(0) { $0 + ($1.allocation[party] ?? 0) }
        return (rows, "Kursi dibagi ulang menurut \(basis), 3–12 kursi per dapil. Kursi partai: \(beforeTotal) → \(afterTotal).")
    }

    // MARK: Import

    struct ImportPage: Encodable {
        let electionID: UUID
        let electionName: String
        let errors: [FieldError]
        let moreErrors: Int
        let resultRows: Int
        let turnoutRows: Int
    }

    private func importPageData(_ election: Election, errors: [FieldError], on db: any Database) async throws -> ImportPage {
        ImportPage(electionID: election.id!, electionName: election.name, errors: Array(errors.prefix(100)),
                   moreErrors: max(0, errors.count - 100),
                   resultRows: try await AreaResult.query(on: db).filter(\.$electionID == election.requireID()).count(),
                   turnoutRows: try await AreaTurnout.query(on: db).filter(\.$electionID == election.requireID()).count())
    }

    @Sendable func importPage(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        return try await req.render("electoral/import", title: "Impor hasil", try await importPageData(election, errors: [], on: req.db))
    }

    struct Upload: Content {
        var kind: String
        var file: File
    }

    @Sendable func importUpload(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let upload = try req.content.decode(Upload.self)
        let text = String(decoding: Data(buffer: upload.file.data), as: UTF8.self)
        let data = try await ElectoralService.load(election, on: req.db)
        let importer = try await ResultsImport.make(data, on: req.db)
        let table = try CSVTable.parse(text)
        let errors: [FieldError]
        let stored: Int
        if upload.kind == "dapil" || upload.kind == "parties" {
            let inUse = try await AreaResult.query(on: req.db).filter(\.$electionID == election.requireID()).count()
                + PollingStation.query(on: req.db).filter(\.$electionID == election.requireID()).count()
                + Nomination.query(on: req.db).filter(\.$electionID == election.requireID()).count()
            if inUse > 0 {
                errors = [FieldError(field: "kind", message: "Pemilu ini sudah punya hasil, TPS atau bakal calon; dapil dan partai tidak dapat diganti lagi.")]
                stored = 0
            } else if upload.kind == "dapil" {
                let (drafts, e) = importer.dapils(table)
                errors = e
                if e.isEmpty { try await ResultsImport.replaceDapils(drafts, election: election, on: req.db) }
                stored = drafts.count
            } else {
                let (drafts, e) = importer.parties(table)
                errors = e
                if e.isEmpty { try await ResultsImport.replaceParties(drafts, election: election, on: req.db) }
                stored = drafts.count
            }
        } else if upload.kind == "turnout" {
            let (drafts, e) = importer.turnout(table)
            errors = e
            if e.isEmpty { try await ResultsImport.store(drafts, replacing: AreaTurnout.self, election: election.requireID(), on: req.db) }
            stored = drafts.count
        } else {
            let (drafts, e) = importer.results(table)
            errors = e
            if e.isEmpty { try await ResultsImport.store(drafts, replacing: AreaResult.self, election: election.requireID(), on: req.db) }
            stored = drafts.count
        }
        guard errors.isEmpty else {
            return try await req.render("electoral/import", title: "Impor hasil",
                                        try await importPageData(election, errors: errors, on: req.db), status: .unprocessableEntity)
        }
        try await Auditor(request: req).record("election.import_\(["turnout", "dapil", "parties"].contains(upload.kind) ? upload.kind : "results")", entity: "election",
                                               id: election.id?.uuidString, scope: election.scope, detail: "\(upload.file.filename): \(stored) baris")
        req.flash("\(stored) baris diimpor dari \(upload.file.filename); data sebelumnya diganti.")
        return req.redirect(to: "/elections/\(election.id!)")
    }
}
