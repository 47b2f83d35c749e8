import Testing
@testable import SimpulCore

@Suite("Sainte-Laguë")
struct SainteLagueTests {

    // MARK: Hand-worked examples

    /// 6 seats; the worked example KPU officials and the press use (A 30.000 … E 5.000).
    @Test func pressExampleSixSeats() {
        let votes = ["A": 30_000, "B": 20_000, "C": 15_000, "D": 7_000, "E": 5_000]
        let result = SainteLague.allocation(votes: votes, seats: 6)
        #expect(result.seats == ["A": 2, "B": 2, "C": 1, "D": 1, "E": 0])
        // 30000/1, 20000/1, 15000/1, 30000/3, 7000/1, 20000/3
        #expect(result.awards.map(\.party) == ["A", "B", "C", "A", "D", "B"])
        #expect(result.awards.map(\.divisor) == [1, 1, 1, 3, 1, 3])
        #expect(result.awards.map(\.seatNumber) == [1, 2, 3, 4, 5, 6])
        #expect(result.excluded.isEmpty)
    }

    /// 5 seats: 36.000 / 18.000 / 15.000 / 9.000 / 6.000.
    @Test func fiveSeatExample() {
        let votes = ["Apel": 36_000, "Blimbing": 18_000, "Cokelat": 15_000, "Durian": 9_000, "Rambutan": 6_000]
        #expect(SainteLague.allocate(votes: votes, seats: 5) == ["Apel": 2, "Blimbing": 1, "Cokelat": 1, "Durian": 1, "Rambutan": 0])
    }

    /// 3 parties, 7 seats, worked by hand:
    /// A 10.000: 10000, 3333.3, 2000, 1428.6, 1111.1
    /// B  6.000:  6000, 2000,   1200,  857.1
    /// C  1.500:  1500,  500
    /// Top 7: 10000 A, 6000 B, 3333 A, 2000 A (tie with B, A has more votes), 2000 B, 1500 C, 1428.6 A.
    @Test func threePartiesSevenSeats() {
        let result = SainteLague.allocation(votes: ["A": 10_000, "B": 6_000, "C": 1_500], seats: 7)
        #expect(result.seats == ["A": 4, "B": 2, "C": 1])
        #expect(result.awards.map(\.party) == ["A", "B", "A", "A", "B", "C", "A"])
        #expect(result.awards[3].divisor == 5 && result.awards[4].divisor == 3)
    }

    @Test func singlePartyTakesEverySeat() {
        #expect(SainteLague.allocate(votes: ["A": 1], seats: 12) == ["A": 12])
    }

    // MARK: Ties

    @Test func tieGoesToMoreTotalVotes() {
        // Seat 2: A 300/3 = 100 vs B 100/1 = 100 → A, which has more votes.
        #expect(SainteLague.allocate(votes: ["A": 300, "B": 100], seats: 2) == ["A": 2, "B": 0])
    }

    @Test func tieWithEqualVotesGoesToLexicallyFirstID() {
        #expect(SainteLague.allocate(votes: ["PKB": 100, "Golkar": 100], seats: 1) == ["PKB": 0, "Golkar": 1])
        #expect(SainteLague.allocate(votes: ["b": 5, "a": 5, "c": 5], seats: 2) == ["a": 1, "b": 1, "c": 0])
    }

    @Test func priorityTieBreak() {
        let votes = ["A": 300, "B": 100]
        #expect(SainteLague.allocate(votes: votes, seats: 2, tieBreak: .priority(["B", "A"])) == ["A": 1, "B": 1])
        // Listed parties go before unlisted ones; unlisted fall back to votes, then id.
        #expect(SainteLague.allocate(votes: ["x": 7, "y": 7, "z": 7], seats: 1, tieBreak: .priority(["z"])) == ["x": 0, "y": 0, "z": 1])
        #expect(SainteLague.allocate(votes: ["x": 7, "y": 7, "z": 7], seats: 1, tieBreak: .priority(["q"])) == ["x": 1, "y": 0, "z": 0])
        // Priority only matters for exact ties.
        #expect(SainteLague.allocate(votes: ["A": 301, "B": 100], seats: 2, tieBreak: .priority(["B"])) == ["A": 2, "B": 0])
    }

