/// What duplicate detection needs to know about one person record.
public struct PersonFacts: Hashable, Sendable {
    public var id: String
    public var fullName: String
    public var birthDate: CivilDate?
    /// Mobile number; any form `IndonesianPhone` reads (stored form is `08…`).
    public var phone: String?
    /// NIK digits; separators are ignored.
    public var nikDigits: String?

    public init(id: String, fullName: String, birthDate: CivilDate? = nil, phone: String? = nil, nikDigits: String? = nil) {
        self.id = id
        self.fullName = fullName
        self.birthDate = birthDate
        self.phone = phone
        self.nikDigits = nikDigits
    }
}

/// Why two records probably describe the same person (kemungkinan data ganda).
public enum DuplicateReason: Hashable, Sendable {
    /// Same 16-digit NIK (masked here).
    case sameNIK(masked: String)
    /// Same birth date and the same or a very similar name.
    case sameNameAndBirthDate(birthDate: CivilDate, similarity: Double)
    /// Same mobile number (masked here).
    case samePhone(masked: String)

    /// Stable code for storage and filters.
    public var code: String {
        switch self {
        case .sameNIK: return "same_nik"
        case .sameNameAndBirthDate: return "same_name_birth_date"
        case .samePhone: return "same_phone"
        }
    }

    /// Indonesian explanation for the officer who reviews the pair.
    public var message: String {
        switch self {
        case .sameNIK(let masked):
            return "NIK sama (\(masked)). Satu NIK hanya untuk satu orang: periksa KTP keduanya."
        case .sameNameAndBirthDate(let date, let similarity):
            let percent = Int((similarity * 100).rounded(.down))
            let name = similarity >= 1 ? "Nama sama (ejaan boleh berbeda)" : "Nama sangat mirip (kemiripan \(percent)%)"
            return "\(name) dan tanggal lahir sama (\(date.indonesian))."
        case .samePhone(let masked):
            return "Nomor HP sama (\(masked)). Bisa orang yang sama, atau satu keluarga yang memakai satu nomor."
        }
    }
}

/// Likely-duplicate rules among people records (cek data ganda).
///
/// Two records are flagged, with every reason that applies, when they share
/// - a NIK (16 digits, not a placeholder such as 0000000000000000), or
/// - a birth date and a name whose `IndonesianName.searchKey` is equal or whose
///   `IndonesianName.similarity` is at least `nameSimilarityThreshold`, or
/// - a mobile number.
///
/// A flag is a hint for an officer, never an automatic merge: twins share a birth date
/// and often a surname, families share a phone.
public enum DuplicateRules {
    /// Names at least this similar count as the same name when birth dates agree.
    public static let nameSimilarityThreshold = 0.92

    /// Reasons, in the order NIK, name + birth date, phone; empty when none applies
    /// or when both facts carry the same `id` (a record is no duplicate of itself).
    public static func reasons(_ a: PersonFacts, _ b: PersonFacts) -> [DuplicateReason] {
        reasons(a, b, names: nil)
    }

    /// `names`: the two names already prepared (a caller comparing one record with many).
    static func reasons(_ a: PersonFacts, _ b: PersonFacts,
                        names: (IndonesianName.ComparableName, IndonesianName.ComparableName)?) -> [DuplicateReason] {
        guard a.id != b.id else { return [] }
        var reasons: [DuplicateReason] = []
        if let x = nikKey(a.nikDigits), let y = nikKey(b.nikDigits), x == y {
            reasons.append(.sameNIK(masked: NIK.mask(x)))
        }
        if let date = a.birthDate, date == b.birthDate {
            // Equal keys score 1 (names spelt differently but said the same).
            let (na, nb) = names ?? (IndonesianName.ComparableName(a.fullName), IndonesianName.ComparableName(b.fullName))
            let similarity = IndonesianName.similarity(na, nb)
            if similarity >= nameSimilarityThreshold {
                reasons.append(.sameNameAndBirthDate(birthDate: date, similarity: similarity))
            }
        }
        if let x = a.phone.flatMap(IndonesianPhone.normalize), let y = b.phone.flatMap(IndonesianPhone.normalize), x == y {
            reasons.append(.samePhone(masked: IndonesianPhone.mask(x)))
        }
        return reasons
    }

