import Foundation
import Testing
import Vapor
import VaporTesting
@testable import SimpulServer

/// The tally request reader must agree with JSONDecoder wherever it answers, and leave
/// everything unusual to JSONDecoder (which then gives the same errors as before).
@Suite("Tally fast path: request reader and receipt")
struct TallyFastPathTests {
    func fast(_ text: String) -> TallyInput? {
        Array(text.utf8).withUnsafeBytes { TallyInputReader.read($0) }
    }

    func slow(_ text: String) -> TallyInput? {
        try? JSONDecoder().decode(TallyInput.self, from: Data(text.utf8))
    }

    func same(_ a: TallyInput, _ b: TallyInput) -> Bool {
        a.clientRef == b.clientRef && a.votersPresent == b.votersPresent && a.validVotes == b.validVotes
            && a.invalidVotes == b.invalidVotes && a.parties == b.parties && a.candidates == b.candidates
    }

    @Test("bodies in the usual shape read exactly as JSONDecoder reads them")
    func agreesWithJSONDecoder() throws {
        let bodies = [
            #"{"votersPresent":200,"validVotes":190,"invalidVotes":10,"parties":{"1":100,"2":60,"3":30}}"#,
            #"{"clientRef":"hp-1","votersPresent":200,"validVotes":190,"invalidVotes":10,"parties":{"8":60},"candidates":{"8":{"Siti Rahmah":40}}}"#,
            " {\n \"parties\" : { } ,\t\"invalidVotes\":0,\r\n\"validVotes\":-0,\"votersPresent\":0 , \"candidates\":{}} \n",
            #"{"votersPresent":-5,"validVotes":999999999999999999,"invalidVotes":0,"parties":{" 8 ":1,"":2}}"#,
            #"{"votersPresent":1,"validVotes":1,"invalidVotes":0,"parties":{"8":1},"candidates":{"8":{"Dédé Ñuñez 李":1,"":0}},"clientRef":""}"#,
        ]
        for body in bodies {
            let f = try #require(fast(body), "\(body)")
            let s = try #require(slow(body), "\(body)")
            #expect(same(f, s), "\(body)")
        }
    }

    @Test("anything unusual is left to JSONDecoder")
    func leavesTheRestToJSONDecoder() {
        let bodies = [
            #"{"votersPresent":200,"validVotes":190,"invalidVotes":10}"#,  // parties missing
            #"{"votersPresent":2.0,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // a fraction
            #"{"votersPresent":2e0,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // an exponent
            #"{"votersPresent":02,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // a leading zero
            #"{"votersPresent":"2","validVotes":2,"invalidVotes":0,"parties":{}}"#,  // a string
            #"{"clientRef":null,"votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // null
            #"{"clientRef":"a\"b","votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // an escape
            #"{"extra":1,"votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // an unknown key
            #"{"votersPresent":2,"votersPresent":3,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // a repeated key
            #"{"votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{"8":1,"8":2}}"#,  // a repeated party
            #"{"votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{}} x"#,  // trailing text
            #"{"votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{},}"#,  // trailing comma
            #"{"votersPresent":12345678901234567890,"validVotes":2,"invalidVotes":0,"parties":{}}"#,  // too long
            #"[1]"#, "", "{",
        ]
        for body in bodies { #expect(fast(body) == nil, "\(body)") }
        #expect(Array("{\"clientRef\":\"\u{1}\",\"votersPresent\":2,\"validVotes\":2,\"invalidVotes\":0,\"parties\":{}}".utf8)
            .withUnsafeBytes { TallyInputReader.read($0) } == nil)  // a control character
        var invalidUTF8 = Array(#"{"clientRef":"x","votersPresent":2,"validVotes":2,"invalidVotes":0,"parties":{}}"#.utf8)
        invalidUTF8[14] = 0xFF
        #expect(invalidUTF8.withUnsafeBytes { TallyInputReader.read($0) } == nil)
    }

    @Test("the receipt written by hand is the receipt Content would write")
    func receipt() throws {
        let r = TallyReceipt(submission: UUID(), station: "TPS 007", status: "duplicate",
                             message: "Hasil \"TPS 007\" \\ sama;\n tidak dihitung dua kali.")
        let res = TallyFastPath.response(r, status: .created)
        #expect(res.status == .created)
        #expect(res.headers.contentType == .json)
        let back = try JSONDecoder().decode(TallyReceipt.self, from: Data(res.body.string!.utf8))
        #expect(back.submission == r.submission && back.station == r.station && back.status == r.status && back.message == r.message)
    }

    @Test("through the API: an escaped clientRef goes the ordinary way; unreadable bodies answer as before")
    func throughTheAPI() async throws {
        try await withSimpul { app in
            let tests = TallyTests()
            _ = try await tests.setUp(app)
            let tps = try await tests.station(app, "36.73.05.1001", 1)
            let token = try await Fixtures(app: app).token("saksi1")
            var body = TallyTests.sheet
            body["clientRef"] = "hp/\"saksi1\""
            let first = try await tests.send(app, token: token, station: tps, body)
            #expect(first.status == .created)
            #expect(first.headers.contentType == .json)
            #expect(try first.content.get(String.self, at: "status") == "accepted")
            #expect(try first.content.get(String.self, at: "message") == "Terima kasih. Hasil TPS 001 sudah dihitung.")
            let again = try await tests.send(app, token: token, station: tps, body)
            #expect(again.status == .ok)
            #expect(try again.content.get(UUID.self, at: "submission") == (try first.content.get(UUID.self, at: "submission")))
            let stored = try #require(try await TallySubmission.query(on: app.db).first())
            #expect(stored.clientRef == "hp/\"saksi1\"")
            #expect(stored.sheet?.validVotes == 190 && stored.sheet?.candidateVotes.values.first?["Siti Rahmah"] == 40)

            var headers = HTTPHeaders.bearer(token)
            headers.contentType = .json
            let missing = try await app.testing().sendRequest(.POST, "/api/v1/tally/\(tps.id!)", headers: headers,
                                                              body: ByteBuffer(string: #"{"votersPresent":1,"validVotes":1,"invalidVotes":0}"#))
            #expect(missing.status == .badRequest)
            let reason = try missing.content.get(String.self, at: "reason")
            // Vapor's own decoding error, as before this fast path (it names the missing key).
            #expect(reason.contains("'parties'"), "\(reason)")
            let fraction = try await app.testing().sendRequest(.POST, "/api/v1/tally/\(tps.id!)", headers: headers,
                                                               body: ByteBuffer(string: #"{"votersPresent":1.5,"validVotes":1,"invalidVotes":0,"parties":{}}"#))
            #expect(fraction.status == .badRequest)
        }
    }

    @Test("TPS labels keep three digits")
    func labels() {
        #expect([1, 12, 123, 1234, 0].map(PollingStation.label) == ["TPS 001", "TPS 012", "TPS 123", "TPS 1234", "TPS 000"])
    }
}
