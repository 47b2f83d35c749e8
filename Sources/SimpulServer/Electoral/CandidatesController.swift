import Fluent
import Foundation
import SQLKit
import SimpulCore
import Vapor

/// BCAD: proposals (members from their phones, officials directly), screening stages,
/// the list builder that refuses unlawful lists, and women's representation per dapil.
/// Names of prospective candidates are personal data: the pipeline and lists need
/// manageElectoral on the election's unit; the women's dashboard shows counts only.
struct CandidatesController {
    static let proposalLimit = 10

    func bootWeb(_ routes: any RoutesBuilder) {
        let e = routes.grouped("elections", ":electionID")
        e.get("candidates", use: pipelinePage)
        e.post("candidates", use: staffPropose)
        e.get("candidates", ":nominationID", use: nominationPage)
        e.post("candidates", ":nominationID", "steps", use: addStep)
        e.get("lists", ":number", use: listPage)
        e.post("lists", ":number", use: saveList)
        e.get("women", use: womenPage)
        routes.get("bcad", use: publicPage)
        routes.post("bcad", use: publicPropose)
    }

    func bootPublicAPI(_ routes: any RoutesBuilder) {
        routes.post("nominations", use: publicProposeAPI)
    }

    // MARK: Proposals

    struct ProposalForm: Content {
        var election: String?
        var dapil: String?
        var candidateNumber: String?
        var reason: String?
        /// The proposing member: KTA number and NIK, which together prove membership.
        var proposerNumber: String?
        var proposerNIK: String?
        /// KTA numbers of supporting members, separated by commas or new lines.
        var supporters: String?
    }

    /// An active membership by its KTA number (with its person).
    private func activeMember(_ number: String, on db: any Database) async throws -> Membership? {
        let n = number.trimmingCharacters(in: .whitespaces).uppercased()
        guard !n.isEmpty else { return nil }
        return try await Membership.query(on: db).filter(\.$number == n).filter(\.$status == .active).with(\.$person).first()
    }

    /// Elections members may propose for: not yet held.
    private func openElections(on db: any Database) async throws -> [Election] {
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        return try await Election.query(on: db).filter(\.$year >= year).sort(\.$year).all()
    }

    struct ProposalResult {
        let nomination: Nomination
        let created: Bool
        let message: String
    }

