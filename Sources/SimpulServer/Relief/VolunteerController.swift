import Fluent
import SimpulCore
import Vapor

/// Satgas Relawan Bencana: public sign-up, the roster, selection, decrees, incidents.
struct VolunteerController {
    /// Public sign-ups per address per hour.
    static let registrationLimit = 10

    func bootPublicWeb(_ routes: any RoutesBuilder) {
        routes.get("relawan", use: publicFormPage)
        routes.post("relawan", use: registerFromPage)
    }

    func bootPublicAPI(_ routes: any RoutesBuilder) {
        routes.post("volunteers", use: registerAPI)
    }

    func bootWeb(_ routes: any RoutesBuilder) {
        routes.get("volunteers", use: rosterPage)
        routes.get("volunteers", "new", use: staffFormPage)
        routes.post("volunteers", use: registerFromStaffPage)
        routes.get("volunteers", ":volunteerID", use: detailPage)
        routes.post("volunteers", ":volunteerID", ":step", use: stepFromPage)
        routes.get("incidents", use: incidentsPage)
        routes.post("incidents", use: createIncidentFromPage)
        routes.get("incidents", ":incidentID", use: incidentPage)
        routes.post("incidents", ":incidentID", "deployments", use: deployFromPage)
        routes.post("incidents", ":incidentID", "close", use: closeFromPage)
        routes.post("deployments", ":deploymentID", "checkout", use: checkOutFromPage)
        routes.get("decrees", use: decreesPage)
        routes.post("decrees", use: createDecreeFromPage)
        routes.get("decrees", ":decreeID", use: decreePage)
        routes.post("decrees", ":decreeID", "members", use: addMemberFromPage)
    }

    func bootAPI(_ routes: any RoutesBuilder) {
        routes.get("volunteers", use: rosterAPI)
        routes.post("volunteers", use: registerByStaffAPI)
        routes.get("volunteers", ":volunteerID", use: detailAPI)
        routes.post("volunteers", ":volunteerID", "decisions", use: decideAPI)
        routes.post("volunteers", ":volunteerID", "availability", use: availabilityAPI)
        routes.post("volunteers", ":volunteerID", "certificates", use: certificateAPI)
        routes.get("decrees", use: decreesAPI)
        routes.post("decrees", use: createDecreeAPI)
        routes.get("decrees", ":decreeID", use: decreeAPI)
        routes.post("decrees", ":decreeID", "members", use: addMemberAPI)
        routes.get("incidents", use: incidentsAPI)
        routes.post("incidents", use: createIncidentAPI)
        routes.get("incidents", ":incidentID", use: incidentAPI)
        routes.post("incidents", ":incidentID", "deployments", use: deployAPI)
        routes.post("incidents", ":incidentID", "close", use: closeAPI)
        routes.post("deployments", ":deploymentID", "checkout", use: checkOutAPI)
    }

    // MARK: public sign-up

    struct FormPage: Encodable {
        let form: VolunteerForm
        let errors: [String: String]
        let messages: [String]
        let skills: [SelectOption]
        let districts: [MembershipController.DistrictOption]
        let stamp: String
        /// An official registering a cadre or a walk-in volunteer.
        let staff: Bool
    }

