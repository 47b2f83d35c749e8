/// Pelayanan publik: the rules behind a citizen's service request or complaint —
/// categories and their service-level (SLA) clocks, the PPKS case types of social-welfare
/// advocacy, the life of a request, and the tracking code the citizen keeps.

/// What a request is about. Each category has its own SLA in working days.
public enum ServiceCategory: String, Codable, CaseIterable, Sendable {
    /// Administrasi kependudukan: KTP-el, KK, akta kelahiran/kematian, pindah domisili.
    case adminduk
    /// Kesehatan: BPJS Kesehatan/KIS, rujukan, biaya rumah sakit.
    case kesehatan
    /// Pendidikan: PIP/KIP, PPDB, biaya sekolah.
    case pendidikan
    /// Bantuan sosial: PKH, BPNT, DTKS (data terpadu).
    case bansos
    /// Kesejahteraan sosial (PPKS): advokasi pemerlu pelayanan kesejahteraan sosial.
    case ppks
    /// Infrastruktur: jalan, drainase, penerangan jalan, air bersih.
    case infrastruktur
    /// Lingkungan: sampah, banjir, pencemaran.
    case lingkungan
    /// Bantuan hukum dan pendampingan.
    case hukum
    /// Ketenagakerjaan: PHK, upah, pekerja migran.
    case ketenagakerjaan
    /// Pengaduan atas pelayanan publik (kelurahan, puskesmas, dinas).
    case pengaduan
    case lainnya

    public var label: String {
        switch self {
        case .adminduk: return "Administrasi kependudukan (KTP, KK, akta)"
        case .kesehatan: return "Kesehatan (BPJS/KIS, rujukan, rumah sakit)"
        case .pendidikan: return "Pendidikan (PIP/KIP, sekolah)"
        case .bansos: return "Bantuan sosial (PKH, BPNT, DTKS)"
        case .ppks: return "Kesejahteraan sosial (PPKS): lansia, disabilitas, anak, korban kekerasan"
        case .infrastruktur: return "Infrastruktur (jalan, drainase, lampu jalan, air)"
        case .lingkungan: return "Lingkungan (sampah, banjir)"
        case .hukum: return "Bantuan hukum"
        case .ketenagakerjaan: return "Ketenagakerjaan"
        case .pengaduan: return "Pengaduan pelayanan publik"
        case .lainnya: return "Lainnya"
        }
    }

    /// Short label for lists and charts.
    public var shortLabel: String {
        switch self {
        case .adminduk: return "Adminduk"
        case .kesehatan: return "Kesehatan"
        case .pendidikan: return "Pendidikan"
        case .bansos: return "Bansos"
        case .ppks: return "PPKS"
        case .infrastruktur: return "Infrastruktur"
        case .lingkungan: return "Lingkungan"
        case .hukum: return "Hukum"
        case .ketenagakerjaan: return "Ketenagakerjaan"
        case .pengaduan: return "Pengaduan"
        case .lainnya: return "Lainnya"
        }
    }

    /// Working days (Monday–Friday) from receipt to the due date. Health and welfare
    /// cases are fastest: people wait in hospitals and shelters.
    public var slaWorkingDays: Int {
        switch self {
        case .kesehatan: return 2
        case .ppks: return 3
        case .adminduk, .lingkungan, .pengaduan: return 5
        case .bansos, .pendidikan, .hukum, .ketenagakerjaan, .lainnya: return 10
        case .infrastruktur: return 14
        }
    }

    /// Social-welfare advocacy cases carry a PPKS case type and follow-ups.
    public var isAdvocacy: Bool { self == .ppks }
}

/// PPKS — Pemerlu Pelayanan Kesejahteraan Sosial: the 26 types of Permensos 8/2012
/// (pendataan dan pengelolaan data PPKS), used as case types of advocacy cases.
public enum PPKSType: String, Codable, CaseIterable, Sendable {
    case anakBalitaTerlantar, anakTerlantar, anakBerhadapanHukum, anakJalanan, anakDisabilitas
    case anakKorbanKekerasan, anakPerluPerlindunganKhusus, lanjutUsiaTerlantar, penyandangDisabilitas
    case tunaSusila, gelandangan, pengemis, pemulung, kelompokMinoritas, bekasWargaBinaan
    case odha, korbanNapza, korbanTrafficking, korbanTindakKekerasan, pekerjaMigranBermasalah
    case korbanBencanaAlam, korbanBencanaSosial, perempuanRawanSosialEkonomi, fakirMiskin
    case keluargaBermasalahSosial, komunitasAdatTerpencil

