/// What-if simulations on area results: turnout changes, vote swings per kecamatan, and
/// other dapil maps (split or merge), each re-run through Sainte-Laguë.
///
/// Areas are the smallest units results are known for (kelurahan or kecamatan). A swing
/// of `points` percentage points toward a party in a kecamatan moves that share of the
/// area's valid votes to the party, taken from every other party in proportion to its
/// votes there; a turnout change scales every party's votes in the area. Vote counts
/// stay whole numbers: fractions are rounded half up per party, per area.
public enum ElectionScenario {

    /// Votes per party in one area, and the kecamatan it lies in.
    public struct AreaVotes: Hashable, Sendable {
        public let area: String
        public let kecamatan: String
        public let votes: [String: Int]

        public init(area: String, kecamatan: String, votes: [String: Int]) {
            self.area = area
            self.kecamatan = kecamatan
            self.votes = votes
        }
    }

    /// A dapil as a set of areas (area codes; a kecamatan code covers all its areas).
    public struct DapilMap: Hashable, Sendable {
        public let id: String
        public let seats: Int
        public let areas: Set<String>

        public init(id: String, seats: Int, areas: Set<String>) {
            self.id = id
            self.seats = seats
            self.areas = areas
        }

        func covers(_ area: AreaVotes) -> Bool {
            areas.contains(area.area) || areas.contains(area.kecamatan)
        }
    }

    public struct Adjustments: Hashable, Sendable {
        /// Turnout change in percent for every area (e.g. -5 = five percent fewer votes).
        public var turnoutPercent: Double
        /// Kecamatan code → turnout change in percent, on top of `turnoutPercent`.
        public var turnoutPercentByKecamatan: [String: Double]
        /// Kecamatan code → swing in percentage points toward `swingParty`.
        public var swingPointsByKecamatan: [String: Double]
        public var swingParty: String?

        public init(turnoutPercent: Double = 0, turnoutPercentByKecamatan: [String: Double] = [:],
                    swingPointsByKecamatan: [String: Double] = [:], swingParty: String? = nil) {
            self.turnoutPercent = turnoutPercent
            self.turnoutPercentByKecamatan = turnoutPercentByKecamatan
            self.swingPointsByKecamatan = swingPointsByKecamatan
            self.swingParty = swingParty
        }

        public static let none = Adjustments()
    }

    /// One area's votes after the adjustments.
    public static func adjust(_ area: AreaVotes, _ adjustments: Adjustments) -> [String: Int] {
        let total = area.votes.values.reduce(0, +)
        var votes = area.votes.mapValues(Double.init)
        if let party = adjustments.swingParty, let points = adjustments.swingPointsByKecamatan[area.kecamatan],
           points != 0, total > 0 {
            let own = votes[party] ?? 0
            let others = Double(total) - own
            // Cannot take more than the others have, nor give back more than the party has.
            let moved = min(max(points / 100 * Double(total), -own), others)
            for key in votes.keys where key != party {
                votes[key]! -= others > 0 ? moved * votes[key]! / others : 0
            }
            votes[party] = own + moved
        }
        let change = adjustments.turnoutPercent + (adjustments.turnoutPercentByKecamatan[area.kecamatan] ?? 0)
        let factor = max(0, 1 + change / 100)
        return votes.mapValues { Int(($0 * factor).rounded(.toNearestOrAwayFromZero)) }
    }

    /// Seats and votes of one dapil under a scenario.
    public struct DapilOutcome: Hashable, Sendable {
        public let dapil: String
        public let seats: Int
        public let votes: [String: Int]
        public let allocation: [String: Int]
    }

