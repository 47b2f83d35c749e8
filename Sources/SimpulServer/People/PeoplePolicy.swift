import Fluent
import SimpulCore
import Vapor

/// Who may see, change and unmask which people. Everything about a person is decided by
/// the path of the unit the person belongs to.
struct PeoplePolicy: ModulePolicy {
    let access: AccessScope

    func canView(_ person: Person) -> Bool { access.allows(.viewPeople, at: person.orgPath) }
    func requireView(_ person: Person) throws { try require(.viewPeople, at: person.orgPath, visibleWith: .viewPeople) }
    func requireEdit(_ person: Person) throws { try require(.editPeople, at: person.orgPath, visibleWith: .viewPeople) }
    func canReveal(_ person: Person) -> Bool { access.allows(.revealPersonalData, at: person.orgPath) }
    func requireReveal(_ person: Person) throws { try require(.revealPersonalData, at: person.orgPath, visibleWith: .viewPeople) }
    func canCreate(in unit: OrgUnit) -> Bool { access.allows(.editPeople, at: unit.orgPath) }

    /// Restricts a people query to the subtrees the user may read.
    func visible(_ query: QueryBuilder<Person>, broad: Bool = false) -> QueryBuilder<Person> {
        scopeFilter(query, column: "scope", for: .viewPeople, broad: broad)
    }
}

extension Request {
    var peoplePolicy: PeoplePolicy { PeoplePolicy(access: access) }
}
