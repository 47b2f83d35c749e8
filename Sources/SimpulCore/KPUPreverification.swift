/// Pre-verification of a party's member list the way KPU's SIPOL will screen it
/// (pra-verifikasi keanggotaan), so a branch fixes its list before submitting it.
///
/// Background, from the sources found (secondary sources: the regulation text itself
/// was not read; check the articles before relying on a detail):
/// - PKPU 4/2022 on registration, verification and designation of parties for the DPR
///   and DPRD elections (enacted 20 July 2022; 150 articles, 49 annexes:
///   wantimpres.go.id/?p=60848, jogloabang.com/politik/pkpu-4-2022-parpol-peserta-pemilu).
///   A party needs at least 1,000 members or 1/1,000 of the population in each
///   kabupaten/kota with a board, proven by a KTA (infopemilu.kpu.go.id/Pemilu/Parpol),
///   and for the 2024 election each member is backed by a KTP-el or KK (ameg.disway.id, KPU Kab.
///   Malang).
/// - KPU Kabupaten/Kota verifies, via SIPOL, that the member list matches the uploaded
///   KTA and KTP-el/KK, and checks suspected duplicates, occupation, *age and/or marital
///   status*, and NIKs not found in the continuous voter data (PKPU 4/2022 Pasal 34(2)
///   and 35, as summarised by kab-manggaraibarat.kpu.go.id).
/// - SIPOL's screening categories named by KPU offices: "ganda identik" (the same person
///   twice in one party), "ganda eksternal" (in two parties), "potensi ganda",
///   "indikasi usia", "indikasi pekerjaan", "indikasi NIK"; verifiers match NIK, name,
///   sex and birth date against the KTP-el (kota-bukittinggi.kpu.go.id and
///   kota-payakumbuh.kpu.go.id, verification of 2022).
///
/// What this screen can and cannot do: it sees one party's list only (no "ganda
/// eksternal"), has no Dukcapil or voter-roll access (a well-formed NIK may still not
/// exist), and does not judge occupations (TNI/Polri/ASN …). See each category.
public enum KPUPreverification {
    /// Runs every check on a whole list held in memory. `referenceDate` is the day KPU will
    /// judge age on (the verification date, not necessarily today).
    public static func run(_ members: [KPUMember], referenceDate: CivilDate) -> KPUPreverificationReport {
        var scan = KPUPreverificationScan(referenceDate: referenceDate)
        // Same NIK more than once (ganda identik), across the whole list.
        var byNIK: [String: [KPUMember]] = [:]
        for member in members {
            if let key = DuplicateRules.nikKey(member.nikDigits) { byNIK[key, default: []].append(member) }
        }
        for group in byNIK.values where group.count > 1 { scan.flagDuplicates(group) }
        for member in members { scan.add(member) }
        return scan.report
    }

    /// "36.73" or "3673" → "36.73"; nil for anything else.
    static func regencyDotted(_ raw: String) -> String? {
        let digits = raw.filter { !($0.isWhitespace || $0 == ".") }
        guard digits.count == 4, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return "\(digits.prefix(2)).\(digits.suffix(2))"
    }
}

/// The checks one member at a time, keeping only the counts and the first findings: a list
/// of millions is screened in the memory of its findings, not of its members.
public struct KPUPreverificationScan: Sendable {
    public let referenceDate: CivilDate
    /// Findings kept for display; all of them are counted.
    public let findingsKept: Int
    private var duplicateMessages: [String: String] = [:]
    private var summaries: [String: KPURegencySummary] = [:]
    private var kept: [KPUFinding] = []
    private var found = 0

    public init(referenceDate: CivilDate, findingsKept: Int = .max) {
        self.referenceDate = referenceDate
        self.findingsKept = findingsKept
    }