    @Test func quotientsAreComparedExactlyNotInFloatingPoint() {
        // 3/3 == 1/1 exactly; and a huge vote count must not overflow the comparison.
        #expect(SainteLague.allocate(votes: ["A": 3, "B": 1], seats: 2) == ["A": 2, "B": 0])
        let big = Int.max / 2
        #expect(SainteLague.allocate(votes: ["A": big, "B": big - 1], seats: 3) == ["A": 2, "B": 1])
        #expect(SainteLague.compareFractions(big, 3, big, 3) == 0)
        #expect(SainteLague.compareFractions(big, 3, big - 1, 3) == 1)
        #expect(SainteLague.compareFractions(1, 3, 1, 2) == -1)
    }

    // MARK: Edge cases

    @Test func zeroSeatsAndZeroVotes() {
        #expect(SainteLague.allocate(votes: ["A": 10, "B": 5], seats: 0) == ["A": 0, "B": 0])
        #expect(SainteLague.allocate(votes: ["A": 0, "B": 0], seats: 3) == ["A": 0, "B": 0])
        #expect(SainteLague.allocate(votes: [:], seats: 3) == [:])
        // A party with no votes never gets a seat, even when seats are left over.
        #expect(SainteLague.allocate(votes: ["A": 1, "B": 0], seats: 3) == ["A": 3, "B": 0])
    }

    @Test func arrayFormSumsRepeatedParties() {
        let seats = SainteLague.allocate(votes: [(party: "A", votes: 10), (party: "B", votes: 12), (party: "A", votes: 5)], seats: 2)
        #expect(seats == ["A": 1, "B": 1])
        #expect(SainteLague.allocate(votes: [(party: "A", votes: 10), (party: "B", votes: 12), (party: "A", votes: 5)], seats: 1) == ["A": 1, "B": 0])
    }

    // MARK: Threshold (DPR)

    @Test func thresholdExcludesSmallPartiesAndExactlyFourPercentPasses() {
        let votes = ["A": 900, "B": 40, "C": 39, "D": 21]
        let result = SainteLague.allocation(votes: votes, seats: 10, threshold: 0.04)
        #expect(result.excluded == ["C", "D"])
        #expect(result.seats["C"] == 0 && result.seats["D"] == 0)
        #expect(result.seats["A"]! + result.seats["B"]! == 10)
        // Exact shares for thresholds that are not exact in binary (7% of 100 = 7).
        #expect(SainteLague.allocation(votes: ["A": 93, "B": 7], seats: 2, threshold: 0.07).excluded.isEmpty)
        #expect(SainteLague.allocation(votes: ["A": 94, "B": 6], seats: 2, threshold: 0.07).excluded == ["B"])
        // Without threshold (DPRD) everybody takes part.
        #expect(SainteLague.allocation(votes: votes, seats: 10).excluded.isEmpty)
    }

    @Test func qualifiedSetForADapilOfANationalElection() {
        let dapil = ["A": 50_000, "B": 40_000, "C": 30_000]
        let result = SainteLague.allocation(votes: dapil, seats: 3, qualified: ["A", "B"])
        #expect(result.excluded == ["C"])
        #expect(result.seats == ["A": 2, "B": 1, "C": 0])
    }

    // MARK: Quotient table

    @Test func quotientTable() {
        let rows = SainteLague.quotients(votes: ["B": 20_000, "A": 30_000, "E": 5_000, "C": 15_000, "D": 7_000], seats: 6)
        #expect(rows.map(\.party) == ["A", "B", "C", "D", "E"])
        #expect(rows.map(\.seats) == [2, 2, 1, 1, 0])
        #expect(rows.allSatisfy { $0.cells.count == 6 })
        #expect(rows[0].cells.map(\.divisor) == [1, 3, 5, 7, 9, 11])
        #expect(rows[0].cells.map(\.seatNumber) == [1, 4, nil, nil, nil, nil])
        #expect(rows[1].cells[1].seatNumber == 6)
        #expect(abs(rows[1].cells[1].quotient - 6666.666) < 0.001)
        #expect(rows[4].cells.allSatisfy { $0.seatNumber == nil })
        let wide = SainteLague.quotients(votes: ["A": 10, "B": 10], seats: 1, columns: 3, threshold: 0.6)
        #expect(wide.map(\.excluded) == [true, true])
        #expect(wide[0].cells.count == 3)
    }

