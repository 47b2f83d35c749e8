import Testing
@testable import SimpulCore

@Suite("Seat target planner, scenarios, dapil apportionment")
struct SeatPlanningTests {

    /// A 3-seat dapil: A 10.000, B 6.000, P 2.000. P holds nothing; its first seat costs
    /// beating B's second quotient 6.000/3 = 2.000 → 2.001 (tie goes to more votes: B).
    @Test func ladderHandWorked() {
        let d = SeatTargetPlanner.Dapil(id: "I", seats: 3, votes: ["A": 10_000, "B": 6_000, "P": 2_000])
        // Before: A 10000, B 6000, A 3333 → A 2, B 1, P 0. P's first quotient must beat 3333.3 → 3334.
        let ladder = SeatTargetPlanner.ladder(party: "P", dapil: d, maxSteps: 3)
        #expect(ladder.currentSeats == 0)
        #expect(ladder.steps.first?.extraVotes == 1_334)
        #expect(ladder.steps.first?.losingParties == ["A": 1])
        #expect(ladder.cost(ofGaining: 1) == 1_334)
        // Costs grow with each step, and every step is checked against the allocation itself.
        for step in ladder.steps {
            var v = d.votes
            v["P"]! += step.cumulativeVotes
            #expect(SainteLague.allocate(votes: v, seats: 3)["P"] == step.seatsAfter)
            v["P"]! -= 1
            #expect(SainteLague.allocate(votes: v, seats: 3)["P"]! < step.seatsAfter)
        }
    }

    /// Two dapils: the second seat in a cheap dapil beats the first seat in a dear one.
    @Test func cheapestPlanIsNotGreedyPerDapil() throws {
        let cheap = SeatTargetPlanner.Dapil(id: "murah", seats: 6, votes: ["P": 9_000, "A": 10_000, "B": 9_500, "C": 9_400])
        let dear = SeatTargetPlanner.Dapil(id: "mahal", seats: 3, votes: ["P": 100, "A": 50_000, "B": 40_000])
        let plan = try #require(SeatTargetPlanner.cheapestPlan(party: "P", dapils: [cheap, dear], targetSeats: 3))
        // Brute force over every split of the gain checks optimality.
        let cheapLadder = SeatTargetPlanner.ladder(party: "P", dapil: cheap, maxSteps: 4)
        let dearLadder = SeatTargetPlanner.ladder(party: "P", dapil: dear, maxSteps: 4)
        let need = 3 - plan.currentSeats
        var bestBrute = Int.max
        for a in 0...need {
            if let c1 = cheapLadder.cost(ofGaining: a), let c2 = dearLadder.cost(ofGaining: need - a) {
                bestBrute = min(bestBrute, c1 + c2)
            }
        }
        #expect(plan.totalVotes == bestBrute)
        #expect(plan.seatsAfter >= 3)
    }

    @Test func planAlreadyMet() throws {
        let d = SeatTargetPlanner.Dapil(id: "I", seats: 4, votes: ["P": 50_000, "A": 1_000])
        let plan = try #require(SeatTargetPlanner.cheapestPlan(party: "P", dapils: [d], targetSeats: 2))
        #expect(plan.gains.isEmpty && plan.totalVotes == 0 && plan.currentSeats == 4)
    }

    @Test func planOutOfReach() {
        let d = SeatTargetPlanner.Dapil(id: "I", seats: 3, votes: ["P": 10, "A": 1_000])
        #expect(SeatTargetPlanner.cheapestPlan(party: "P", dapils: [d], targetSeats: 4) == nil)
    }