    public var label: String {
        switch self {
        case .anakBalitaTerlantar: return "Anak balita terlantar"
        case .anakTerlantar: return "Anak terlantar"
        case .anakBerhadapanHukum: return "Anak berhadapan dengan hukum"
        case .anakJalanan: return "Anak jalanan"
        case .anakDisabilitas: return "Anak dengan disabilitas"
        case .anakKorbanKekerasan: return "Anak korban tindak kekerasan"
        case .anakPerluPerlindunganKhusus: return "Anak yang memerlukan perlindungan khusus"
        case .lanjutUsiaTerlantar: return "Lanjut usia terlantar"
        case .penyandangDisabilitas: return "Penyandang disabilitas"
        case .tunaSusila: return "Tuna susila"
        case .gelandangan: return "Gelandangan"
        case .pengemis: return "Pengemis"
        case .pemulung: return "Pemulung"
        case .kelompokMinoritas: return "Kelompok minoritas"
        case .bekasWargaBinaan: return "Bekas warga binaan lembaga pemasyarakatan"
        case .odha: return "Orang dengan HIV/AIDS (ODHA)"
        case .korbanNapza: return "Korban penyalahgunaan NAPZA"
        case .korbanTrafficking: return "Korban perdagangan orang"
        case .korbanTindakKekerasan: return "Korban tindak kekerasan"
        case .pekerjaMigranBermasalah: return "Pekerja migran bermasalah sosial"
        case .korbanBencanaAlam: return "Korban bencana alam"
        case .korbanBencanaSosial: return "Korban bencana sosial"
        case .perempuanRawanSosialEkonomi: return "Perempuan rawan sosial ekonomi"
        case .fakirMiskin: return "Fakir miskin"
        case .keluargaBermasalahSosial: return "Keluarga bermasalah sosial psikologis"
        case .komunitasAdatTerpencil: return "Komunitas adat terpencil"
        }
    }
}

public enum ServiceStatus: String, Codable, CaseIterable, Sendable {
    /// Diterima: filed, not yet looked at.
    case received
    /// Ditelaah: an official checked it and confirmed category and urgency.
    case triaged
    /// Ditangani: assigned to a unit and an advocate.
    case inProgress
    /// Dirujuk: handed to an outside agency (e.g. Dinas Sosial), waiting on them.
    case referred
    /// Selesai: closed with an outcome.
    case closed

    public var label: String {
        switch self {
        case .received: return "Diterima"
        case .triaged: return "Ditelaah"
        case .inProgress: return "Sedang ditangani"
        case .referred: return "Dirujuk ke instansi"
        case .closed: return "Selesai"
        }
    }

    public var isOpen: Bool { self != .closed }
}

/// How a closed request ended.
public enum ServiceOutcome: String, Codable, CaseIterable, Sendable {
    case resolved, partlyResolved, referredOut, notResolvable, withdrawn, invalid

    public var label: String {
        switch self {
        case .resolved: return "Terselesaikan"
        case .partlyResolved: return "Terselesaikan sebagian"
        case .referredOut: return "Diteruskan ke instansi berwenang"
        case .notResolvable: return "Tidak dapat ditindaklanjuti"
        case .withdrawn: return "Dicabut pelapor"
        case .invalid: return "Tidak valid / ganda"
        }
    }
}

public enum ServiceAction: String, Codable, CaseIterable, Sendable {
    case triage, assign, refer, followUp, note, close, reopen

    public var label: String {
        switch self {
        case .triage: return "Telaah"
        case .assign: return "Tugaskan"
        case .refer: return "Rujuk ke instansi"
        case .followUp: return "Catat tindak lanjut"
        case .note: return "Tambah catatan"
        case .close: return "Tutup dengan hasil"
        case .reopen: return "Buka kembali"
        }
    }

    /// Decisions (triage, assignment, referral, closing, reopening) need the decide
    /// permission; notes and follow-ups only the handle permission.
    public var isDecision: Bool { self != .note && self != .followUp }
}

public enum ServiceLifecycle {
    /// Status after `action` on a request in `status`, or nil when not allowed.
    public static func next(after action: ServiceAction, from status: ServiceStatus) -> ServiceStatus? {
        switch (action, status) {
        case (.triage, .received), (.triage, .triaged): return .triaged
        case (.assign, .received), (.assign, .triaged), (.assign, .inProgress), (.assign, .referred): return .inProgress
        case (.refer, .triaged), (.refer, .inProgress), (.refer, .referred): return .referred
        case (.followUp, let s) where s.isOpen: return s
        case (.note, let s): return s
        case (.close, let s) where s.isOpen: return .closed
        case (.reopen, .closed): return .inProgress
        default: return nil
        }
    }

    public static func actions(from status: ServiceStatus) -> [ServiceAction] {
        ServiceAction.allCases.filter { next(after: $0, from: status) != nil }
    }

    public static func refusal(_ action: ServiceAction, from status: ServiceStatus) -> String {
        "Tidak dapat \(action.label.lowercased()) permohonan berstatus \"\(status.label)\"."
    }
}

/// SLA clocks in working days (Monday–Friday, minus the given holidays).
public enum ServiceSLA {
    /// Monday = 1 … Sunday = 7 (ISO 8601); 1970-01-01 was a Thursday.
    public static func isoWeekday(_ date: CivilDate) -> Int {
        let d = date.daysSinceEpoch
        return ((d % 7 + 7) % 7 + 3) % 7 + 1
    }