    // MARK: Votes needed for the next seat

    @Test func votesNeededHandWorked() throws {
        // The sixth seat went to B at 20000/3 = 6666.67; E (5000) needs 6667 to beat it.
        let votes = ["A": 30_000, "B": 20_000, "C": 15_000, "D": 7_000, "E": 5_000]
        let next = try #require(SainteLague.votesNeededForNextSeat(party: "E", votes: votes, seats: 6))
        #expect(next.extraVotes == 1_667)
        #expect(next.currentSeats == 0 && next.newSeats == 1)
        #expect(next.losingParty == "B")
        #expect(next.losingParties == ["B": 1])
        // A (2 seats) needs 30000+x)/5 > 20000/3, i.e. x ≥ 3334.
        let a = try #require(SainteLague.votesNeededForNextSeat(party: "A", votes: votes, seats: 6))
        #expect(a.extraVotes == 3_334)
        #expect(a.losingParty == "B")
    }

    @Test func votesNeededUsesTheTieBreak() throws {
        // B 100 vs A 300/3 = 100: B loses the tie on total votes, so it needs 1 more vote.
        let next = try #require(SainteLague.votesNeededForNextSeat(party: "B", votes: ["A": 300, "B": 100], seats: 2))
        #expect(next.extraVotes == 1)
        // With B first in priority the tie already goes to B, so B holds one seat. For both
        // seats, B's second quotient (100+x)/3 must reach A's 300/1 (ties go to B): x = 800.
        let withPriority = try #require(SainteLague.votesNeededForNextSeat(party: "B", votes: ["A": 300, "B": 100], seats: 2, tieBreak: .priority(["B"])))
        #expect(withPriority.currentSeats == 1)
        #expect(withPriority.extraVotes == 800)
        #expect(withPriority.losingParty == "A")
    }

    @Test func votesNeededEdgeCases() throws {
        #expect(SainteLague.votesNeededForNextSeat(party: "A", votes: ["A": 10], seats: 3) == nil)
        #expect(SainteLague.votesNeededForNextSeat(party: "C", votes: ["A": 10, "B": 5], seats: 2, qualified: ["A", "B"]) == nil)
        // A party not yet in the table starts from 0 votes.
        let newcomer = try #require(SainteLague.votesNeededForNextSeat(party: "N", votes: ["A": 10, "B": 5], seats: 2))
        #expect(newcomer.extraVotes == 6)
        #expect(newcomer.losingParty == "B")
        // Below the threshold: enough votes both to pass it and to win a seat.
        let small = try #require(SainteLague.votesNeededForNextSeat(party: "C", votes: ["A": 900, "B": 80, "C": 20], seats: 10, threshold: 0.04))
        var after = ["A": 900, "B": 80, "C": 20]
        after["C"]! += small.extraVotes
        #expect(SainteLague.allocate(votes: after, seats: 10, threshold: 0.04)["C"]! >= 1)
        after["C"]! -= 1
        #expect(SainteLague.allocate(votes: after, seats: 10, threshold: 0.04)["C"]! == 0)
    }

    // MARK: Properties over random inputs (seeded)

