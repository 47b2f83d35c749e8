import Fluent
import SQLKit
import SimpulCore
import Vapor

/// Rights of the person the data is about (UU 27/2022): a copy of everything held about
/// them, and erasure by anonymisation. Both need unmasking rights on the person's unit,
/// and both are audited.
struct DataSubjectRights {
    let req: Request

    struct Copy: Content {
        struct MembershipCopy: Content {
            let status: String
            let number: String?
            let validUntil: String?
            let registeredAt: Date
            let channel: String
        }
        struct ConsentCopy: Content {
            let purpose: String
            let granted: Bool
            let at: Date
            let source: String
        }
        struct OfficeCopy: Content {
            let unit: String
            let body: String
            let position: String
            let startedOn: String
            let endedOn: String?
        }
        struct AccessCopy: Content {
            let at: Date
            let username: String
            let action: String
        }
        let exportedAt: Date
        let person: [String: String]
        let memberships: [MembershipCopy]
        let consents: [ConsentCopy]
        let offices: [OfficeCopy]
        let timeline: [TimelineEventDTO]
        /// Who opened or exported this person's data.
        let accessLog: [AccessCopy]
    }

    func copy(of person: Person) async throws -> Copy {
        try requireRights(person)
        let vault = req.vault
        let id = try person.requireID()
        var fields: [String: String] = ["id": id.uuidString, "nama": person.fullName, "kode_kelurahan": person.regionCode]
        if let v = try person.nikCipher.map(vault.decrypt) { fields["nik"] = v }
        if let v = try person.phoneCipher.map(vault.decrypt) { fields["hp"] = v }
        if let v = try person.addressCipher.map(vault.decrypt) { fields["alamat"] = v }
        for (key, value) in [("tempat_lahir", person.birthPlace), ("tanggal_lahir", person.birthDate), ("jenis_kelamin", person.sex),
                             ("rt", person.rt), ("rw", person.rw), ("pekerjaan", person.occupation),
                             ("status_perkawinan", person.maritalStatus)] {
            if let value { fields[key] = value }
        }
        if person.photoCipher != nil { fields["foto"] = "tersimpan (JPEG, terenkripsi)" }
        let memberships = try await Membership.query(on: req.db).filter(\.$person.$id == id).all()
        let labels = try await OrgLevelLabels.load(on: req.db)
        let offices = try await OfficeTerm.query(on: req.db).filter(\.$person.$id == id).with(\.$orgUnit).all()
        let entityIDs = [id.uuidString] + memberships.compactMap { $0.id?.uuidString }
        let access = try await AuditEntry.query(on: req.db).filter(\.$entityID ~~ entityIDs).sort(\.$at).all()
        let copy = Copy(
            exportedAt: Date(), person: fields,
            memberships: memberships.map { .init(status: $0.status.label, number: $0.number, validUntil: $0.validUntil,
                                                 registeredAt: $0.registeredAt, channel: $0.channel.rawValue) },
            consents: try await Consent.query(on: req.db).filter(\.$person.$id == id).sort(\.$at).all()
                .map { .init(purpose: $0.purpose.label, granted: $0.granted, at: $0.at, source: $0.source) },
            offices: offices.map { .init(unit: labels.displayName(of: $0.orgUnit), body: $0.body, position: $0.position,
                                         startedOn: $0.startedOn, endedOn: $0.endedOn) },
            timeline: try await req.people.timeline(of: person),
            accessLog: access.map { .init(at: $0.at, username: $0.username, action: $0.action) })
        try await req.audit.record("export.person", entity: "person", id: id.uuidString, scope: person.scope,
                                   detail: "salinan data subjek")
        return copy
    }

    /// Removes everything that identifies the person; counts and history stay, nameless.
    func anonymise(_ person: Person, reason: String) async throws {
        try requireRights(person)
        let user = try req.requireUser()
        let id = try person.requireID()
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ValidationFailure(errors: [FieldError(field: "reason", message: "Alasan penghapusan wajib diisi (mis. permintaan yang bersangkutan tanggal …).")])
        }
        guard person.anonymisedAt == nil else { throw Abort(.conflict, reason: "Data orang ini sudah dianonimkan.") }
        let memberships = try await Membership.query(on: req.db).filter(\.$person.$id == id).all()
        try await req.db.transaction { db in
            person.fullName = "Anonim \(id.uuidString.prefix(6))"
            person.nameSearch = person.fullName.lowercased()
            person.nikCipher = nil; person.nikIndex = nil; person.nikMasked = nil; person.nikRegion = nil
            person.phoneCipher = nil; person.phoneIndex = nil; person.phoneMasked = nil
            person.addressCipher = nil; person.photoCipher = nil
            person.birthPlace = nil; person.birthDate = nil; person.rt = nil; person.rw = nil; person.occupation = nil
            person.anonymisedAt = Date()
            try await person.save(on: db)
            try await NameToken.query(on: db).filter(\.$person.$id == id).delete()
            for m in memberships where m.status == .active || m.status == .pending || m.status == .verified {
                m.status = .inactive
                m.verifyCode = nil
                try await m.save(on: db)
            }
            // Free-text lines may name the person; the events stay as facts, their text goes.
            try await PersonEvent.query(on: db).filter(\.$person.$id == id).set(\.$summary, to: "(disamarkan)").update()
            let entityIDs = [id.uuidString] + memberships.compactMap { $0.id?.uuidString }
            try await AuditEntry.query(on: db).filter(\.$entityID ~~ entityIDs).set(\.$detail, to: "(disamarkan)").update()
            try await PersonEvent(personID: id, module: "people", kind: "person.anonymised",
                                  summary: "Data pribadi dihapus (dianonimkan) atas permintaan; diproses oleh \(user.displayName).",
                                  actorID: user.id, scope: person.scope).create(on: db)
            try await req.audit.record("person.anonymise", entity: "person", id: id.uuidString, scope: person.scope,
                                       detail: trimmed, on: db)
        }
    }

    private func requireRights(_ person: Person) throws {
        try req.peoplePolicy.requireReveal(person)
        try req.peoplePolicy.requireEdit(person)
    }
}

extension Request {
    var dataSubjectRights: DataSubjectRights { DataSubjectRights(req: self) }
}
