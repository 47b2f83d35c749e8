import Foundation
import Testing
@testable import SimpulCard

/// End to end: render to PNG with rsvg-convert (librsvg2-bin) and read it back with a real
/// decoder, zbarimg (zbar-tools). Runs only where both are installed.
let canScan = FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg")
    && FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert")

@Suite("Pindai dengan zbarimg", .enabled(if: canScan, "needs zbar-tools and librsvg2-bin"))
struct ScanTests {
    @Test(arguments: [
        "https://simpul.example.id/kta/3673011001-000123-7",
        "KTA 3673011001-000123-7 Siti Nurhaliza",
        "Kartu Anggota — Siti Nurhaliza ✓ Đặng",  // UTF-8 bytes come back as UTF-8
        String(repeating: "Simpul-", count: 60),
    ])
    func standaloneQRCodeScans(text: String) throws {
        let qr = try QRCode(text)
        #expect(try scan(svg: qr.svg(size: max(300, (qr.size + 8) * 4)), widthPixels: max(300, (qr.size + 8) * 4)) == [text])
    }

    @Test func cardScansAtPhoneResolution() throws {
        let url = "https://simpul.example.id/kta/3673011001-000123-7?k=Zq8vT3"
        let card = sampleCard(fullName: "Raden Ayu Siti Nurhasanah Kusumawardhani Purbaningrum Wulan",
                              photo: fakeJPEGBase64, verifyURL: url)
        // 856 px across the card: about 250 dpi, like a phone photo of a card held close.
        #expect(try scan(svg: CardRenderer.svg(card), widthPixels: 856) == [url])
    }

    /// Writes the SVG, converts it to PNG and returns each decoded symbol's text.
    private func scan(svg: String, widthPixels: Int) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let svgFile = dir.appendingPathComponent("in.svg"), pngFile = dir.appendingPathComponent("out.png")
        try Data(svg.utf8).write(to: svgFile)
        _ = try run("/usr/bin/rsvg-convert", ["-w", "\(widthPixels)", "-b", "white", "-o", pngFile.path, svgFile.path])
        // --raw: the payload only; one symbol per line.
        let output = try run("/usr/bin/zbarimg", ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", pngFile.path])
        return output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) exited with \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }
}
