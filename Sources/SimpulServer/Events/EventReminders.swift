import Fluent
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SimpulCore
import Vapor

/// One reminder ready to go out.
struct ReminderMessage: Content, Sendable {
    let reminderID: UUID
    let eventID: UUID
    let kind: String
    /// Full number (628…); only the sender sees it.
    let phone: String
    let text: String
}

/// Delivers reminders. There is no SMS or WhatsApp gateway in Simpul: the log sender
/// writes each message to the server log (masked), the webhook sender POSTs it as JSON
/// to a gateway of the party's choice. Chosen by SIMPUL_REMINDER_WEBHOOK_URL.
protocol ReminderSender: Sendable {
    /// Recorded on each sent reminder ("log", "webhook").
    var channel: String { get }
    func send(_ message: ReminderMessage) async throws
}

struct LogReminderSender: ReminderSender {
    let logger: Logger
    var channel: String { "log" }

    func send(_ message: ReminderMessage) async throws {
        logger.notice("pengingat \(message.kind) ke \(IndonesianPhone.mask(message.phone)): \(message.text)")
    }
}

struct WebhookReminderSender: ReminderSender {
    let url: URI
    let client: any Client
    /// Sent as `Authorization: Bearer …` when set (SIMPUL_REMINDER_WEBHOOK_TOKEN).
    let token: String?
    var channel: String { "webhook" }

    func send(_ message: ReminderMessage) async throws {
        let res = try await client.post(url) { req in
            try req.content.encode(message)
            if let token { req.headers.bearerAuthorization = .init(token: token) }
        }
        guard (200..<300).contains(res.status.code) else {
            throw Abort(.badGateway, reason: "Gateway menjawab \(res.status.code).")
        }
    }
}

struct ReminderRun: Content, Equatable {
    var sent = 0
    var skipped = 0
    var failed = 0
}

enum EventReminders {
    struct SenderKey: StorageKey { typealias Value = any ReminderSender }

    static let maxAttempts = 3

    /// The configured sender: a test or deployment override, else the webhook when
    /// SIMPUL_REMINDER_WEBHOOK_URL is set, else the log.
    static func sender(for app: Application) -> any ReminderSender {
        if let s = app.storage[SenderKey.self] { return s }
        if let raw = Environment.get("SIMPUL_REMINDER_WEBHOOK_URL"), !raw.isEmpty {
            return WebhookReminderSender(url: URI(string: raw), client: app.client, token: Environment.get("SIMPUL_REMINDER_WEBHOOK_TOKEN"))
        }
        return LogReminderSender(logger: app.logger)
    }

    static func text(kind: String, event e: PartyEvent) -> String {
        let when = kind == ReminderSchedule.Kind.dayBefore.rawValue ? "besok" : "hari ini"
        var where_ = ""
        if e.mode.hasHall { where_ += " di \(e.venue)" }
        if e.mode.hasStream, !e.onlineURL.isEmpty { where_ += (e.mode.hasHall ? ", daring: " : " daring: ") + e.onlineURL }
        return "Pengingat: \(e.title) \(when), \(EventTime.text(e.startsAt))\(where_). Balas STOP bila tidak ingin dihubungi lagi."
    }