    /// Creates the nomination (or adds support to an existing one), with the candidate's
    /// timeline and the audit log; all checks first, every failure naming its field.
    private func propose(_ form: ProposalForm, election: Election?, proposer: Membership?, user: User?,
                         req: Request) async throws -> ProposalResult {
        var errors = FormErrors()
        let open = try await openElections(on: req.db)
        guard let election = election ?? open.first(where: { $0.id?.uuidString == form.election }) else {
            throw ValidationFailure(errors: [FieldError(field: "election", message: "Pilih pemilu yang masih dibuka untuk usulan.")])
        }
        let dapils = try await Dapil.query(on: req.db).filter(\.$election.$id == election.requireID()).all()
        let dapil = dapils.first { $0.id?.uuidString == form.dapil || String($0.number) == form.dapil }
        if dapil == nil { errors.add("dapil", "Pilih dapil dari daftar.") }
        let candidate = try await activeMember(form.candidateNumber ?? "", on: req.db)
        if candidate == nil { errors.add("candidateNumber", "Nomor KTA bakal calon tidak ditemukan di antara anggota aktif.") }
        let reason = errors.required(form.reason, field: "reason", label: "Alasan pengusulan", max: 1000)
        var supporters: [Membership] = []
        let numbers = (form.supporters ?? "").split { $0 == "," || $0 == "\n" || $0 == ";" }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if numbers.count > 50 { errors.add("supporters", "Paling banyak 50 anggota pendukung.") }
        for number in numbers.prefix(50) {
            if let m = try await activeMember(number, on: req.db) { supporters.append(m) }
            else { errors.add("supporters", "Nomor KTA pendukung \(number) tidak ditemukan di antara anggota aktif.") }
        }
        try errors.throwIfAny()
        let person = candidate!.person
        let chosen = dapil!
        let backing = supporters
        return try await req.db.transaction { db in
            var created = false
            let nomination: Nomination
            if let existing = try await Nomination.query(on: db).filter(\.$electionID == election.requireID())
                .filter(\.$dapilID == chosen.requireID()).filter(\.$person.$id == person.requireID()).first() {
                nomination = existing
            } else {
                nomination = Nomination()
                nomination.electionID = try election.requireID()
                nomination.dapilID = try chosen.requireID()
                nomination.$person.id = try person.requireID()
                nomination.proposerPersonID = proposer?.$person.id
                nomination.proposerUserID = user?.id
                nomination.reason = reason
                nomination.stage = Nomination.Stage.proposed.rawValue
                nomination.scope = election.scope
                try await nomination.create(on: db)
                created = true
                try await PersonEvent(personID: person.requireID(), module: "electoral", kind: "bcad.proposed",
                                      summary: "Diusulkan sebagai bakal calon \(election.name), \(chosen.name)\(user.map { " oleh \($0.displayName)" } ?? " oleh anggota").",
                                      actorID: user?.id, scope: person.scope).create(on: db)
            }
            var backers = backing.map(\.$person.id)
            if let p = proposer?.$person.id { backers.append(p) }
            let known = Set(try await NominationSupporter.query(on: db).filter(\.$nominationID == nomination.requireID()).all(\.$personID))
            for id in Set(backers).subtracting(known).subtracting([try person.requireID()]) {
                let s = NominationSupporter()
                s.nominationID = try nomination.requireID()
                s.personID = id
                try await s.create(on: db)
            }
            try await AuditEntry.write(userID: user?.id, username: user?.username ?? "anggota:\(proposer?.number ?? "-")",
                                       action: created ? "bcad.propose" : "bcad.support", entity: "nomination",
                                       id: nomination.id?.uuidString, scope: election.scope, detail: chosen.name,
                                       address: req.clientAddress, on: db)
            let message = created ? "Usulan bakal calon untuk \(chosen.name) diterima dan masuk tahap seleksi."
                : "Bakal calon ini sudah diusulkan untuk \(chosen.name); dukungan Anda ditambahkan."
            return ProposalResult(nomination: nomination, created: created, message: message)
        }
    }

    /// The proposing member proves membership with KTA number + NIK (matched on the blind index).
    private func proposer(_ form: ProposalForm, req: Request) async throws -> Membership {
        let nik = (form.proposerNIK ?? "").filter(\.isNumber)
        guard let m = try await activeMember(form.proposerNumber ?? "", on: req.db),
              nik.count == 16, m.person.nikIndex == req.vault.blindIndex(nik, purpose: "nik")
        else {
            throw ValidationFailure(errors: [FieldError(field: "proposerNumber",
                message: "Nomor KTA dan NIK pengusul tidak cocok dengan anggota aktif mana pun.")])
        }
        return m
    }

    struct PublicPage: Encodable {
        struct ElectionOption: Encodable {
            let id: String
            let name: String
            let dapils: [Option]
        }
        struct Option: Encodable {
            let value: String
            let label: String
            let selected: Bool
        }
        let elections: [ElectionOption]
        let form: ProposalForm
        let errors: [String: String]
        let stamp: String
        let done: String?
    }

    private func renderPublic(_ req: Request, form: ProposalForm = ProposalForm(), errors: [String: String] = [:],
                              done: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        var options: [PublicPage.ElectionOption] = []
        for e in try await openElections(on: req.db) {
            let dapils = try await Dapil.query(on: req.db).filter(\.$election.$id == e.requireID()).sort(\.$number).all()
            options.append(.init(id: e.id!.uuidString, name: e.name, dapils: dapils.map {
                .init(value: $0.id!.uuidString, label: $0.name, selected: form.dapil == $0.id!.uuidString)
            }))
        }
        return try await req.render("electoral/propose", title: "Usulkan bakal calon", PublicPage(
            elections: options, form: form, errors: errors, stamp: FormGuard.stamp(for: req), done: done), status: status)
    }