    @Test func propertiesOnRandomElections() throws {
        var rng = SplitMix64(seed: 0x51_4D_50_55_4C)
        for round in 0..<3000 {
            let (votes, seats) = randomElection(&rng, round: round)
            let result = SainteLague.allocation(votes: votes, seats: seats)
            let hasVotes = votes.values.contains { $0 > 0 }

            // Seats add up; every party appears.
            #expect(result.seats.values.reduce(0, +) == (hasVotes ? seats : 0))
            #expect(Set(result.seats.keys) == Set(votes.keys))
            #expect(result.awards.count == result.seats.values.reduce(0, +))

            // Same result as the highest-averages table computed independently.
            #expect(result.seats == referenceAllocation(votes: votes, seats: seats), "\(votes) \(seats)")

            // Independent of input order (dictionary rebuilt in another order).
            let shuffled = Dictionary(uniqueKeysWithValues: votes.shuffled(using: &rng).map { ($0.key, $0.value) })
            #expect(SainteLague.allocate(votes: shuffled, seats: seats) == result.seats)

            // Monotonicity: more votes for one party never costs it a seat…
            let party = votes.keys.sorted().randomElement(using: &rng)!
            var more = votes
            more[party]! += Int.random(in: 1...5_000, using: &rng)
            let after = SainteLague.allocate(votes: more, seats: seats)
            #expect(after[party]! >= result.seats[party]!)
            // …and never gives another party a seat.
            for other in votes.keys where other != party {
                #expect(after[other]! <= result.seats[other]!)
            }

            // House monotonicity: one more seat never costs anyone a seat.
            let bigger = SainteLague.allocate(votes: votes, seats: seats + 1)
            for p in votes.keys { #expect(bigger[p]! >= result.seats[p]!) }

            // votesNeededForNextSeat is exact: that many wins a seat, one fewer does not.
            if let next = SainteLague.votesNeededForNextSeat(party: party, votes: votes, seats: seats) {
                let current = result.seats[party]!
                #expect(next.currentSeats == current)
                #expect(next.extraVotes >= 1)
                var enough = votes; enough[party]! += next.extraVotes
                var short = votes; short[party]! += next.extraVotes - 1
                let won = SainteLague.allocate(votes: enough, seats: seats)
                #expect(won[party]! > current)
                #expect(won[party]! == next.newSeats)
                #expect(SainteLague.allocate(votes: short, seats: seats)[party]! == current)
                // Without a threshold exactly one seat changes hands.
                if next.newSeats == current + 1 {
                    #expect(next.losingParty != nil)
                    #expect(next.losingParties.values.reduce(0, +) == 1)
                }
            } else {
                // Only a party that already holds every seat cannot gain one.
                #expect(result.seats[party]! == seats)
            }
        }
    }

    @Test func votesNeededMatchesALinearScanOnSmallElections() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<400 {
            let parties = Int.random(in: 2...4, using: &rng)
            var votes: [String: Int] = [:]
            for i in 0..<parties { votes["P\(i)"] = Int.random(in: 0...40, using: &rng) }
            let seats = Int.random(in: 1...5, using: &rng)
            let party = "P\(Int.random(in: 0..<parties, using: &rng))"
            let current = SainteLague.allocate(votes: votes, seats: seats)[party]!
            var scan: Int?
            for extra in 1...2_000 {
                var v = votes; v[party]! += extra
                if SainteLague.allocate(votes: v, seats: seats)[party]! > current { scan = extra; break }
            }
            #expect(SainteLague.votesNeededForNextSeat(party: party, votes: votes, seats: seats)?.extraVotes == scan, "\(votes) \(seats) \(party)")
        }
    }