    /// Blocking keys: two records can only have a reason if they share at least one key,
    /// so a database stores these per person (indexed) and compares only records that
    /// share one, instead of every pair.
    ///
    /// - `n:<16 digits>`: NIK;
    /// - `p:<08…>`: phone;
    /// - `b:<yyyy-MM-dd>:<word key>`: birth date with *each* distinct word key of the
    ///   name (not only the first: "Siti Aminah" and "Aminah" share "amina");
    /// - `bj:<yyyy-MM-dd>:<joined key>`: birth date with the joined key, for names
    ///   written together or apart ("Nurhasanah" / "Nur Hasanah").
    ///
    /// Keys hold personal data in clear: store them through the keyed blind index
    /// (HMAC) like the NIK itself, never as they are. A pair whose names share no
    /// word key and no joined key is not found by name (e.g. every word misspelt);
    /// NIK and phone keys still find it.
    public static func blockingKeys(_ p: PersonFacts) -> [String] {
        var keys: [String] = []
        if let nik = nikKey(p.nikDigits) { keys.append("n:" + nik) }
        if let phone = p.phone.flatMap(IndonesianPhone.normalize) { keys.append("p:" + phone) }
        if let date = p.birthDate {
            var seen = Set<String>()
            for word in IndonesianName.searchKeyTokens(p.fullName) where seen.insert(word).inserted {
                keys.append("b:\(date.iso8601):\(word)")
            }
            let joined = IndonesianName.joinedKey(p.fullName)
            if !joined.isEmpty { keys.append("bj:\(date.iso8601):\(joined)") }
        }
        return keys
    }

    /// Likely pairs among records born on the same day, compared only where they share a
    /// name key (a word key or the joined key, as in `blockingKeys`), not every pair. Calls
    /// `visit` with the indexes (i < j) of each pair that has a reason, with its reasons,
    /// in order of first appearance; `visit` returns false to stop.
    ///
    /// A word shared by more than `commonWordLimit` of the records (thousands of
    /// "Muhammad"s on 1 January, the date written when the real one is unknown) pairs
    /// nobody by itself: names similar enough to match also share a rarer word or the
    /// joined key, so only pairs that hardly differ in anything but that word are lost.
    public static func sameBirthDatePairs(_ people: [PersonFacts], commonWordLimit: Int = 200,
                                          _ visit: (Int, Int, [DuplicateReason]) -> Bool) {
        var buckets: [String: [Int]] = [:]
        var order: [String] = []
        let names = people.map { IndonesianName.ComparableName($0.fullName) }
        for (index, name) in names.enumerated() {
            var keys = Set(name.keys.map { "w:" + $0 })
            if !name.joined.isEmpty { keys.insert("j:" + name.joined) }
            for key in keys.sorted() {
                if buckets[key] == nil { order.append(key) }
                buckets[key, default: []].append(index)
            }
        }
        var compared = Set<Int>()
        for key in order {
            let members = buckets[key]!
            if key.hasPrefix("w:") && members.count > commonWordLimit { continue }
            for (n, i) in members.enumerated() {
                for j in members[(n + 1)...] where compared.insert(i * people.count + j).inserted {
                    let found = reasons(people[i], people[j], names: (names[i], names[j]))
                    if !found.isEmpty && !visit(i, j, found) { return }
                }
            }
        }
    }

    /// 16 digits without separators; nil for anything else and for placeholders
    /// made of one repeated digit.
    static func nikKey(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let digits = raw.filter { !($0.isWhitespace || $0 == "." || $0 == "-") }
        guard digits.count == 16, digits.allSatisfy(\.isASCIIDigit), Set(digits).count > 1 else { return nil }
        return digits
    }
}