    /// Every dapil of `map` with the adjusted votes of the areas it covers, and its seats.
    /// An area covered by no dapil is ignored; one covered twice counts in both (the
    /// caller's map is wrong; `uncovered`/`overlaps` tell it so).
    public static func run(areas: [AreaVotes], map: [DapilMap], adjustments: Adjustments = .none) -> [DapilOutcome] {
        let adjusted = areas.map { ($0, adjust($0, adjustments)) }
        return map.map { dapil in
            var votes: [String: Int] = [:]
            for (area, v) in adjusted where dapil.covers(area) {
                votes.merge(v, uniquingKeysWith: +)
            }
            return DapilOutcome(dapil: dapil.id, seats: dapil.seats, votes: votes,
                                allocation: SainteLague.allocate(votes: votes, seats: dapil.seats))
        }
    }

    /// Areas no dapil covers.
    public static func uncovered(areas: [AreaVotes], map: [DapilMap]) -> [String] {
        areas.filter { a in !map.contains { $0.covers(a) } }.map(\.area).sorted()
    }

    /// Areas more than one dapil covers.
    public static func overlaps(areas: [AreaVotes], map: [DapilMap]) -> [String] {
        areas.filter { a in map.filter { $0.covers(a) }.count > 1 }.map(\.area).sorted()
    }

    /// Seats per party summed over the dapils.
    public static func totalSeats(_ outcomes: [DapilOutcome]) -> [String: Int] {
        outcomes.reduce(into: [:]) { total, o in total.merge(o.allocation, uniquingKeysWith: +) }
    }
}

/// Seats per dapil from population, as KPU does when it draws dapil for DPRD
/// kabupaten/kota (UU 7/2017 Pasal 187–192): a quota of population per seat, whole
/// seats first, then the remaining seats to the largest remainders; every dapil gets
/// 3 to 12 seats (Pasal 192 ayat (2)). Ties in remainders go to the larger population,
/// then to the id first in lexical order.
public enum DapilApportionment {
    public static let minimumSeats = 3
    public static let maximumSeats = 12

    public enum Problem: Error, Hashable, Sendable {
        case noPopulation
        /// The total cannot respect 3…12 seats per dapil with this many dapil.
        case impossible(total: Int, dapils: Int)
    }

    /// Largest-remainder seats per dapil, clamped to 3…12 (seats taken from or given to
    /// the others by the same remainder order when a dapil hits a bound).
    public static func apportion(population: [String: Int], totalSeats: Int) throws -> [String: Int] {
        let total = population.values.reduce(0, +)
        guard total > 0 else { throw Problem.noPopulation }
        let n = population.count
        guard n * minimumSeats <= totalSeats, totalSeats <= n * maximumSeats else {
            throw Problem.impossible(total: totalSeats, dapils: n)
        }
        // Exact arithmetic: seats_i = pop_i·S / P, remainder compared as integers.
        var seats: [String: Int] = [:]
        var remainder: [String: Int] = [:]
        for (id, pop) in population {
            let product = pop * totalSeats
            seats[id] = product / total
            remainder[id] = product % total
        }
        let byRemainder = population.keys.sorted { a, b in
            if remainder[a]! != remainder[b]! { return remainder[a]! > remainder[b]! }
            if population[a]! != population[b]! { return population[a]! > population[b]! }
            return a < b
        }
        var left = totalSeats - seats.values.reduce(0, +)
        for id in byRemainder where left > 0 {
            seats[id]! += 1
            left -= 1
        }
        // Clamp, moving seats between dapil with the most and the fewest population per seat.
        for id in seats.keys where seats[id]! < minimumSeats {
            while seats[id]! < minimumSeats {
                let donor = seats.filter { $0.value > minimumSeats && $0.key != id }
                    .min { Double(population[$0.key]!) / Double($0.value) < Double(population[$1.key]!) / Double($1.value) }!.key
                seats[donor]! -= 1
                seats[id]! += 1
            }
        }
        for id in seats.keys where seats[id]! > maximumSeats {
            while seats[id]! > maximumSeats {
                let taker = seats.filter { $0.value < maximumSeats && $0.key != id }
                    .max { Double(population[$0.key]!) / Double($0.value) < Double(population[$1.key]!) / Double($1.value) }!.key
                seats[taker]! += 1
                seats[id]! -= 1
            }
        }
        return seats
    }
}