    @Sendable func publicPage(req: Request) async throws -> Response { try await renderPublic(req) }

    @Sendable func publicPropose(req: Request) async throws -> Response {
        var form = try req.content.decode(ProposalForm.self)
        guard FormGuard.looksHuman(honeypot: try? req.content.get(String.self, at: FormGuard.honeypotField),
                                   stamp: try? req.content.get(String.self, at: FormGuard.stampField), vault: req.vault,
                                   minimumSeconds: req.application.settings.formMinimumSeconds) else {
            return try await renderPublic(req, form: form, errors: ["form": "Formulir terkirim terlalu cepat atau tidak lengkap. Kirim lagi."],
                                          status: .unprocessableEntity)
        }
        try await req.rateLimiter.hit("bcad:" + req.clientAddress, limit: Self.proposalLimit, window: 3600)
        do {
            let result = try await propose(form, election: nil, proposer: try await proposer(form, req: req), user: nil, req: req)
            form.proposerNIK = nil
            return try await renderPublic(req, done: result.message)
        } catch let failure as ValidationFailure {
            form.proposerNIK = nil  // never echoed back
            var errors = FormErrors()
            for e in failure.errors { errors.add(e.field, e.message) }
            return try await renderPublic(req, form: form, errors: errors.byField, status: .unprocessableEntity)
        }
    }

    struct ProposalReceipt: Content {
        let nomination: UUID
        let created: Bool
        let message: String
    }

    @Sendable func publicProposeAPI(req: Request) async throws -> Response {
        try await req.rateLimiter.hit("bcad:" + req.clientAddress, limit: Self.proposalLimit, window: 3600)
        let form = try req.content.decode(ProposalForm.self)
        let result = try await propose(form, election: nil, proposer: try await proposer(form, req: req), user: nil, req: req)
        return try await ProposalReceipt(nomination: result.nomination.id!, created: result.created, message: result.message)
            .encodeResponse(status: result.created ? .created : .ok, for: req)
    }

    @Sendable func staffPropose(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let form = try req.content.decode(ProposalForm.self)
        do {
            let result = try await propose(form, election: election, proposer: nil, user: try req.requireUser(), req: req)
            req.flash(result.message)
            return req.redirect(to: "/elections/\(election.id!)/candidates/\(result.nomination.id!)")
        } catch let failure as ValidationFailure {
            req.flash(failure.errors.map(\.message).joined(separator: " "), error: true)
            return req.redirect(to: "/elections/\(election.id!)/candidates")
        }
    }

    // MARK: Pipeline

    struct NominationRow: Encodable {
        let id: UUID
        let name: String
        let sex: String
        let dapil: String
        let stage: String
        let decision: String?
        let accepted: Bool
        let supporters: Int
        let score: String
    }

    struct PipelinePage: Encodable {
        let electionID: UUID
        let electionName: String
        let dapils: [DapilLink]
        let rows: [NominationRow]
        let counts: [StageCount]
    }

    struct DapilLink: Encodable {
        let id: String
        let number: Int
        let name: String
        let seats: Int
    }

    struct StageCount: Encodable {
        let label: String
        let count: Int
    }

    @Sendable func pipelinePage(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let dapils = try await Dapil.query(on: req.db).filter(\.$election.$id == election.requireID()).sort(\.$number).all()
        let nominations = try await Nomination.query(on: req.db).filter(\.$electionID == election.requireID()).with(\.$person).all()
        let supportCounts = try await supporterCounts(nominations.map { $0.id! }, on: req.db)
        let rows = nominations.map { n in
            NominationRow(id: n.id!, name: n.person.fullName, sex: n.person.sex ?? "?",
                          dapil: dapils.first { $0.id == n.dapilID }?.name ?? "", stage: n.stageValue.label,
                          decision: n.decisionValue?.label, accepted: n.decisionValue == .accepted,
                          supporters: supportCounts[n.id!] ?? 0, score: n.surveyScore.map(String.init) ?? "—")
        }.sorted { ($0.dapil, $0.name) < ($1.dapil, $1.name) }
        let counts = Nomination.Stage.allCases.map { stage in
            StageCount(label: stage.label, count: nominations.filter { $0.stageValue == stage }.count)
        }
        return try await req.render("electoral/candidates", title: "Bakal calon", PipelinePage(
            electionID: election.id!, electionName: election.name,
            dapils: dapils.map { DapilLink(id: $0.id!.uuidString, number: $0.number, name: $0.name, seats: $0.seats) },
            rows: rows, counts: counts))
    }

