import Fluent
import SimpulCore
import Vapor

/// People pages and /api/v1/people.
struct PeopleController {
    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("people", use: listPage)
        routes.get("people", "new", use: newPage)
        routes.get("people", "export.csv", use: exportCSV)
        routes.post("people", use: createFromPage)
        routes.get("people", ":personID", use: detailPage)
        routes.post("people", ":personID", "reveal", use: revealPage)
        routes.post("people", ":personID", "offices", use: assignOffice)
        routes.get("people", ":personID", "data.json", use: dataCopy)
        routes.post("people", ":personID", "anonymise", use: anonymise)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("people", use: listAPI)
        routes.post("people", use: createAPI)
        routes.get("people", ":personID", use: detailAPI)
        routes.get("people", ":personID", "timeline", use: timelineAPI)
        routes.post("people", ":personID", "reveal", use: revealAPI)
    }

    // MARK: shared

    private func listArguments(_ req: Request) async throws -> (OrgUnit?, String?, Int, Int) {
        let l = try await ListQuery.parse(req)
        return (l.unit, l.q, l.page, l.per)
    }

    // MARK: API

    @Sendable func listAPI(req: Request) async throws -> PeoplePage {
        let (unit, q, page, per) = try await listArguments(req)
        return try await req.people.list(unit: unit, query: q, page: page, per: per)
    }

    @Sendable func createAPI(req: Request) async throws -> Response {
        let person = try await req.people.create(try req.content.decode(PersonForm.self))
        return try await PersonDTO(person).encodeResponse(status: .created, for: req)
    }

    @Sendable func detailAPI(req: Request) async throws -> PersonDTO {
        PersonDTO(try await req.people.find(req.parameters.get("personID", as: UUID.self)))
    }

    @Sendable func timelineAPI(req: Request) async throws -> [TimelineEventDTO] {
        try await req.people.timeline(of: req.people.find(req.parameters.get("personID", as: UUID.self)))
    }

    struct RevealRequest: Content { var reason: String? }

    @Sendable func revealAPI(req: Request) async throws -> RevealedPersonalData {
        let person = try await req.people.find(req.parameters.get("personID", as: UUID.self))
        let reason = try? req.content.decode(RevealRequest.self).reason
        return try await req.people.reveal(person, reason: reason)
    }

    // MARK: pages

    struct ListRow: Encodable {
        let person: PersonDTO
        let regionName: String
    }

    struct ListPage: Encodable {
        let result: PeoplePage
        let rows: [ListRow]
        let q: String
        let unit: OrgUnitDTO?
        let canCreate: Bool
        let canExport: Bool
        let pages: Int
        /// The count as written in Indonesian ("2.000").
        let totalText: String
        let prevPage: Int?
        let nextPage: Int?
        let unitQuery: String
    }

    @Sendable func listPage(req: Request) async throws -> Response {
        let (unit, q, page, per) = try await listArguments(req)
        let result = try await req.people.list(unit: unit, query: q, page: page, per: per)
        let labels = try await OrgLevelLabels.load(on: req.db)
        // Past `exactCountLimit` hits the number of pages is unknown: offer the next page
        // while pages come back full.
        let pages = max(1, (result.total + per - 1) / per)
        let hasNext = result.totalExact ? page < pages : result.items.count == per
        let codes = Array(Set(result.items.map(\.regionCode)))
        let names = codes.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Region.query(on: req.db).filter(\.$id ~~ codes).all().map { ($0.id!, $0.name) })
        return try await req.render("people/list", title: "Orang", ListPage(
            result: result, rows: result.items.map { ListRow(person: $0, regionName: names[$0.regionCode] ?? $0.regionCode) },
            q: q ?? "", unit: unit.map { OrgUnitDTO($0, labels: labels) },
            canCreate: req.access.hasAny(.editPeople),
            canExport: req.access.allows(.exportData, at: unit?.orgPath ?? req.access.roots(for: .viewPeople).first ?? .national),
            pages: pages, totalText: IndonesianNumber.grouped(result.total),
            prevPage: page > 1 ? page - 1 : nil, nextPage: hasNext ? page + 1 : nil,
            unitQuery: unit.map { "&unit=\($0.id!)" } ?? ""))
    }

    struct RegionOption: Encodable {
        let code: String
        let label: String
        let selected: Bool
    }

    struct FormPage: Encodable {
        let form: PersonForm
        let errors: [String: String]
        let regions: [RegionOption]
    }

    /// Kelurahan where the user may add people, grouped label "Kecamatan — Kelurahan".
    private func regionOptions(_ req: Request, selected: String?) async throws -> [RegionOption] {
        let roots = req.access.roots(for: .editPeople)
        guard !roots.isEmpty else { return [] }
        let villages = try await Region.query(on: req.db).filter(\.$level == .village).sort(\.$id).all()
            .filter { v in roots.contains { $0.contains(OrgPath(regionCode: v.id)) } }
        let districtCodes = Set(villages.compactMap(\.parentCode))
        let districts = try await Region.query(on: req.db).filter(\.$id ~~ Array(districtCodes)).all()
        let districtName = Dictionary(uniqueKeysWithValues: districts.map { ($0.id!, $0.name) })
        return villages.map { v in
            RegionOption(code: v.id!, label: "\(districtName[v.parentCode ?? ""] ?? "") — \(v.name)", selected: v.id == selected)
        }
    }

    @Sendable func newPage(req: Request) async throws -> Response {
        try req.requireAnywhere(.editPeople, "Anda tidak berwenang menambah data orang.")
        return try await req.render("people/new", title: "Tambah orang",
                                    FormPage(form: PersonForm(), errors: [:], regions: try await regionOptions(req, selected: nil)))
    }

    @Sendable func createFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(PersonForm.self)
        do {
            let person = try await req.people.create(form)
            req.flash("Data \(person.fullName) tersimpan.")
            return req.redirect(to: "/people/\(person.id!)")
        } catch let failure as ValidationFailure {
            var errors = FormErrors()
            for e in failure.errors { errors.add(e.field, e.message) }
            return try await req.render("people/new", title: "Tambah orang",
                                        FormPage(form: form, errors: errors.byField, regions: try await regionOptions(req, selected: form.regionCode)),
                                        status: .unprocessableEntity)
        }
    }

    struct DetailPage: Encodable {
        let person: PersonDTO
        let birthDate: String
        let regionName: String
        let unit: OrgUnitDTO
        let timeline: [TimelineRow]
        let offices: [OfficeRow]
        let revealed: RevealedPersonalData?
        let canReveal: Bool
        let officeUnits: [UnitOption]
    }

    struct TimelineRow: Encodable {
        let at: String
        let summary: String
    }

    struct OfficeRow: Encodable {
        let unit: String
        let body: String
        let position: String
        let startedOn: String
    }

    struct UnitOption: Encodable {
        let id: UUID
        let label: String
    }

    private func detail(_ req: Request, person: Person, revealed: RevealedPersonalData?) async throws -> Response {
        let labels = try await OrgLevelLabels.load(on: req.db)
        let unit = try await person.$orgUnit.get(on: req.db)
        let region = try await Region.find(person.regionCode, on: req.db)
        let offices = try await OfficeTerm.query(on: req.db).filter(\.$person.$id == person.requireID())
            .filter(\.$endedOn == nil).with(\.$orgUnit).all()
        // Units where the user may appoint officers: those on the person's own branch of the tree.
        let policy = req.organizationPolicy
        let chain = try await OrgQueries.ancestors(of: unit, on: req.db) + [unit]
        let officeUnits = chain.reversed().filter(policy.canManage).map { UnitOption(id: $0.id!, label: labels.displayName(of: $0)) }
        let page = DetailPage(
            person: PersonDTO(person),
            birthDate: person.birthDate.flatMap { CivilDate(iso8601: $0) }.map(\.indonesian) ?? "",
            regionName: region?.name ?? person.regionCode,
            unit: OrgUnitDTO(unit, labels: labels),
            timeline: try await req.people.timeline(of: person).map { TimelineRow(at: Self.format($0.at), summary: $0.summary) },
            offices: offices.map { OfficeRow(unit: labels.displayName(of: $0.orgUnit), body: $0.body, position: $0.position, startedOn: $0.startedOn) },
            revealed: revealed, canReveal: req.peoplePolicy.canReveal(person), officeUnits: officeUnits)
        return try await req.render("people/detail", title: person.fullName, page)
    }

    @Sendable func detailPage(req: Request) async throws -> Response {
        let person = try await req.people.find(req.parameters.get("personID", as: UUID.self))
        return try await detail(req, person: person, revealed: nil)
    }

    @Sendable func revealPage(req: Request) async throws -> Response {
        let person = try await req.people.find(req.parameters.get("personID", as: UUID.self))
        let reason = try? req.content.get(String.self, at: "reason")
        let revealed = try await req.people.reveal(person, reason: reason)
        return try await detail(req, person: person, revealed: revealed)
    }

    struct OfficeForm: Content {
        var orgUnitID: UUID?
        var body: String?
        var position: String?
        var startedOn: String?
    }

    @Sendable func assignOffice(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let person = try await req.people.find(req.parameters.get("personID", as: UUID.self))
        // Offices go to units on the person's branch; managing one of them means managing the person's unit.
        guard req.organizationPolicy.access.allows(.manageOrganization, at: person.orgPath) else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang menetapkan jabatan di unit tersebut.")
        }
        let form = try req.content.decode(OfficeForm.self)
        guard let unitID = form.orgUnitID, let unit = try await OrgUnit.find(unitID, on: req.db) else {
            throw Abort(.unprocessableEntity, reason: "Unit: pilih unit tempat jabatan ini.")
        }
        try req.organizationPolicy.requireManage(unit)
        var errors = FormErrors()
        let body = errors.required(form.body, field: "body", label: "Badan (mis. Pengurus Harian, Dewan Pakar)", max: 80)
        let position = errors.required(form.position, field: "position", label: "Jabatan", max: 80)
        let started = errors.required(form.startedOn, field: "startedOn", label: "Tanggal mulai", max: 10)
        if !started.isEmpty && CivilDate(iso8601: started) == nil {
            errors.add("startedOn", "Tanggal mulai harus berformat TTTT-BB-HH.")
        }
        if !errors.isEmpty {
            req.flash(errors.all.map(\.message).joined(separator: " "), error: true)
            return req.redirect(to: "/people/\(person.id!)")
        }
        let labels = try await OrgLevelLabels.load(on: req.db)
        let term = OfficeTerm()
        term.$orgUnit.id = unitID
        term.$person.id = try person.requireID()
        term.body = body
        term.position = position
        term.startedOn = started
        term.scope = unit.path
        try await req.db.transaction { db in
            try await term.create(on: db)
            try await PersonEvent(personID: person.requireID(), module: "organization", kind: "office.assigned",
                                  summary: "Ditetapkan sebagai \(position) (\(body)) \(labels.displayName(of: unit)) mulai \(started).",
                                  actorID: user.id, scope: person.scope).create(on: db)
            try await req.audit.record("office.assign", entity: "office_term", id: term.id?.uuidString, scope: unit.path,
                                       detail: "\(position) — \(person.fullName)", on: db)
        }
        req.flash("\(person.fullName) ditetapkan sebagai \(position).")
        return req.redirect(to: "/people/\(person.id!)")
    }

    /// CSV of the people in scope (masked), for spreadsheets. Needs exportData; audited
    /// with the filter and the row count. Without a search it is streamed in name order as
    /// it is read (a million rows never sit in memory); a name search exports its hits.
    @Sendable func exportCSV(req: Request) async throws -> Response {
        let (unit, q, _, _) = try await listArguments(req)
        let roots = req.access.roots(for: .exportData)
        guard let scopeRoot = unit?.orgPath ?? req.access.roots(for: .viewPeople).first,
              roots.contains(where: { $0.contains(scopeRoot) }) else {
            throw Abort(.forbidden, reason: "Anda tidak berwenang mengekspor data orang di unit ini.")
        }
        let exportUnit: OrgUnit? = if let unit { unit } else { try await OrgQueries.unit(at: scopeRoot, on: req.db) }
        let header = "id,nama,nik_tersamar,tempat_lahir,tanggal_lahir,jenis_kelamin,hp_tersamar,kode_kelurahan\r\n"
        @Sendable func line(_ p: PersonDTO) -> String {
            [p.id.uuidString, p.fullName, p.nikMasked ?? "", p.birthPlace ?? "", p.birthDate ?? "", p.sex ?? "",
             p.phoneMasked ?? "", p.regionCode].map(MemberImport.csvField).joined(separator: ",") + "\r\n"
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"simpul-orang.csv\"")

        if let q, !q.trimmingCharacters(in: .whitespaces).isEmpty {
            var rows = [header]
            var page = 1
            while true {
                let batch = try await req.people.list(unit: exportUnit, query: q, page: page, per: 200)
                rows += batch.items.map(line)
                if batch.items.count < 200 || (batch.totalExact && page * 200 >= batch.total) { break }
                page += 1
            }
            try await req.audit.record("export.people", entity: "person", scope: scopeRoot.rawValue,
                                       detail: "\(rows.count - 1) baris, tersamar, cari: \(q)")
            return Response(status: .ok, headers: headers, body: .init(string: rows.joined()))
        }
        let total = try await req.people.count(in: exportUnit)
        try await req.audit.record("export.people", entity: "person", scope: scopeRoot.rawValue, detail: "\(total) baris, tersamar")
        let people = req.people
        return Response(status: .ok, headers: headers, body: .init(asyncStream: { writer in
            do {
                try await writer.write(.buffer(ByteBuffer(string: header)))
                try await people.everyone(in: exportUnit) { chunk in
                    try await writer.write(.buffer(ByteBuffer(string: chunk.map { line(PersonDTO($0)) }.joined())))
                }
                try await writer.write(.end)
            } catch {
                req.logger.report(error: error)
                try? await writer.write(.error(error))
            }
        }))
    }

    /// Everything held about one person, as JSON to hand over (audited).
    @Sendable func dataCopy(req: Request) async throws -> Response {
        let person = try await req.people.find(req.parameters.get("personID", as: UUID.self))
        let copy = try await req.dataSubjectRights.copy(of: person)
        let response = try await copy.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"data-\(person.id!.uuidString.prefix(8)).json\"")
        return response
    }

    @Sendable func anonymise(req: Request) async throws -> Response {
        let person = try await req.people.find(req.parameters.get("personID", as: UUID.self))
        do {
            try await req.dataSubjectRights.anonymise(person, reason: (try? req.content.get(String.self, at: "reason")) ?? "")
            req.flash("Data pribadi telah dihapus (dianonimkan).")
        } catch let failure as ValidationFailure {
            req.flash(failure.reason, error: true)
        }
        return req.redirect(to: "/people/\(person.id!)")
    }

    static func format(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "id_ID")
        f.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        f.dateFormat = "d MMM yyyy HH.mm"
        return f.string(from: date) + " WIB"
    }
}
