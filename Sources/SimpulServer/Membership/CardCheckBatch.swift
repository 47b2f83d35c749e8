import Fluent
import NIOConcurrencyHelpers
import NIOCore
import PostgresKit
import Vapor

/// Card checks on PostgreSQL, gathered per event loop: the checks that reach one loop in the
/// same turn go to the database as one prepared query (`verify_code = ANY($1)`), so under load
/// PostgreSQL parses, binds and answers once for many cards instead of once per card. A lone
/// check is a batch of one and waits only for the rest of its loop turn. Each loop's pending
/// checks are touched on that loop only. One per application (`Application.cardCheckBatch`):
/// two applications may share event loops (the tests do) but never a database.
final class CardCheckBatch: Sendable {
    /// One query answers at most this many cards; a busier turn sends several.
    static let largest = 256

    private final class Pending: @unchecked Sendable {   // confined to its event loop
        var waiting: [String: [EventLoopPromise<MembershipService.CardRow?>]] = [:]
    }

    private let pendingByLoop = NIOLockedValueBox<[ObjectIdentifier: Pending]>([:])
    private let sent = NIOLockedValueBox(0)

    /// Queries sent so far (one per batch part), for tests and measurements.
    var queriesSent: Int { sent.withLockedValue { $0 } }

    func find(verifyCode: String, on db: any PostgresDatabase) -> EventLoopFuture<MembershipService.CardRow?> {
        let loop = db.eventLoop
        guard loop.inEventLoop else { return loop.flatSubmit { self.find(verifyCode: verifyCode, on: db) } }
        let pending = pendingByLoop.withLockedValue { all in
            if let found = all[ObjectIdentifier(loop)] { return found }
            let made = Pending()
            all[ObjectIdentifier(loop)] = made
            return made
        }
        let promise = loop.makePromise(of: MembershipService.CardRow?.self)
        // The first check of a turn schedules the send; the tasks NIO runs after this turn's
        // reads see every check those reads brought.
        if pending.waiting.isEmpty { loop.execute { self.send(pending, on: db) } }
        pending.waiting[verifyCode, default: []].append(promise)
        return promise.futureResult
    }

    private func send(_ pending: Pending, on db: any PostgresDatabase) {
        let waiting = pending.waiting
        pending.waiting = [:]
        let codes = Array(waiting.keys)
        sent.withLockedValue { $0 += (codes.count + Self.largest - 1) / Self.largest }
        for start in stride(from: 0, to: codes.count, by: Self.largest) {
            let part = Array(codes[start..<min(start + Self.largest, codes.count)])
            db.withConnection { connection in
                Self.statement(on: connection).flatMap { $0.execute([PostgresData(array: part.map(PostgresData.init(string:)), elementType: .text)]) }
            }.whenComplete { result in
                switch result {
                case .success(let rows):
                    do {
                        var found: [String: MembershipService.CardRow] = [:]
                        for row in rows {
                            let (code, card) = try MembershipService.CardRow.decodeBatched(row)
                            found[code] = card
                        }
                        for code in part { waiting[code]?.forEach { $0.succeed(found[code]) } }
                    } catch {
                        // A row that does not read is a fault, not an unknown card.
                        for code in part { waiting[code]?.forEach { $0.fail(error) } }
                    }
                case .failure(let error):
                    for code in part { waiting[code]?.forEach { $0.fail(error) } }
                }
            }
        }
    }

    // The statement is prepared on each connection (whichever application it serves) the
    // first time it is needed and kept until the connection closes, so PostgreSQL skips
    // parsing and planning (pgbench on the single card query: 5,056 tps sent as text, 20,304
    // prepared). The futures API keeps the check on its event loop; PostgresNIO's async
    // prepared statements hop to the concurrency pool.
    private static let prepared = NIOLockedValueBox<[ObjectIdentifier: PreparedQuery]>([:])

    private static func statement(on connection: PostgresConnection) -> EventLoopFuture<PreparedQuery> {
        let key = ObjectIdentifier(connection)
        if let statement = prepared.withLockedValue({ $0[key] }) {
            return connection.eventLoop.makeSucceededFuture(statement)
        }
        return connection.prepare(query: MembershipService.CardRow.postgresBatchQuery).map { statement in
            prepared.withLockedValue { $0[key] = statement }
            connection.closeFuture.whenComplete { _ in _ = prepared.withLockedValue { $0.removeValue(forKey: key) } }
            return statement
        }
    }
}

extension Application {
    private struct CardCheckBatchKey: StorageKey { typealias Value = CardCheckBatch }

    /// Set when the database is PostgreSQL.
    var cardCheckBatch: CardCheckBatch? {
        get { storage[CardCheckBatchKey.self] }
        set { storage[CardCheckBatchKey.self] = newValue }
    }
}

extension MembershipService.CardRow {
    /// `query` for many codes at once, with the code it answers first. Every column is text:
    /// PostgresNIO's prepared queries label binary results as text, which only text columns survive.
    static let postgresBatchQuery = query
        .replacingOccurrences(of: "SELECT m.status", with: "SELECT m.verify_code, m.status")
        .replacingOccurrences(of: "u.level", with: "CAST(u.level AS TEXT)") + " ANY($1::text[])"

    static func decodeBatched(_ row: PostgresRow) throws -> (String, Self) {
        let (code, status, validUntil, name, unit, level) = try row.decode((String, String, String?, String, String, String).self)
        guard let level = Int(level) else { throw Abort(.internalServerError, reason: "Tingkat unit tidak terbaca: \(level)") }
        return (code, Self(status: status, validUntil: validUntil, fullName: name, unitName: unit, level: level))
    }
}