    private func supporterCounts(_ ids: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(grouping: try await NominationSupporter.query(on: db).filter(\.$nominationID ~~ ids).all(), by: \.nominationID)
            .mapValues(\.count)
    }

    private func nomination(_ req: Request, _ election: Election) async throws -> Nomination {
        guard let id = req.parameters.get("nominationID", as: UUID.self),
              let n = try await Nomination.query(on: req.db).filter(\.$id == id).with(\.$person).first(), n.electionID == election.id
        else { throw Abort(.notFound, reason: "Usulan tidak ditemukan.") }
        return n
    }

    struct NominationPage: Encodable {
        struct Step: Encodable {
            let at: String
            let stage: String
            let outcome: String
            let note: String
            let by: String
        }
        let electionID: UUID
        let id: UUID
        let name: String
        let sex: String
        let nikMasked: String
        let dapil: String
        let reason: String
        let stage: String
        let decision: String?
        let score: String
        let proposer: String
        let supporters: [String]
        let steps: [Step]
        let stages: [StageOption]
    }

    struct StageOption: Encodable {
        let value: String
        let label: String
    }

    @Sendable func nominationPage(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let n = try await nomination(req, election)
        let dapil = try await Dapil.find(n.dapilID, on: req.db)
        let supporterIDs = try await NominationSupporter.query(on: req.db).filter(\.$nominationID == n.requireID()).all(\.$personID)
        let supporters = supporterIDs.isEmpty ? [] : try await Person.query(on: req.db).filter(\.$id ~~ supporterIDs).all().map(\.fullName).sorted()
        var proposer = "Pengurus"
        if let p = n.proposerPersonID, let person = try await Person.find(p, on: req.db) { proposer = "Anggota: \(person.fullName)" }
        else if let u = n.proposerUserID, let user = try await User.find(u, on: req.db) { proposer = "Pengurus: \(user.displayName)" }
        let f = DateFormatter()
        f.dateFormat = "dd-MM-yyyy HH:mm"
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        let steps = try await NominationStep.query(on: req.db).filter(\.$nominationID == n.requireID()).sort(\.$at).all()
        let outcomes = ["lulus": "Lulus", "tidak_lulus": "Tidak lulus", "diterima": "Diterima", "ditolak": "Ditolak", "catatan": "Catatan"]
        return try await req.render("electoral/nomination", title: n.person.fullName, NominationPage(
            electionID: election.id!, id: n.id!, name: n.person.fullName, sex: n.person.sex ?? "?", nikMasked: n.person.nikMasked ?? "—",
            dapil: dapil?.name ?? "", reason: n.reason, stage: n.stageValue.label, decision: n.decisionValue?.label,
            score: n.surveyScore.map(String.init) ?? "—", proposer: proposer, supporters: supporters,
            steps: steps.map { .init(at: $0.at.map(f.string) ?? "", stage: Nomination.Stage(rawValue: $0.stage)?.label ?? $0.stage,
                                     outcome: outcomes[$0.outcome] ?? $0.outcome, note: $0.note, by: $0.username) },
            stages: Nomination.Stage.allCases.dropFirst().map { StageOption(value: $0.rawValue, label: $0.label) }))
    }

    struct StepForm: Content {
        var stage: String
        var outcome: String
        var note: String?
        var score: String?
    }