    /// Sends every reminder due by `now`. Rows are claimed with one UPDATE under a fresh
    /// token first, so two servers running the job never send the same reminder twice.
    /// Consent is checked again at sending time (a member may have withdrawn it).
    @discardableResult
    static func sendDue(on db: any Database, vault: PersonalDataVault, sender: any ReminderSender, now: Date = Date(), limit: Int = 200) async throws -> ReminderRun {
        let claim = UUID().uuidString
        // A runner that died while sending leaves rows in "sending": after ten minutes they
        // go back to the queue (a message may then go out twice, never not at all).
        try await EventReminder.query(on: db).filter(\.$status == .sending).filter(\.$claimedAt < now.addingTimeInterval(-600))
            .set(\.$status, to: .pending).set(\.$claim, to: nil).update()
        let due = try await EventReminder.query(on: db).filter(\.$status == .pending).filter(\.$dueAt <= now)
            .sort(\.$dueAt).limit(limit).all()
        guard !due.isEmpty else { return ReminderRun() }
        for r in due {
            // Per row: a conditional update is the claim; only one runner's token sticks.
            try await EventReminder.query(on: db).filter(\.$id == r.requireID()).filter(\.$status == .pending)
                .set(\.$status, to: .sending).set(\.$claim, to: claim).set(\.$claimedAt, to: now).update()
        }
        let mine = try await EventReminder.query(on: db).filter(\.$claim == claim).filter(\.$status == .sending)
            .with(\.$event).with(\.$registration).all()
        let personIDs = mine.compactMap(\.registration.personID)
        let consents = try await Events.memberConsents(personIDs, on: db)
        let people = personIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Person.query(on: db).filter(\.$id ~~ personIDs).all().map { ($0.id!, $0) })
        var run = ReminderRun()
        for r in mine {
            let reg = r.registration
            var phoneCipher: String?
            var consent: Bool
            if let pid = reg.personID {
                consent = consents[pid] ?? false
                phoneCipher = people[pid]?.phoneCipher
            } else {
                consent = reg.contactConsent
                phoneCipher = reg.phoneCipher
            }
            if r.event.cancelled || r.event.startsAt <= now {
                r.status = .skipped
                r.lastError = r.event.cancelled ? "Kegiatan dibatalkan." : "Kegiatan sudah dimulai."
                run.skipped += 1
            } else if !consent {
                r.status = .skipped
                r.lastError = "Tanpa persetujuan dihubungi."
                run.skipped += 1
            } else if let phoneCipher, let phone = try? vault.decrypt(phoneCipher) {
                do {
                    try await sender.send(ReminderMessage(reminderID: r.id!, eventID: r.event.id!, kind: r.kind, phone: phone,
                                                          text: text(kind: r.kind, event: r.event)))
                    r.status = .sent
                    r.sentAt = Date()
                    r.channel = sender.channel
                    r.lastError = nil
                    run.sent += 1
                } catch {
                    r.attempts += 1
                    r.lastError = String(describing: error).prefix(300).description
                    r.status = r.attempts >= maxAttempts ? .failed : .pending
                    run.failed += 1
                }
            } else {
                r.status = .skipped
                r.lastError = "Tanpa nomor HP."
                run.skipped += 1
            }
            r.claim = nil
            try await r.update(on: db)
        }
        return run
    }

    /// Runs the outbox every `SIMPUL_REMINDER_INTERVAL` seconds (e.g. 60) while serving.
    /// With several app servers, any may run it: claims keep each reminder to one sender.
    static func install(_ app: Application) {
        guard let raw = Environment.get("SIMPUL_REMINDER_INTERVAL"), let seconds = Int64(raw), seconds > 0 else { return }
        app.lifecycle.use(ReminderJob(seconds: seconds))
    }
}

final class ReminderJob: LifecycleHandler, Sendable {
    let seconds: Int64
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    init(seconds: Int64) { self.seconds = seconds }

    func shutdown(_ application: Application) {
        task.withLockedValue { $0?.cancel(); $0 = nil }
    }

    func didBoot(_ app: Application) throws {
        let db = app.db
        let vault = app.vault
        let logger = app.logger
        let sender = EventReminders.sender(for: app)
        let loop = app.eventLoopGroup.next()
        let repeated = loop.scheduleRepeatedAsyncTask(initialDelay: .seconds(seconds), delay: .seconds(seconds)) { _ in
            let promise = loop.makePromise(of: Void.self)
            promise.completeWithTask {
                do {
                    let run = try await EventReminders.sendDue(on: db, vault: vault, sender: sender)
                    if run != ReminderRun() { logger.info("pengingat: \(run.sent) terkirim, \(run.skipped) dilewati, \(run.failed) gagal") }
                } catch {
                    logger.error("pengingat gagal dijalankan: \(error)")
                }
            }
            return promise.futureResult
        }
        task.withLockedValue { $0 = repeated }
    }
}

/// `simpul send-reminders`: sends the reminders due now (for a cron job).
struct SendRemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Kirim pengingat kegiatan yang sudah jatuh tempo (H-1, H-0)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let run = try await EventReminders.sendDue(on: app.db, vault: app.vault, sender: EventReminders.sender(for: app))
        context.console.print("Pengingat: \(run.sent) terkirim, \(run.skipped) dilewati, \(run.failed) gagal.")
    }
}
