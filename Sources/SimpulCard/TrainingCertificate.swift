import Foundation

/// Sertifikat pelatihan: what one participant's certificate shows. Texts are printed as
/// given and XML-escaped by the renderer.
public struct TrainingCertificate: Sendable, Equatable {
    public var partyName: String
    public var fullName: String
    public var trainingTitle: String
    /// e.g. "Pelatihan Kader Pratama · 28 – 29 November 2026 · Aula DPD".
    public var detail: String
    /// e.g. "KPPI Kota Serang".
    public var organiser: String
    /// The certificate's public code (also the number printed on it).
    public var number: String
    /// Already formatted, e.g. "29 November 2026".
    public var issuedOn: String
    /// The address the QR code opens: the public check (initials only).
    public var verifyURL: String
    public var accentColor: String

    public init(partyName: String, fullName: String, trainingTitle: String, detail: String, organiser: String,
                number: String, issuedOn: String, verifyURL: String, accentColor: String = "#0b5d3b") {
        self.partyName = partyName
        self.fullName = fullName
        self.trainingTitle = trainingTitle
        self.detail = detail
        self.organiser = organiser
        self.number = number
        self.issuedOn = issuedOn
        self.verifyURL = verifyURL
        self.accentColor = accentColor
    }
}

/// Draws a `TrainingCertificate` on A4 landscape (`width="297mm" height="210mm"`, viewBox
/// 2970 × 2100, one unit = 0.1 mm), self-contained and without inline styles, like the e-KTA.
public enum CertificateRenderer {
    static let width = 2970.0
    static let height = 2100.0
    static let qrSide = 300.0

