import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import SimpulCore
import Vapor

/// Group commit for election-night tallies. Every submission waits in one queue; a single
/// writer takes whatever has arrived and stores it in one transaction with a handful of
/// statements, whatever the batch size (SQLite has one writer and each statement costs a
/// thread hop, so per-submission transactions cap out at a few hundred a second). Each
/// caller still gets its own answer: accepted, duplicate, conflict, a replayed receipt,
/// or its own error (not found, arithmetic) — one bad sheet never fails the others.
actor TallyIngest {
    struct Job: Sendable {
        let stationID: UUID
        let input: TallyInput
        let userID: UUID
        let username: String
        let access: AccessScope
    }

    typealias Outcome = Result<(TallyReceipt, created: Bool), any Error>

    private var queue: [(Job, CheckedContinuation<(TallyReceipt, created: Bool), any Error>)] = []
    private var draining = false
    private let db: any Database
    private var parties: [UUID: (loaded: Date, table: TallyService.PartyTable)] = [:]
    static let maximumBatch = 500

    init(db: any Database) { self.db = db }

    func submit(_ job: Job) async throws -> (TallyReceipt, created: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            queue.append((job, continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.maximumBatch))
            queue.removeFirst(batch.count)
            var outcomes: [Outcome]
            do {
                outcomes = try await commit(batch.map(\.0))
            } catch {
                // The batch failed as a whole (a database error): retry each on its own so
                // only the submission that causes it fails.
                outcomes = []
                for (job, _) in batch {
                    do { outcomes.append(try await commit([job])[0]) } catch { outcomes.append(.failure(error)) }
                }
            }
            for ((_, continuation), outcome) in zip(batch, outcomes) { continuation.resume(with: outcome) }
        }
        draining = false
    }

    /// Parties per election, kept a minute (they do not change on election night).
    private func partyTable(_ election: UUID, on db: any Database) async throws -> TallyService.PartyTable {
        if let cached = parties[election], cached.loaded > Date().addingTimeInterval(-60) { return cached.table }
        let list = try await Party.query(on: db).filter(\.$election.$id == election).sort(\.$number).all()
        let table = TallyService.PartyTable(list)
        parties[election] = (Date(), table)
        return table
    }

    /// A TPS as the writer reads it: one raw row, no Fluent model.
    private struct Station {
        let electionID: UUID
        let place: TallyTotals.Place
        let number: Int
        let registered: Int
        let scope: String
        var acceptedSubmissionID: UUID?
        var label: String { PollingStation.label(number) }
    }

    private struct Pair: Hashable {
        let station: UUID
        let other: String
    }

    private struct Assignment: Hashable {
        let station: UUID
        let user: UUID
    }

    /// A submission to insert.
    private struct NewSubmission {
        let id: UUID
        let station: UUID
        let election: UUID
        let job: Job
        let sheetJSON: String
        let sheet: TallySheet
        let status: TallySubmission.Status
    }

    private func commit(_ jobs: [Job]) async throws -> [Outcome] {
        let ids = Array(Set(jobs.map(\.stationID)))
        let users = Array(Set(jobs.map(\.userID)))
        return try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            // Write first: the TPS rows are locked (PostgreSQL) / the write lock is taken
            // (SQLite) before anything is read; the same statement returns the rows.
            var stations: [UUID: Station] = [:]
            stations.reserveCapacity(ids.count)
            for row in try await sql.raw("""
                UPDATE polling_stations SET status = status WHERE id IN (\(binds: ids))
                RETURNING id, election_id, dapil_id, region_code, number, registered, scope, accepted_submission_id
                """).all() {
                let election = try row.decode(column: "election_id", as: UUID.self)
                stations[try row.decode(column: "id", as: UUID.self)] = Station(
                    electionID: election,
                    place: .init(election: election, dapil: try row.decode(column: "dapil_id", as: UUID.self),
                                 region: try row.decode(column: "region_code", as: String.self)),
                    number: try row.decode(column: "number", as: Int.self),
                    registered: try row.decode(column: "registered", as: Int.self),
                    scope: try row.decode(column: "scope", as: String.self),
                    acceptedSubmissionID: try row.decodeNil(column: "accepted_submission_id")
                        ? nil : try row.decode(column: "accepted_submission_id", as: UUID.self))
            }
            var assigned = Set<Assignment>()
            if !stations.isEmpty {
                for row in try await sql.raw("""
                    SELECT polling_station_id, user_id FROM witness_assignments
                    WHERE polling_station_id IN (\(binds: ids)) AND user_id IN (\(binds: users))
                    """).all() {
                    assigned.insert(Assignment(station: try row.decode(column: "polling_station_id", as: UUID.self),
                                               user: try row.decode(column: "user_id", as: UUID.self)))
                }
            }
            // Earlier submissions with the same clientRef: answered with their receipt.
            let refs = Array(Set(jobs.compactMap(\.input.clientRef)))
            var replays: [Pair: (id: UUID, status: TallySubmission.Status)] = [:]
            if !refs.isEmpty {
                for row in try await sql.raw("""
                    SELECT id, polling_station_id, client_ref, CAST(status AS TEXT) AS status FROM tally_submissions
                    WHERE polling_station_id IN (\(binds: ids)) AND client_ref IN (\(binds: refs))
                    """).all() {
                    guard let status = TallySubmission.Status(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
                    replays[Pair(station: try row.decode(column: "polling_station_id", as: UUID.self),
                                 other: try row.decode(column: "client_ref", as: String.self))] =
                        (try row.decode(column: "id", as: UUID.self), status)
                }
            }
            let acceptedIDs = stations.values.compactMap(\.acceptedSubmissionID)
            var acceptedSheets: [UUID: TallySheet] = [:]
            if !acceptedIDs.isEmpty {
                let decoder = JSONDecoder()
                for row in try await sql.raw("SELECT id, sheet FROM tally_submissions WHERE id IN (\(binds: acceptedIDs))").all() {
                    if let sheet = try? decoder.decode(TallySheet.self, from: Data(try row.decode(column: "sheet", as: String.self).utf8)) {
                        acceptedSheets[try row.decode(column: "id", as: UUID.self)] = sheet
                    }
                }
            }

            var outcomes: [Outcome] = []
            outcomes.reserveCapacity(jobs.count)
            var created: [NewSubmission] = []
            var newlyAccepted: [(station: UUID, submission: UUID)] = []
            var acceptedPlaces: [(place: TallyTotals.Place, sheet: TallySheet)] = []
            var conflicted: Set<UUID> = []
            // Time-ordered ids: the submissions' primary-key index grows at its end instead of
            // writing a random page per tally (see TimeOrderedID).
            var ids = TimeOrderedID()
            for job in jobs {
                guard var station = stations[job.stationID],
                      ElectoralPolicy(access: job.access).maySubmitTally(
                        toScope: station.scope, assigned: assigned.contains(Assignment(station: job.stationID, user: job.userID)))
                else { outcomes.append(.failure(Abort(.notFound, reason: "TPS tidak ditemukan."))); continue }
                if let ref = job.input.clientRef, let earlier = replays[Pair(station: job.stationID, other: ref)] {
                    outcomes.append(.success((TallyService.receipt(id: earlier.id, status: earlier.status, label: station.label), false)))
                    continue
                }
                let sheet: TallySheet
                do {
                    sheet = try TallyService.sheet(job.input, registered: station.registered, label: station.label,
                                                   parties: try await self.partyTable(station.electionID, on: tx))
                } catch {
                    outcomes.append(.failure(error)); continue
                }
                let id = ids.next()
                let status: TallySubmission.Status
                if let acceptedID = station.acceptedSubmissionID, let accepted = acceptedSheets[acceptedID] {
                    status = sheet.sameCount(as: accepted) ? .duplicate : .conflict
                    if status == .conflict { conflicted.insert(job.stationID) }
                } else {
                    status = .accepted
                    station.acceptedSubmissionID = id
                    stations[job.stationID] = station
                    acceptedSheets[id] = sheet
                    newlyAccepted.append((job.stationID, id))
                    acceptedPlaces.append((station.place, sheet))
                }
                if let ref = job.input.clientRef { replays[Pair(station: job.stationID, other: ref)] = (id, status) }
                created.append(NewSubmission(id: id, station: job.stationID, election: station.electionID, job: job,
                                             sheetJSON: sheet.jsonText, sheet: sheet, status: status))
                outcomes.append(.success((TallyService.receipt(id: id, status: status, label: station.label), true)))
            }

            let now = Date()
            for chunk in created.chunked(200) {
                var query = SQLQueryString("""
                    INSERT INTO tally_submissions (id, polling_station_id, election_id, user_id, username, client_ref, sheet,
                    voters_present, valid_votes, invalid_votes, status, created_at) VALUES
                    """)
                for (i, s) in chunk.enumerated() {
                    query.appendLiteral(i == 0 ? " " : ", ")
                    // The status is one of the enum's own cases, written as a literal (PostgreSQL
                    // casts it to tally_submission_status; a text bind would not be).
                    query.appendInterpolation(SQLQueryString("""
                        (\(bind: s.id), \(bind: s.station), \(bind: s.election), \(bind: s.job.userID), \(bind: s.job.username), \
                        \(bind: s.job.input.clientRef), \(bind: s.sheetJSON), \(bind: s.sheet.votersPresent), \(bind: s.sheet.validVotes), \
                        \(bind: s.sheet.invalidVotes), '\(unsafeRaw: s.status.rawValue)', \(bind: now))
                        """))
                }
                try await sql.raw(query).run()
            }
            for chunk in newlyAccepted.chunked(200) {
                var pairs = SQLQueryString("")
                for (i, a) in chunk.enumerated() {
                    pairs.appendLiteral(i == 0 ? "SELECT " : " UNION ALL SELECT ")
                    pairs.appendInterpolation(SQLQueryString("\(bind: a.station) AS id, \(bind: a.submission) AS sid"))
                }
                try await sql.raw("""
                    UPDATE polling_stations SET status = 'reported', accepted_submission_id = v.sid, reported_at = \(bind: now)
                    FROM (\(pairs)) AS v WHERE polling_stations.id = v.id
                    """).run()
            }
            // After the 'reported' update: a TPS accepted and contradicted in one batch ends
            // as a conflict, as it does when the two arrive in different batches.
            if !conflicted.isEmpty {
                try await sql.raw("UPDATE polling_stations SET status = 'conflict' WHERE id IN (\(binds: Array(conflicted)))").run()
            }
            try await TallyTotals.apply(acceptedPlaces, sign: 1, on: tx)
            return outcomes
        }
    }
}

extension Application {
    private struct TallyIngestKey: StorageKey { typealias Value = TallyIngest }

    /// The one tally writer of this server (created in configure).
    var tallyIngest: TallyIngest {
        get { storage[TallyIngestKey.self]! }
        set { storage[TallyIngestKey.self] = newValue }
    }
}