    /// Members that share one NIK: each is flagged when it is `add`ed. Duplicates need the
    /// whole list, so whoever holds it finds them (`run` in memory; a database by its key).
    public mutating func flagDuplicates(_ group: [KPUMember]) {
        for member in group {
            let others = group.filter { $0.id != member.id }.map { other in
                "\(other.fullName) (\(KPUPreverification.regencyDotted(other.regencyCode) ?? other.regencyCode))"
            }
            duplicateMessages[member.id] = "NIK tercatat lebih dari sekali dalam daftar partai; juga pada: \(others.joined(separator: "; ")). SIPOL menandainya ganda; hanya satu yang dapat dihitung."
        }
    }

    /// Checks one member of the list (in list order).
    public mutating func add(_ member: KPUMember) {
        let regency = KPUPreverification.regencyDotted(member.regencyCode) ?? member.regencyCode
        var findings: [KPUFinding] = []
        func add(_ category: KPUFindingCategory, _ message: String) {
            findings.append(KPUFinding(memberID: member.id, memberName: member.fullName, regencyCode: regency,
                                       category: category, message: message))
        }
        if let message = duplicateMessages[member.id] { add(.duplicateWithinParty, message) }

        var nik: NIK?
        do {
            nik = try NIK(validating: member.nikDigits, today: referenceDate)
        } catch {
            add(.nikAnomaly, error.message)
        }
        if let nik {
            let issues = nik.check(birthDate: member.birthDate, sex: member.sex)
            if !issues.isEmpty {
                add(.nikAnomaly, issues.map(\.message).joined(separator: " ") + " SIPOL mencocokkan NIK dengan KTP-el; perbaiki data atau periksa KTP-el.")
            }
        }

        // Age: the recorded birth date, else the one in a valid NIK.
        if let born = member.birthDate ?? nik?.birthDate {
            let status = Eligibility.voterStatus(birthDate: born, married: member.married, on: referenceDate)
            if case .notYetEligible(let from) = status {
                add(.underAge, "Belum berumur 17 tahun pada \(referenceDate.indonesian) (lahir \(born.indonesian)) dan belum pernah kawin; baru memenuhi syarat pada \(from.indonesian).")
            }
        }

        // Region: KTP address when known, else the NIK's region of first registration.
        let registered = KPUPreverification.regencyDotted(member.regencyCode)
        if let ktp = member.ktpRegencyCode.flatMap(KPUPreverification.regencyDotted) {
            if let registered, ktp != registered {
                add(.outsideRegion, "Alamat KTP-el di kabupaten/kota \(ktp), sedangkan anggota didaftarkan di \(registered). Anggota dihitung di kabupaten/kota sesuai KTP-el.")
            }
        } else if let nik, let registered, nik.regencyCode != registered {
            add(.outsideRegion, "Kode wilayah NIK (\(nik.regencyCode)) bukan kabupaten/kota tempat anggota didaftarkan (\(registered)). Periksa alamat di KTP-el: NIK menunjukkan wilayah pendaftaran pertama, yang tidak berubah ketika orang pindah.")
        }

        var summary = summaries[regency] ?? KPURegencySummary(regencyCode: regency)
        summary.members += 1
        if !findings.isEmpty { summary.membersWithFindings += 1 }
        // A member counts once per category.
        for category in Set(findings.map(\.category)) { summary.counts[category, default: 0] += 1 }
        summaries[regency] = summary
        found += findings.count
        kept.append(contentsOf: findings.prefix(max(0, findingsKept - kept.count)))
    }

    /// Per regency in code order; the first `findingsKept` findings in list order.
    public var report: KPUPreverificationReport {
        KPUPreverificationReport(summaries: summaries.values.sorted { $0.regencyCode < $1.regencyCode },
                                 findings: kept, findingCount: found)
    }
}

/// One member as the party will submit them to SIPOL.
public struct KPUMember: Hashable, Sendable {
    public var id: String
    public var nikDigits: String
    public var fullName: String
    public var birthDate: CivilDate?
    public var sex: Sex?
    /// Kawin, cerai hidup or cerai mati (sudah/pernah kawin).
    public var married: Bool
    /// Kabupaten/kota the member is registered under, "36.73" or "3673".
    public var regencyCode: String
    /// Kabupaten/kota of the address on the KTP-el, when the party recorded it; the
    /// `outsideRegion` check uses it instead of the NIK's region code.
    public var ktpRegencyCode: String?

