import Foundation
import Testing
@testable import SimpulCard

/// A few bytes that start like a JPEG (SOI + APP0 marker); the renderer only checks the
/// signature, the bytes are embedded as they are.
let fakeJPEGBase64 = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0xFF, 0xD9])
    .base64EncodedString()

func sampleCard(
    fullName: String = "Siti Nurhaliza", photo: String? = nil, unit: String? = nil,
    verifyURL: String = "https://simpul.example.id/kta/3673011001-000123-7"
) -> MemberCard {
    MemberCard(
        partyName: "Partai Contoh Indonesia",
        title: "KARTU TANDA ANGGOTA",
        fullName: fullName,
        memberNumber: "3673011001-000123-7",
        unitName: unit ?? "DPRa Cipocok Jaya, DPC Cipocok Jaya, DPD Kota Serang",
        validUntil: "31 Desember 2030",
        photoJPEGBase64: photo,
        verifyURL: verifyURL
    )
}

/// All `<text>` contents of a card, in order.
func texts(_ svg: XMLTree) -> [String] { svg.elements("text").map(\.text) }

@Suite("Kartu anggota (e-KTA)")
struct MemberCardTests {
    @Test func wellFormedAtTrueSize() throws {
        let svg = try CardRenderer.svg(sampleCard())
        let root = try XMLTree.parse(svg)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["width"] == "85.6mm" && root.attributes["height"] == "54mm")
        #expect(root.attributes["viewBox"] == "0 0 856 540")
        let shown = texts(root)
        for expected in ["Partai Contoh Indonesia", "KARTU TANDA ANGGOTA", "Siti Nurhaliza", "3673011001-000123-7",
                         "Berlaku s.d.", "31 Desember 2030", "Pindai untuk verifikasi"] {
            #expect(shown.contains(expected), "\(expected)")
        }
        #expect(shown.joined(separator: " ").contains("DPRa Cipocok Jaya, DPC Cipocok Jaya,"))
        // The member number is set in a monospace font.
        let number = try #require(root.elements("text").first { $0.text == "3673011001-000123-7" })
        #expect(number.attributes["font-family"]?.contains("monospace") == true)
        // Self-contained: no script, no style, nothing fetched from elsewhere.
        #expect(!svg.contains("<script") && !svg.contains("<style") && !svg.contains("style="))
        #expect(!svg.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
        #expect(!svg.contains("xlink") && !svg.contains("@import") && !svg.contains("url("))
        #expect(root.attributes["font-family"] == "'Noto Sans', 'DejaVu Sans', sans-serif")
        #expect(svg.utf8.count < 12_000, "card SVG without photo is \(svg.utf8.count) bytes")
    }

    @Test func everyTextFieldIsEscaped() throws {
        let hostile = #"Siti <b>"Nur'</b> & <script>alert(1)</script>"#
        let card = MemberCard(
            partyName: "Partai <Maju> & \"Jaya\"", title: "KARTU 'A' <B>", fullName: hostile,
            memberNumber: "<1>&'2'", unitName: "DPRa <x> & 'y'", validUntil: "31 \"Des\" <2030>",
            verifyURL: "https://simpul.example.id/kta/1?a=1&b=<2>")
        let svg = try CardRenderer.svg(card)
        #expect(!svg.lowercased().contains("<script"))
        #expect(!svg.contains("<b>") && !svg.contains("<Maju>") && !svg.contains("<1>") && !svg.contains("<x>"))
        #expect(svg.contains("Siti &lt;b&gt;&quot;Nur&apos;&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"))
        let root = try XMLTree.parse(svg)
        let shown = texts(root).joined(separator: " ")
        #expect(shown.contains("Partai <Maju> & \"Jaya\""))
        #expect(shown.contains("KARTU 'A' <B>"))
        #expect(shown.contains("<1>&'2'"))
        #expect(shown.contains("DPRa <x> & 'y'"))
        #expect(shown.contains("31 \"Des\" <2030>"))
        // The name may be broken over two lines; together it reads as given.
        #expect(shown.contains(hostile))
        #expect(root.first("title")?.text.contains(hostile) == true)
        #expect(root.attributes["aria-label"]?.contains(hostile) == true)
    }

    @Test func controlCharactersDoNotBreakTheXML() throws {
        let svg = try CardRenderer.svg(sampleCard(fullName: "Siti\u{0}\u{1}\u{B}\n  Nurhaliza\u{FFFF}\t"))
        let root = try XMLTree.parse(svg)
        #expect(texts(root).contains("Siti Nurhaliza"))
    }

    @Test func embedsThePhotoWhenGiven() throws {
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard(photo: fakeJPEGBase64)))
        let image = try #require(root.first("image"))
        #expect(image.attributes["href"] == "data:image/jpeg;base64,\(fakeJPEGBase64)")
        #expect(image.attributes["preserveAspectRatio"] == "xMidYMid slice")
        // 4:5 portrait box, 18 × 22.5 mm.
        #expect(image.attributes["width"] == "180" && image.attributes["height"] == "225")
    }

    @Test func photoWithDataURLPrefixAndLineBreaks() throws {
        let wrapped = "data:image/jpeg;base64," + fakeJPEGBase64.prefix(8) + "\r\n" + fakeJPEGBase64.dropFirst(8)
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard(photo: wrapped)))
        #expect(root.first("image")?.attributes["href"] == "data:image/jpeg;base64,\(fakeJPEGBase64)")
    }

    @Test func silhouetteWithoutPhoto() throws {
        for photo in [nil, "", "  "] as [String?] {
            let root = try XMLTree.parse(try CardRenderer.svg(sampleCard(photo: photo)))
            #expect(root.first("image") == nil)
            #expect(root.first("circle") != nil)  // the silhouette's head
        }
    }

    @Test func rejectsWhatIsNotAJPEG() {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).base64EncodedString()
        for photo in [png, "not base64!", "\"><script>alert(1)</script>", fakeJPEGBase64 + "\" onload=\"x"] {
            #expect(throws: CardRenderError.invalidPhoto) { try CardRenderer.svg(sampleCard(photo: photo)) }
        }
        #expect(CardRenderError.invalidPhoto.message.contains("foto"))
    }

    @Test func rejectsBadAccentColourAndMissingFields() {
        var card = sampleCard()
        card.accentColor = "red\" onload=\"alert(1)"
        #expect(throws: CardRenderError.invalidAccentColor(card.accentColor)) { try CardRenderer.svg(card) }
        card.accentColor = "#B00"
        #expect(throws: Never.self) { try CardRenderer.svg(card) }
        #expect(throws: CardRenderError.missingField("Nama lengkap")) { try CardRenderer.svg(sampleCard(fullName: "  ")) }
        #expect(throws: CardRenderError.missingField("Alamat verifikasi")) { try CardRenderer.svg(sampleCard(verifyURL: "")) }
        #expect(CardRenderError.missingField("Nama lengkap").message == "Kartu anggota: Nama lengkap wajib diisi.")
    }

    @Test func accentColourIsUsed() throws {
        var card = sampleCard()
        card.accentColor = "#7a1020"
        let svg = try CardRenderer.svg(card)
        #expect(svg.contains(##"fill="#7a1020""##))
        #expect(!svg.contains("#0b5d3b"))
    }

    @Test func lightAccentGetsDarkBandText() throws {
        #expect(CardRenderer.isLight("#ffe14d") && CardRenderer.isLight("#FFF"))
        #expect(!CardRenderer.isLight("#0b5d3b") && !CardRenderer.isLight("#7a1020") && !CardRenderer.isLight("#000"))
        var card = sampleCard()
        card.accentColor = "#ffe14d"
        let root = try XMLTree.parse(try CardRenderer.svg(card))
        let party = try #require(root.elements("text").first { $0.text == "Partai Contoh Indonesia" })
        #expect(party.attributes["fill"] != "#ffffff")
    }

    @Test(arguments: [
        "Raden Ayu Siti Nurhasanah Kusumawardhani Purbaningrum Wulan",  // 59
        "Muhammad Abdurrahman Wahyudiningrat Prawirodirjo Kartasasmita",  // 61
        "Muhammad-Abdurrahman-Wahyudiningrat-Prawirodirjo-Kartasasmit",  // 60, hyphens only
        "Ni Luh Putu Ayu Sekar Kinasih Dewi Anggraeni Pramesti Wijaya",  // 60
    ])
    func longNameWrapsToTwoLines(name: String) throws {
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard(fullName: name)))
        let lines = root.elements("text").filter { name.contains($0.text) && $0.text.count > 12 }
        #expect(lines.count == 2)
        let joined = lines.map(\.text).joined(separator: " ")
        #expect(joined == name || lines.map(\.text).joined() == name)
        for line in lines {
            let size = try #require(Double(line.attributes["font-size"] ?? ""))
            #expect(size >= 22, "name at \(size / 10) mm")
            #expect(line.attributes["font-weight"] == "bold")
            #expect(line.attributes["textLength"] == nil, "name fits without squeezing")
            let width = Fitter.measure(line.text, size: size, weight: .bold)
            #expect(width <= 856 - 40 - Double(line.attributes["x"]!)!)
        }
        #expect(Set(lines.map { $0.attributes["font-size"] }).count == 1)
    }

    @Test func validUntilStaysOnOneLineWhenItCan() throws {
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard()))
        #expect(texts(root).contains("31 Desember 2030"))
        var card = sampleCard()
        card.validUntil = "Seumur hidup selama memenuhi syarat keanggotaan"
        let lines = texts(try XMLTree.parse(try CardRenderer.svg(card))).filter { card.validUntil.contains($0) && $0.count > 5 }
        #expect(lines.joined(separator: " ") == card.validUntil)
        #expect(lines.count == 2)
    }

    @Test func shortNameOnOneLargeLine() throws {
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard(fullName: "Budi")))
        let name = try #require(root.elements("text").first { $0.text == "Budi" })
        #expect(name.attributes["font-size"] == "44")
    }

    @Test func absurdlyLongFieldsStayInsideTheCard() throws {
        let card = MemberCard(
            partyName: String(repeating: "Partai Persatuan Pembangunan ", count: 4),
            fullName: String(repeating: "Abcdefghij", count: 12),
            memberNumber: String(repeating: "1234567890-", count: 4),
            unitName: Array(repeating: "DPRa Kelurahan Sumurpecung Kecamatan Serang", count: 6).joined(separator: ", "),
            validUntil: String(repeating: "Seumur hidup ", count: 8),
            verifyURL: "https://simpul.example.id/kta/3673011001-000123-7")
        let root = try XMLTree.parse(try CardRenderer.svg(card))
        for text in root.elements("text") {
            let size = try #require(Double(text.attributes["font-size"] ?? ""))
            #expect(size >= Fitter.minimumFontSize)
            let y = try #require(Double(text.attributes["y"] ?? ""))
            #expect(y > 0 && y < 528, "\(text.text) at y \(y)")
        }
        // Whatever could not fit by shrinking is squeezed to its box.
        #expect(root.elements("text").contains { $0.attributes["textLength"] != nil })
    }

    @Test func qrCodeOnTheCardIsTheVerifyURLAtScannableSize() throws {
        let url = "https://simpul.example.id/kta/3673011001-000123-7"
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard(verifyURL: url)))
        let path = try #require(root.elements("path").first { $0.attributes["transform"]?.hasPrefix("translate(") == true })
        let transform = try #require(path.attributes["transform"])
        let numbers = transform.split(whereSeparator: { !"0123456789.-".contains($0) }).compactMap { Double($0) }
        #expect(numbers.count == 3)
        let (left, top, module) = (numbers[0], numbers[1], numbers[2])
        let qr = try QRCode(url, level: .medium)
        #expect(module * Double(qr.size) >= 180, "QR code is at least 18 mm wide")
        // Quiet zone: four modules of white inside the card on every side.
        #expect(left - 4 * module >= 0 && top - 4 * module >= 118)
        #expect(left + module * Double(qr.size + 4) <= 856)
        let rects = try parsePath(try #require(path.attributes["d"]))
        let drawn = Set(rects.flatMap { r in (0..<Int(r.width)).map { [Int(r.x) + $0, Int(r.y)] } })
        let dark = Set((0..<qr.size).flatMap { y in (0..<qr.size).filter { qr.isDark(x: $0, y: y) }.map { [$0, y] } })
        #expect(drawn == dark)
        #expect(path.attributes["fill"] == "#000000")
    }

    @Test func verifyURLTooLongForTheCard() {
        let url = "https://simpul.example.id/kta/" + String(repeating: "x", count: 300)
        #expect(throws: CardRenderError.self) { try CardRenderer.svg(sampleCard(verifyURL: url)) }
    }

    @Test func deterministic() throws {
        #expect(try CardRenderer.svg(sampleCard(photo: fakeJPEGBase64)) == CardRenderer.svg(sampleCard(photo: fakeJPEGBase64)))
    }

    @Test func unitBreaksAfterCommas() throws {
        let root = try XMLTree.parse(try CardRenderer.svg(sampleCard()))
        let unitLines = root.elements("text").map(\.text).filter { $0.hasPrefix("DP") }
        #expect(unitLines == ["DPRa Cipocok Jaya,", "DPC Cipocok Jaya,", "DPD Kota Serang"])
    }

    @Test func svgNumbers() {
        #expect(SVGNumber.format(12) == "12")
        #expect(SVGNumber.format(6.5517) == "6.552")
        #expect(SVGNumber.format(-0.5) == "-0.5")
        #expect(SVGNumber.format(0.0001) == "0")
        #expect(SVGNumber.format(1_000_000.25) == "1000000.25")
    }
}
