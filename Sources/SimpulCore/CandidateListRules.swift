/// Checks on a party's daftar bakal calon (list of prospective candidates) for one
/// dapil, for DPR, DPRD provinsi or DPRD kabupaten/kota.
///
/// Rules (UU 7/2017 Pasal 244–246; PKPU 10/2023 Pasal 8):
/// 1. At most 100% of the dapil's seats (Pasal 244).
/// 2. At least 30% women (Pasal 245), counted on the number of names on the list and
///    rounded *up*: ceil(0.3 × n). PKPU 10/2023 Pasal 8 ayat (2) rounded fractions
///    below .50 down, but Mahkamah Agung decision 24 P/HUM/2023 (29 Aug 2023) held
///    that contrary to the law, and KPU applied rounding up for 2024.
/// 3. "Setiap 3 (tiga) orang bakal calon terdapat paling sedikit 1 (satu) orang
///    perempuan" (Pasal 246 ayat (2)): in each block of list positions 1–3, 4–6, …
///    at least one woman, anywhere within the block. A final incomplete block
///    (1 or 2 names) has no block requirement of its own; rule 2 still applies.
/// 4. Nomor urut runs 1, 2, …, n without gaps or repeats, and nobody is listed twice.
public enum CandidateListRules {

    /// One name on the list.
    public struct Entry: Hashable, Sendable {
        /// Nomor urut, 1-based.
        public let position: Int
        /// Stable id of the person (the shared person record), not the NIK itself.
        public let personID: String
        public let sex: Sex
        /// Optional, only used to make messages friendlier.
        public let name: String?

        public init(position: Int, personID: String, sex: Sex, name: String? = nil) {
            self.position = position
            self.personID = personID
            self.sex = sex
            self.name = name
        }
    }

    public enum Violation: Hashable, Sendable {
        case invalidSeatCount(Int)
        case tooManyCandidates(count: Int, maximum: Int)
        case duplicatePosition(Int)
        case positionOutOfRange(position: Int, count: Int)
        case missingPosition(Int)
        case duplicatePerson(personID: String, name: String?, positions: [Int])
        case tooFewWomen(women: Int, required: Int, total: Int)
        /// No woman in list positions first…last (a full block of three).
        case noWomanInBlock(first: Int, last: Int)

        /// The form field (or list position) the violation is about.
        public var field: String {
            switch self {
            case .invalidSeatCount: return "Jumlah kursi"
            case .tooManyCandidates: return "Jumlah bakal calon"
            case .duplicatePosition(let p), .missingPosition(let p): return "Nomor urut \(p)"
            case .positionOutOfRange(let p, _): return "Nomor urut \(p)"
            case .duplicatePerson(_, _, let positions): return "Nomor urut \(positions.map(String.init).joined(separator: ", "))"
            case .tooFewWomen: return "Jenis kelamin"
            case .noWomanInBlock(let a, let b): return "Nomor urut \(a)–\(b)"
            }
        }

        /// List positions to highlight in the UI.
        public var positions: [Int] {
            switch self {
            case .invalidSeatCount, .tooManyCandidates, .tooFewWomen: return []
            case .duplicatePosition(let p), .missingPosition(let p): return [p]
            case .positionOutOfRange(let p, _): return [p]
            case .duplicatePerson(_, _, let positions): return positions
            case .noWomanInBlock(let a, let b): return Array(a...b)
            }
        }

        public var message: String {
            switch self {
            case .invalidSeatCount(let n):
                return "Jumlah kursi dapil harus lebih dari 0 (terbaca \(n))."
            case .tooManyCandidates(let count, let maximum):
                return "Daftar bakal calon memuat \(count) orang, melebihi 100% jumlah kursi dapil (paling banyak \(maximum) orang)."
            case .duplicatePosition(let p):
                return "Nomor urut \(p) dipakai oleh lebih dari satu bakal calon."
            case .positionOutOfRange(let p, let count):
                return "Nomor urut \(p) di luar rentang 1–\(count)."
            case .missingPosition(let p):
                return "Nomor urut \(p) kosong; nomor urut harus berurutan mulai dari 1."
            case .duplicatePerson(let id, let name, let positions):
                let who = name.map { "\($0) (ID \(id))" } ?? "ID \(id)"
                return "Bakal calon yang sama, \(who), tercantum lebih dari sekali: nomor urut \(positions.map(String.init).joined(separator: ", "))."
            case .tooFewWomen(let women, let required, let total):
                return "Keterwakilan perempuan kurang: \(women) dari \(total) bakal calon perempuan, paling sedikit \(required) orang (30%, dibulatkan ke atas)."
            case .noWomanInBlock(let a, let b):
                return "Nomor urut \(a)–\(b): tidak ada bakal calon perempuan; setiap 3 bakal calon wajib memuat paling sedikit 1 perempuan."
            }
        }
    }

    /// ceil(30% × n), in integers: (3n + 9) / 10.
    public static func minimumWomen(listSize n: Int) -> Int {
        n <= 0 ? 0 : (3 * n + 9) / 10
    }

    /// All violations, in a stable order: seats, size, numbering, duplicates,
    /// women total, then blocks by position. An empty result means the list passes.
    /// An empty list passes (a party may field nobody in a dapil).
    public static func check(_ list: [Entry], seats: Int) -> [Violation] {
        var out: [Violation] = []
        let n = list.count

        if seats <= 0 {
            out.append(.invalidSeatCount(seats))
        } else if n > seats {
            out.append(.tooManyCandidates(count: n, maximum: seats))
        }
        guard n > 0 else { return out }

        // Numbering: each of 1…n exactly once.
        var countAt: [Int: Int] = [:]
        for e in list { countAt[e.position, default: 0] += 1 }
        for p in countAt.keys.sorted() {
            if !(1...n).contains(p) {
                out.append(.positionOutOfRange(position: p, count: n))
            } else if countAt[p]! > 1 {
                out.append(.duplicatePosition(p))
            }
        }
        for p in 1...n where countAt[p] == nil {
            out.append(.missingPosition(p))
        }

        // Same person twice.
        var positionsOf: [String: [Int]] = [:]
        var nameOf: [String: String] = [:]
        for e in list {
            positionsOf[e.personID, default: []].append(e.position)
            if let name = e.name, nameOf[e.personID] == nil { nameOf[e.personID] = name }
        }
        let duplicates = positionsOf.filter { $0.value.count > 1 }
            .map { (id: $0.key, positions: $0.value.sorted()) }
            .sorted { ($0.positions[0], $0.id) < ($1.positions[0], $1.id) }
        for d in duplicates {
            out.append(.duplicatePerson(personID: d.id, name: nameOf[d.id], positions: d.positions))
        }

        // 30% women.
        let women = list.filter { $0.sex == .female }.count
        let required = minimumWomen(listSize: n)
        if women < required {
            out.append(.tooFewWomen(women: women, required: required, total: n))
        }

        // One woman in every full block of three positions.
        let womenPositions = Set(list.filter { $0.sex == .female }.map(\.position))
        for first in stride(from: 1, through: n - 2, by: 3) {
            let block = first...(first + 2)
            if !block.contains(where: womenPositions.contains) {
                out.append(.noWomanInBlock(first: block.lowerBound, last: block.upperBound))
            }
        }
        return out
    }
}
