/// One polling station's count as a witness (saksi) copies it from the C.Hasil form,
/// and the arithmetic it must satisfy before it counts.
///
/// A TPS serves at most 300 voters (PKPU 7/2022 on voter lists; DESIGN.md). Valid votes
/// for a party are its party-only votes (coblos logo) plus its candidates' votes
/// (UU 7/2017 Pasal 386); all parties' valid votes add up to the valid total, and valid
/// plus invalid ballots add up to the voters who used their vote.
public struct TallySheet: Hashable, Sendable, Codable {
    /// Pemilih terdaftar at this TPS (DPT + DPTb + DPK).
    public var registeredVoters: Int
    /// Pengguna hak pilih: voters who cast a ballot.
    public var votersPresent: Int
    public var validVotes: Int
    public var invalidVotes: Int
    /// Party id → votes for the party only (no candidate marked).
    public var partyVotes: [String: Int]
    /// Party id → candidate id → votes.
    public var candidateVotes: [String: [String: Int]]

    public static let maximumVotersPerTPS = 300

    public init(registeredVoters: Int, votersPresent: Int, validVotes: Int, invalidVotes: Int,
                partyVotes: [String: Int], candidateVotes: [String: [String: Int]] = [:]) {
        self.registeredVoters = registeredVoters
        self.votersPresent = votersPresent
        self.validVotes = validVotes
        self.invalidVotes = invalidVotes
        self.partyVotes = partyVotes
        self.candidateVotes = candidateVotes
    }

    /// A party's valid votes: party-only plus all its candidates.
    public func total(for party: String) -> Int {
        (partyVotes[party] ?? 0) + (candidateVotes[party]?.values.reduce(0, +) ?? 0)
    }

    /// Valid votes per party (every party that appears on the sheet).
    public var totals: [String: Int] {
        let parties = Set(partyVotes.keys).union(candidateVotes.keys)
        return Dictionary(uniqueKeysWithValues: parties.map { ($0, total(for: $0)) })
    }

    public struct Problem: Hashable, Sendable {
        /// The form field, in Indonesian, as printed on C.Hasil.
        public let field: String
        public let message: String
    }

    /// Every arithmetic problem; empty means the sheet adds up. `partyNames` turns
    /// party ids into names for messages.
    public func problems(partyNames: [String: String] = [:]) -> [Problem] {
        var out: [Problem] = []
        func negative(_ value: Int, _ field: String) {
            if value < 0 { out.append(Problem(field: field, message: "\(field) tidak boleh negatif (terbaca \(value)).")) }
        }
        negative(registeredVoters, "Jumlah pemilih terdaftar")
        negative(votersPresent, "Jumlah pengguna hak pilih")
        negative(validVotes, "Jumlah suara sah")
        negative(invalidVotes, "Jumlah suara tidak sah")
        for (party, v) in partyVotes.sorted(by: { $0.key < $1.key }) {
            negative(v, "Suara partai \(partyNames[party] ?? party)")
        }
        for (party, candidates) in candidateVotes.sorted(by: { $0.key < $1.key }) {
            for (candidate, v) in candidates.sorted(by: { $0.key < $1.key }) {
                negative(v, "Suara calon \(candidate) (\(partyNames[party] ?? party))")
            }
        }
        guard out.isEmpty else { return out }

        if registeredVoters > Self.maximumVotersPerTPS {
            out.append(Problem(field: "Jumlah pemilih terdaftar",
                               message: "Satu TPS paling banyak \(Self.maximumVotersPerTPS) pemilih; terbaca \(registeredVoters)."))
        }
        if votersPresent > registeredVoters {
            out.append(Problem(field: "Jumlah pengguna hak pilih",
                               message: "Pengguna hak pilih (\(votersPresent)) melebihi pemilih terdaftar (\(registeredVoters))."))
        }
        if validVotes + invalidVotes != votersPresent {
            out.append(Problem(field: "Jumlah suara sah dan tidak sah",
                               message: "Suara sah (\(validVotes)) + tidak sah (\(invalidVotes)) = \(validVotes + invalidVotes), harus sama dengan pengguna hak pilih (\(votersPresent))."))
        }
        let sum = totals.values.reduce(0, +)
        if sum != validVotes {
            out.append(Problem(field: "Jumlah suara sah",
                               message: "Jumlah suara semua partai dan calon (\(sum)) tidak sama dengan jumlah suara sah (\(validVotes))."))
        }
        return out
    }

    /// Same numbers (a resent form), whatever the order they arrived in.
    public func sameCount(as other: TallySheet) -> Bool {
        registeredVoters == other.registeredVoters && votersPresent == other.votersPresent
            && validVotes == other.validVotes && invalidVotes == other.invalidVotes
            && partyVotes.filter { $0.value != 0 } == other.partyVotes.filter { $0.value != 0 }
            && candidateVotes.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
            == other.candidateVotes.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
    }
}
