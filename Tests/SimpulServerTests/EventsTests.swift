import Fluent
import NIOConcurrencyHelpers
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// Keeps what it was asked to send; fails while `failing` is set.
final class RecordingSender: ReminderSender, @unchecked Sendable {
    let sent = NIOLockedValueBox<[ReminderMessage]>([])
    let failing = NIOLockedValueBox(false)
    var channel: String { "test" }

    func send(_ message: ReminderMessage) async throws {
        if failing.withLockedValue({ $0 }) { throw Abort(.badGateway, reason: "gateway mati") }
        sent.withLockedValue { $0.append(message) }
    }
}

@Suite("Kegiatan: hibrida, pendaftaran, presensi e-KTA, penonton daring, pengingat")
struct EventsTests {
    func post(_ app: Application, _ path: String, _ token: String, _ body: [String: String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/\(path)", headers: .bearer(token), beforeRequest: { req in
            try req.content.encode(body)
        })
    }

    func get(_ app: Application, _ path: String, _ token: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, "/api/v1/\(path)", headers: .bearer(token))
    }

    /// An active member of kelurahan Curug with a phone and a contact consent.
    func member(_ app: Application, _ name: String, sequence: Int, phone: String, consent: Bool) async throws -> String {
        let m = try await CandidatesTests.member(app, name, sex: "P", in: "36.73.04.1001",
                                                 number: try MemberNumber(kelurahanCode: "36.73.04.1001", sequence: sequence).formatted)
        m.validUntil = CivilDate(Date()).adding(years: 5).iso8601
        try await m.update(on: app.db)
        let person = try await m.$person.get(on: app.db)
        person.phoneCipher = try app.vault.encrypt(phone)
        person.phoneMasked = IndonesianPhone.mask(phone)
        try await person.update(on: app.db)
        try await Consent(personID: person.requireID(), purpose: .contact, granted: consent, source: "test").create(on: app.db)
        return m.number!
    }

    @Test("a hybrid event: 2 in the hall by check-in, 1,808 online by count; another kecamatan sees nothing")
    func hybrid() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            try await f.user("desk", role: .operator, at: "36.73.04")
            try await f.user("watch", role: .pengamat, at: "36.73.04")
            try await f.user("other", role: .pengurus, at: "36.73.05")
            let dpc = try await f.token("dpc"), desk = try await f.token("desk"), watch = try await f.token("watch"), other = try await f.token("other")
            let curug = try await f.unit("36.73.04").id!.uuidString
            let starts = EventTime.input(Date().addingTimeInterval(3 * 86_400))

            let bad = try await post(app, "events", dpc, ["unitID": curug, "mode": "hybrid", "onlineURL": "youtube.com/x", "startsAt": "besok"])
            #expect(Set(try bad.content.get([FieldError].self, at: "fields").map(\.field)) == ["title", "venue", "onlineURL", "startsAt"])
            #expect(try await post(app, "events", desk, ["unitID": curug, "title": "X", "mode": "online", "startsAt": starts]).status == .forbidden)  // a check-in desk may not create events: refused before the form is read
            let created = try await post(app, "events", dpc, ["unitID": curug, "title": "Konsolidasi Kader Curug", "mode": "hybrid",
                                                              "venue": "Aula Kecamatan Curug", "onlineURL": "https://youtube.com/live/abc", "startsAt": starts])
            #expect(created.status == .created)
            let event = try created.content.decode(EventDTO.self)
            #expect(event.endsAt.timeIntervalSince(event.startsAt) == 3 * 3600)

            let number = try await member(app, "Siti Aminah", sequence: 1, phone: "081234567890", consent: true)
            // Guests: one agrees to reminders, one does not; a phone is required with consent.
            let noPhone = try await post(app, "events/\(event.id)/registrations", desk, ["name": "Budi", "contactConsent": "on"])
            #expect(try noPhone.content.get([FieldError].self, at: "fields").map(\.field) == ["phone"])
            #expect(try await post(app, "events/\(event.id)/registrations", desk, ["name": "Budi Santoso", "phone": "0812 9876 5432", "contactConsent": "on"]).status == .created)
            let reg = try await post(app, "events/\(event.id)/registrations", desk, ["name": "Rina", "phone": "081311112222", "attendMode": "online"])
            let detail = try reg.content.decode(EventDetail.self)
            #expect(detail.registrations.map(\.name) == ["Budi Santoso", "Rina"])
            #expect(detail.registrations[0].phoneMasked == "0812******32" || detail.registrations[0].phoneMasked?.hasSuffix("32") == true)
            #expect(!reg.body.string.contains("081298765432"))
            #expect(detail.event.counts.registeredOnline == 1 && detail.event.counts.registeredInPerson == 1)
            let unknown = try await post(app, "events/\(event.id)/registrations", desk, ["scan": "3673041001-000099-1"])
            #expect(try unknown.content.get([FieldError].self, at: "fields").map(\.field) == ["scan"])

            // Check-in: the member by typed KTA number (a walk-in), twice; the guest by registration.
            let first = try await post(app, "events/\(event.id)/checkins", desk, ["scan": number]).content.decode(CheckInResult.self)
            #expect(first.ok && first.message.contains("Siti Aminah"))
            let twice = try await post(app, "events/\(event.id)/checkins", desk, ["scan": number]).content.decode(CheckInResult.self)
            #expect(!twice.ok && twice.message.contains("sudah tercatat hadir"))
            let budi = try #require(detail.registrations.first { $0.name == "Budi Santoso" })
            let second = try await post(app, "events/\(event.id)/checkins", desk, ["registrationID": budi.id.uuidString]).content.decode(CheckInResult.self)
            #expect(second.counts.checkedIn == 2 && second.counts.walkIns == 1)

            // Online: counts per source, the latest of each source stands.
            #expect(try await post(app, "events/\(event.id)/online-counts", desk, ["source": "YouTube", "viewers": "900"]).status == .forbidden)
            _ = try await post(app, "events/\(event.id)/online-counts", dpc, ["source": "YouTube DPD", "viewers": "900"])
            _ = try await post(app, "events/\(event.id)/online-counts", dpc, ["source": "YouTube DPD", "viewers": "1.500"])
            let last = try await post(app, "events/\(event.id)/online-counts", dpc, ["source": "Zoom", "viewers": "308"])
            let counts = try last.content.decode(EventDTO.self).counts
            #expect(counts.checkedIn == 2 && counts.onlineViewers == 1_808 && counts.total == 1_810)
            let badCount = try await post(app, "events/\(event.id)/online-counts", dpc, ["source": "", "viewers": "-5"])
            #expect(Set(try badCount.content.get([FieldError].self, at: "fields").map(\.field)) == ["source", "viewers"])

            // Scope: another kecamatan sees nothing and changes nothing; an observer cannot check in.
            #expect(try await get(app, "events/\(event.id)", other).status == .notFound)
            #expect(try await post(app, "events/\(event.id)/checkins", other, ["scan": number]).status == .notFound)
            #expect(try await post(app, "events/\(event.id)/registrations", other, ["name": "X"]).status == .notFound)
            #expect(try await get(app, "events", other).content.decode([EventDTO].self).isEmpty)
            #expect(try await get(app, "events/\(event.id)", watch).status == .ok)
            #expect(try await post(app, "events/\(event.id)/checkins", watch, ["scan": number]).status == .forbidden)
        }
    }

    @Test("reminders: H-1 and H-0 per consenting registrant, sent once, consent withdrawn is respected, failures retried then given up")
    func reminders() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            try await f.user("dpd", role: .pengurus, at: "36.73")
            let dpc = try await f.token("dpc"), dpd = try await f.token("dpd")
            let start = Date().addingTimeInterval(2 * 86_400).addingTimeInterval(3600)
            let event = try await post(app, "events", dpc, ["unitID": try await f.unit("36.73.04").id!.uuidString, "title": "Webinar Pemilih Muda",
                                                            "mode": "online", "onlineURL": "https://zoom.us/j/1", "startsAt": EventTime.input(start)])
                .content.decode(EventDTO.self)
            let number = try await member(app, "Siti Aminah", sequence: 1, phone: "081234567890", consent: true)
            _ = try await post(app, "events/\(event.id)/registrations", dpc, ["scan": number])
            _ = try await post(app, "events/\(event.id)/registrations", dpc, ["name": "Budi Santoso", "phone": "081298765432", "contactConsent": "on"])
            _ = try await post(app, "events/\(event.id)/registrations", dpc, ["name": "Rina", "phone": "081311112222"])
            let scheduled = try await EventReminder.query(on: app.db).all()
            #expect(scheduled.count == 4)
            #expect(Set(scheduled.map(\.kind)) == ["H-1", "H-0"])
            #expect(try await get(app, "events/reminders", dpc).content.decode([ReminderDTO].self).count == 4)

            // Siti withdraws her consent before the day.
            let siti = try #require(try await Person.query(on: app.db).filter(\.$fullName == "Siti Aminah").first())
            let withdrawn = Consent(personID: try siti.requireID(), purpose: .contact, granted: false, source: "test")
            withdrawn.at = Date().addingTimeInterval(1)
            try await withdrawn.create(on: app.db)

            let sender = RecordingSender()
            let dayBefore = start.addingTimeInterval(-23 * 3600)
            let run = try await EventReminders.sendDue(on: app.db, vault: app.vault, sender: sender, now: dayBefore)
            #expect(run == ReminderRun(sent: 1, skipped: 1, failed: 0))
            #expect(sender.sent.withLockedValue { $0 }.map(\.phone) == ["6281298765432"] || sender.sent.withLockedValue { $0 }.map(\.phone) == ["081298765432"])
            #expect(sender.sent.withLockedValue { $0 }[0].text.contains("besok"))
            #expect(try await EventReminders.sendDue(on: app.db, vault: app.vault, sender: sender, now: dayBefore) == ReminderRun())

            // H-0 while the gateway is down: retried, then given up after three attempts.
            sender.failing.withLockedValue { $0 = true }
            let sameDay = start.addingTimeInterval(-2 * 3600)
            for _ in 0..<3 { #expect(try await EventReminders.sendDue(on: app.db, vault: app.vault, sender: sender, now: sameDay).failed == 1) }
            #expect(try await EventReminders.sendDue(on: app.db, vault: app.vault, sender: sender, now: sameDay) == ReminderRun())
            let statuses = try await EventReminder.query(on: app.db).sort(\.$dueAt).all().map(\.status)
            #expect(statuses.filter { $0 == .sent }.count == 1 && statuses.filter { $0 == .failed }.count == 1 && statuses.filter { $0 == .skipped }.count == 2)

            // The outbox run over HTTP is for the branch's officials, not a kecamatan.
            #expect(try await post(app, "events/reminders/send", dpc, [:]).status == .forbidden)
            app.storage[EventReminders.SenderKey.self] = sender
            #expect(try await post(app, "events/reminders/send", dpd, [:]).status == .ok)
        }
    }

    @Test("pages: create a hybrid event, check a member in by typing the KTA number, enter the online count, see both counts")
    func pages() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("dpc", role: .pengurus, at: "36.73.04")
            let number = try await member(app, "Siti Aminah", sequence: 1, phone: "081234567890", consent: true)
            let web = WebClient(app: app)
            try await web.login("dpc")
            let created = try await web.post("/events", form: ["unitID": try await f.unit("36.73.04").id!.uuidString, "title": "Konsolidasi Kader",
                                                                "mode": "hybrid", "venue": "Aula", "startsAt": "2026-12-01T09:00"])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers.first(name: .location))
            let page = try await web.get(location)
            #expect(page.body.string.contains("data-scan"))
            #expect(page.body.string.contains("01-12-2026 09.00 WIB"))
            let checked = try await web.post(location + "/checkins", form: ["scan": number])
            #expect(checked.status == .ok)
            #expect(checked.body.string.contains("Siti Aminah hadir"))
            #expect(try await web.post(location + "/online", form: ["source": "YouTube", "viewers": "1.808"]).status == .seeOther)
            let after = try await web.get(location)
            #expect(after.body.string.contains("<strong id=\"count-hall\">1</strong>"))
            #expect(after.body.string.contains("<strong id=\"count-online\">1.808</strong>"))
            #expect(try await web.get("/events").body.string.contains("Konsolidasi Kader"))
            #expect(try await web.get("/events/reminders").status == .ok)
        }
    }
}