    private func renderForm(_ req: Request, form: VolunteerForm = VolunteerForm(), failure: ValidationFailure? = nil,
                            staff: Bool = false, status: HTTPResponseStatus = .ok) async throws -> Response {
        let chosen = Set(form.skills ?? [])
        return try await req.render("volunteers/register", title: staff ? "Daftarkan relawan" : "Daftar relawan Satgas Bencana", FormPage(
            form: form, errors: failure?.byField ?? [:], messages: failure?.errors.map(\.message) ?? [],
            skills: VolunteerSkill.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: chosen.contains($0.rawValue)) },
            districts: try await MembershipController().villageOptions(req, selected: form.regionCode),
            stamp: FormGuard.stamp(for: req), staff: staff), status: status)
    }

    @Sendable func staffFormPage(req: Request) async throws -> Response {
        try req.requireAnywhere(.manageVolunteers, "Anda tidak berwenang mendaftarkan relawan.")
        return try await renderForm(req, form: VolunteerForm(consent: "on"), staff: true)
    }

    @Sendable func registerFromStaffPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let form = try req.content.decode(VolunteerForm.self)
        return try await req.saveOrShow({ "/volunteers/\(try await req.volunteers.register(form, channel: .staff).id!)" },
                                        show: { try await renderForm(req, form: form, failure: $0, staff: true, status: .unprocessableEntity) })
    }

    @Sendable func publicFormPage(req: Request) async throws -> Response { try await renderForm(req) }

    struct ThanksPage: Encodable { let name: String }

    @Sendable func registerFromPage(req: Request) async throws -> Response {
        let form = try req.content.decode(VolunteerForm.self)
        let stamp = try? req.content.get(String.self, at: FormGuard.stampField)
        guard FormGuard.looksHuman(honeypot: try? req.content.get(String.self, at: FormGuard.honeypotField), stamp: stamp, vault: req.vault,
                                   minimumSeconds: req.application.settings.formMinimumSeconds) else {
            return try await renderForm(req, form: form, failure: ValidationFailure(errors: [FieldError(field: "form",
                message: "Formulir terkirim terlalu cepat atau tidak lengkap. Periksa isian lalu kirim lagi.")]), status: .unprocessableEntity)
        }
        try await req.rateLimiter.hit("volunteer:" + req.clientAddress, limit: Self.registrationLimit, window: 3600)
        do {
            _ = try await req.volunteers.register(form, channel: .public)
            return try await req.render("volunteers/thanks", title: "Pendaftaran relawan diterima", ThanksPage(name: form.fullName ?? ""))
        } catch let failure as ValidationFailure {
            return try await renderForm(req, form: form, failure: failure, status: .unprocessableEntity)
        }
    }

    struct Receipt: Content {
        let status: VolunteerStatus
        let message: String
    }

    @Sendable func registerAPI(req: Request) async throws -> Response {
        try await req.rateLimiter.hit("volunteer:" + req.clientAddress, limit: Self.registrationLimit, window: 3600)
        let v = try await req.volunteers.register(try req.content.decode(VolunteerForm.self), channel: .public)
        return try await Receipt(status: v.status, message: "Pendaftaran relawan diterima; pengurus akan menghubungi Anda untuk seleksi.")
            .encodeResponse(status: .created, for: req)
    }

    // MARK: roster and selection (API)

    private func rosterArguments(_ req: Request) async throws -> (VolunteerStatus?, VolunteerSkill?, Bool, OrgUnit?) {
        let l = try await ListQuery.parse(req)
        return ((try? req.query.get(String.self, at: "status")).flatMap(VolunteerStatus.init(rawValue:)),
                (try? req.query.get(String.self, at: "skill")).flatMap(VolunteerSkill.init(rawValue:)),
                RegistrationForm.ticked(try? req.query.get(String.self, at: "ready")), l.unit)
    }

    @Sendable func rosterAPI(req: Request) async throws -> [VolunteerDTO] {
        let (status, skill, ready, unit) = try await rosterArguments(req)
        return try await req.volunteers.roster(status: status, skill: skill, readyOnly: ready, unit: unit)
    }

    @Sendable func registerByStaffAPI(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let v = try await req.volunteers.register(try req.content.decode(VolunteerForm.self), channel: .staff)
        return try await req.volunteers.detail(try await req.volunteers.find(v.id)).encodeResponse(status: .created, for: req)
    }

    private func volunteer(_ req: Request) async throws -> Volunteer {
        try await req.volunteers.find(req.parameters.get("volunteerID", as: UUID.self))
    }

    @Sendable func detailAPI(req: Request) async throws -> VolunteerDetail { try await req.volunteers.detail(try await volunteer(req)) }

    @Sendable func decideAPI(req: Request) async throws -> VolunteerDetail {
        let v = try await volunteer(req)
        try await req.volunteers.decide(try req.content.decode(DecisionForm.self), on: v)
        return try await req.volunteers.detail(v)
    }

    struct AvailabilityBody: Content { var available: Bool }

    @Sendable func availabilityAPI(req: Request) async throws -> VolunteerDetail {
        let v = try await volunteer(req)
        try req.volunteerPolicy.requireManage(v.orgPath)  // before reading the body
        try await req.volunteers.setAvailable(try req.content.decode(AvailabilityBody.self).available, on: v)
        return try await req.volunteers.detail(v)
    }

    @Sendable func certificateAPI(req: Request) async throws -> VolunteerDetail {
        let v = try await volunteer(req)
        try req.volunteerPolicy.requireManage(v.orgPath)  // before reading the body
        try await req.volunteers.addCertificate(try req.content.decode(CertificateForm.self), to: v)
        return try await req.volunteers.detail(v)
    }

    // MARK: decrees and incidents (API)

    @Sendable func decreesAPI(req: Request) async throws -> [DecreeDTO] { try await req.volunteers.decrees() }

    @Sendable func createDecreeAPI(req: Request) async throws -> Response {
        let d = try await req.volunteers.createDecree(try req.content.decode(DecreeForm.self))
        return try await req.volunteers.decreeDTO(d).encodeResponse(status: .created, for: req)
    }

    @Sendable func decreeAPI(req: Request) async throws -> DecreeDTO {
        try await req.volunteers.decreeDTO(try await req.volunteers.findDecree(req.parameters.get("decreeID", as: UUID.self)))
    }

    @Sendable func addMemberAPI(req: Request) async throws -> DecreeDTO {
        let d = try await req.volunteers.findDecree(req.parameters.get("decreeID", as: UUID.self))
        try await req.volunteers.addMember(try req.content.decode(MemberForm.self), to: d)
        return try await req.volunteers.decreeDTO(d)
    }

    @Sendable func incidentsAPI(req: Request) async throws -> [IncidentDTO] { try await req.volunteers.incidents() }

    @Sendable func createIncidentAPI(req: Request) async throws -> Response {
        let i = try await req.volunteers.createIncident(try req.content.decode(IncidentForm.self))
        return try await req.volunteers.incidentDTO(i).0.encodeResponse(status: .created, for: req)
    }

    private func incidentDetail(_ req: Request, _ i: Incident) async throws -> IncidentDetail {
        let (dto, deployments) = try await req.volunteers.incidentDTO(i)
        return IncidentDetail(incident: dto, deployments: deployments.map(Volunteers.dto))
    }

    private func incident(_ req: Request) async throws -> Incident {
        try await req.volunteers.findIncident(req.parameters.get("incidentID", as: UUID.self))
    }

    @Sendable func incidentAPI(req: Request) async throws -> IncidentDetail { try await incidentDetail(req, try await incident(req)) }

    @Sendable func deployAPI(req: Request) async throws -> Response {
        let i = try await incident(req)
        _ = try await req.volunteers.deploy(try req.content.decode(DeploymentForm.self), to: i)
        return try await incidentDetail(req, i).encodeResponse(status: .created, for: req)
    }

    @Sendable func closeAPI(req: Request) async throws -> IncidentDetail {
        let i = try await incident(req)
        try await req.volunteers.closeIncident(i)
        return try await incidentDetail(req, i)
    }

    @Sendable func checkOutAPI(req: Request) async throws -> IncidentDetail {
        let d = try await req.volunteers.checkOut(req.parameters.get("deploymentID", as: UUID.self))
        return try await incidentDetail(req, try await req.volunteers.findIncident(d.$incident.id))
    }

    // MARK: pages

    struct RosterPage: Encodable {
        let volunteers: [VolunteerDTO]
        let statuses: [SelectOption]
        let skills: [SelectOption]
        let ready: Bool
        let readyCount: Int
    }

    @Sendable func rosterPage(req: Request) async throws -> Response {
        let (status, skill, ready, unit) = try await rosterArguments(req)
        let list = try await req.volunteers.roster(status: status, skill: skill, readyOnly: ready, unit: unit)
        return try await req.render("volunteers/roster", title: "Satgas relawan", RosterPage(
            volunteers: list,
            statuses: VolunteerStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: status == $0) },
            skills: VolunteerSkill.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: skill == $0) },
            ready: ready, readyCount: list.filter(\.ready).count))
    }

    struct DetailPage: Encodable {
        let detail: VolunteerDetail
        let canManage: Bool
        let stages: [SelectOption]
        let failed: String
        let errors: [String: String]
    }

    private func renderDetail(_ req: Request, _ v: Volunteer, failed: String = "", failure: ValidationFailure? = nil) async throws -> Response {
        try await req.render("volunteers/detail", title: v.person.fullName, DetailPage(
            detail: try await req.volunteers.detail(v), canManage: req.volunteerPolicy.canManage(v.orgPath),
            stages: SelectionStage.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: false) },
            failed: failed, errors: failure?.byField ?? [:]), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func detailPage(req: Request) async throws -> Response { try await renderDetail(req, try await volunteer(req)) }

    @Sendable func stepFromPage(req: Request) async throws -> Response {
        let v = try await volunteer(req)
        let step = req.parameters.get("step") ?? ""
        do {
            switch step {
            case "decisions": try await req.volunteers.decide(try req.content.decode(DecisionForm.self), on: v)
            case "certificates": try await req.volunteers.addCertificate(try req.content.decode(CertificateForm.self), to: v)
            case "availability": try await req.volunteers.setAvailable(RegistrationForm.ticked(try? req.content.get(String.self, at: "available")), on: v)
            default: throw Abort(.notFound, reason: "Tindakan tidak dikenal.")
            }
            req.flash("Tersimpan. Status: \(v.status.label).")
            return req.redirect(to: "/volunteers/\(v.id!)")
        } catch let failure as ValidationFailure {
            return try await renderDetail(req, v, failed: step, failure: failure)
        }
    }

    struct IncidentsPage: Encodable {
        let incidents: [IncidentDTO]
        let units: [SelectOption]
        let hazards: [SelectOption]
        let districts: [MembershipController.DistrictOption]
        let errors: [String: String]
        let today: String
    }

    private func renderIncidents(_ req: Request, failure: ValidationFailure? = nil) async throws -> Response {
        try await req.render("volunteers/incidents", title: "Kejadian bencana", IncidentsPage(
            incidents: try await req.volunteers.incidents(),
            units: try await OfficeChoices.options(req, for: .manageVolunteers),
            hazards: Volunteers.hazards.sorted { $0.value < $1.value }.map { SelectOption(value: $0.key, label: $0.value, selected: false) },
            districts: try await MembershipController().villageOptions(req, selected: nil),
            errors: failure?.byField ?? [:], today: CivilDate(Date()).iso8601), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func incidentsPage(req: Request) async throws -> Response { try await renderIncidents(req) }

    @Sendable func createIncidentFromPage(req: Request) async throws -> Response {
        try await req.saveOrShow({ "/incidents/\(try await req.volunteers.createIncident(try req.content.decode(IncidentForm.self)).id!)" },
                                 show: { try await renderIncidents(req, failure: $0) })
    }

    struct IncidentPage: Encodable {
        let detail: IncidentDetail
        let canManage: Bool
        let ready: [SelectOption]
        let errors: [String: String]
    }

    private func renderIncident(_ req: Request, _ i: Incident, failure: ValidationFailure? = nil) async throws -> Response {
        let ready = try await req.volunteers.roster(status: .accepted, skill: nil, readyOnly: true, unit: nil)
        return try await req.render("volunteers/incident", title: i.title, IncidentPage(
            detail: try await incidentDetail(req, i), canManage: req.volunteerPolicy.canManage(OrgPath(rawValue: i.scope)),
            ready: ready.map { SelectOption(value: $0.id.uuidString, label: $0.fullName + ($0.skillLabels.isEmpty ? "" : " — " + $0.skillLabels.joined(separator: ", ")), selected: false) },
            errors: failure?.byField ?? [:]), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func incidentPage(req: Request) async throws -> Response { try await renderIncident(req, try await incident(req)) }

    @Sendable func deployFromPage(req: Request) async throws -> Response {
        let i = try await incident(req)
        do {
            _ = try await req.volunteers.deploy(try req.content.decode(DeploymentForm.self), to: i)
            req.flash("Relawan diberangkatkan dan tercatat mulai bertugas.")
            return req.redirect(to: "/incidents/\(i.id!)")
        } catch let failure as ValidationFailure {
            return try await renderIncident(req, i, failure: failure)
        }
    }

    @Sendable func closeFromPage(req: Request) async throws -> Response {
        let i = try await incident(req)
        do {
            try await req.volunteers.closeIncident(i)
            req.flash("Kejadian ditutup.")
        } catch let failure as ValidationFailure {
            req.flash(failure.reason, error: true)
        }
        return req.redirect(to: "/incidents/\(i.id!)")
    }

    @Sendable func checkOutFromPage(req: Request) async throws -> Response {
        let d = try await req.volunteers.checkOut(req.parameters.get("deploymentID", as: UUID.self))
        req.flash("Selesai tugas: \(VolunteerPipeline.hoursText(minutes: d.minutes ?? 0)).")
        return req.redirect(to: "/incidents/\(d.$incident.id)")
    }

    struct DecreesPage: Encodable {
        let decrees: [DecreeDTO]
        let units: [SelectOption]
        let errors: [String: String]
    }

    private func renderDecrees(_ req: Request, failure: ValidationFailure? = nil) async throws -> Response {
        try await req.render("volunteers/decrees", title: "SK Satgas", DecreesPage(
            decrees: try await req.volunteers.decrees(),
            units: try await OfficeChoices.options(req, for: .manageVolunteers),
            errors: failure?.byField ?? [:]), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func decreesPage(req: Request) async throws -> Response { try await renderDecrees(req) }

    @Sendable func createDecreeFromPage(req: Request) async throws -> Response {
        try await req.saveOrShow({ "/decrees/\(try await req.volunteers.createDecree(try req.content.decode(DecreeForm.self)).id!)" },
                                 show: { try await renderDecrees(req, failure: $0) })
    }

    struct DecreePage: Encodable {
        let decree: DecreeDTO
        let canManage: Bool
        let candidates: [SelectOption]
        let errors: [String: String]
    }

    private func renderDecree(_ req: Request, _ d: TaskForceDecree, failure: ValidationFailure? = nil) async throws -> Response {
        let dto = try await req.volunteers.decreeDTO(d)
        let members = Set(dto.members.map(\.volunteerID))
        let unit = try await d.$orgUnit.get(on: req.db)
        let candidates = try await req.volunteers.roster(status: .accepted, skill: nil, readyOnly: false, unit: unit).filter { !members.contains($0.id) }
        return try await req.render("volunteers/decree", title: "SK \(d.number)", DecreePage(
            decree: dto, canManage: req.volunteerPolicy.canManage(OrgPath(rawValue: d.scope)),
            candidates: candidates.map { SelectOption(value: $0.id.uuidString, label: $0.fullName, selected: false) },
            errors: failure?.byField ?? [:]), status: failure == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func decreePage(req: Request) async throws -> Response {
        try await renderDecree(req, try await req.volunteers.findDecree(req.parameters.get("decreeID", as: UUID.self)))
    }

    @Sendable func addMemberFromPage(req: Request) async throws -> Response {
        let d = try await req.volunteers.findDecree(req.parameters.get("decreeID", as: UUID.self))
        return try await req.saveOrShow({
            try await req.volunteers.addMember(try req.content.decode(MemberForm.self), to: d)
            return "/decrees/\(d.id!)"
        }, show: { try await renderDecree(req, d, failure: $0) })
    }
}
