/// Turns a seat target ("from 6 to 8 seats") into votes: for each dapil, how many
/// more votes the party needs for its next seats and who would give them up, and the
/// cheapest combination of dapil gains that reaches the target.
///
/// "Cheapest" means the fewest extra votes in total, everyone else's votes unchanged
/// (the same assumption as `SainteLague.votesNeededForNextSeat`). The combination is an
/// exact multiple-choice knapsack over the dapils (dynamic programming on seats gained),
/// not a greedy pick: a dapil's second seat may be cheaper than another dapil's first.
public enum SeatTargetPlanner {

    /// One dapil as the planner sees it.
    public struct Dapil: Hashable, Sendable {
        public let id: String
        public let seats: Int
        public let votes: [String: Int]

        public init(id: String, seats: Int, votes: [String: Int]) {
            self.id = id
            self.seats = seats
            self.votes = votes
        }
    }

    /// One more seat in one dapil: the votes it costs on top of the previous step.
    public struct Step: Hashable, Sendable {
        /// Seats the party holds after this step.
        public let seatsAfter: Int
        /// Extra votes for this step alone.
        public let extraVotes: Int
        /// Extra votes from today's result to reach `seatsAfter`.
        public let cumulativeVotes: Int
        /// Parties that would lose a seat in this step.
        public let losingParties: [String: Int]
    }

    /// The ladder of next seats in one dapil.
    public struct Ladder: Hashable, Sendable {
        public let dapil: String
        public let currentSeats: Int
        public let steps: [Step]

        /// Extra votes (from today) to gain `k` seats, or nil if out of reach.
        /// A step may win two seats at once; it then also counts for the smaller gain.
        public func cost(ofGaining k: Int) -> Int? {
            if k <= 0 { return 0 }
            return steps.first { $0.seatsAfter - currentSeats >= k }?.cumulativeVotes
        }
    }

    /// Up to `maxSteps` next seats for `party` in one dapil.
    public static func ladder(party: String, dapil: Dapil, maxSteps: Int) -> Ladder {
        var votes = dapil.votes
        if votes[party] == nil { votes[party] = 0 }
        let current = SainteLague.allocate(votes: votes, seats: dapil.seats)[party] ?? 0
        var steps: [Step] = []
        var cumulative = 0
        while steps.count < maxSteps,
              let next = SainteLague.votesNeededForNextSeat(party: party, votes: votes, seats: dapil.seats) {
            cumulative += next.extraVotes
            votes[party]! += next.extraVotes
            steps.append(Step(seatsAfter: next.newSeats, extraVotes: next.extraVotes,
                              cumulativeVotes: cumulative, losingParties: next.losingParties))
        }
        return Ladder(dapil: dapil.id, currentSeats: current, steps: steps)
    }

    /// The seats to win in each dapil for a target, and their total price in votes.
    public struct Plan: Hashable, Sendable {
        public let currentSeats: Int
        public let targetSeats: Int
        /// Dapil id → seats to gain there (only dapil with a gain).
        public let gains: [String: Int]
        /// Dapil id → extra votes needed there.
        public let votes: [String: Int]
        public var totalVotes: Int { votes.values.reduce(0, +) }
        public var seatsAfter: Int { currentSeats + gains.values.reduce(0, +) }
    }

    /// The cheapest way (fewest extra votes in total) for `party` to hold at least
    /// `targetSeats` seats over all `dapils`. Nil when the target is out of reach.
    /// Ties between equally cheap plans go to the one found first in dapil order.
    public static func cheapestPlan(party: String, dapils: [Dapil], targetSeats: Int) -> Plan? {
        let current = dapils.reduce(0) { total, d in
            total + (SainteLague.allocate(votes: d.votes.merging([party: 0]) { a, _ in a }, seats: d.seats)[party] ?? 0)
        }
        let needed = targetSeats - current
        guard needed > 0 else {
            return Plan(currentSeats: current, targetSeats: targetSeats, gains: [:], votes: [:])
        }
        let ladders = dapils.map { ladder(party: party, dapil: $0, maxSteps: needed) }
        return knapsack(ladders: ladders, needed: needed, current: current, target: targetSeats)
    }

    /// table[i][g]: fewest votes over the first i dapils to gain at least g seats, with
    /// back-pointers to recover which dapil gives which seats (dapils × needed², small).
    private static func knapsack(ladders: [Ladder], needed: Int, current: Int, target: Int) -> Plan? {
        let unreachable = Int.max
        var table = [[0] + Array(repeating: unreachable, count: needed)]
        var from: [[(prev: Int, k: Int)?]] = [Array(repeating: nil, count: needed + 1)]
        for ladder in ladders {
            let prev = table.last!
            var row = prev
            var back: [(prev: Int, k: Int)?] = (0...needed).map { prev[$0] == unreachable ? nil : ($0, 0) }
            var k = 1
            while k <= needed, let cost = ladder.cost(ofGaining: k) {
                let reached = ladder.steps.first { $0.seatsAfter - ladder.currentSeats >= k }!.seatsAfter - ladder.currentSeats
                for g in 0...needed where prev[g] != unreachable {
                    let to = min(needed, g + reached)
                    if prev[g] + cost < row[to] {
                        row[to] = prev[g] + cost
                        back[to] = (g, reached)
                    }
                }
                k = reached + 1
            }
            table.append(row)
            from.append(back)
        }
        guard table.last![needed] != unreachable else { return nil }
        var gains: [String: Int] = [:]
        var votes: [String: Int] = [:]
        var g = needed
        for i in stride(from: ladders.count, through: 1, by: -1) {
            guard let step = from[i][g] else { return nil }
            if step.k > 0 {
                let ladder = ladders[i - 1]
                gains[ladder.dapil] = step.k
                votes[ladder.dapil] = ladder.cost(ofGaining: step.k)
            }
            g = step.prev
        }
        return Plan(currentSeats: current, targetSeats: target, gains: gains, votes: votes)
    }
}
