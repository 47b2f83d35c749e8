import Foundation

/// The four focus areas of a work programme (the seeds' "K2-P2"): Kaderisasi and
/// Konsolidasi build the party, Pelayanan and Pemenangan turn it outward.
public enum ProgrammeFocus: String, CaseIterable, Sendable, Codable {
    /// Kaderisasi: recruiting and training cadres.
    case kaderisasi
    /// Konsolidasi: building and strengthening the organisation down to the kelurahan.
    case konsolidasi
    /// Pelayanan publik: service to citizens (service centre, food bank, disaster relief).
    case pelayanan
    /// Pemenangan: winning elections (witnesses, voter outreach, candidates).
    case pemenangan

    public var label: String {
        switch self {
        case .kaderisasi: return "Kaderisasi"
        case .konsolidasi: return "Konsolidasi organisasi"
        case .pelayanan: return "Pelayanan publik"
        case .pemenangan: return "Pemenangan pemilu"
        }
    }
}

extension OrgPath {
    /// The units above this one, national first ("36.73.04." → "", "36.", "36.73.").
    public var ancestors: [OrgPath] {
        var out: [OrgPath] = []
        var prefix = ""
        for part in rawValue.split(separator: ".", omittingEmptySubsequences: true).dropLast() {
            out.append(OrgPath(rawValue: prefix))
            prefix += part + "."
        }
        if !rawValue.isEmpty { out.append(OrgPath(rawValue: prefix)) }
        return out
    }
}

/// The programme cascade: national programmes flow down to provinces, province programmes
/// to cities; a unit reads the programmes of every unit above it (read-only, inherited)
/// and derives its own from them. Ordinary scope reaches only down the tree; this is the
/// one place where reading goes up.
public enum ProgrammeCascade {
    /// Paths whose programmes a user with `roots` reads as inherited: strict ancestors of
    /// a root that are not already inside another root's subtree.
    public static func inheritedPaths(for roots: [OrgPath]) -> [OrgPath] {
        var out = Set<OrgPath>()
        for root in roots {
            for a in root.ancestors where !roots.contains(where: { $0.contains(a) }) { out.insert(a) }
        }
        return out.sorted()
    }

    /// May a user with `roots` read a programme owned at `path`?
    public static func canRead(_ path: OrgPath, roots: [OrgPath]) -> Bool {
        roots.contains { $0.contains(path) } || inheritedPaths(for: roots).contains(path)
    }

    /// A programme may be derived from one owned strictly above the new owner.
    public static func canDerive(from parent: OrgPath, into child: OrgPath) -> Bool {
        parent != child && parent.contains(child)
    }
}

/// Progress of one key performance indicator: how far `actual` has moved from `baseline`
/// towards `target`, in whole percent 0–100. A target below the baseline (e.g. fewer
/// unresolved complaints) counts the fall.
public enum KPIProgress {
    public static func percent(baseline: Int64, target: Int64, actual: Int64) -> Int {
        let span = target - baseline
        if span == 0 { return (target >= baseline ? actual >= target : actual <= target) ? 100 : 0 }
        let moved = actual - baseline
        let ratio = Double(moved) / Double(span)
        return Int(max(0, min(1, ratio)) * 100 + 1e-9)
    }

    /// A programme's progress: the mean of its KPIs' percents, rounded down; nil without KPIs.
    public static func overall(_ percents: [Int]) -> Int? {
        guard !percents.isEmpty else { return nil }
        return percents.reduce(0, +) / percents.count
    }

    /// How far through its period a programme should be on `today`, in whole percent.
    public static func expected(start: CivilDate, end: CivilDate, today: CivilDate) -> Int {
        let total = end.daysSinceEpoch - start.daysSinceEpoch
        guard total > 0 else { return today >= end ? 100 : 0 }
        let done = today.daysSinceEpoch - start.daysSinceEpoch
        return max(0, min(100, done * 100 / total))
    }

    public enum Pace: String, Sendable, Codable {
        case ahead, onTrack, behind, notStarted

        public var label: String {
            switch self {
            case .ahead: return "Lebih cepat dari jadwal"
            case .onTrack: return "Sesuai jadwal"
            case .behind: return "Tertinggal"
            case .notStarted: return "Belum dimulai"
            }
        }
    }

    /// Behind when progress trails the calendar by more than 10 points; ahead when it
    /// leads by more than 10.
    public static func pace(progress: Int?, expected: Int) -> Pace {
        guard let progress else { return .notStarted }
        if expected == 0 && progress == 0 { return .notStarted }
        if progress + 10 < expected { return .behind }
        if progress > expected + 10 { return .ahead }
        return .onTrack
    }
}

/// Rapat Kerja: the yearly planning cycle — pre-meetings (pra-Raker, per field or
/// per kecamatan) then the final meeting that adopts the programme.
public enum RakerStage: String, CaseIterable, Sendable, Codable {
    case pre
    case final

    public var label: String { self == .pre ? "Pra-Raker" : "Raker (pleno akhir)" }
}
