import Testing
@testable import SimpulCore

@Suite("Eligibility (pemilih / anggota)")
struct EligibilityTests {
    @Test func seventeenOnTheBirthday() {
        let born = day(2008, 2, 14)
        #expect(Eligibility.isEligibleVoter(birthDate: born, married: false, on: day(2025, 2, 14)))
        #expect(!Eligibility.isEligibleVoter(birthDate: born, married: false, on: day(2025, 2, 13)))
        #expect(Eligibility.voterStatus(birthDate: born, married: false, on: day(2025, 2, 13))
                == .notYetEligible(eligibleFrom: day(2025, 2, 14)))
        #expect(Eligibility.voterStatus(birthDate: born, married: false, on: day(2030, 1, 1)) == .eligibleByAge)
    }

    @Test func marriedUnderSeventeen() {
        let born = day(2009, 6, 1)
        let on = day(2025, 2, 14)
        #expect(Eligibility.voterStatus(birthDate: born, married: true, on: on) == .eligibleByMarriage)
        #expect(Eligibility.isEligibleVoter(birthDate: born, married: true, on: on))
        // Being married does not matter once 17.
        #expect(Eligibility.voterStatus(birthDate: born, married: true, on: day(2026, 6, 1)) == .eligibleByAge)
    }

    @Test func birthDateAfterTheDayIsNeverEligible() {
        #expect(!Eligibility.isEligibleVoter(birthDate: day(2026, 1, 1), married: true, on: day(2025, 1, 1)))
    }

    @Test func leapDayBirthdays() {
        let born = day(2004, 2, 29)
        #expect(Eligibility.seventeenthBirthday(of: born) == day(2021, 3, 1))
        #expect(!Eligibility.isEligibleVoter(birthDate: born, married: false, on: day(2021, 2, 28)))
        #expect(Eligibility.isEligibleVoter(birthDate: born, married: false, on: day(2021, 3, 1)))
        #expect(Eligibility.age(birthDate: born, on: day(2021, 2, 28)) == 16)
        #expect(Eligibility.age(birthDate: born, on: day(2021, 3, 1)) == 17)
        #expect(Eligibility.age(birthDate: born, on: day(2024, 2, 29)) == 20)
        #expect(Eligibility.age(birthDate: born, on: day(2024, 2, 28)) == 19)
    }

    @Test func ageAgreesWithCountingBirthdays() {
        var rng = SplitMix64(seed: 17)
        for _ in 0..<3000 {
            let born = rng.date(years: 1940...2020)
            let on = rng.date(years: 1940...2040)
            var expected = 0
            if on >= born {
                while born.adding(years: expected + 1) <= on { expected += 1 }
            }
            #expect(Eligibility.age(birthDate: born, on: on) == expected)
            #expect(Eligibility.isEligibleVoter(birthDate: born, married: false, on: on) == (on >= born && expected >= 17))
        }
    }

    @Test func messages() {
        #expect(Eligibility.VoterStatus.notYetEligible(eligibleFrom: day(2026, 3, 1)).message
                == "Tanggal lahir: belum berumur 17 tahun dan belum pernah kawin; baru memenuhi syarat pada 01-03-2026.")
        #expect(Eligibility.VoterStatus.eligibleByAge.message.contains("17 tahun"))
        #expect(Eligibility.VoterStatus.eligibleByMarriage.message.contains("kawin"))
    }
}
