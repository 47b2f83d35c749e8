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
    private var parties: [UUID: (loaded: Date, list: [Party])] = [:]
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
    private func partyList(_ election: UUID, on db: any Database) async throws -> [Party] {
        if let cached = parties[election], cached.loaded > Date().addingTimeInterval(-60) { return cached.list }
        let list = try await Party.query(on: db).filter(\.$election.$id == election).sort(\.$number).all()
        parties[election] = (Date(), list)
        return list
    }

    private func commit(_ jobs: [Job]) async throws -> [Outcome] {
        let ids = Array(Set(jobs.map(\.stationID)))
        return try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            // Write first: the TPS rows are locked (PostgreSQL) / the write lock is taken
            // (SQLite) before anything is read.
            try await sql.raw("UPDATE polling_stations SET status = status WHERE id IN (\(binds: ids))").run()
            var stations = Dictionary(uniqueKeysWithValues: try await PollingStation.query(on: tx).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
            let assigned = Set(try await WitnessAssignment.query(on: tx).filter(\.$pollingStationID ~~ ids).all()
                .map { "\($0.pollingStationID)|\($0.userID)" })
            let refs = jobs.compactMap(\.input.clientRef)
            var replays: [String: TallySubmission] = [:]
            if !refs.isEmpty {
                for s in try await TallySubmission.query(on: tx).filter(\.$pollingStationID ~~ ids).filter(\.$clientRef ~~ refs).all() {
                    replays["\(s.pollingStationID)|\(s.clientRef ?? "")"] = s
                }
            }
            let acceptedIDs = stations.values.compactMap(\.acceptedSubmissionID)
            var acceptedSheets: [UUID: TallySheet] = [:]
            if !acceptedIDs.isEmpty {
                for s in try await TallySubmission.query(on: tx).filter(\.$id ~~ acceptedIDs).all() { acceptedSheets[s.id!] = s.sheet }
            }

            var outcomes: [Outcome] = []
            var created: [TallySubmission] = []
            var newlyAccepted: [(station: PollingStation, submission: UUID, sheet: TallySheet)] = []
            var conflicted: Set<UUID> = []
            let now = Date()
            for job in jobs {
                guard let station = stations[job.stationID] else {
                    outcomes.append(.failure(Abort(.notFound, reason: "TPS tidak ditemukan."))); continue
                }
                let policy = ElectoralPolicy(access: job.access)
                guard policy.maySubmitTally(to: station, assigned: assigned.contains("\(job.stationID)|\(job.userID)")) else { outcomes.append(.failure(Abort(.notFound, reason: "TPS tidak ditemukan."))); continue }
                if let ref = job.input.clientRef, let earlier = replays["\(job.stationID)|\(ref)"] {
                    outcomes.append(.success((TallyService.receipt(earlier, station), false))); continue
                }
                let sheet: TallySheet
                do {
                    sheet = try TallyService.sheet(job.input, station: station, parties: try await self.partyList(station.electionID, on: tx))
                } catch {
                    outcomes.append(.failure(error)); continue
                }
                let submission = TallySubmission()
                submission.id = UUID()
                submission.pollingStationID = job.stationID
                submission.electionID = station.electionID
                submission.userID = job.userID
                submission.username = job.username
                submission.clientRef = job.input.clientRef
                submission.sheetJSON = String(decoding: try JSONEncoder().encode(sheet), as: UTF8.self)
                submission.votersPresent = sheet.votersPresent
                submission.validVotes = sheet.validVotes
                submission.invalidVotes = sheet.invalidVotes
                submission.createdAt = now
                if let acceptedID = station.acceptedSubmissionID, let accepted = acceptedSheets[acceptedID] {
                    submission.status = sheet.sameCount(as: accepted) ? .duplicate : .conflict
                    if submission.status == .conflict {
                        station.status = .conflict
                        conflicted.insert(job.stationID)
                    }
                } else {
                    submission.status = .accepted
                    station.status = .reported
                    station.acceptedSubmissionID = submission.id
                    acceptedSheets[submission.id!] = sheet
                    newlyAccepted.append((station, submission.id!, sheet))
                }
                if let ref = job.input.clientRef { replays["\(job.stationID)|\(ref)"] = submission }
                stations[job.stationID] = station
                created.append(submission)
                outcomes.append(.success((TallyService.receipt(submission, station), true)))
            }

            for chunk in created.chunked(200) { try await chunk.create(on: tx) }
            for chunk in newlyAccepted.chunked(200) {
                var pairs = SQLQueryString("")
                for (i, a) in chunk.enumerated() {
                    pairs.appendLiteral(i == 0 ? "SELECT " : " UNION ALL SELECT ")
                    pairs.appendInterpolation(SQLQueryString("\(bind: try a.station.requireID()) AS id, \(bind: a.submission) AS sid"))
                }
                try await sql.raw("""
                    UPDATE polling_stations SET status = 'reported', accepted_submission_id = v.sid, reported_at = \(bind: now)
                    FROM (\(pairs)) AS v WHERE polling_stations.id = v.id
                    """).run()
            }
            let conflictIDs = conflicted.subtracting(newlyAccepted.map { $0.station.id! })
            if !conflictIDs.isEmpty {
                try await sql.raw("UPDATE polling_stations SET status = 'conflict' WHERE id IN (\(binds: Array(conflictIDs)))").run()
            }
            try await TallyTotals.apply(newlyAccepted.map { ($0.station, $0.sheet) }, sign: 1, on: tx)
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