    /// Records a screening step. A "diterima"/"ditolak" outcome is the decision; a survey
    /// step carries a score 0–100. The candidate's timeline gets the decision.
    @Sendable func addStep(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let n = try await nomination(req, election)
        let form = try req.content.decode(StepForm.self)
        var errors = FormErrors()
        guard let stage = Nomination.Stage(rawValue: form.stage), stage != .proposed else {
            throw ValidationFailure(errors: [FieldError(field: "stage", message: "Pilih tahap seleksi.")])
        }
        let allowed = stage == .decided ? ["diterima", "ditolak"] : ["lulus", "tidak_lulus", "catatan"]
        if !allowed.contains(form.outcome) { errors.add("outcome", "Hasil tahap \(stage.label) harus salah satu dari: \(allowed.joined(separator: ", ")).") }
        let note = errors.optional(form.note, field: "note", label: "Catatan", max: 2000) ?? ""
        var score: Int?
        if let raw = form.score?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if let s = Int(raw), (0...100).contains(s) { score = s } else { errors.add("score", "Skor survei harus angka 0–100.") }
        }
        if stage == .survey && score == nil && form.outcome != "catatan" { errors.add("score", "Tahap survei membutuhkan skor 0–100.") }
        if stage == .decided && form.outcome == "ditolak" && note.isEmpty { errors.add("note", "Tuliskan alasan penolakan.") }
        try errors.throwIfAny()
        let user = try req.requireUser()
        let surveyScore = score
        try await req.db.transaction { db in
            let step = NominationStep()
            step.nominationID = try n.requireID()
            step.stage = stage.rawValue
            step.outcome = form.outcome
            step.note = note
            step.score = surveyScore
            step.username = user.username
            try await step.create(on: db)
            n.stage = stage.rawValue
            if let surveyScore { n.surveyScore = surveyScore }
            if stage == .decided {
                n.decision = form.outcome == "diterima" ? Nomination.Decision.accepted.rawValue : Nomination.Decision.rejected.rawValue
                try await PersonEvent(personID: n.$person.id, module: "electoral", kind: "bcad.decided",
                                      summary: "Usulan bakal calon \(election.name): \(form.outcome == "diterima" ? "diterima" : "ditolak — \(note)").",
                                      actorID: user.id, scope: n.person.scope).create(on: db)
            }
            try await n.update(on: db)
            try await req.audit.record("bcad.step", entity: "nomination", id: n.id?.uuidString, scope: n.scope,
                                       detail: "\(stage.rawValue): \(form.outcome)", on: db)
        }
        req.flash("Tahap \(stage.label) dicatat.")
        return req.redirect(to: "/elections/\(election.id!)/candidates/\(n.id!)")
    }

    // MARK: List builder

    struct ListPage: Encodable {
        struct Entry: Encodable {
            let personID: String
            let name: String
            let sex: String
            let position: String
        }
        let electionID: UUID
        let electionName: String
        let dapilNumber: Int
        let dapilName: String
        let seats: Int
        let minimumWomen: Int
        let entries: [Entry]
        let violations: [String]
        let saved: Bool
    }

    private func dapil(_ req: Request, _ election: Election) async throws -> Dapil {
        guard let number = req.parameters.get("number", as: Int.self),
              let d = try await Dapil.query(on: req.db).filter(\.$election.$id == election.requireID()).filter(\.$number == number).first()
        else { throw Abort(.notFound, reason: "Dapil tidak ditemukan.") }
        return d
    }

    /// Accepted nominees of the dapil with their saved positions (or the submitted ones).
    private func renderList(_ req: Request, _ election: Election, _ dapil: Dapil, submitted: [String: String]? = nil,
                            violations: [String] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let accepted = try await Nomination.query(on: req.db).filter(\.$dapilID == dapil.requireID())
            .filter(\.$decision == Nomination.Decision.accepted.rawValue).with(\.$person).all()
        let saved = try await CandidateListEntry.query(on: req.db).filter(\.$dapilID == dapil.requireID()).all()
        let positions = Dictionary(uniqueKeysWithValues: saved.map { ($0.$person.id.uuidString, $0.position) })
        let entries = accepted.map { n -> ListPage.Entry in
            let id = n.$person.id.uuidString
            return .init(personID: id, name: n.person.fullName, sex: n.person.sex ?? "?",
                         position: submitted?["pos_\(id)"] ?? positions[id].map(String.init) ?? "")
        }.sorted { (Int($0.position) ?? 999, $0.name) < (Int($1.position) ?? 999, $1.name) }
        return try await req.render("electoral/list-builder", title: "Daftar calon \(dapil.name)", ListPage(
            electionID: election.id!, electionName: election.name, dapilNumber: dapil.number, dapilName: dapil.name, seats: dapil.seats,
            minimumWomen: CandidateListRules.minimumWomen(listSize: min(dapil.seats, max(saved.count, 1))),
            entries: entries, violations: violations, saved: !saved.isEmpty), status: status)
    }

    @Sendable func listPage(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        return try await renderList(req, election, try await dapil(req, election))
    }

    /// Saves the list only if it passes every rule; otherwise nothing changes and every
    /// violation is listed with the positions it concerns.
    @Sendable func saveList(req: Request) async throws -> Response {
        let election = try await req.election()
        try req.electoralPolicy.requireManage(election)
        let dapil = try await dapil(req, election)
        let values = (try? req.content.decode([String: String].self)) ?? [:]
        let accepted = try await Nomination.query(on: req.db).filter(\.$dapilID == dapil.requireID())
            .filter(\.$decision == Nomination.Decision.accepted.rawValue).with(\.$person).all()
        var problems: [String] = []
        var entries: [CandidateListRules.Entry] = []
        for n in accepted {
            let id = n.$person.id.uuidString
            let raw = (values["pos_\(id)"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !raw.isEmpty else { continue }
            guard let position = Int(raw), position > 0 else {
                problems.append("\(n.person.fullName): nomor urut \"\(raw)\" harus angka 1 atau lebih."); continue
            }
            guard let sex: Sex = n.person.sex == "P" ? .female : n.person.sex == "L" ? .male : nil else {
                problems.append("Nomor urut \(position), \(n.person.fullName): jenis kelamin belum tercatat; lengkapi data orangnya dulu."); continue
            }
            entries.append(.init(position: position, personID: id, sex: sex, name: n.person.fullName))
        }
        problems += CandidateListRules.check(entries, seats: dapil.seats).map(\.message)
        // One person, one list per election year: not in another dapil, not at another level.
        let ids = entries.compactMap { UUID(uuidString: $0.personID) }
        if !ids.isEmpty {
            let elsewhere = try await CandidateListEntry.query(on: req.db).filter(\.$year == election.year)
                .filter(\.$person.$id ~~ ids).filter(\.$dapilID != dapil.requireID()).with(\.$person).all()
            for e in elsewhere {
                let other = try await Dapil.query(on: req.db).filter(\.$id == e.dapilID).with(\.$election).first()
                problems.append("\(e.person.fullName) sudah tercantum di daftar \(other.map { "\($0.election.name), \($0.name)" } ?? "lain") nomor urut \(e.position); satu orang hanya boleh di satu dapil dan satu tingkat.")
            }
        }
        guard problems.isEmpty else {
            return try await renderList(req, election, dapil, submitted: values, violations: problems, status: .unprocessableEntity)
        }
        let final = entries
        try await req.db.transaction { db in
            try await CandidateListEntry.query(on: db).filter(\.$dapilID == dapil.requireID()).delete()
            for e in final {
                let row = CandidateListEntry()
                row.electionID = try election.requireID()
                row.dapilID = try dapil.requireID()
                row.year = election.year
                row.position = e.position
                row.$person.id = UUID(uuidString: e.personID)!
                try await row.create(on: db)
            }
            try await req.audit.record("bcad.list_save", entity: "dapil", id: dapil.id?.uuidString, scope: election.scope,
                                       detail: "\(dapil.name): \(final.count) nama", on: db)
        }
        req.flash("Daftar calon \(dapil.name) disimpan: \(entries.count) nama, memenuhi aturan.")
        return req.redirect(to: "/elections/\(election.id!)/lists/\(dapil.number)")
    }

    // MARK: Women's representation

    struct WomenRow: Encodable {
        let dapil: String
        let number: Int
        let cells: [Cell]
    }

    struct Cell: Encodable {
        let text: String
        /// ok (≥ 30%), low (15–30%), floor (< 15%), none.
        let level: String
    }

    struct WomenPage: Encodable {
        let electionID: UUID
        let electionName: String
        let rows: [WomenRow]
        let chart: String
    }

    static func cell(women: Int, total: Int) -> Cell {
        guard total > 0 else { return Cell(text: "—", level: "none") }
        let pct = Double(women) * 100 / Double(total)
        return Cell(text: "\(women)/\(total) (\(String(format: "%.0f", pct))%)", level: pct >= 30 ? "ok" : pct >= 15 ? "low" : "floor")
    }

    /// Women among proposals, accepted nominees, the saved list, and active members
    /// (cadres) living in the dapil — 30% target, 15% floor.
    @Sendable func womenPage(req: Request) async throws -> Response {
        let election = try await req.election()
        let dapils = try await ElectoralService.dapils(of: election, on: req.db)
        let nominations = try await Nomination.query(on: req.db).filter(\.$electionID == election.requireID()).with(\.$person).all()
        let list = try await CandidateListEntry.query(on: req.db).filter(\.$electionID == election.requireID()).with(\.$person).all()
        // Active members by kelurahan and sex in the election's region: one grouped query,
        // then each kelurahan is counted for the dapil that covers it.
        struct Count: Decodable {
            let scope: String
            let sex: String?
            let n: Int
        }
        let sql = req.db as! any SQLDatabase
        let counts = try await sql.raw("""
            SELECT m.scope AS scope, p.sex AS sex, COUNT(*) AS n FROM memberships m JOIN people p ON p.id = m.person_id
            WHERE m.status = 'active' AND \(SubtreeMatch(election.path, on: req.db).sql("m.scope"))
            GROUP BY m.scope, p.sex
            """).all(decoding: Count.self)
        var rows: [WomenRow] = []
        var chartBars: [SVGChart.Bar] = []
        for d in dapils {
            let ns = nominations.filter { $0.dapilID == d.id }
            let acc = ns.filter { $0.decisionValue == .accepted }
            let ls = list.filter { $0.dapilID == d.id }
            let prefixes = d.areas.map { OrgPath(regionCode: $0.regionCode) }
            var cadre = (women: 0, total: 0)
            for c in counts where prefixes.contains(where: { $0.contains(OrgPath(rawValue: c.scope)) }) {
                cadre.total += c.n
                if c.sex == "P" { cadre.women += c.n }
            }
            func women(_ people: [Person]) -> Int { people.filter { $0.sex == "P" }.count }
            rows.append(WomenRow(dapil: d.name, number: d.number, cells: [
                Self.cell(women: women(ns.map(\.person)), total: ns.count),
                Self.cell(women: women(acc.map(\.person)), total: acc.count),
                Self.cell(women: women(ls.map(\.person)), total: ls.count),
                Self.cell(women: cadre.women, total: cadre.total),
            ]))
            if cadre.total > 0 {
                let pct = Double(cadre.women) * 100 / Double(cadre.total)
                chartBars.append(.init(label: d.name.replacingOccurrences(of: "Kota Serang ", with: "Dapil "), value: pct,
                                       highlight: pct < 30, caption: String(format: "%.0f%%", pct)))
            }
        }
        let chart = SVGChart.bars(chartBars, title: "Perempuan di antara kader aktif per dapil", maximum: 100)
        return try await req.render("electoral/women", title: "Keterwakilan perempuan",
                                    WomenPage(electionID: election.id!, electionName: election.name, rows: rows, chart: chart))
    }
}
