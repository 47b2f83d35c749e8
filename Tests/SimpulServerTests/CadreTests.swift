import Fluent
import Foundation
import SimpulCore
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

@Suite("Kader: pelatihan, presensi e-KTA, sertifikat, jenjang, target")
struct CadreTests {
    /// An active member with a KTA in kelurahan `regionCode`, activated `daysAgo` days ago.
    @discardableResult
    static func member(_ app: Application, _ name: String, in regionCode: String, sequence: Int, daysAgo: Int = 0) async throws -> (Person, Membership) {
        let f = Fixtures(app: app)
        let person = try await f.person(name, in: regionCode)
        let unit = try await f.unit(regionCode)
        let m = Membership()
        m.$person.id = try person.requireID()
        m.$orgUnit.id = try unit.requireID()
        m.scope = unit.path
        m.status = .active
        m.channel = .staff
        m.number = try MemberNumber(kelurahanCode: regionCode, sequence: sequence).formatted
        m.verifyCode = MembershipService.newVerifyCode()
        m.validUntil = CivilDate(Date()).adding(years: 5).iso8601
        m.registeredAt = Date().addingTimeInterval(-Double(daysAgo + 1) * 86_400)
        m.activatedAt = Date().addingTimeInterval(-Double(daysAgo) * 86_400)
        try await m.create(on: app.db)
        return (person, m)
    }

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ token: String, json: [String: any Encodable & Sendable]? = nil) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(method, path, headers: .bearer(token), beforeRequest: { req in
            if let json {
                let data = try JSONSerialization.data(withJSONObject: json.mapValues { value -> Any in
                    if let list = value as? [String] { return list }
                    return "\(value)"
                })
                req.body = ByteBuffer(data: data)
                req.headers.contentType = .json
            }
        })
    }

    static let today = CivilDate(Date())

    /// A two-session Pratama training in Kecamatan 36.73.05 that ends today.
    static func training(_ app: Application, token: String, unit: OrgUnit) async throws -> TrainingDetail {
        let res = try await send(app, .POST, "/api/v1/cadre/trainings", token, json: [
            "unitID": unit.id!.uuidString, "title": "Pelatihan Kader Pratama Angkatan I", "tier": "pratama",
            "curriculum": "Ideologi partai\nOrganisasi dan kepemimpinan", "location": "Aula DPC",
            "startsOn": today.adding(days: -1).iso8601, "endsOn": today.iso8601,
        ])
        #expect(res.status == .created)
        let t = try res.content.decode(TrainingDetail.self)
        for (title, day) in [("Ideologi partai", today.adding(days: -1)), ("Kepemimpinan", today)] {
            let s = try await send(app, .POST, "/api/v1/cadre/trainings/\(t.training.id)/sessions", token,
                                   json: ["title": title, "trainer": "Dr. Hasanah", "day": day.iso8601, "startsAt": "08:30"])
            #expect(s.status == .created)
        }
        return try await send(app, .GET, "/api/v1/cadre/trainings/\(t.training.id)", token).content.decode(TrainingDetail.self)
    }

    @Test("a training: check-in by typed KTA, scope refusals, guests masked, certificates on the timeline, public check by initials")
    func trainingFlow() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua", role: .pengurus, at: "36.73.05")
            try await f.user("op", role: .operator, at: "36.73.05")
            try await f.user("pengamat", role: .pengamat, at: "36.73.05")
            try await f.user("lain", role: .pengurus, at: "36.73.04")
            let (siti, sitiM) = try await Self.member(app, "Siti Aminah", in: "36.73.05.1001", sequence: 1)
            let (_, budiM) = try await Self.member(app, "Budi Santoso", in: "36.73.04.1001", sequence: 1)
            let (ketua, op, pengamat, lain) = (try await f.token("ketua"), try await f.token("op"), try await f.token("pengamat"), try await f.token("lain"))
            // Validation names the field.
            let bad = try await Self.send(app, .POST, "/api/v1/cadre/trainings", ketua, json: [
                "unitID": try await f.unit("36.73.05").id!.uuidString, "title": "", "curriculum": "x", "location": "x",
                "startsOn": "2026-12-05", "endsOn": "2026-12-01"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Nama pelatihan wajib diisi") && bad.body.string.contains("Tanggal selesai tidak boleh sebelum"))
            // An operator may not create trainings.
            #expect(try await Self.send(app, .POST, "/api/v1/cadre/trainings", op, json: [
                "unitID": try await f.unit("36.73.05").id!.uuidString, "title": "x", "curriculum": "x", "location": "x",
                "startsOn": Self.today.iso8601]).status == .forbidden)
            let t = try await Self.training(app, token: ketua, unit: try await f.unit("36.73.05"))
            #expect(t.sessions.count == 2 && t.curriculum == ["Ideologi partai", "Organisasi dan kepemimpinan"])
            let base = "/api/v1/cadre/trainings/\(t.training.id)"
            let (s1, s2) = (t.sessions[0].id.uuidString, t.sessions[1].id.uuidString)
            // Outside the kecamatan: the training does not exist.
            #expect(try await Self.send(app, .GET, base, lain).status == .notFound)
            #expect(try await Self.send(app, .POST, base + "/checkins", lain, json: ["sessionID": s1, "scan": sitiM.number!]).status == .notFound)
            // An observer sees but does not check in.
            #expect(try await Self.send(app, .GET, base, pengamat).status == .ok)
            #expect(try await Self.send(app, .POST, base + "/checkins", pengamat, json: ["sessionID": s1, "scan": sitiM.number!]).status == .forbidden)
            // The operator types Siti's KTA number (no dashes): she is enrolled and present.
            let compact = sitiM.number!.filter(\.isNumber)
            let first = try await Self.send(app, .POST, base + "/checkins", op, json: ["sessionID": s1, "scan": compact])
            #expect(first.status == .ok)
            let result = try first.content.decode(TrainingCheckInResult.self)
            #expect(result.recorded && result.fullName == "Siti Aminah" && result.message.contains("didaftarkan"))
            // Scanning again (the QR URL this time) does not count twice.
            let again = try await Self.send(app, .POST, base + "/checkins", op, json: ["sessionID": s1, "scan": "https://simpul.example/kta/\(sitiM.verifyCode!)"])
            #expect(try again.content.decode(TrainingCheckInResult.self).recorded == false)
            // A member of another kecamatan, a mistyped number, a missing session.
            let other = try await Self.send(app, .POST, base + "/checkins", op, json: ["sessionID": s1, "scan": budiM.number!])
            #expect(other.status == .unprocessableEntity && other.body.string.contains("di luar wilayah"))
            var typo = Array(compact)
            typo[typo.count - 1] = typo.last == "1" ? "2" : "1"
            let mistyped = try await Self.send(app, .POST, base + "/checkins", op, json: ["sessionID": s1, "scan": String(typo)])
            #expect(mistyped.status == .unprocessableEntity && mistyped.body.string.contains("scan"))
            #expect(try await Self.send(app, .POST, base + "/checkins", op, json: ["scan": compact]).status == .unprocessableEntity)
            // A guest from another party; the phone is stored encrypted and shown masked.
            let guestRes = try await Self.send(app, .POST, base + "/participants", op, json: ["fullName": "Rina Marlina", "organisation": "KPPI", "phone": "081234567890"])
            #expect(guestRes.status == .created)
            #expect(!guestRes.body.string.contains("081234567890"))
            let guest = try #require(try guestRes.content.decode(TrainingDetail.self).participants.first { $0.guest })
            #expect(guest.phoneMasked != nil)
            let stored = try #require(try await TrainingParticipant.find(guest.id, on: app.db))
            #expect(stored.phoneCipher != nil && stored.phoneCipher != "081234567890")
            #expect(try await Self.send(app, .POST, base + "/participants", op, json: ["phone": "0812"]).body.string.contains("Nama peserta tamu wajib diisi"))
            // The list method for session 2: Siti and the guest are present.
            let sitiRow = try #require(try await Self.send(app, .GET, base, op).content.decode(TrainingDetail.self).participants.first { !$0.guest })
            let listed = try await Self.send(app, .POST, base + "/attendance", op, json: ["sessionID": s2, "present": [sitiRow.id.uuidString, guest.id.uuidString]])
            #expect(listed.status == .ok)
            let afterList = try listed.content.decode(TrainingDetail.self)
            #expect(afterList.sessions.map(\.present) == [1, 2])
            #expect(afterList.participants.allSatisfy(\.completed) == false)
            #expect(afterList.participants.first { $0.id == sitiRow.id }?.completed == true)
            // Only a manager issues certificates; the guest attended 1 of 2 (50 % < 75 %).
            #expect(try await Self.send(app, .POST, base + "/certificates", op).status == .forbidden)
            let issued = try await Self.send(app, .POST, base + "/certificates", ketua)
            #expect(issued.status == .ok)
            let certified = try issued.content.decode(TrainingDetail.self).participants
            let code = try #require(certified.first { $0.id == sitiRow.id }?.certificateCode)
            #expect(certified.first { $0.guest }?.certificateCode == nil)
            // Issuing again gives nothing new.
            #expect(try await Self.send(app, .POST, base + "/certificates", ketua).content.decode(TrainingDetail.self).training.certified == 1)
            let events = try await PersonEvent.query(on: app.db).filter(\.$person.$id == siti.requireID()).all().map(\.kind)
            #expect(events.contains("training.certified"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "training.certificates").count() == 2)
            // The QR's page: initials and the training, never the name.
            let check = try await app.testing().sendRequest(.GET, "/api/v1/public/certificates/\(code)")
            let public_ = try check.content.decode(PublicCertificateCheck.self)
            #expect(public_.valid && public_.initials == "S. A." && public_.training == "Pelatihan Kader Pratama Angkatan I")
            #expect(!check.body.string.contains("Siti"))
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/public/certificates/ZZZZZZZZZZ").content.decode(PublicCertificateCheck.self).valid == false)
            let page = try await app.testing().sendRequest(.GET, "/sertifikat/\(code)")
            #expect(page.status == .ok && page.body.string.contains("S. A.") && !page.body.string.contains("Siti"))
            #expect(try await app.testing().sendRequest(.GET, "/sertifikat/ZZZZZZZZZZ").status == .notFound)
            // Trainings of the other kecamatan's list stay empty.
            #expect(try await Self.send(app, .GET, "/api/v1/cadre/trainings", lain).content.decode([TrainingSummary].self).isEmpty)
            #expect(try await Self.send(app, .GET, "/api/v1/cadre/trainings", pengamat).content.decode([TrainingSummary].self).count == 1)
        }
    }

    @Test("the ladder: shortfalls named, ready list scoped, promotion by an official with a reason, exceptions marked")
    func ladder() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua", role: .pengurus, at: "36.73.05")
            try await f.user("op", role: .operator, at: "36.73.05")
            try await f.user("lain", role: .pengurus, at: "36.73.04")
            let (ketua, op, lain) = (try await f.token("ketua"), try await f.token("op"), try await f.token("lain"))
            let (siti, _) = try await Self.member(app, "Siti Aminah", in: "36.73.05.1001", sequence: 1, daysAgo: 120)
            let (dewi, _) = try await Self.member(app, "Dewi Lestari", in: "36.73.05.1002", sequence: 1, daysAgo: 10)
            let kec05 = try await f.unit("36.73.05")
            let t = try await Self.training(app, token: ketua, unit: kec05)
            let base = "/api/v1/cadre/trainings/\(t.training.id)"
            for session in t.sessions {
                #expect(try await Self.send(app, .POST, base + "/checkins", op, json: ["sessionID": session.id.uuidString, "scan": try await Membership.query(on: app.db).filter(\.$person.$id == siti.requireID()).first()!.number!]).status == .ok)
            }
            #expect(try await Self.send(app, .POST, base + "/certificates", ketua).status == .ok)
            let sitiPath = "/api/v1/cadre/members/\(try siti.requireID())"
            var record = try await Self.send(app, .GET, sitiPath, ketua).content.decode(CadreRecordDTO.self)
            #expect(record.standing.levelLabel == "Anggota" && record.standing.trainings == 1)
            #expect(record.standing.shortfalls == ["Poin kontribusi 0 dari 10."])
            // Contributions: an official credits them; an operator cannot; points are bounded.
            #expect(try await Self.send(app, .POST, sitiPath + "/contributions", op, json: ["activity": "Rekrut anggota", "points": "10"]).status == .forbidden)
            let tooMany = try await Self.send(app, .POST, sitiPath + "/contributions", ketua, json: ["activity": "Rekrut anggota", "points": "51"])
            #expect(tooMany.status == .unprocessableEntity && tooMany.body.string.contains("Poin harus"))
            #expect(try await Self.send(app, .POST, sitiPath + "/contributions", ketua, json: ["activity": "Rekrut 5 anggota baru", "points": "10"]).status == .created)
            // Ready: in her kecamatan's list, invisible from the other one.
            let ready = try await Self.send(app, .GET, "/api/v1/cadre/ready", ketua).content.decode([CadreStandingDTO].self)
            #expect(ready.map(\.fullName) == ["Siti Aminah"])
            #expect(try await Self.send(app, .GET, "/api/v1/cadre/ready", lain).content.decode([CadreStandingDTO].self).isEmpty)
            #expect(try await Self.send(app, .GET, "/api/v1/cadre/ready?unit=\(kec05.id!)", lain).status == .notFound)
            #expect(try await Self.send(app, .GET, sitiPath, lain).status == .notFound)
            // Promotion: 404 outside, 403 for the operator, a reason is required, one rung only.
            #expect(try await Self.send(app, .POST, sitiPath + "/promotions", lain, json: ["reason": "x"]).status == .notFound)
            #expect(try await Self.send(app, .POST, sitiPath + "/promotions", op, json: ["reason": "x"]).status == .forbidden)
            let noReason = try await Self.send(app, .POST, sitiPath + "/promotions", ketua, json: ["reason": " "])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("Alasan"))
            #expect(try await Self.send(app, .POST, sitiPath + "/promotions", ketua, json: ["level": "madya", "reason": "Pleno"]).status == .unprocessableEntity)
            let promoted = try await Self.send(app, .POST, sitiPath + "/promotions", ketua, json: ["level": "pratama", "reason": "Rapat pleno DPC 20 November"])
            #expect(promoted.status == .created)
            record = try promoted.content.decode(CadreRecordDTO.self)
            #expect(record.standing.levelLabel == "Kader Pratama" && record.promotions.count == 1 && record.standing.since == CivilDate(Date()).iso8601)
            #expect(record.standing.shortfalls.contains("Belum lulus Pelatihan Kader Madya."))
            let kinds = try await PersonEvent.query(on: app.db).filter(\.$person.$id == siti.requireID()).all().map(\.kind)
            #expect(kinds.contains("cadre.promoted"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "cadre.promote").count() == 1)
            // Dewi meets nothing: refused unless the official marks an exception.
            let dewiPath = "/api/v1/cadre/members/\(try dewi.requireID())"
            let refused = try await Self.send(app, .POST, dewiPath + "/promotions", ketua, json: ["reason": "Tokoh masyarakat"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("exception"))
            let excepted = try await Self.send(app, .POST, dewiPath + "/promotions", ketua, json: ["reason": "Tokoh masyarakat, keputusan pleno", "exception": "on"])
            #expect(try excepted.content.decode(CadreRecordDTO.self).promotions.first?.exception == true)
            let ladder = try await Self.send(app, .GET, "/api/v1/cadre/ladder", ketua).content.decode(LadderOverview.self)
            #expect(ladder.rungs.map(\.count) == [0, 2, 0, 0])
            #expect(ladder.children.filter { $0.cadres > 0 }.count == 2)
        }
    }

    @Test("growth target: baseline on the start day, per-kelurahan targets, forecast, scope")
    func growthTarget() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua", role: .pengurus, at: "36.73.05")
            try await f.user("lain", role: .pengurus, at: "36.73.04")
            let (ketua, lain) = (try await f.token("ketua"), try await f.token("lain"))
            let today = CivilDate(Date())
            // Cadres who became cadres 300 days ago (4 in 1001, 2 in 1002) and 50 days ago (3 in 1001).
            var sequence = 0
            for (region, daysAgo, n) in [("36.73.05.1001", 300, 4), ("36.73.05.1002", 300, 2), ("36.73.05.1001", 50, 3), ("36.73.04.1001", 300, 5)] {
                for _ in 0..<n {
                    sequence += 1
                    let (person, m) = try await Self.member(app, "Kader \(sequence)", in: region, sequence: sequence, daysAgo: 400)
                    let p = CadreProfile()
                    p.$person.id = try person.requireID()
                    p.level = CadreLevel.pratama.rawValue
                    p.since = today.adding(days: -daysAgo).iso8601
                    p.cadreSince = p.since
                    p.scope = m.scope
                    try await p.create(on: app.db)
                }
            }
            let kec05 = try await f.unit("36.73.05")
            let form: [String: any Encodable & Sendable] = ["unitID": kec05.id!.uuidString, "title": "Kader naik 50% dalam dua tahun", "measure": "cadres",
                                                           "percent": "50", "startsOn": today.adding(days: -100).iso8601, "deadline": today.adding(days: 630).iso8601]
            var wrong = form
            wrong["percent"] = "0"
            let refused = try await Self.send(app, .POST, "/api/v1/cadre/targets", ketua, json: wrong)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("Kenaikan harus"))
            #expect(try await Self.send(app, .POST, "/api/v1/cadre/targets", lain, json: form).status == .notFound)
            // Before the first cadre there is nothing to grow by a percentage.
            var tooEarly = form
            tooEarly["startsOn"] = today.adding(days: -400).iso8601
            let empty = try await Self.send(app, .POST, "/api/v1/cadre/targets", ketua, json: tooEarly)
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("startsOn") && empty.body.string.contains("belum ada kader"))
            let created = try await Self.send(app, .POST, "/api/v1/cadre/targets", ketua, json: form)
            #expect(created.status == .created)
            let target = try created.content.decode(GrowthTargetDTO.self)
            // 6 at the start, +50 % → 9; 9 now: reached.
            #expect(target.overall.baseline == 6 && target.overall.target == 9 && target.overall.current == 9)
            #expect(target.overall.verdict == .reached)
            let detail = try await Self.send(app, .GET, "/api/v1/cadre/targets/\(target.id)", ketua).content.decode(GrowthTargetDTO.self)
            let k1001 = try #require(detail.children.first { $0.baseline == 4 })
            #expect(k1001.baseline == 4 && k1001.target == 6 && k1001.current == 7 && k1001.verdict == .reached)
            let k1002 = try #require(detail.children.first { $0.baseline == 2 })
            // 2 → 3 wanted, no growth in 100 days: the forecast stays at 2, behind.
            #expect(k1002.target == 3 && k1002.current == 2 && k1002.forecast == 2 && k1002.verdict == .behind)
            #expect(detail.children.filter { $0.verdict == .noBaseline }.count == detail.children.count - 2)
            #expect(try await Self.send(app, .GET, "/api/v1/cadre/targets/\(target.id)", lain).status == .notFound)
            #expect(try await Self.send(app, .GET, "/api/v1/cadre/targets", lain).content.decode([GrowthTargetDTO].self).isEmpty)
            #expect([101.0 * 30 / 365, 0.04, 0, 12.4].map(GrowthTargets.perMonth) == ["8,3", "< 0,1", "0", "12"])
        }
    }

    @Test("pages: overview with charts, check-in form with the scan button, check-in by typed KTA, target chart")
    func pages() async throws {
        try await withSimpul { app in
            let f = Fixtures(app: app)
            try await f.user("ketua", role: .pengurus, at: "36.73.05")
            try await f.user("lain", role: .pengurus, at: "36.73.04")
            let (_, sitiM) = try await Self.member(app, "Siti Aminah", in: "36.73.05.1001", sequence: 1)
            let t = try await Self.training(app, token: try await f.token("ketua"), unit: try await f.unit("36.73.05"))
            let web = WebClient(app: app)
            try await web.login("ketua")
            let overview = try await web.get("/cadre")
            #expect(overview.status == .ok && overview.body.string.contains("Tangga jenjang") && overview.body.string.contains("<svg"))
            #expect(overview.body.string.contains("href=\"/cadre\" class=\"active\""))
            let page = try await web.get("/cadre/trainings/\(t.training.id)")
            #expect(page.status == .ok && page.body.string.contains("data-scan") && page.body.string.contains("name=\"scan\""))
            let checked = try await web.post("/cadre/trainings/\(t.training.id)/checkin", form: ["sessionID": t.sessions[0].id.uuidString, "scan": sitiM.number!])
            #expect(checked.status == .seeOther)
            let after = try await web.get("/cadre/trainings/\(t.training.id)?session=\(t.sessions[0].id)")
            #expect(after.body.string.contains("Siti Aminah hadir di sesi Ideologi partai"))
            let wrong = try await web.post("/cadre/trainings/\(t.training.id)/checkin", form: ["sessionID": t.sessions[0].id.uuidString, "scan": "12345"])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("Kartu tidak dikenali"))
            let noCSRF = try await web.post("/cadre/trainings/\(t.training.id)/checkin", form: ["sessionID": t.sessions[0].id.uuidString, "scan": sitiM.number!], withCSRF: false)
            #expect(noCSRF.status == .forbidden)
            let made = try await web.post("/cadre/targets", form: ["unitID": try await f.unit("36.73.05").id!.uuidString, "title": "Anggota +50%",
                                                                   "measure": "members", "percent": "50", "deadline": CivilDate(Date()).adding(days: 700).iso8601])
            #expect(made.status == .seeOther)
            let target = try await web.get(try #require(made.headers.first(name: .location)))
            #expect(target.status == .ok && target.body.string.contains("Cara menghitung") && target.body.string.contains("<path"))
            let other = WebClient(app: app)
            try await other.login("lain")
            #expect(try await other.get("/cadre/trainings/\(t.training.id)").status == .notFound)
            #expect(!(try await other.get("/cadre/trainings")).body.string.contains("Angkatan I"))
        }
    }
}
