import Testing
@testable import SimpulCore

@Suite("Data ganda: alasan dan kunci blok")
struct DuplicateRulesTests {
    let born = day(1990, 8, 17)

    func person(_ id: String, _ name: String, _ birth: CivilDate? = nil, phone: String? = nil, nik: String? = nil) -> PersonFacts {
        PersonFacts(id: id, fullName: name, birthDate: birth, phone: phone, nikDigits: nik)
    }

    @Test func sameNIK() {
        let a = person("1", "Siti Aminah", nik: "3673015708900012")
        let b = person("2", "Aminah", nik: "3673 0157 0890 0012")
        #expect(DuplicateRules.reasons(a, b) == [.sameNIK(masked: "3673********0012")])
        #expect(DuplicateRules.reasons(a, b).first?.message.contains("NIK sama") == true)
        #expect(DuplicateRules.reasons(a, b).first?.message.contains("57089") == false)
    }

    @Test func placeholderOrMalformedNIKsAreNotCompared() {
        for nik in ["0000000000000000", "1111111111111111", "367301570890", "", "abc"] {
            let a = person("1", "Siti", nik: nik), b = person("2", "Budi", nik: nik)
            #expect(DuplicateRules.reasons(a, b).isEmpty, "\(nik)")
            #expect(!DuplicateRules.blockingKeys(a).contains { $0.hasPrefix("n:") })
        }
    }

    @Test func sameNameSpelledDifferentlyAndSameBirthDate() {
        let a = person("1", "H. Muhammad Rizky, S.Pd.", born)
        let b = person("2", "Moch. Rizki", born)
        #expect(DuplicateRules.reasons(a, b) == [.sameNameAndBirthDate(birthDate: born, similarity: 1)])
        #expect(DuplicateRules.reasons(a, b)[0].message == "Nama sama (ejaan boleh berbeda) dan tanggal lahir sama (17-08-1990).")
    }