    @Test func thresholdPropertiesOnRandomElections() {
        var rng = SplitMix64(seed: 4)
        for round in 0..<1000 {
            let (votes, seats) = randomElection(&rng, round: round)
            let threshold = [0.0, 0.04, 0.1, 0.25].randomElement(using: &rng)!
            let result = SainteLague.allocation(votes: votes, seats: seats, threshold: threshold)
            let total = votes.values.reduce(0, +)
            for (p, v) in votes {
                let passes = total > 0 && Double(v) / Double(total) >= threshold
                #expect(result.excluded.contains(p) == !passes)
                if !passes { #expect(result.seats[p] == 0) }
            }
            let taking = votes.filter { !result.excluded.contains($0.key) }
            #expect(result.seats.filter { taking[$0.key] != nil } == referenceAllocation(votes: taking, seats: seats))
            if let party = votes.keys.sorted().first,
               let next = SainteLague.votesNeededForNextSeat(party: party, votes: votes, seats: seats, threshold: threshold) {
                var enough = votes; enough[party]! += next.extraVotes
                var short = votes; short[party]! += next.extraVotes - 1
                #expect(SainteLague.allocate(votes: enough, seats: seats, threshold: threshold)[party]! > next.currentSeats)
                #expect(SainteLague.allocate(votes: short, seats: seats, threshold: threshold)[party]! == next.currentSeats)
            }
        }
    }

    // MARK: Seats inside a party

    @Test func withinPartyByMostVotes() {
        let list: [SainteLague.Candidate] = [
            .init(id: "c1", votes: 1_200, listNumber: 1),
            .init(id: "c2", votes: 3_400, listNumber: 2),
            .init(id: "c3", votes: 800, listNumber: 3),
            .init(id: "c4", votes: 2_100, listNumber: 4),
        ]
        #expect(SainteLague.allocateWithinParty(candidates: list, seats: 2) == ["c2", "c4"])
        #expect(SainteLague.allocateWithinParty(candidates: list, seats: 0) == [])
        #expect(SainteLague.allocateWithinParty(candidates: list, seats: 9) == ["c2", "c4", "c1", "c3"])
    }

    @Test func withinPartyTiesByListNumber() {
        let list: [SainteLague.Candidate] = [
            .init(id: "late", votes: 500, listNumber: 5),
            .init(id: "early", votes: 500, listNumber: 2),
        ]
        #expect(SainteLague.allocateWithinParty(candidates: list, seats: 1) == ["early"])
        // Array form: array order is the list order.
        #expect(SainteLague.allocateWithinParty(candidates: [(id: "x", votes: 9), (id: "y", votes: 9), (id: "z", votes: 10)], seats: 2) == ["z", "x"])
    }

    @Test func withinPartyTieOrderSpreadThenWomanThenListNumber() {
        let list: [SainteLague.Candidate] = [
            .init(id: "man-1", votes: 700, listNumber: 1, sex: .male, spread: [3, 10]),
            .init(id: "woman-4", votes: 700, listNumber: 4, sex: .female, spread: [3, 10]),
            .init(id: "wide-6", votes: 700, listNumber: 6, sex: .male, spread: [3, 11]),
            .init(id: "top-9", votes: 701, listNumber: 9, sex: .male, spread: [1]),
        ]
        #expect(SainteLague.rankWithinParty(list).map(\.id) == ["top-9", "wide-6", "woman-4", "man-1"])
        // Unknown sex does not reorder.
        let unknown: [SainteLague.Candidate] = [.init(id: "b", votes: 1, listNumber: 2, sex: .female), .init(id: "a", votes: 1, listNumber: 1)]
        #expect(SainteLague.rankWithinParty(unknown).map(\.id) == ["a", "b"])
    }

    // MARK: Helpers

    /// Mixes realistic vote counts with tiny ones (to force exact ties).
    private func randomElection(_ rng: inout SplitMix64, round: Int) -> ([String: Int], Int) {
        let partyCount = Int.random(in: 1...9, using: &rng)
        let small = round % 3 == 0
        var votes: [String: Int] = [:]
        for i in 0..<partyCount {
            votes["P\(i)"] = small ? Int.random(in: 0...12, using: &rng) : Int.random(in: 0...120_000, using: &rng)
        }
        return (votes, Int.random(in: 1...12, using: &rng))
    }

    /// Textbook table method: list every quotient v/1, v/3, …, sort (exactly, with the
    /// documented tie-break), take the top `seats`.
    private func referenceAllocation(votes: [String: Int], seats: Int) -> [String: Int] {
        var cells: [(party: String, votes: Int, divisor: Int)] = []
        for (p, v) in votes where v > 0 {
            for k in 0..<seats { cells.append((p, v, 2 * k + 1)) }
        }
        cells.sort { a, b in
            let l = a.votes.multipliedFullWidth(by: b.divisor), r = b.votes.multipliedFullWidth(by: a.divisor)
            if l.high != r.high || l.low != r.low { return (l.high, l.low) > (r.high, r.low) }
            if a.votes != b.votes { return a.votes > b.votes }
            return a.party < b.party
        }
        var out = Dictionary(uniqueKeysWithValues: votes.keys.map { ($0, 0) })
        for cell in cells.prefix(seats) { out[cell.party]! += 1 }
        return out
    }
}
