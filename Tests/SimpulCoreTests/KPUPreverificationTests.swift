import Testing
@testable import SimpulCore

@Suite("Pra-verifikasi keanggotaan gaya SIPOL")
struct KPUPreverificationTests {
    let reference = day(2025, 6, 1)

    func nik(_ kecamatan: String, _ born: CivilDate, _ sex: Sex, _ serial: Int = 1) -> String {
        (try? NIK.make(kecamatanCode: kecamatan, birthDate: born, sex: sex, serial: serial).digits) ?? "?"
    }

    func member(_ id: String, kecamatan: String = "36.73.01", born: CivilDate = day(1990, 8, 17), sex: Sex = .female,
                married: Bool = false, regency: String = "36.73", ktp: String? = nil, nikOverride: String? = nil,
                recordedBirth: CivilDate?? = nil, recordedSex: Sex?? = nil) -> KPUMember {
        KPUMember(id: id, nikDigits: nikOverride ?? nik(kecamatan, born, sex, Int(id.filter(\.isNumber)) ?? 1),
                  fullName: "Anggota \(id)", birthDate: recordedBirth ?? born, sex: recordedSex ?? sex,
                  married: married, regencyCode: regency, ktpRegencyCode: ktp)
    }

    func categories(_ report: KPUPreverificationReport, _ id: String) -> [KPUFindingCategory] {
        report.findings(for: id).map(\.category)
    }

    @Test func aCleanListHasNoFindings() {
        let members = (1...20).map { member("\($0)") }
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(report.findings.isEmpty)
        #expect(report.summaries.count == 1)
        let s = report.summaries[0]
        #expect(s.regencyCode == "36.73" && s.members == 20 && s.membersWithFindings == 0 && s.clean == 20)
        #expect(KPUFindingCategory.allCases.allSatisfy { s.count($0) == 0 })
    }

    @Test func sameNIKTwiceIsFlaggedOnBothRowsAcrossRegencies() {
        let shared = nik("36.73.01", day(1990, 8, 17), .female, 12)
        let members = [
            member("1", nikOverride: shared),
            member("2", regency: "3604", ktp: "36.04", nikOverride: "3673 0157 0890 0012"),
            member("3"),
        ]
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(categories(report, "1") == [.duplicateWithinParty])
        #expect(categories(report, "2") == [.duplicateWithinParty])
        #expect(categories(report, "3").isEmpty)
        #expect(report.findings(for: "1")[0].message.contains("Anggota 2 (36.04)"))
        #expect(report.findings(for: "2")[0].message.hasPrefix("NIK tercatat lebih dari sekali dalam daftar partai"))
        #expect(report.summary(for: "3673")?.count(.duplicateWithinParty) == 1)
        #expect(report.summary(for: "36.04")?.count(.duplicateWithinParty) == 1)
        #expect(report.summaries.map(\.regencyCode) == ["36.04", "36.73"])
    }

    @Test func nikAnomalies() {
        let members = [
            member("1", nikOverride: "367301570890001"),                       // 15 digits
            member("2", nikOverride: "3673017308900012"),                      // day 73: no such date
            member("3", recordedBirth: day(1990, 8, 18)),                      // birth date differs
            member("4", recordedSex: .male),                                   // sex differs
            member("5", recordedBirth: .some(nil), recordedSex: .some(nil)),   // nothing to compare: fine
        ]
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(categories(report, "1") == [.nikAnomaly])
        #expect(report.findings(for: "1")[0].message == "NIK harus 16 digit angka (terbaca 15 digit).")
        #expect(categories(report, "2") == [.nikAnomaly])
        #expect(categories(report, "3") == [.nikAnomaly])
        #expect(report.findings(for: "3")[0].message.hasPrefix("Tanggal lahir (18-08-1990) tidak cocok"))
        #expect(categories(report, "4") == [.nikAnomaly])
        #expect(report.findings(for: "4")[0].message.contains("Jenis kelamin (laki-laki) tidak cocok dengan NIK"))
        #expect(categories(report, "5").isEmpty)
        #expect(report.summaries[0].count(.nikAnomaly) == 4)
    }

