import Foundation
import Vapor

/// Turns Simpul's own SVG documents (the e-KTA so far) into PNG with librsvg's command-line
/// tool, `rsvg-convert` (Debian package librsvg2-bin; `./dev.sh` installs it). A PNG is what a
/// phone keeps in its gallery and what WhatsApp sends; the SVG stays the print format.
/// The document goes in through a pipe and the image comes back through one, so no personal
/// data touches the disk. The SVGs are self-contained (no external files or fonts to fetch).
enum PNGRenderer {
    static let tool = "/usr/bin/rsvg-convert"

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: tool) }

    /// Renders `svg` at `dpi` (its width and height are in millimetres), off the event loops.
    static func render(_ svg: String, dpi: Int, on threadPool: NIOThreadPool) async throws -> Data {
        guard isAvailable else {
            throw Abort(.serviceUnavailable, reason: "Unduhan PNG memerlukan program rsvg-convert (paket Debian librsvg2-bin) di server.")
        }
        return try await threadPool.runIfActive { try renderBlocking(svg, dpi: dpi) }
    }

    /// A converter that exits early closes its end of the pipe; writing to it then must be an
    /// error for this request, not SIGPIPE's default of ending the whole server.
    private static let brokenPipesAreErrors: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private static func renderBlocking(_ svg: String, dpi: Int) throws -> Data {
        _ = brokenPipesAreErrors
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--format=png", "--dpi-x=\(dpi)", "--dpi-y=\(dpi)", "--background-color=white"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // rsvg-convert reads the whole document before it writes a byte, so writing all of it
        // first and reading afterwards cannot block on a full pipe. A converter that gives up
        // early breaks the pipe: that is its exit code's business, reported below.
        let written = Result { try input.fileHandleForWriting.write(contentsOf: Data(svg.utf8)) }
        try? input.fileHandleForWriting.close()
        let png = (try? output.fileHandleForReading.readToEnd()) ?? Data()
        process.waitUntilExit()
        guard case .success = written, process.terminationStatus == 0, png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            throw Abort(.internalServerError, reason: "Gambar PNG gagal dibuat (rsvg-convert keluar dengan kode \(process.terminationStatus)).")
        }
        return png
    }
}
