/// Seat allocation by the Sainte-Laguë (Webster) method, as used for DPR and DPRD
/// seats per daerah pemilihan (dapil) since 2019: each party's valid votes are
/// divided by 1, 3, 5, 7, … and the seats go to the largest quotients
/// (UU 7/2017 Pasal 415 ayat (2) and (3)).
///
/// - DPRD provinsi and kabupaten/kota: no threshold; every party takes part.
/// - DPR: only parties with at least 4% of the *national* valid votes take part
///   (Pasal 414 ayat (1)). Pass `threshold` when the input is national totals,
///   or `qualified` with the parties that passed when the input is one dapil.
///
/// Determinism: quotients are compared exactly with integer cross-multiplication
/// (a/d₁ vs b/d₂ ⇔ a·d₂ vs b·d₁), never with floating point. When two quotients
/// are exactly equal, `TieBreak` decides; the default gives the seat to the party
/// with more total votes in the dapil, and if that is equal too, to the party
/// whose id comes first in ascending lexical order (Swift `String` `<`).
/// Parties with zero votes never receive a seat, so the seats awarded add up to
/// `seats` exactly when at least one taking-part party has votes.
public enum SainteLague {

    /// How to order two parties whose quotients are exactly equal.
    public enum TieBreak: Hashable, Sendable {
        /// More total votes first; then party id in ascending lexical order.
        case moreVotesThenID
        /// Earlier in this list first (for an order fixed by KPU, e.g. drawn by lot
        /// or by wider spread of votes). Parties not listed come after all listed
        /// ones, ordered by `moreVotesThenID`.
        case priority([String])
    }

    /// One seat awarded: the `seatNumber`-th largest quotient, votes ÷ divisor.
    public struct Award: Hashable, Sendable {
        public let seatNumber: Int
        public let party: String
        public let votes: Int
        public let divisor: Int
        /// For display only; comparisons use the exact fraction votes/divisor.
        public var quotient: Double { Double(votes) / Double(divisor) }
    }

    public struct Result: Equatable, Sendable {
        /// Seats per party; every party in the input appears, with 0 if it won none.
        public let seats: [String: Int]
        /// Seats in the order they were awarded (seat 1 = largest quotient).
        public let awards: [Award]
        /// Parties left out by the threshold or the `qualified` set, sorted.
        public let excluded: [String]
    }

    // MARK: Allocation

    /// Seats per party (every input party appears, 0 if none).
    public static func allocate(votes: [String: Int], seats: Int, threshold: Double? = nil,
                                qualified: Set<String>? = nil,
                                tieBreak: TieBreak = .moreVotesThenID) -> [String: Int] {
        allocation(votes: votes, seats: seats, threshold: threshold, qualified: qualified, tieBreak: tieBreak).seats
    }

    /// Array form; a party listed more than once has its votes summed.
    public static func allocate(votes: [(party: String, votes: Int)], seats: Int, threshold: Double? = nil,
                                qualified: Set<String>? = nil,
                                tieBreak: TieBreak = .moreVotesThenID) -> [String: Int] {
        allocate(votes: Dictionary(votes.map { ($0.party, $0.votes) }, uniquingKeysWith: +),
                 seats: seats, threshold: threshold, qualified: qualified, tieBreak: tieBreak)
    }