    public static func svg(_ c: TrainingCertificate) throws -> String {
        let name = CardRenderer.clean(c.fullName)
        let title = CardRenderer.clean(c.trainingTitle)
        guard !name.isEmpty else { throw CardRenderError.missingField("Nama peserta") }
        guard !title.isEmpty else { throw CardRenderError.missingField("Nama pelatihan") }
        guard !c.verifyURL.isEmpty else { throw CardRenderError.missingField("Alamat verifikasi") }
        let accent = c.accentColor.trimmingCharacters(in: .whitespaces)
        guard CardRenderer.isHexColor(accent) else { throw CardRenderError.invalidAccentColor(c.accentColor) }
        let qr: QRCode
        do { qr = try QRCode(c.verifyURL, level: .medium) } catch let error as QRCodeError { throw CardRenderError.qrCode(error) }
        guard qr.size <= CardRenderer.qrMaximumModules else { throw CardRenderError.verifyURLTooLong(modules: qr.size) }

        let label = "Sertifikat: \(name), \(title)"
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 2970 2100" role="img" \
            aria-label="\(XML.escape(label))" font-family="\(CardRenderer.sans)" text-rendering="geometricPrecision">
            """
        svg += "<title>\(XML.escape(label)) (\(XML.escape(c.number)))</title>"
        svg += "<rect width=\"2970\" height=\"2100\" fill=\"#ffffff\"/>"
        svg += "<rect x=\"60\" y=\"60\" width=\"2850\" height=\"1980\" fill=\"none\" stroke=\"\(accent)\" stroke-width=\"24\"/>"
        svg += "<rect x=\"110\" y=\"110\" width=\"2750\" height=\"1880\" fill=\"none\" stroke=\"\(accent)\" stroke-width=\"4\"/>"
        let centre = width / 2, room = 2400.0
        svg += line(CardRenderer.clean(c.partyName), y: 330, sizes: [80, 72, 64, 56], width: room, fill: accent, bold: true)
        svg += line("SERTIFIKAT", y: 560, sizes: [170], width: room, fill: CardRenderer.ink, bold: true, spacing: 24)
        svg += line("diberikan kepada", y: 720, sizes: [56], width: room, fill: CardRenderer.muted)
        svg += line(name, y: 920, sizes: [140, 128, 116, 104, 92, 80], width: room, fill: CardRenderer.ink, bold: true)
        svg += "<rect x=\"\(SVGNumber.format(centre - 700))\" y=\"970\" width=\"1400\" height=\"4\" fill=\"\(accent)\"/>"
        svg += line("yang telah menyelesaikan", y: 1100, sizes: [56], width: room, fill: CardRenderer.muted)
        svg += block(title, y: 1240, sizes: [96, 88, 80, 72, 64], maxLines: 2, width: room, fill: CardRenderer.ink, bold: true)
        svg += line(CardRenderer.clean(c.detail), y: 1480, sizes: [52, 48, 44, 40, 36], width: room, fill: CardRenderer.ink)
        svg += line("Diselenggarakan oleh " + CardRenderer.clean(c.organiser), y: 1570, sizes: [52, 48, 44, 40, 36], width: room, fill: CardRenderer.ink)

        // Number and date bottom left, QR bottom right with its quiet zone.
        svg += "<text x=\"240\" y=\"1800\" font-size=\"44\" fill=\"\(CardRenderer.muted)\">Nomor sertifikat</text>"
        svg += "<text x=\"240\" y=\"1870\" font-size=\"60\" font-weight=\"bold\" font-family=\"\(CardRenderer.mono)\" fill=\"\(CardRenderer.ink)\">\(XML.escape(CardRenderer.clean(c.number)))</text>"
        if !c.issuedOn.isEmpty {
            svg += "<text x=\"240\" y=\"1930\" font-size=\"44\" fill=\"\(CardRenderer.muted)\">Diterbitkan \(XML.escape(CardRenderer.clean(c.issuedOn)))</text>"
        }
        let module = qrSide / Double(qr.size)
        let quiet = module * Double(QRCode.quietZone)
        let qrLeft = width - 240 - qrSide, qrTop = 1600.0
        svg += "<rect x=\"\(SVGNumber.format(qrLeft - quiet))\" y=\"\(SVGNumber.format(qrTop - quiet))\" width=\"\(SVGNumber.format(qrSide + 2 * quiet))\" height=\"\(SVGNumber.format(qrSide + 2 * quiet))\" fill=\"#ffffff\"/>"
        svg += "<path transform=\"translate(\(SVGNumber.format(qrLeft)) \(SVGNumber.format(qrTop))) scale(\(SVGNumber.format(module)))\" d=\"\(qr.svgPath())\" fill=\"#000000\" shape-rendering=\"crispEdges\"/>"
        svg += "<text x=\"\(SVGNumber.format(qrLeft + qrSide / 2))\" y=\"\(SVGNumber.format(qrTop + qrSide + quiet + 40))\" font-size=\"34\" text-anchor=\"middle\" fill=\"\(CardRenderer.muted)\">Pindai untuk verifikasi</text>"
        return svg + "</svg>"
    }

    /// One centred line at the largest size that fits, squeezed with textLength otherwise.
    static func line(_ text: String, y: Double, sizes: [Double], width: Double, fill: String, bold: Bool = false, spacing: Double = 0) -> String {
        block(text, y: y, sizes: sizes, maxLines: 1, width: width, fill: fill, bold: bold, spacing: spacing)
    }

    static func block(_ text: String, y: Double, sizes: [Double], maxLines: Int, width: Double, fill: String, bold: Bool = false,
                      spacing: Double = 0) -> String {
        guard !text.isEmpty else { return "" }
        let fitted = Fitter.fit(text, width: width, sizes: sizes, maxLines: maxLines, weight: bold ? .bold : .regular, letterSpacing: spacing)
        var out = ""
        for (i, lineText) in fitted.lines.enumerated() {
            var attributes = "x=\"\(SVGNumber.format(width / 2 + (CertificateRenderer.width - width) / 2))\" y=\"\(SVGNumber.format(y + Double(i) * fitted.fontSize * 1.2))\""
            attributes += " font-size=\"\(SVGNumber.format(fitted.fontSize))\" text-anchor=\"middle\" fill=\"\(fill)\""
            if bold { attributes += " font-weight=\"bold\"" }
            if spacing > 0 { attributes += " letter-spacing=\"\(SVGNumber.format(spacing))\"" }
            if fitted.squeezed.indices.contains(i), fitted.squeezed[i] {
                attributes += " textLength=\"\(SVGNumber.format(width))\" lengthAdjust=\"spacingAndGlyphs\""
            }
            out += "<text \(attributes)>\(XML.escape(lineText))</text>"
        }
        return out
    }
}
