import Testing
@testable import SimpulCore

@Suite("Grafik SVG")
struct ChartDrawingTests {
    func widths(_ svg: String) -> [Int] {
        // The value bars: rects whose fill is a tone colour.
        svg.matches(of: /<rect x="0" y="\d+" width="(\d+)" height="14" rx="3" fill="#(0b5d3b|a3261b|c98a00|2f8f5b|9aa3b0)"\/>/).map { Int($0.1)! }
    }

    @Test("bar lengths are proportional to the values, on a shared or fixed scale")
    func proportional() {
        let svg = ChartDrawing.bars([ChartBar(label: "A", value: 10), ChartBar(label: "B", value: 5), ChartBar(label: "C", value: 0)], title: "t")
        #expect(widths(svg) == [264, 132, 0])
        let fixed = ChartDrawing.bars([ChartBar(label: "Dana", value: 125, valueText: "25%", marker: 500, ghost: 175)], title: "t", scaleMax: 500)
        #expect(widths(fixed) == [66])
        #expect(fixed.contains("width=\"92\" height=\"14\" rx=\"3\" fill=\"#b8dcc6\""))  // the pledged ghost
        #expect(fixed.contains("<rect x=\"263\" y=\"15\" width=\"2\""))  // the target tick at the end
        #expect(ChartDrawing.length(1, max: 3, width: 300) == 100)
        #expect(ChartDrawing.length(5, max: 0, width: 300) == 0)
        #expect(ChartDrawing.length(9, max: 3, width: 300) == 300)
    }

    @Test("labels are escaped; empty charts say so; the SVG is self-contained")
    func safe() {
        let svg = ChartDrawing.bars([ChartBar(label: "<script>alert('x')</script> & co", value: 1, tone: .bad)], title: "Judul \"x\"")
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        #expect(svg.contains("aria-label=\"Judul &quot;x&quot;\""))
        #expect(!svg.contains("style=") && !svg.contains("href"))
        #expect(ChartDrawing.bars([], title: "t").contains("Belum ada data"))
        let cols = ChartDrawing.columns([ChartBar(label: "0–2 hari", value: 4), ChartBar(label: "> 30 hari", value: 2, tone: .bad)], title: "Umur")
        #expect(cols.contains("height=\"130\"") && cols.contains("height=\"65\""))
        #expect(cols.hasPrefix("<svg") && cols.hasSuffix("</svg>"))
    }
}