    /// Full allocation with the order in which seats were won.
    ///
    /// - Parameters:
    ///   - threshold: fraction of the total votes in `votes` (e.g. 0.04) a party
    ///     needs to take part; "paling sedikit", so exactly the threshold passes.
    ///   - qualified: if given, only these parties take part.
    public static func allocation(votes: [String: Int], seats: Int, threshold: Double? = nil,
                                  qualified: Set<String>? = nil,
                                  tieBreak: TieBreak = .moreVotesThenID) -> Result {
        precondition(seats >= 0, "seats must not be negative")
        precondition(votes.values.allSatisfy { $0 >= 0 }, "votes must not be negative")
        if let t = threshold { precondition((0...1).contains(t), "threshold is a fraction 0…1") }

        let excluded = excludedParties(votes: votes, threshold: threshold, qualified: qualified)
        let order = TieOrder(tieBreak)
        // Arrays, not dictionaries, in the hot loop: a national run is ~2,700 dapil.
        let contenders = votes.filter { !excluded.contains($0.key) && $0.value > 0 }.map(\.key)
        let contenderVotes = contenders.map { votes[$0]! }
        var contenderSeats = Array(repeating: 0, count: contenders.count)
        var awards: [Award] = []
        awards.reserveCapacity(seats)

        for seatNumber in stride(from: 1, through: seats, by: 1) {
            var best = -1
            for i in contenders.indices {
                if best < 0 {
                    best = i
                    continue
                }
                let c = compareFractions(contenderVotes[i], 2 * contenderSeats[i] + 1, contenderVotes[best], 2 * contenderSeats[best] + 1)
                if c > 0 || c == 0 && order.ranksBefore(
                    Entry(party: contenders[i], votes: contenderVotes[i], divisor: 2 * contenderSeats[i] + 1),
                    Entry(party: contenders[best], votes: contenderVotes[best], divisor: 2 * contenderSeats[best] + 1)) {
                    best = i
                }
            }
            guard best >= 0 else { break }
            let divisor = 2 * contenderSeats[best] + 1
            contenderSeats[best] += 1
            awards.append(Award(seatNumber: seatNumber, party: contenders[best], votes: contenderVotes[best], divisor: divisor))
        }
        var won = Dictionary(uniqueKeysWithValues: votes.keys.map { ($0, 0) })
        for (i, party) in contenders.enumerated() { won[party] = contenderSeats[i] }
        return Result(seats: won, awards: awards, excluded: excluded.sorted())
    }

    // MARK: Quotient table

    public struct QuotientCell: Hashable, Sendable {
        public let divisor: Int
        public let quotient: Double
        /// The seat this quotient won (1-based), or nil.
        public let seatNumber: Int?
    }

    public struct QuotientRow: Hashable, Sendable {
        public let party: String
        public let votes: Int
        public let seats: Int
        /// Left out by threshold / qualified set; its cells never win.
        public let excluded: Bool
        public let cells: [QuotientCell]
    }

    /// The classic table: one row per party (most votes first, then id), one column
    /// per divisor 1, 3, 5, … (`columns` of them, default = `seats`), winning cells
    /// marked with the seat number they took.
    public static func quotients(votes: [String: Int], seats: Int, columns: Int? = nil,
                                 threshold: Double? = nil, qualified: Set<String>? = nil,
                                 tieBreak: TieBreak = .moreVotesThenID) -> [QuotientRow] {
        let result = allocation(votes: votes, seats: seats, threshold: threshold, qualified: qualified, tieBreak: tieBreak)
        let columnCount = max(columns ?? seats, 1)
        var seatOf: [String: [Int: Int]] = [:]   // party → divisor → seat number
        for award in result.awards { seatOf[award.party, default: [:]][award.divisor] = award.seatNumber }
        let excluded = Set(result.excluded)
        let rows = votes.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
        return rows.map { party, v in
            let cells = (0..<columnCount).map { k in
                let d = 2 * k + 1
                return QuotientCell(divisor: d, quotient: Double(v) / Double(d), seatNumber: seatOf[party]?[d])
            }
            return QuotientRow(party: party, votes: v, seats: result.seats[party] ?? 0,
                               excluded: excluded.contains(party), cells: cells)
        }
    }

    // MARK: Votes needed

    public struct NextSeat: Equatable, Sendable {
        public let party: String
        public let currentSeats: Int
        /// Minimum extra votes for `party`, everyone else unchanged, to win at least one more seat.
        public let extraVotes: Int
        /// Seats `party` would then hold (normally currentSeats + 1).
        public let newSeats: Int
        /// Parties that would lose seats, with how many.
        public let losingParties: [String: Int]

