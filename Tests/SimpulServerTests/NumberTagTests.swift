import LeafKit
import NIOCore
import NIOPosix
import Testing
@testable import SimpulServer

@Suite("Angka di halaman")
struct NumberTagTests {
    /// One template held in memory.
    struct Template: LeafSource {
        let text: String
        func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
            eventLoop.makeSucceededFuture(ByteBuffer(string: text))
        }
    }

    func render(_ text: String, _ context: [String: LeafData]) async throws -> String {
        let sources = LeafSources()
        try sources.register(source: "memory", using: Template(text: text), searchable: true)
        var tags = LeafKit.defaultTags
        tags["number"] = NumberTag()
        let renderer = LeafRenderer(configuration: LeafConfiguration(rootDirectory: "/"), tags: tags,
                                    sources: sources, eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        return String(buffer: try await renderer.render(path: "page", context: context).get())
    }

    @Test("#number writes whole numbers with Indonesian thousands separators and leaves anything else alone")
    func groupsWholeNumbers() async throws {
        let page = try await render("#number(a)|#number(b)|#number(c)|#number(d)|#number(e)|#number(f)",
                                    ["a": .int(1_000_000), "b": .int(999), "c": .int(-12_345), "d": .string("12,5%"),
                                     "e": .double(1234.5), "f": .int(0)])
        #expect(page == "1.000.000|999|-12.345|12,5%|1234.5|0")
    }
}