    /// Random dapils: the plan reaches the target and no brute-force split over two
    /// dapils is cheaper.
    @Test func planOptimalOnRandomPairs() throws {
        var rng = SplitMix64(seed: 77)
        for _ in 0..<60 {
            func dapil(_ id: String) -> SeatTargetPlanner.Dapil {
                let seats = Int.random(in: 3...8, using: &rng)
                var votes: [String: Int] = [:]
                for p in ["P", "A", "B", "C", "D"] { votes[p] = Int.random(in: 0...20_000, using: &rng) }
                return .init(id: id, seats: seats, votes: votes)
            }
            let d1 = dapil("1"), d2 = dapil("2")
            let target = Int.random(in: 1...6, using: &rng)
            guard let plan = SeatTargetPlanner.cheapestPlan(party: "P", dapils: [d1, d2], targetSeats: target) else { continue }
            let need = target - plan.currentSeats
            if need <= 0 { #expect(plan.totalVotes == 0); continue }
            let l1 = SeatTargetPlanner.ladder(party: "P", dapil: d1, maxSteps: need)
            let l2 = SeatTargetPlanner.ladder(party: "P", dapil: d2, maxSteps: need)
            var brute = Int.max
            for a in 0...need {
                if let c1 = l1.cost(ofGaining: a), let c2 = l2.cost(ofGaining: need - a) { brute = min(brute, c1 + c2) }
            }
            #expect(plan.totalVotes == brute)
            // Applying the plan's votes really gives the seats.
            var seats = 0
            for d in [d1, d2] {
                var v = d.votes
                v["P"]! += plan.votes[d.id] ?? 0
                seats += SainteLague.allocate(votes: v, seats: d.seats)["P"]!
            }
            #expect(seats >= target)
        }
    }

    // MARK: Scenarios

    @Test func swingMovesPointsProportionally() {
        let area = ElectionScenario.AreaVotes(area: "k1", kecamatan: "K", votes: ["P": 100, "A": 600, "B": 300])
        let adj = ElectionScenario.Adjustments(swingPointsByKecamatan: ["K": 10], swingParty: "P")
        // 10 points of 1.000 = 100 votes: A gives 600/900·100 = 66.7, B 33.3.
        #expect(ElectionScenario.adjust(area, adj) == ["P": 200, "A": 533, "B": 267])
        // A swing elsewhere changes nothing.
        let other = ElectionScenario.Adjustments(swingPointsByKecamatan: ["X": 10], swingParty: "P")
        #expect(ElectionScenario.adjust(area, other) == area.votes)
    }

    @Test func negativeSwingCannotGoBelowZero() {
        let area = ElectionScenario.AreaVotes(area: "k1", kecamatan: "K", votes: ["P": 50, "A": 950])
        let adj = ElectionScenario.Adjustments(swingPointsByKecamatan: ["K": -20], swingParty: "P")
        #expect(ElectionScenario.adjust(area, adj) == ["P": 0, "A": 1_000])
    }

    @Test func turnoutScales() {
        let area = ElectionScenario.AreaVotes(area: "k1", kecamatan: "K", votes: ["P": 1_000, "A": 2_001])
        let adj = ElectionScenario.Adjustments(turnoutPercent: -10, turnoutPercentByKecamatan: ["K": 5])
        #expect(ElectionScenario.adjust(area, adj) == ["P": 950, "A": 1_901])
    }

    /// Splitting a two-kecamatan dapil: the same votes, other maps, seats still add up.
    @Test func splitAndMergeKeepTotals() {
        let areas = [
            ElectionScenario.AreaVotes(area: "C1", kecamatan: "CURUG", votes: ["P": 3_000, "A": 5_000, "B": 2_000]),
            ElectionScenario.AreaVotes(area: "W1", kecamatan: "WALANTAKA", votes: ["P": 9_000, "A": 4_000, "B": 8_000]),
        ]
        let merged = [ElectionScenario.DapilMap(id: "IV", seats: 10, areas: ["CURUG", "WALANTAKA"])]
        let split = [ElectionScenario.DapilMap(id: "IVa", seats: 4, areas: ["CURUG"]),
                     ElectionScenario.DapilMap(id: "IVb", seats: 7, areas: ["WALANTAKA"])]
        let before = ElectionScenario.run(areas: areas, map: merged)
        let after = ElectionScenario.run(areas: areas, map: split)
        #expect(ElectionScenario.totalSeats(before).values.reduce(0, +) == 10)
        #expect(ElectionScenario.totalSeats(after).values.reduce(0, +) == 11)
        #expect(before[0].votes == ["P": 12_000, "A": 9_000, "B": 10_000])
        #expect(ElectionScenario.uncovered(areas: areas, map: [split[0]]) == ["W1"])
        #expect(ElectionScenario.overlaps(areas: areas, map: merged + split) == ["C1", "W1"])
    }

    // MARK: Apportionment

    @Test func apportionLargestRemainder() throws {
        let seats = try DapilApportionment.apportion(population: ["a": 500, "b": 300, "c": 200], totalSeats: 10)
        // Raw 5 / 3 / 2; c is raised to the minimum of 3, taking the seat from a (most seats per head).
        #expect(seats == ["a": 4, "b": 3, "c": 3])
    }

    @Test func apportionRespectsBoundsAndSum() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<200 {
            let n = Int.random(in: 2...8, using: &rng)
            var pop: [String: Int] = [:]
            for i in 0..<n { pop["d\(i)"] = Int.random(in: 1_000...200_000, using: &rng) }
            let total = Int.random(in: (3 * n)...(12 * n), using: &rng)
            let seats = try DapilApportionment.apportion(population: pop, totalSeats: total)
            #expect(seats.values.reduce(0, +) == total)
            #expect(seats.values.allSatisfy { (3...12).contains($0) })
        }
        #expect(throws: DapilApportionment.Problem.impossible(total: 5, dapils: 2)) {
            try DapilApportionment.apportion(population: ["a": 1, "b": 1], totalSeats: 5)
        }
    }

    /// Kota Serang's 2019 map: 45 seats over 6 dapil of 8, 8, 7, 10, 6, 6 is what a
    /// population close to the 2017 figures gives.
    @Test func apportionExactWhenProportional() throws {
        let seats = try DapilApportionment.apportion(
            population: ["I": 8_000, "II": 8_000, "III": 7_000, "IV": 10_000, "V": 6_000, "VI": 6_000], totalSeats: 45)
        #expect(seats == ["I": 8, "II": 8, "III": 7, "IV": 10, "V": 6, "VI": 6])
    }

    // MARK: Tally sheets

    @Test func tallyAddsUp() {
        let sheet = TallySheet(registeredVoters: 280, votersPresent: 220, validVotes: 210, invalidVotes: 10,
                               partyVotes: ["1": 30, "2": 50], candidateVotes: ["1": ["a": 70], "2": ["b": 60]])
        #expect(sheet.problems().isEmpty)
        #expect(sheet.totals == ["1": 100, "2": 110])
    }

    @Test func tallyProblemsNameTheField() {
        let sheet = TallySheet(registeredVoters: 320, votersPresent: 330, validVotes: 200, invalidVotes: 10,
                               partyVotes: ["1": 150], candidateVotes: [:])
        let fields = sheet.problems().map(\.field)
        #expect(fields == ["Jumlah pemilih terdaftar", "Jumlah pengguna hak pilih", "Jumlah suara sah dan tidak sah", "Jumlah suara sah"])
        let negative = TallySheet(registeredVoters: 100, votersPresent: 10, validVotes: 10, invalidVotes: 0,
                                  partyVotes: ["1": -1], candidateVotes: [:])
        #expect(negative.problems(partyNames: ["1": "PKB"]).first?.message.contains("PKB") == true)
    }

    @Test func sameCountIgnoresZerosAndOrder() {
        let a = TallySheet(registeredVoters: 100, votersPresent: 50, validVotes: 50, invalidVotes: 0,
                           partyVotes: ["1": 50, "2": 0])
        let b = TallySheet(registeredVoters: 100, votersPresent: 50, validVotes: 50, invalidVotes: 0,
                           partyVotes: ["1": 50])
        var c = b
        c.partyVotes["1"] = 49
        #expect(a.sameCount(as: b))
        #expect(!a.sameCount(as: c))
    }
}