        /// The party that would give up the seat, when exactly one does
        /// (always so without a threshold).
        public var losingParty: String? {
            losingParties.count == 1 ? losingParties.keys.first : nil
        }
    }

    /// The smallest number of extra votes for `party` (others unchanged) that
    /// wins it one more seat, and who would lose a seat. Nil when no number of
    /// votes can do it (the party already holds every seat, or `qualified` excludes it).
    ///
    /// Exact: found by search over the allocation itself, which is monotone in a
    /// party's own votes (more votes never cost a divisor method a seat).
    public static func votesNeededForNextSeat(party: String, votes: [String: Int], seats: Int,
                                              threshold: Double? = nil, qualified: Set<String>? = nil,
                                              tieBreak: TieBreak = .moreVotesThenID) -> NextSeat? {
        var base = votes
        if base[party] == nil { base[party] = 0 }
        if let q = qualified, !q.contains(party) { return nil }
        let before = allocate(votes: base, seats: seats, threshold: threshold, qualified: qualified, tieBreak: tieBreak)
        let current = before[party]!
        guard current < seats else { return nil }

        func seatsWith(_ extra: Int) -> [String: Int] {
            var v = base
            v[party]! += extra
            return allocate(votes: v, seats: seats, threshold: threshold, qualified: qualified, tieBreak: tieBreak)
        }
        func outcome(_ extra: Int) -> NextSeat {
            let after = seatsWith(extra)
            var losers: [String: Int] = [:]
            for (other, had) in before where other != party {
                let now = after[other] ?? 0
                if now < had { losers[other] = had - now }
            }
            return NextSeat(party: party, currentSeats: current, extraVotes: extra, newSeats: after[party]!, losingParties: losers)
        }

        // Without a threshold the answer is direct: the party's next quotient must rank
        // above the weakest seat the others hold (others' quotients do not move).
        if threshold == nil {
            let full = allocation(votes: base, seats: seats, threshold: nil, qualified: qualified, tieBreak: tieBreak)
            if let weakest = full.awards.last(where: { $0.party != party }) {
                let divisor = 2 * current + 1
                let (product, overflow) = weakest.votes.multipliedReportingOverflow(by: divisor)
                if !overflow {
                    let own = base[party]!
                    var extra = max(0, (product + weakest.divisor - 1) / weakest.divisor - own)
                    let order = TieOrder(tieBreak)
                    if !order.ranksBefore(Entry(party: party, votes: own + extra, divisor: divisor),
                                          Entry(party: weakest.party, votes: weakest.votes, divisor: weakest.divisor)) {
                        extra += 1
                    }
                    let result = outcome(extra)
                    // Checked against the allocation itself; the search below is the fallback.
                    if result.newSeats > current && (extra == 0 || seatsWith(extra - 1)[party]! <= current) { return result }
                }
            }
        }

        // Exponential search for an upper bound, then binary search for the minimum.
        let limit = 1 << 52
        var high = 1
        while seatsWith(high)[party]! <= current {
            guard high < limit else { return nil }
            high *= 2
        }
        var low = high / 2   // seatsWith(low) is not enough (or low == 0)
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if seatsWith(mid)[party]! > current { high = mid } else { low = mid }
        }
        return outcome(high)
    }

    // MARK: Seats inside a party

    /// A candidate on a party's list in one dapil.
    public struct Candidate: Hashable, Sendable {
        public let id: String
        public let votes: Int
        /// Nomor urut on the ballot, 1-based.
        public let listNumber: Int
        /// Used in a tie after spread: a woman is elected first.
        public let sex: Sex?
        /// Optional wider-spread measure for ties, compared element by element,
        /// larger first: e.g. [kecamatan with votes, kelurahan with votes, TPS with votes].
        public let spread: [Int]

        public init(id: String, votes: Int, listNumber: Int, sex: Sex? = nil, spread: [Int] = []) {
            self.id = id
            self.votes = votes
            self.listNumber = listNumber
            self.sex = sex
            self.spread = spread
        }
    }

    /// Elected candidates, in order, for a party that won `seats` seats: most votes
    /// first (UU 7/2017 Pasal 422). Ties, following PKPU 6/2024 Pasal 29 as far as it
    /// can be known here: wider spread of votes (if `spread` given), then a woman
    /// before a man (if both sexes known), then the lower list number, then id.
    /// Returns fewer ids when the list is shorter than `seats`.
    public static func allocateWithinParty(candidates: [Candidate], seats: Int) -> [String] {
        precondition(seats >= 0, "seats must not be negative")
        return rankWithinParty(candidates).prefix(seats).map(\.id)
    }

    /// Array form: list order is the ballot order (first element is nomor urut 1).
    public static func allocateWithinParty(candidates: [(id: String, votes: Int)], seats: Int) -> [String] {
        allocateWithinParty(candidates: candidates.enumerated().map {
            Candidate(id: $0.element.id, votes: $0.element.votes, listNumber: $0.offset + 1)
        }, seats: seats)
    }

    /// All candidates in election order (see `allocateWithinParty`).
    public static func rankWithinParty(_ candidates: [Candidate]) -> [Candidate] {
        candidates.sorted { a, b in
            if a.votes != b.votes { return a.votes > b.votes }
            let width = max(a.spread.count, b.spread.count)
            for i in 0..<width {
                let x = i < a.spread.count ? a.spread[i] : 0
                let y = i < b.spread.count ? b.spread[i] : 0
                if x != y { return x > y }
            }
            if let sa = a.sex, let sb = b.sex, sa != sb { return sa == .female }
            if a.listNumber != b.listNumber { return a.listNumber < b.listNumber }
            return a.id < b.id
        }
    }

    // MARK: Internals

    static func excludedParties(votes: [String: Int], threshold: Double?, qualified: Set<String>?) -> Set<String> {
        var out: Set<String> = []
        if let q = qualified { out.formUnion(votes.keys.filter { !q.contains($0) }) }
        if let t = threshold, t > 0 {
            let total = votes.values.reduce(0, +)
            // votes/total ≥ t, computed as a correctly rounded quotient so that a share
            // of exactly 4% compares equal to the literal 0.04.
            for (party, v) in votes where total == 0 || Double(v) / Double(total) < t {
                out.insert(party)
            }
        }
        return out
    }

    struct Entry {
        let party: String
        let votes: Int
        let divisor: Int
    }

    struct TieOrder {
        let rank: [String: Int]?

        init(_ tieBreak: TieBreak) {
            switch tieBreak {
            case .moreVotesThenID:
                rank = nil
            case .priority(let list):
                var r: [String: Int] = [:]
                for (i, p) in list.enumerated() where r[p] == nil { r[p] = i }
                rank = r
            }
        }

        /// True when `a` takes the seat before `b`.
        func ranksBefore(_ a: Entry, _ b: Entry) -> Bool {
            let c = compareFractions(a.votes, a.divisor, b.votes, b.divisor)
            if c != 0 { return c > 0 }
            if let rank {
                switch (rank[a.party], rank[b.party]) {
                case let (x?, y?): return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil): break
                }
            }
            if a.votes != b.votes { return a.votes > b.votes }
            return a.party < b.party
        }
    }

    /// Sign of a/b − c/d for non-negative a, c and positive b, d, without overflow.
    static func compareFractions(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
        let lhs = a.multipliedFullWidth(by: d)
        let rhs = c.multipliedFullWidth(by: b)
        if lhs.high != rhs.high { return lhs.high < rhs.high ? -1 : 1 }
        if lhs.low != rhs.low { return lhs.low < rhs.low ? -1 : 1 }
        return 0
    }
}
