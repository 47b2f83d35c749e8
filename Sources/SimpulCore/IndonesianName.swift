import Foundation

/// Indonesian personal names for search and duplicate detection (pencarian nama).
///
/// The same person is written many ways: "H. Moch. Rizqi, S.Pd." on one list,
/// "Muhammad Rizky" on the KTP, "M. Rizki" in a WhatsApp group. Three layers:
///
/// 1. `normalize(_:)`: lower case, diacritics folded, punctuation dropped, titles
///    and degrees stripped, single spaces: `"Hj. Siti Nur'aini, S.Pd.I"` → `"siti nuraini"`.
/// 2. `searchKey(_:)`: a phonetic key per token that erases spelling variants
///    (old/new spelling, Arabic transliteration, doubled letters…), tokens in order,
///    one space between: `"Moch. Rizqi Soekarno"` → `"muhamat rizki sukarno"`.
///    `joinedKey(_:)` is the same without spaces, so "Nurhasanah" = "Nur Hasanah".
/// 3. `matches(query:name:)` for search-as-you-type and `similarity(_:_:)` (0…1) for
///    ranking likely duplicates.
///
/// Keys are for comparing, never for display. All functions are pure and cheap
/// (no Foundation locale or ICU look-ups besides diacritic folding).
public enum IndonesianName {

    // MARK: - Normalize

    /// Lower case, diacritics folded ("é" → "e"), apostrophes removed inside words
    /// ("Ma'ruf" → "maruf"), every other punctuation mark a word break, titles and
    /// degrees stripped, single spaces.
    ///
    /// Titles and degrees are recognised with or without dots and spaces
    /// ("S.Pd.", "S. Pd", "SPd", "S.Pd.I", "S.Pd.,M.Pd"):
    /// - honorifics stripped wherever they stand: Hj., KH/K.H., Drs., Dra., Ir., Dr./dr.,
    ///   drg., drh., Prof., Kyai/Kiai, Ust./Ustadz, Tgk.;
    /// - honorifics stripped only before the name (they are also initials or words):
    ///   H. (Haji), Haji, Hajah, Hajjah, Bpk./Bapak, Ibu, Ny., Tn., Sdr./Sdri.;
    /// - academic degrees (S.Pd, S.Pd.I, S.H., S.E., S.Kom, S.T., M.Si, M.M., M.Pd,
    ///   A.Md, S.Ag, Lc., M.A., Ph.D …, see `titleTable`) stripped wherever they stand,
    ///   except that a degree made only of single letters ("S. H.", "M. A.") or one that
    ///   is also a name abbreviation ("St" for Siti, "Ma"; `ambiguousCompactDegrees`) is
    ///   stripped only after the first name word: "M. A. Rahman" keeps its initials,
    ///   "Rahman, M.A." loses the degree; and "Mei", "Meng", "Ama" are names, never
    ///   the undotted M.E.I, M.Eng, A.Ma. A single letter in the middle of a name that
    ///   happens to spell a degree ("Ahmad S. H. Nasution") is lost: accepted as rare.
    ///
    /// If stripping would leave nothing (a name that is only "Dr"), the words are kept.
    public static func normalize(_ name: String) -> String {
        normalizedTokens(name).joined(separator: " ")
    }

    /// The words of `normalize(_:)`.
    public static func normalizedTokens(_ name: String) -> [String] {
        let pieces = splitPieces(name)
        var kept: [String] = []
        var i = 0
        while i < pieces.count {
            if let length = titleLength(in: pieces, at: i, afterName: !kept.isEmpty) {
                i += length
            } else {
                kept.append(pieces[i])
                i += 1
            }
        }
        return kept.isEmpty ? pieces : kept
    }