    public init(id: String, nikDigits: String, fullName: String, birthDate: CivilDate?, sex: Sex?,
                married: Bool, regencyCode: String, ktpRegencyCode: String? = nil) {
        self.id = id
        self.nikDigits = nikDigits
        self.fullName = fullName
        self.birthDate = birthDate
        self.sex = sex
        self.married = married
        self.regencyCode = regencyCode
        self.ktpRegencyCode = ktpRegencyCode
    }
}

/// What the screen found.
public enum KPUFindingCategory: String, CaseIterable, Hashable, Sendable, Codable {
    /// The same NIK more than once in this party's list: SIPOL's "ganda identik"
    /// (kota-payakumbuh.kpu.go.id: ganda identik = potential double membership within one
    /// party). Every occurrence is flagged; which one stays is the party's decision.
    case duplicateWithinParty
    /// NIK malformed (see `NIK`), or its encoded birth date or sex disagrees with the
    /// record: close to SIPOL's "indikasi NIK" and to the verifier's KTP-el match of NIK,
    /// sex and birth date (kota-bukittinggi.kpu.go.id). SIPOL also flags a NIK missing
    /// from the voter data, which this screen cannot see.
    case nikAnomaly
    /// Under 17 on the reference date and never married: SIPOL's "indikasi usia";
    /// the age-or-marriage rule is PKPU 4/2022 Pasal 35 as summarised by
    /// kab-manggaraibarat.kpu.go.id, and `Eligibility` (UU 7/2017 Pasal 1 angka 34,
    /// UU 2/2008 Pasal 14).
    case underAge
    /// Not living in the kabupaten/kota the member is counted for. The membership
    /// minimum is per kabupaten/kota and backed by the KTP-el, so a member counts where
    /// the KTP-el says; *not confirmed* in the sources found, which name no SIPOL
    /// category for it. Without `ktpRegencyCode` the NIK's first four digits stand in
    /// for the address, which is only an indication: the NIK keeps the region of first
    /// registration when a person moves. Treat these findings as "check the KTP-el".
    case outsideRegion

    /// Indonesian label for tables.
    public var label: String {
        switch self {
        case .duplicateWithinParty: return "Ganda dalam partai"
        case .nikAnomaly: return "NIK bermasalah"
        case .underAge: return "Belum cukup umur"
        case .outsideRegion: return "Di luar wilayah"
        }
    }
}

/// One finding about one member.
public struct KPUFinding: Hashable, Sendable {
    public var memberID: String
    public var memberName: String
    /// Dotted "36.73" (as given when it was not a 4-digit code).
    public var regencyCode: String
    public var category: KPUFindingCategory
    /// Indonesian explanation for the official fixing the list.
    public var message: String
}

/// Counts for one kabupaten/kota.
public struct KPURegencySummary: Equatable, Sendable {
    public var regencyCode: String
    /// Rows in the list for this regency.
    public var members: Int = 0
    /// Members with at least one finding.
    public var membersWithFindings: Int = 0
    /// Members per category (a member counts once per category).
    public var counts: [KPUFindingCategory: Int] = [:]

    public init(regencyCode: String) { self.regencyCode = regencyCode }

    /// Members with no finding: what can be expected to pass this screen.
    public var clean: Int { members - membersWithFindings }

    public func count(_ category: KPUFindingCategory) -> Int { counts[category] ?? 0 }
}

public struct KPUPreverificationReport: Equatable, Sendable {
    /// One per regency that has members, ordered by code.
    public var summaries: [KPURegencySummary]
    /// In list order; a member may have several. All of them, or the first ones kept by a scan.
    public var findings: [KPUFinding]
    /// Every finding, kept or not.
    public var findingCount: Int

    public func findings(for memberID: String) -> [KPUFinding] { findings.filter { $0.memberID == memberID } }
    public func summary(for regencyCode: String) -> KPURegencySummary? {
        let code = KPUPreverification.regencyDotted(regencyCode) ?? regencyCode
        return summaries.first { $0.regencyCode == code }
    }
}