    @Test func underAgeUnlessMarried() {
        let young = day(2008, 6, 2)    // 17 on 2 June 2025, the day after the reference date
        let members = [
            member("1", born: young),
            member("2", born: young, married: true),
            member("3", born: day(2008, 6, 1)),
            member("4", born: young, recordedBirth: .some(nil)),   // age read from the NIK
        ]
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(categories(report, "1") == [.underAge])
        #expect(report.findings(for: "1")[0].message
                == "Belum berumur 17 tahun pada 01-06-2025 (lahir 02-06-2008) dan belum pernah kawin; baru memenuhi syarat pada 02-06-2025.")
        #expect(categories(report, "2").isEmpty)
        #expect(categories(report, "3").isEmpty)
        #expect(categories(report, "4") == [.underAge])
        // Judged on the reference date, not on the day the list was made.
        #expect(KPUPreverification.run(members, referenceDate: day(2025, 6, 2)).findings.isEmpty)
    }

    @Test func outsideRegionByNIKOrByKTPAddress() {
        let members = [
            member("1", kecamatan: "36.04.01"),                         // NIK from Kab. Serang, listed in Kota Serang
            member("2", kecamatan: "36.04.01", ktp: "36.73"),           // moved: KTP address is in Kota Serang
            member("3", kecamatan: "36.73.01", ktp: "3601"),            // KTP address elsewhere
            member("4", kecamatan: "36.73.02", regency: "3673"),        // undotted regency code
        ]
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(categories(report, "1") == [.outsideRegion])
        #expect(report.findings(for: "1")[0].message.hasPrefix("Kode wilayah NIK (36.04) bukan kabupaten/kota tempat anggota didaftarkan (36.73)."))
        #expect(categories(report, "2").isEmpty)
        #expect(categories(report, "3") == [.outsideRegion])
        #expect(report.findings(for: "3")[0].message.hasPrefix("Alamat KTP-el di kabupaten/kota 36.01"))
        #expect(categories(report, "4").isEmpty)
    }

    @Test func oneMemberCanHaveSeveralFindingsButCountsOncePerCategory() {
        let shared = nik("36.04.01", day(2009, 1, 5), .male, 9)
        let members = [
            member("1", kecamatan: "36.04.01", born: day(2009, 1, 5), sex: .male, nikOverride: shared),
            member("2", kecamatan: "36.04.01", born: day(2009, 1, 5), sex: .male, nikOverride: shared, recordedSex: .female),
            member("3"),
        ]
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(categories(report, "1") == [.duplicateWithinParty, .underAge, .outsideRegion])
        #expect(categories(report, "2") == [.duplicateWithinParty, .nikAnomaly, .underAge, .outsideRegion])
        let s = report.summaries[0]
        #expect(s.members == 3 && s.membersWithFindings == 2 && s.clean == 1)
        #expect(s.count(.duplicateWithinParty) == 2 && s.count(.nikAnomaly) == 1 && s.count(.underAge) == 2 && s.count(.outsideRegion) == 2)
    }

    @Test func summariesAddUpOnARandomList() {
        var rng = SplitMix64(seed: 4_2022)
        let kecamatan = ["36.73.01", "36.73.04", "36.04.01", "36.01.02"]
        var members: [KPUMember] = []
        for i in 1...400 {
            let born = rng.date(years: 1950...2012)
            let sex: Sex = Bool.random(using: &rng) ? .male : .female
            let k = kecamatan.randomElement(using: &rng)!
            var m = member("\(i)", kecamatan: k, born: born, sex: sex, married: Bool.random(using: &rng),
                           regency: Bool.random(using: &rng) ? "36.73" : String(k.prefix(5)))
            if Int.random(in: 0..<20, using: &rng) == 0, let earlier = members.randomElement(using: &rng) { m.nikDigits = earlier.nikDigits }
            if Int.random(in: 0..<25, using: &rng) == 0 { m.nikDigits = String(m.nikDigits.dropLast()) }
            members.append(m)
        }
        let report = KPUPreverification.run(members, referenceDate: reference)
        #expect(report.summaries.map(\.members).reduce(0, +) == members.count)
        for s in report.summaries {
            #expect(s.membersWithFindings <= s.members)
            for c in KPUFindingCategory.allCases { #expect(s.count(c) <= s.membersWithFindings) }
            #expect(s.clean == s.members - s.membersWithFindings)
        }
        let flagged = Set(report.findings.map(\.memberID))
        #expect(report.summaries.map(\.membersWithFindings).reduce(0, +) == flagged.count)
        // Every under-age finding is someone under 17 and unmarried.
        for f in report.findings where f.category == .underAge {
            let m = members.first { $0.id == f.memberID }!
            #expect(!m.married && Eligibility.age(birthDate: m.birthDate!, on: reference) < 17)
        }
        #expect(report.findings.contains { $0.category == .duplicateWithinParty })
        #expect(report.findings.contains { $0.category == .nikAnomaly })
        #expect(report.findings.contains { $0.category == .underAge })
        #expect(report.findings.contains { $0.category == .outsideRegion })
    }

    @Test("A scan that keeps only the first findings counts all of them, and otherwise agrees with the whole-list run")
    func scanKeepsTheFirstFindingsAndCountsAll() {
        // Every third member is under age, every fifth has a NIK from another regency.
        let members = (1...60).map { i in
            member("\(i)", kecamatan: i % 5 == 0 ? "36.04.01" : "36.73.01", born: i % 3 == 0 ? day(2010, 1, 1) : day(1990, 8, 17))
        }
        let whole = KPUPreverification.run(members, referenceDate: reference)
        var scan = KPUPreverificationScan(referenceDate: reference, findingsKept: 7)
        for m in members { scan.add(m) }
        let kept = scan.report
        #expect(whole.findingCount == 20 + 12)
        #expect(whole.findings.count == whole.findingCount)
        #expect(kept.findingCount == whole.findingCount)
        #expect(kept.findings == Array(whole.findings.prefix(7)))
        #expect(kept.summaries == whole.summaries)
        #expect(kept.summaries[0].count(.underAge) == 20 && kept.summaries[0].count(.outsideRegion) == 12)
        #expect(kept.findings.first?.memberName == "Anggota 3")
    }

    @Test func labels() {
        #expect(KPUFindingCategory.allCases.map(\.label) == ["Ganda dalam partai", "NIK bermasalah", "Belum cukup umur", "Di luar wilayah"])
    }
}