    @Test func similarNameAndSameBirthDate() throws {
        let a = person("1", "Zainal Arifin", born), b = person("2", "Jainal Arifin", born)
        let reasons = DuplicateRules.reasons(a, b)
        #expect(reasons.count == 1)
        guard case .sameNameAndBirthDate(let date, let similarity) = try #require(reasons.first) else {
            Issue.record("wrong reason \(reasons)")
            return
        }
        #expect(date == born)
        #expect(similarity >= 0.92 && similarity < 1)
        #expect(reasons[0].message.hasPrefix("Nama sangat mirip (kemiripan 93%)"))
    }

    @Test func sameNameOtherBirthDateOrNoBirthDateIsNoReason() {
        #expect(DuplicateRules.reasons(person("1", "Siti Aminah", born), person("2", "Siti Aminah", day(1990, 8, 18))).isEmpty)
        #expect(DuplicateRules.reasons(person("1", "Siti Aminah"), person("2", "Siti Aminah")).isEmpty)
        #expect(DuplicateRules.reasons(person("1", "Siti Aminah", born), person("2", "Siti Aminah")).isEmpty)
    }

    @Test func differentNameSameBirthDateIsNoReason() {
        #expect(DuplicateRules.reasons(person("1", "Siti Aminah", born), person("2", "Siti Aminatun", born)).isEmpty)
        #expect(DuplicateRules.reasons(person("1", "Budi Santoso", born), person("2", "Budi Susanto", born)).isEmpty)
        #expect(DuplicateRules.reasons(person("1", "", born), person("2", "", born)).isEmpty)
    }

    @Test func samePhoneInAnyForm() {
        let a = person("1", "Siti", phone: "081234567890"), b = person("2", "Budi", phone: "+62 812-3456-7890")
        #expect(DuplicateRules.reasons(a, b) == [.samePhone(masked: "0812****7890")])
        #expect(DuplicateRules.reasons(a, person("3", "Budi", phone: "0254 200123")).isEmpty)
    }

    @Test func everyReasonInOrder() {
        let a = person("1", "Siti Aminah", born, phone: "081234567890", nik: "3673015708900012")
        let b = person("2", "Sitti Aminah", born, phone: "6281234567890", nik: "3673015708900012")
        #expect(DuplicateRules.reasons(a, b).map(\.code) == ["same_nik", "same_name_birth_date", "same_phone"])
        #expect(DuplicateRules.reasons(a, b) == DuplicateRules.reasons(b, a))
    }

    @Test func aRecordIsNoDuplicateOfItself() {
        let a = person("1", "Siti Aminah", born, phone: "081234567890", nik: "3673015708900012")
        #expect(DuplicateRules.reasons(a, a).isEmpty)
    }

    @Test func blockingKeys() {
        let p = person("1", "Hj. Siti Nur Hasanah, S.Pd.", born, phone: "+62 812 3456 7890", nik: "3673.0157.0890.0012")
        #expect(DuplicateRules.blockingKeys(p) == [
            "n:3673015708900012",
            "p:081234567890",
            "b:1990-08-17:siti",
            "b:1990-08-17:nur",
            "b:1990-08-17:hasana",
            "bj:1990-08-17:sitinurhasana",
        ])
        #expect(DuplicateRules.blockingKeys(person("2", "Siti Siti", born)) == ["b:1990-08-17:siti", "bj:1990-08-17:sitisiti"])
        #expect(DuplicateRules.blockingKeys(person("3", "Siti")).isEmpty)
    }

    /// Whenever `reasons` finds something, the two records share a blocking key —
    /// so a database that compares only records sharing a key misses nothing that
    /// these tables cover.
    @Test func blockingKeysCoverEveryReasonFound() {
        let names = ["Muhammad Rizky", "Moh. Rizki", "Nurhasanah", "Nur Hasanah", "Zainal Arifin", "Jainal Arifin",
                     "Siti Aminah", "St. Aminah", "Hj. Siti Aminah, S.Pd.", "Chandra Wijaya", "Candra Wijaya",
                     "Abdurrahman", "Abd. Rahman", "Eko Prasetyo", "Eko Prasetya", "Ahmad bin Abdullah", "Ahmad Abdullah"]
        var people: [PersonFacts] = []
        for (i, name) in names.enumerated() {
            people.append(person("\(i)", name, born))
        }
        var found = 0
        for a in people {
            for b in people where a.id < b.id {
                let reasons = DuplicateRules.reasons(a, b)
                if reasons.isEmpty { continue }
                found += 1
                let shared = Set(DuplicateRules.blockingKeys(a)).intersection(DuplicateRules.blockingKeys(b))
                #expect(!shared.isEmpty, "\(a.fullName) / \(b.fullName)")
            }
        }
        #expect(found >= 8)
    }

    @Test func messagesAreIndonesianAndMasked() {
        #expect(DuplicateReason.sameNIK(masked: "3673********0012").message.contains("3673********0012"))
        #expect(DuplicateReason.samePhone(masked: "0812****7890").message.hasPrefix("Nomor HP sama (0812****7890)"))
        #expect(DuplicateReason.sameNameAndBirthDate(birthDate: born, similarity: 0.955).message
                == "Nama sangat mirip (kemiripan 95%) dan tanggal lahir sama (17-08-1990).")
    }

    @Test("Pairs within one birth date are found through shared name keys, a very common word alone pairs nobody, and the caller can stop")
    func sameBirthDatePairsThroughNameKeys() {
        func p(_ id: String, _ name: String) -> PersonFacts { PersonFacts(id: id, fullName: name, birthDate: born) }
        let people = [p("1", "Muhammad Rizki"), p("2", "Siti Aminah"), p("3", "Mohamad Rizky"), p("4", "Nurhasanah"),
                      p("5", "Nur Hasanah"), p("6", "Muhammad Yusuf")]
        var pairs: [String] = []
        DuplicateRules.sameBirthDatePairs(people) { i, j, reasons in
            #expect(!reasons.isEmpty)
            pairs.append("\(people[i].id)-\(people[j].id)")
            return true
        }
        #expect(pairs.sorted() == ["1-3", "4-5"])

        // Sharing only a word that more than `commonWordLimit` records have, a pair is not compared.
        let common = [p("a", "Muhammad Rizki"), p("b", "Muhammad Rizkia"), p("c", "Muhammad Yusuf")]
        var found: [String] = []
        DuplicateRules.sameBirthDatePairs(common) { i, j, _ in found.append(common[i].id + common[j].id); return true }
        #expect(found == ["ab"])
        found = []
        DuplicateRules.sameBirthDatePairs(common, commonWordLimit: 2) { i, j, _ in found.append(common[i].id + common[j].id); return true }
        #expect(found.isEmpty)

        var visits = 0
        DuplicateRules.sameBirthDatePairs((1...5).map { p("s\($0)", "Budi Santoso") }) { _, _, _ in
            visits += 1
            return visits < 3
        }
        #expect(visits == 3)
    }
}