    /// Lower-cased, folded runs of ASCII letters and digits.
    static func splitPieces(_ raw: String) -> [String] {
        // Apostrophes join: Ma'ruf, Nu'man, Mu’in.
        let apostrophes: Set<Character> = ["'", "\u{2019}", "\u{2018}", "`", "\u{00B4}", "\u{02BC}", "\u{02BB}"]
        var text = String(raw.filter { !apostrophes.contains($0) })
        // Most names are plain ASCII, where folding changes nothing but case (and costs a
        // Foundation round trip per name in a million-row import).
        text = text.utf8.allSatisfy({ $0 < 0x80 }) ? text.lowercased()
            : text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        var pieces: [String] = []
        var current = ""
        for ch in text {
            if let ascii = ch.asciiValue, (97...122).contains(ascii) || (48...57).contains(ascii) {
                current.append(ch)
            } else if let replacement = specialLetters[ch] {
                current += replacement
            } else if !current.isEmpty {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// Letters that diacritic folding leaves alone.
    static let specialLetters: [Character: String] = [
        "ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "œ": "oe", "ð": "d", "þ": "th",
    ]

    // MARK: Titles

    enum TitleKind { case honorific, leadingHonorific, degree }

    /// Titles in their dotted form; every way of writing the dots is generated
    /// ("S.Pd.I" also matches "SPd.I", "S.PdI", "SPdI", and "S. Pd. I" via the spaces).
    static let titleTable: [(String, TitleKind)] = {
        let honorifics = ["Hj", "Hjh", "K.H", "Drs", "Dra", "Ir", "Dr", "Drg", "Drh", "Prof",
                          "Kyai", "Kiai", "Ust", "Ustadz", "Ustaz", "Ustadzah", "Ustazah", "Tgk"]
        let leading = ["H", "Haji", "Hajah", "Hajjah", "Bpk", "Bapak", "Ibu", "Ny", "Nyonya", "Tn", "Sdr", "Sdri"]
        let degrees = [
            "S.Pd", "S.Pd.I", "S.Pd.SD", "M.Pd", "M.Pd.I", "S.H", "S.H.I", "M.H", "M.Hum", "S.Hum",
            "S.E", "S.E.I", "M.E", "M.E.I", "S.Kom", "M.Kom", "S.T", "M.T", "S.Si", "M.Si", "S.Sos", "S.Sos.I",
            "M.Sos", "S.IP", "M.IP", "S.I.Kom", "M.I.Kom", "S.Ag", "M.Ag", "S.Th.I", "S.Psi", "M.Psi",
            "S.Kep", "Ns", "S.Kes", "M.Kes", "S.K.M", "M.K.M", "S.Farm", "Apt", "S.Ked", "Sp.A", "Sp.OG",
            "Sp.PD", "Sp.B", "Sp.M", "S.Gz", "S.Keb", "S.Tr.Keb", "A.Md", "A.Md.Kep", "A.Md.Keb",
            "A.Md.Kes", "A.Md.Farm", "A.Md.Pd", "A.Ma", "A.Ma.Pd", "S.Sn", "S.Ds", "S.Hut", "S.P", "S.Pt",
            "S.TP", "S.Pi", "S.S", "S.Sy", "S.Ud", "S.Tr", "S.Ak", "Ak", "M.M", "M.B.A", "M.Sc", "B.Sc",
            "B.A", "M.A", "Ph.D", "M.Eng", "Lc", "S.Stat", "M.Stat", "M.Ak", "M.Acc", "S.Kel", "S.Tr.T",
        ]
        return honorifics.map { ($0, .honorific) } + leading.map { ($0, .leadingHonorific) } + degrees.map { ($0, .degree) }
    }()

    /// Degrees written without dots that are also name abbreviations or names:
    /// stripped only after the first name word ("Budi, ST" but "St. Aminah").
    static let ambiguousCompactDegrees: Set<String> = [
        "st", "ma", "ba", "ak", "ns", "se", "sp", "ss", "mt", "me", "mh", "sei", "shi", "sud", "mak",
    ]
    /// Degrees recognised only with their dots, because undotted they are names:
    /// "M.E.I" but not "Mei", "M.Eng" but not "Meng", "A.Ma" but not "Ama".
    static let undottedNames: Set<String> = ["mei", "meng", "ama"]

    struct TitleForm { let kind: TitleKind; let ambiguous: Bool }

    /// "s.pd.i" style keys (pieces joined by ".") → kind.
    static let titleForms: [String: TitleForm] = {
        var forms: [String: TitleForm] = [:]
        for (dotted, kind) in titleTable {
            let parts = dotted.lowercased().split(separator: ".").map(String.init)
            // Every way to merge neighbouring parts: 2^(n-1) spellings.
            for mask in 0..<(1 << (parts.count - 1)) {
                var pieces = [parts[0]]
                for k in 1..<parts.count {
                    if mask & (1 << (k - 1)) != 0 { pieces[pieces.count - 1] += parts[k] } else { pieces.append(parts[k]) }
                }
                if pieces.count == 1 && parts.count > 1 && undottedNames.contains(pieces[0]) { continue }
                let ambiguous = kind == .degree
                    && (pieces.allSatisfy { $0.count == 1 } || (pieces.count == 1 && ambiguousCompactDegrees.contains(pieces[0])))
                let key = pieces.joined(separator: ".")
                if let existing = forms[key] {
                    // Keep the most cautious reading if two titles share a spelling.
                    if existing.kind == kind && existing.ambiguous { continue }
                }
                forms[key] = TitleForm(kind: kind, ambiguous: ambiguous)
            }
        }
        return forms
    }()

    static let maxTitlePieces = 4

    /// Number of pieces from `i` that form a title to strip, longest first.
    static func titleLength(in pieces: [String], at i: Int, afterName: Bool) -> Int? {
        for length in stride(from: min(maxTitlePieces, pieces.count - i), through: 1, by: -1) {
            let key = pieces[i..<(i + length)].joined(separator: ".")
            guard let form = titleForms[key] else { continue }
            switch form.kind {
            case .honorific: return length
            case .leadingHonorific: if !afterName { return length }
            case .degree: if afterName || !form.ambiguous { return length }
            }
        }
        return nil
    }

    // MARK: - Search key

    /// Phonetic key of a whole name: one key per word, in order, one space between.
    ///
    /// Words "bin", "binti", "binte", "bte" (son/daughter of) are left out, so
    /// "Ahmad bin Abdullah" = "Ahmad Abdullah". See `tokenKey(_:)` for the rules.
    public static func searchKey(_ name: String) -> String {
        searchKeyTokens(name).joined(separator: " ")
    }

    /// The words of `searchKey(_:)`.
    public static func searchKeyTokens(_ name: String) -> [String] {
        keyedTokens(normalizedTokens(name)).map(\.key)
    }

    /// The key of `searchKey(_:)` without spaces, for names written together or apart:
    /// "Nurhasanah" = "Nur Hasanah", "Abdurrahman" = "Abdul Rahman" = "Abd. Rahman".
    ///
    /// Each word gets its spelling rules first; across the joins only doubled letters,
    /// the y/i/w rules and the word-final rules run again ("Nur Rohman" = "Nurrohman",
    /// "Sri Yani" = "Sriyani", "Fatimah Zahra" = "Fatimahzahra"). Digraph rules do not
    /// span a join, so "Agus Halim" (s + h) stays apart from "Agus Salim". Arabic
    /// "abdul" + sun letter is assimilated as spoken: "Abdul Rahman" → "abdurahman".
    /// Known collision of joining: "Agus Salim" = "Agus Alim" (a doubled letter across
    /// the join collapses).
    public static func joinedKey(_ name: String) -> String {
        joinedKey(ofNormalizedTokens: normalizedTokens(name))
    }

    static func joinedKey(ofNormalizedTokens tokens: [String]) -> String {
        let parts = tokens.filter { !particles.contains($0) }.map { word -> String in
            let core = coreKey(word)
            return wholeWordKey(core: core) ?? core
        }
        var joined = parts.joined()
        for sun in ["r", "s", "t", "d", "z", "n"] {
            joined = joined.replacingOccurrences(of: "abdul" + sun, with: "abdu" + sun)
        }
        var c = collapseDoubles(Array(joined.utf8))
        c = collapseDoubles(glides(c))
        return finalRules(String(decoding: c, as: UTF8.self))
    }

    /// "bin"/"binti": son/daughter of. Not part of the search key.
    static let particles: Set<String> = ["bin", "binti", "binte", "bte"]

    /// Key of one normalized word (lowercase ASCII). Rules, in the order they run:
    ///
    /// | rule | example |
    /// |---|---|
    /// | digits dropped | "ahmad2" → "ahmat" |
    /// | oe → u (Dutch-era spelling) | Soekarno → sukarno, Noer → nur |
    /// | dj → j (old spelling) | Djoko → yoko (and see j → y) |
    /// | tj → c (old spelling) | Tjahjo → cahio, like Cahyo |
    /// | j → y (old spelling j is today's y; today's j was dj, folded first) | Jusuf → yusup, like Yusuf |
    /// | sy, sh → s | Syamsul, Shamsul → samsul, like Samsul |
    /// | chr → kr | Christina → kristina |
    /// | ch, kh → h | Chairul, Khairul → hairul, like Hairul; Achmad → ahmat |
    /// | ph → f, v → f | Stephanus → stefanus; Devi → defi |
    /// | dh → d, th → t, gh → g, bh → b | Ramadhan → ramadan, Fathur → fatur, Ghani → gani |
    /// | dz → z, ts → s | Dzulkifli → zulkifli, Tsania → sania |
    /// | q → k, x → ks | Taufiq → taufik, Rizqi → rizki |
    /// | ae → ai | Zaenal → zainal, Saeful → saiful |
    /// | ie → i | Taufiek → taufik, Sofie → sofi |
    /// | oo → u | Noor → nur |
    /// | doubled letters single | Muhammad → muhamad, Jannah → janah |
    /// | y after i or u-w before a vowel dropped | Zakiyah → zakiah, Juwita → juita |
    /// | y not before a vowel → i | Rizky → rizki, Rayhan → raihan |
    /// | consonant (not n) + y + vowel → i | Dyah → diah, Maryam → mariam |
    /// | i between vowels → y | Hidaiat → hidayat (and Hidajat via j → y) |
    /// | final h dropped | Fatimah → fatima, Abdullah → abdula |
    /// | final d → t, b → p, f → p | Ahmad → ahmat, Yakub → yakup, Arif → arip |
    /// | Muhammad family → "muhamat" | Mohammad, Muhamad, Mochammad, Mohamad, Muhammat, Mohammed, Moh., Muh., Mhd., M. |
    /// | Abd. → "abdul"; St. → "siti" (whole word only) | Abd. Rahman = Abdul Rahman |
    ///
    /// Deliberately *not* merged (judgement; `similarity` still ranks them close):
    /// z/j (Zainal vs Jainal: j already merges with y, so z would pull in Yainal, Yuli…),
    /// p/f inside a word (Saiful vs Saipul; Putri vs Futri would collide), o/u and a/o
    /// (Rohmat vs Rahmat), c/ch (Candra vs Chandra: "ch" is read as kh/h above).
    /// Known collision of the j/y merge: Joko = Yoko, Juni = Yuni; a duplicate still needs
    /// the same birth date, and a search just shows both.
    public static func tokenKey(_ word: String) -> String {
        let core = coreKey(word)
        return wholeWordKey(core: core) ?? finalRules(core)
    }

    /// Key without the word-final rules and whole-word abbreviations, used so that a
    /// complete query word still finds longer names ("ahmad" finds "Ahmadi").
    static func coreKey(_ word: String) -> String {
        // On bytes: this runs for every name of a million-row import, and Foundation's
        // replacingOccurrences was an eighth of the import's CPU time.
        var c = word.utf8.filter { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        guard !c.isEmpty else { return "" }
        for (from, to) in spellingRules { c = replacing(from, with: to, in: c) }
        c = collapseDoubles(c)
        c = glides(c)
        c = collapseDoubles(c)
        return String(decoding: c, as: UTF8.self)
    }

    /// Applied in order, each to the result of the one before.
    static let spellingRules: [([UInt8], [UInt8])] = [
        ("oe", "u"), ("dj", "j"), ("tj", "c"), ("j", "y"), ("sy", "s"), ("sh", "s"),
        ("chr", "kr"), ("ch", "h"), ("kh", "h"), ("ph", "f"), ("v", "f"),
        ("dh", "d"), ("th", "t"), ("gh", "g"), ("bh", "b"), ("dz", "z"), ("ts", "s"),
        ("q", "k"), ("x", "ks"), ("ae", "ai"), ("ie", "i"), ("oo", "u"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// Every occurrence of `from`, left to right and not overlapping, replaced by `to`
    /// (what `replacingOccurrences(of:with:)` does).
    static func replacing(_ from: [UInt8], with to: [UInt8], in c: [UInt8]) -> [UInt8] {
        guard c.count >= from.count, c.contains(from[0]) else { return c }
        var out: [UInt8] = []
        out.reserveCapacity(c.count + 2)
        var k = 0
        while k < c.count {
            if c[k] == from[0], k + from.count <= c.count, c[k..<(k + from.count)].elementsEqual(from) {
                out.append(contentsOf: to)
                k += from.count
            } else {
                out.append(c[k])
                k += 1
            }
        }
        return out
    }

    static let vowels: Set<UInt8> = Set("aeiou".utf8)
    static let y = UInt8(ascii: "y"), i = UInt8(ascii: "i"), u = UInt8(ascii: "u"), w = UInt8(ascii: "w"), n = UInt8(ascii: "n")

    static func collapseDoubles(_ c: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(c.count)
        for ch in c where out.last != ch { out.append(ch) }
        return out
    }

    /// The y/i and w/u rules, left to right.
    static func glides(_ c: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(c.count)
        for k in 0..<c.count {
            let ch = c[k]
            let prev = out.last
            let next: UInt8? = k + 1 < c.count ? c[k + 1] : nil
            let nextIsVowel = next.map { vowels.contains($0) } ?? false
            if ch == y {
                if prev == i && nextIsVowel { continue }                    // Zakiyah → zakiah
                if !nextIsVowel { out.append(i); continue }                 // Rizky → rizki
                if let p = prev, !vowels.contains(p), p != n { out.append(i); continue } // Dyah → diah
                out.append(y)
            } else if ch == w, prev == u, nextIsVowel {
                continue                                                    // Juwita → juita
            } else if ch == i, let p = prev, vowels.contains(p), nextIsVowel {
                out.append(y)                                               // Maia → maya
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func finalRules(_ core: String) -> String {
        var c = Array(core.utf8)
        if c.count > 2, c.last == UInt8(ascii: "h") { c.removeLast() }
        if c.count > 1, let last = c.last {
            switch last {
            case UInt8(ascii: "d"): c[c.count - 1] = UInt8(ascii: "t")
            case UInt8(ascii: "b"), UInt8(ascii: "f"): c[c.count - 1] = UInt8(ascii: "p")
            default: break
            }
        }
        return String(decoding: c, as: UTF8.self)
    }

    /// Canonical key for abbreviations and the Muhammad family; nil for other words.
    static func wholeWordKey(core: String) -> String? {
        if muhammadAbbreviations.contains(core) { return muhammad }
        let final = finalRules(core)
        if muhammadSpellings.contains(final) { return muhammad }
        switch core {
        case "abd": return "abdul"
        case "st": return "siti"
        default: return nil
        }
    }

    static let muhammad = "muhamat"
    /// Core keys of M., Md., Mhd., Mhmd., Moh./Moch., Muh./Much., Mohd./Mochd., Muhd., Mch.
    static let muhammadAbbreviations: Set<String> = ["m", "md", "mh", "mhd", "mhmd", "mhmat", "moh", "muh", "mohd", "muhd"]
    /// Full spellings after the rules: Muhammad, Muhamad, Muhammat, Mochammad, Mukhammad,
    /// Mohammad, Mohamad, Mohammed, Muhammed, Moehammad.
    static let muhammadSpellings: Set<String> = ["muhamat", "mohamat", "muhamet", "mohamet"]

    // MARK: - Matching

    struct KeyedToken: Equatable {
        let key: String
        let core: String
    }

    static func keyedTokens(_ normalized: [String]) -> [KeyedToken] {
        normalized.compactMap { word in
            guard !particles.contains(word) else { return nil }
            let core = coreKey(word)
            guard !core.isEmpty else { return nil }
            return KeyedToken(key: wholeWordKey(core: core) ?? finalRules(core), core: core)
        }
    }

    /// Search-as-you-type: every query word must match a different word of the name,
    /// in any order, where a query word matches when its key is a prefix of the name
    /// word's key ("moh rizki" finds "Muhammad Rizky"; "riz" finds "Rizky"). A query
    /// word also matches by its key before the word-final rules, so the complete word
    /// "ahmad" (key "ahmat") still finds "Ahmadi".
    ///
    /// Names written together or apart match too: the query's `joinedKey` may be a
    /// prefix of the joined key of the name from any word on, when that part of the
    /// name has a different number of words than the query ("nurhasanah" finds
    /// "Siti Nur Hasanah"; "nur hasanah" finds "Nurhasanah"; "agus salim" does not
    /// find "Agus Alim" although their joined keys collide).
    ///
    /// An empty query (nothing left after normalizing) matches every name.
    public static func matches(query: String, name: String) -> Bool {
        let queryWords = normalizedTokens(query)
        let q = keyedTokens(queryWords)
        if q.isEmpty { return true }
        let nameWords = normalizedTokens(name)
        let t = keyedTokens(nameWords)
        if t.isEmpty { return false }

        func fits(_ a: KeyedToken, _ b: KeyedToken) -> Bool {
            b.key.hasPrefix(a.key) || b.core.hasPrefix(a.core)
        }
        // Assign query words to distinct name words (backtracking; names are short).
        var used = [Bool](repeating: false, count: t.count)
        func assign(_ k: Int) -> Bool {
            if k == q.count { return true }
            for j in 0..<t.count where !used[j] && fits(q[k], t[j]) {
                used[j] = true
                if assign(k + 1) { return true }
                used[j] = false
            }
            return false
        }
        if q.count <= t.count && assign(0) { return true }

        let queryJoined = joinedKey(ofNormalizedTokens: queryWords)
        guard !queryJoined.isEmpty else { return false }
        // Only where the spacing differs: same word counts were compared word by word.
        let content = nameWords.filter { !particles.contains($0) }
        for start in 0..<content.count where content.count - start != q.count {
            if joinedKey(ofNormalizedTokens: Array(content[start...])).hasPrefix(queryJoined) { return true }
        }
        return false
    }

    // MARK: - For a database index

    /// Words to store in a search index for `name` (one row per word, indexed): each
    /// word's key and, where it differs, its key before the word-final rules and the
    /// abbreviation expansion ("Ahmad" → "ahmat", "ahmad"; "M." → "muhamat", "m"), distinct.
    ///
    /// With `queryAlternatives`, a query word matches a name when one of its alternatives
    /// is a prefix of one of the name's index words: one indexed range lookup per
    /// alternative. That is `matches(query:name:)` without two refinements a plain index
    /// cannot do (one name word per query word, and names written together/apart).
    public static func indexTokens(_ name: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for t in keyedTokens(normalizedTokens(name)) {
            for word in [t.key, t.core] where seen.insert(word).inserted { out.append(word) }
        }
        return out
    }

    /// For each query word, the prefixes that may find it in `indexTokens` (its key, and
    /// its key before the word-final rules when different): "ahmad m" →
    /// [["ahmat", "ahmad"], ["muhamat", "m"]]. Empty for an empty query.
    public static func queryAlternatives(_ query: String) -> [[String]] {
        keyedTokens(normalizedTokens(query)).map { $0.key == $0.core ? [$0.key] : [$0.key, $0.core] }
    }

    /// How alike two names are, 0…1, for ranking likely duplicates.
    ///
    /// A token-set score on the words' keys: words are paired one-to-one, best pairs
    /// first; a pair scores the mean of its Jaro–Winkler and edit similarity (an initial
    /// against a word starting with that letter scores 0.85); the score is twice the sum
    /// over the total number of words (Dice), so word order does not matter and an extra
    /// or missing word costs: "Siti Aminah" / "Siti Aminah Lestari" = 0.8.
    /// When the two names have a different number of words and equal `joinedKey`s
    /// ("Nur Rohman" / "Nurrohman") the score is 1.
    ///
    /// Why not Jaro–Winkler alone: it rewards a shared beginning so much that
    /// "Aminah"/"Aminatun" (0.93), "Wahyuni"/"Wahyuningsih" (0.92) and
    /// "Gunawan"/"Kurniawan" (0.84) look like spellings of one name; the edit term
    /// pulls those down while one-letter variants stay high.
    ///
    /// Against `DuplicateRules.nameSimilarityThreshold` (0.92), with one word equal:
    /// over it Zainal/Jainal, Chandra/Candra, Rizki/Riski, Saiful/Saipul, Rahmat/Rohmat,
    /// Prasetyo/Prasetya, and also Andi/Andri (a one-letter difference is not
    /// separable from a variant by spelling alone); under it Salim/Halim, Aminah/Aminatun,
    /// Ahmad/Ahmadi, Wahyuni/Wahyuningsih, Santoso/Susanto, Gunawan/Kurniawan.
    /// Either name empty → 0.
    public static func similarity(_ a: String, _ b: String) -> Double {
        similarity(ComparableName(a), ComparableName(b))
    }

    /// A name's keys worked out once, for comparing it with many other names.
    public struct ComparableName: Sendable {
        /// The words of `searchKey(_:)`.
        public let keys: [String]
        /// `joinedKey(_:)`.
        public let joined: String

        public init(_ name: String) {
            let words = IndonesianName.normalizedTokens(name)
            keys = IndonesianName.keyedTokens(words).map(\.key)
            joined = IndonesianName.joinedKey(ofNormalizedTokens: words)
        }
    }

    /// `similarity(_:_:)` of names prepared once.
    public static func similarity(_ a: ComparableName, _ b: ComparableName) -> Double {
        let ka = a.keys, kb = b.keys
        guard !ka.isEmpty, !kb.isEmpty else { return 0 }
        if ka == kb { return 1 }
        if ka.count != kb.count && a.joined == b.joined { return 1 }

        var pairs: [(score: Double, i: Int, j: Int)] = []
        for (i, x) in ka.enumerated() {
            for (j, y) in kb.enumerated() {
                pairs.append((tokenSimilarity(x, y), i, j))
            }
        }
        pairs.sort { ($0.score, -$0.i, -$0.j) > ($1.score, -$1.i, -$1.j) }
        var usedA = Set<Int>(), usedB = Set<Int>()
        var total = 0.0
        for p in pairs where !usedA.contains(p.i) && !usedB.contains(p.j) {
            usedA.insert(p.i)
            usedB.insert(p.j)
            total += p.score
        }
        return min(1, max(0, 2 * total / Double(ka.count + kb.count)))
    }

    static func tokenSimilarity(_ x: String, _ y: String) -> Double {
        if x == y { return 1 }
        if x.count == 1 || y.count == 1 {
            return x.first == y.first ? 0.85 : 0
        }
        return (jaroWinkler(x, y) + editSimilarity(x, y)) / 2
    }

    /// 1 − (optimal string alignment distance ÷ the longer length): one typo,
    /// one swap of neighbours, one letter more or less each cost one.
    public static func editSimilarity(_ a: String, _ b: String) -> Double {
        let s = Array(a.utf8), t = Array(b.utf8)
        let longest = max(s.count, t.count)
        if longest == 0 { return 1 }
        if s.isEmpty || t.isEmpty { return 0 }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return 1 - Double(d[s.count][t.count]) / Double(longest)
    }

    /// Jaro–Winkler similarity (prefix scale 0.1, up to 4 letters, boost above 0.7).
    public static func jaroWinkler(_ a: String, _ b: String) -> Double {
        let s = Array(a.utf8), t = Array(b.utf8)
        if s.isEmpty && t.isEmpty { return 1 }
        if s.isEmpty || t.isEmpty { return 0 }
        let window = max(0, max(s.count, t.count) / 2 - 1)
        var sMatched = [Bool](repeating: false, count: s.count)
        var tMatched = [Bool](repeating: false, count: t.count)
        var matches = 0
        for i in 0..<s.count {
            let lo = max(0, i - window), hi = min(t.count - 1, i + window)
            guard lo <= hi else { continue }
            for j in lo...hi where !tMatched[j] && s[i] == t[j] {
                sMatched[i] = true
                tMatched[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0
        var k = 0
        for i in 0..<s.count where sMatched[i] {
            while !tMatched[k] { k += 1 }
            if s[i] != t[k] { transpositions += 1 }
            k += 1
        }
        let m = Double(matches)
        let jaro = (m / Double(s.count) + m / Double(t.count) + (m - Double(transpositions) / 2) / m) / 3
        guard jaro > 0.7 else { return jaro }
        var prefix = 0
        while prefix < min(4, s.count, t.count) && s[prefix] == t[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }
}
