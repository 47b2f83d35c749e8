import Foundation

/// Satgas Relawan Bencana: who may join the disaster volunteer task force, and who is
/// ready to be sent.

/// The four selection stages; a volunteer is accepted when all four are passed.
public enum SelectionStage: String, Codable, CaseIterable, Sendable {
    /// Berkas: KTP, surat keterangan sehat, izin keluarga.
    case documents
    case interview
    /// Pelatihan dasar kebencanaan.
    case training
    /// Pemeriksaan kesehatan.
    case health

    public var label: String {
        switch self {
        case .documents: return "Berkas"
        case .interview: return "Wawancara"
        case .training: return "Pelatihan dasar"
        case .health: return "Kesehatan"
        }
    }
}

public enum VolunteerStatus: String, Codable, CaseIterable, Sendable {
    /// Mendaftar, belum ada tahap yang dinilai.
    case applied
    /// Sedang diseleksi.
    case inSelection
    /// Lolos seleksi: anggota satgas.
    case accepted
    /// Tidak lolos (salah satu tahap gagal).
    case rejected

    public var label: String {
        switch self {
        case .applied: return "Mendaftar"
        case .inSelection: return "Dalam seleksi"
        case .accepted: return "Anggota satgas"
        case .rejected: return "Tidak lolos"
        }
    }
}

public enum VolunteerSkill: String, Codable, CaseIterable, Sendable {
    case sar, firstAid, medical, publicKitchen, logistics, psychosocial, radio, driver, boat, shelter, assessment

    public var label: String {
        switch self {
        case .sar: return "Pencarian & penyelamatan (SAR)"
        case .firstAid: return "Pertolongan pertama (P3K)"
        case .medical: return "Tenaga kesehatan"
        case .publicKitchen: return "Dapur umum"
        case .logistics: return "Logistik & gudang"
        case .psychosocial: return "Dukungan psikososial"
        case .radio: return "Komunikasi radio"
        case .driver: return "Pengemudi"
        case .boat: return "Perahu / evakuasi air"
        case .shelter: return "Pengelolaan pengungsian"
        case .assessment: return "Kaji cepat (assessment)"
        }
    }
}

public enum VolunteerPipeline {
    /// Status from the latest result of each stage: any failure rejects, all four passed
    /// accept, anything in between is in selection.
    public static func status(_ results: [SelectionStage: Bool]) -> VolunteerStatus {
        if results.values.contains(false) { return .rejected }
        if SelectionStage.allCases.allSatisfy({ results[$0] == true }) { return .accepted }
        return results.isEmpty ? .applied : .inSelection
    }

    /// Ready to deploy: accepted, marked available, not deployed right now.
    public static func isReady(status: VolunteerStatus, available: Bool, deployedNow: Bool) -> Bool {
        status == .accepted && available && !deployedNow
    }

    /// Minutes between check-in and check-out, rounded down; nil when the order is wrong or
    /// one shift claims more than 24 hours (a forgotten check-out must be corrected).
    public static func minutes(checkIn: Date, checkOut: Date) -> Int? {
        let seconds = checkOut.timeIntervalSince(checkIn)
        guard seconds >= 0, seconds <= 24 * 3600 else { return nil }
        return Int(seconds / 60)
    }

    /// "12 jam 30 menit"
    public static func hoursText(minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        switch (h, m) {
        case (0, _): return "\(m) menit"
        case (_, 0): return "\(h) jam"
        default: return "\(h) jam \(m) menit"
        }
    }
}
