import Fluent
import SimpulCore
import Vapor

/// Who may see and run cadre matters. Everything belongs to an org unit: a training to the
/// unit that holds it, a cadre record to the member's unit, a target to its unit. Seeing
/// needs viewCadre there; registering and checking in participants recordAttendance;
/// running trainings, certificates, promotions, contributions and targets manageCadre.
struct CadrePolicy: ModulePolicy {
    let access: AccessScope

    func requireView(_ path: OrgPath) throws { try require(.viewCadre, at: path, visibleWith: .viewCadre) }
    func requireRecord(_ path: OrgPath) throws { try require(.recordAttendance, at: path, visibleWith: .viewCadre) }
    func requireManage(_ path: OrgPath) throws { try require(.manageCadre, at: path, visibleWith: .viewCadre) }
    func canView(_ path: OrgPath) -> Bool { access.allows(.viewCadre, at: path) }
    func canRecord(_ path: OrgPath) -> Bool { access.allows(.recordAttendance, at: path) }
    func canManage(_ path: OrgPath) -> Bool { access.allows(.manageCadre, at: path) }
    func visible<M: Model>(_ q: QueryBuilder<M>) -> QueryBuilder<M> { scopeFilter(q, column: "scope", for: .viewCadre) }
}

extension Request {
    var cadrePolicy: CadrePolicy { CadrePolicy(access: access) }
    var cadre: CadreDesk { CadreDesk(req: self) }
}