    public static func isWorkingDay(_ date: CivilDate, holidays: Set<CivilDate> = []) -> Bool {
        isoWeekday(date) <= 5 && !holidays.contains(date)
    }

    /// The date `days` working days after `start` (the day of receipt does not count).
    /// An urgent request is due the next working day.
    public static func dueDate(receivedOn start: CivilDate, category: ServiceCategory, urgent: Bool = false,
                               holidays: Set<CivilDate> = []) -> CivilDate {
        addWorkingDays(urgent ? 1 : category.slaWorkingDays, to: start, holidays: holidays)
    }

    public static func addWorkingDays(_ days: Int, to start: CivilDate, holidays: Set<CivilDate> = []) -> CivilDate {
        var date = start
        var left = max(0, days)
        while left > 0 {
            date = date.adding(days: 1)
            if isWorkingDay(date, holidays: holidays) { left -= 1 }
        }
        return date
    }

    /// Breached: still open after its due date.
    public static func isBreached(due: CivilDate, open: Bool, today: CivilDate) -> Bool { open && today > due }

    /// Age of an open request, bucketed for dashboards.
    public enum AgeBucket: Int, CaseIterable, Sendable, Comparable {
        case upTo2 = 0, upTo7, upTo14, upTo30, over30

        public var label: String {
            switch self {
            case .upTo2: return "0–2 hari"
            case .upTo7: return "3–7 hari"
            case .upTo14: return "8–14 hari"
            case .upTo30: return "15–30 hari"
            case .over30: return "> 30 hari"
            }
        }

        public static func of(ageInDays age: Int) -> AgeBucket {
            switch age {
            case ..<3: return .upTo2
            case ..<8: return .upTo7
            case ..<15: return .upTo14
            case ..<31: return .upTo30
            default: return .over30
            }
        }

        public static func < (a: AgeBucket, b: AgeBucket) -> Bool { a.rawValue < b.rawValue }
    }
}

/// The code a citizen keeps to check a request: 8 random characters and one check
/// character, printed `K7M2-QX9A-4`. The alphabet leaves out 0/O and 1/I/L, so a code read
/// over the phone is not misheard; the check character (a weighted sum modulo 31) catches
/// every single mistyped character and every swap of neighbours before the database is asked.
public struct TrackingCode: Hashable, Sendable, CustomStringConvertible {
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let randomLength = 8

    /// The 9 characters without separators.
    public let compact: String

    /// A new code from `random` (8 indexes into the alphabet are drawn).
    public init<G: RandomNumberGenerator>(using random: inout G) {
        let body = String((0..<Self.randomLength).map { _ in Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &random)] })
        compact = body + String(Self.checkCharacter(for: body))
    }

    public init() {
        var g = SystemRandomNumberGenerator()
        self.init(using: &g)
    }

    /// Parses a code as typed: case, spaces and hyphens do not matter.
    public init(parsing raw: String) throws(TrackingCodeError) {
        let kept = raw.uppercased().filter { !($0.isWhitespace || $0 == "-" || $0 == ".") }
        guard !kept.isEmpty else { throw .empty }
        guard kept.count == Self.randomLength + 1 else { throw .wrongLength(kept.count) }
        if let bad = kept.first(where: { !Self.alphabet.contains($0) }) { throw .badCharacter(bad) }
        let body = String(kept.prefix(Self.randomLength))
        guard Self.checkCharacter(for: body) == kept.last else { throw .checkMismatch }
        compact = kept
    }

    /// `K7M2-QX9A-4`
    public var formatted: String {
        let c = Array(compact)
        return String(c[0..<4]) + "-" + String(c[4..<8]) + "-" + String(c[8])
    }

    public var description: String { formatted }

    /// The check character c makes 1·v₁ + 2·v₂ + … + 8·v₈ + 9·c ≡ 0 (mod 31), v being
    /// positions in the alphabet. 31 is prime, so a wrong character at position i changes
    /// the sum by i·Δ ≢ 0, and swapping neighbours a, b changes it by a − b ≢ 0.
    static func checkCharacter(for body: String) -> Character {
        let n = alphabet.count
        var sum = 0
        for (i, ch) in body.enumerated() { sum += (i + 1) * (alphabet.firstIndex(of: ch) ?? 0) }
        // 7 is the inverse of 9 modulo 31 (9 · 7 = 63 = 2 · 31 + 1).
        return alphabet[((n - sum % n) * 7) % n]
    }
}

public enum TrackingCodeError: Error, Equatable, Sendable {
    case empty, wrongLength(Int), badCharacter(Character), checkMismatch

    public var message: String {
        switch self {
        case .empty: return "Kode pelacakan wajib diisi."
        case .wrongLength(let n): return "Kode pelacakan terdiri dari 9 karakter (contoh K7M2-QX9A-4); yang diisi \(n)."
        case .badCharacter(let c): return "Kode pelacakan tidak memuat karakter \"\(c)\". Periksa kembali (kode tidak memakai huruf O, I, L maupun angka 0 dan 1)."
        case .checkMismatch: return "Kode pelacakan tidak cocok; mungkin ada karakter yang salah ketik."
        }
    }
}
