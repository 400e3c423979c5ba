import Foundation

/// A small SVG chart (line or bar) with axes, tick labels, dashed reference lines and shaded bands,
/// rendered as well-formed XML so that it can be embedded in an XHTML page.
public struct SVGChart: Sendable {
    /// A series drawn as a polyline; NaN values break the line.
    public struct Line: Sendable {
        public var label: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        /// An interval around the line (e.g. the 95 % interval over replications, or P10–P90), drawn as a
        /// translucent area; NaN bounds break it.
        public var band: [(x: Double, low: Double, high: Double)]
        public init(label: String, color: String, points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)] = []) {
            self.label = label
            self.color = color
            self.points = points
            self.band = band
        }
    }

    /// A horizontal reference line, e.g. a target or a budget.
    public struct Reference: Sendable {
        public var label: String
        public var y: Double
        public var color: String
        public init(label: String, y: Double, color: String = "#c0392b") {
            self.label = label
            self.y = y
            self.color = color
        }
    }

    /// A shaded x interval, e.g. a provider outage.
    public struct Band: Sendable {
        public var label: String
        public var x: ClosedRange<Double>
        public var color: String
        public init(label: String, x: ClosedRange<Double>, color: String = "#f5b7b1") {
            self.label = label
            self.x = x
            self.color = color
        }
    }

    public var id: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var lines: [Line] = []
    public var references: [Reference] = []
    public var bands: [Band] = []
    /// Bars (category, value) instead of lines.
    public var bars: [(label: String, value: Double)] = []
    /// Whether the y axis starts at 0 (otherwise it fits the data, e.g. availability near 100 %).
    public var yIncludesZero = true
    /// Formats y tick labels.
    public var yFormat: @Sendable (Double) -> String = { SVGChart.compact($0) }
    /// The x axis's ticks and their labels (e.g. clock times); `nil` for evenly spaced numbers.
    public var xTicks: [(x: Double, label: String)]?
    /// The x range drawn; `nil` fits the data.
    public var xDomain: ClosedRange<Double>?

    public static let width = 760.0, height = 260.0
    static let left = 70.0, right = 20.0, top = 40.0, bottom = 44.0

    public init(id: String, title: String, xLabel: String, yLabel: String) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The chart as an `<svg>` element.
    public var svg: String {
        bars.isEmpty ? lineChart : barChart
    }

    private var plotWidth: Double { Self.width - Self.left - Self.right }
    private var plotHeight: Double { Self.height - Self.top - Self.bottom }

    private func open(extraHeight: Double = 0) -> String {
        let h = max(Self.height + extraHeight, Self.top + 20)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(XML.escape(id))\" class=\"chart\" width=\"\(Int(Self.width))\" "
            + "height=\"\(Int(h))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(h))\" role=\"img\" aria-label=\"\(XML.escape(title))\">\n"
            + "<title>\(XML.escape(title))</title>\n"
            + text(Self.left, 14, title, anchor: "start", cls: "chart-title")
    }

    private var lineChart: String {
        let xs = lines.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.x.lowerBound, $0.x.upperBound] }
        let ys = lines.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } }.filter(\.isFinite) + references.map(\.y)
        let xRange = xDomain ?? (xTicks == nil ? Self.niceRange(xs.min() ?? 0, xs.max() ?? 1)
            : (xs.min() ?? 0)...max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
        let yRange = Self.niceRange(yIncludesZero ? min(0, ys.min() ?? 0) : (ys.min() ?? 0), ys.max() ?? 1)
        func px(_ x: Double) -> Double { Self.left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth }
        func py(_ y: Double) -> Double { Self.top + plotHeight - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * plotHeight }
        var s = open()
        func clampX(_ x: Double) -> Double { min(max(x, xRange.lowerBound), xRange.upperBound) }
        for band in bands {
            let x0 = px(clampX(band.x.lowerBound)), x1 = px(clampX(band.x.upperBound))
            s += "<rect class=\"band\" x=\(q(x0)) y=\(q(Self.top)) width=\(q(max(x1 - x0, 1))) "
                + "height=\(q(plotHeight)) fill=\"\(band.color)\" fill-opacity=\"0.5\"><title>\(XML.escape(band.label))</title></rect>\n"
        }
        let ticks = xTicks?.filter { xRange.contains($0.x) } ?? Self.ticks(xRange).map { ($0, Self.compact($0)) }
        s += axes(xTicks: ticks, yTicks: Self.ticks(yRange), px: px, py: py)
        for line in lines where !line.band.isEmpty {
            // One polygon per run of finite bounds: the upper edge forward, the lower edge back.
            var runs: [[(x: Double, low: Double, high: Double)]] = [[]]
            for p in line.band {
                if p.low.isFinite && p.high.isFinite { runs[runs.count - 1].append(p) } else if !runs.last!.isEmpty { runs.append([]) }
            }
            for run in runs where run.count >= 2 {
                let points = (run.map { "\(f(px($0.x))),\(f(py($0.high)))" } + run.reversed().map { "\(f(px($0.x))),\(f(py($0.low)))" })
                    .joined(separator: " ")
                s += "<polygon class=\"interval\" fill=\"\(line.color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(points)\"/>\n"
            }
        }
        for line in lines {
            // NaN breaks the line into segments.
            var segments: [[(Double, Double)]] = [[]]
            for p in line.points {
                if p.y.isFinite { segments[segments.count - 1].append((px(p.x), py(p.y))) } else if !segments.last!.isEmpty { segments.append([]) }
            }
            for segment in segments where !segment.isEmpty {
                let points = segment.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
                s += "<polyline class=\"series\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            }
        }
        for r in references {
            s += "<line class=\"reference\" x1=\(q(Self.left)) x2=\(q(Self.left + plotWidth)) y1=\(q(py(r.y))) y2=\(q(py(r.y))) "
                + "stroke=\"\(r.color)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            s += text(Self.left + plotWidth - 4, py(r.y) - 4, r.label, anchor: "end", cls: "reference-label", fill: r.color)
        }
        var seen = Set<String>()
        let bandEntries = bands.filter { seen.insert($0.label).inserted }.map { ($0.label, $0.color) }
        s += legend(lines.map { ($0.label, $0.color) } + bandEntries)
        return s + "</svg>"
    }

    private var barChart: String {
        let rowHeight = 22.0
        // As tall as the bars need: the title, one row per bar, a margin.
        let extra = Double(bars.count) * rowHeight + 16 - (Self.height - Self.top)
        let maxValue = Self.niceRange(0, bars.map(\.value).max() ?? 1).upperBound
        let labelWidth = 230.0
        let barLeft = Self.left + labelWidth - 60, barWidth = Self.width - barLeft - Self.right - 90
        var s = open(extraHeight: extra)
        for (i, bar) in bars.enumerated() {
            let y = Self.top + Double(i) * rowHeight
            let w = maxValue > 0 ? bar.value / maxValue * barWidth : 0
            s += text(barLeft - 6, y + 15, bar.label, anchor: "end", cls: "bar-label")
            s += "<rect class=\"bar\" x=\(q(barLeft)) y=\(q(y + 3)) width=\(q(max(w, 0.5))) height=\(q(rowHeight - 6)) fill=\"#2e86c1\"/>\n"
            s += text(barLeft + w + 6, y + 15, yFormat(bar.value), anchor: "start", cls: "bar-value")
        }
        return s + "</svg>"
    }

    private func axes(xTicks: [(Double, String)], yTicks: [Double], px: (Double) -> Double, py: (Double) -> Double) -> String {
        var s = "<g class=\"axes\" stroke=\"#999\" stroke-width=\"1\">\n"
        s += "<line x1=\(q(Self.left)) y1=\(q(Self.top + plotHeight)) x2=\(q(Self.left + plotWidth)) y2=\(q(Self.top + plotHeight))/>\n"
        s += "<line x1=\(q(Self.left)) y1=\(q(Self.top)) x2=\(q(Self.left)) y2=\(q(Self.top + plotHeight))/>\n"
        for y in yTicks { s += "<line x1=\(q(Self.left)) x2=\(q(Self.left + plotWidth)) y1=\(q(py(y))) y2=\(q(py(y))) stroke=\"#eee\"/>\n" }
        s += "</g>\n"
        for (x, label) in xTicks { s += text(px(x), Self.top + plotHeight + 16, label, anchor: "middle", cls: "tick") }
        for y in yTicks { s += text(Self.left - 6, py(y) + 4, yFormat(y), anchor: "end", cls: "tick") }
        s += text(Self.left + plotWidth / 2, Self.height - 8, xLabel, anchor: "middle", cls: "axis-label")
        s += "<text class=\"axis-label\" transform=\"translate(14,\(f(Self.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" "
            + "font-size=\"11\" fill=\"#555\">\(XML.escape(yLabel))</text>\n"
        return s
    }

    private func legend(_ entries: [(String, String)]) -> String {
        var s = "", x = Self.left
        for (label, color) in entries {
            s += "<rect x=\(q(x)) y=\"24\" width=\"12\" height=\"3\" fill=\"\(color)\"/>\n"
            s += text(x + 16, 29, label, anchor: "start", cls: "legend")
            x += 24 + Double(label.count) * 6.5
        }
        return s
    }

    private func text(_ x: Double, _ y: Double, _ content: String, anchor: String, cls: String, fill: String = "#333") -> String {
        "<text class=\"\(cls)\" x=\(q(x)) y=\(q(y)) text-anchor=\"\(anchor)\" font-size=\"11\" fill=\"\(fill)\">\(XML.escape(content))</text>\n"
    }

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }
    private func q(_ x: Double) -> String { "\"\(f(x))\"" }

    /// A range from a "nice" number at or below `lo` to one at or above `hi` (never empty).
    static func niceRange(_ lo: Double, _ hi: Double) -> ClosedRange<Double> {
        guard lo.isFinite, hi.isFinite else { return 0...1 }
        if hi <= lo { return lo == 0 ? 0...1 : (lo - abs(lo) * 0.1)...(lo + abs(lo) * 0.1) }
        let step = niceStep((hi - lo) / 5)
        return (floor(lo / step) * step)...(ceil(hi / step) * step)
    }

    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, floor(log10(raw)))
        let r = raw / magnitude
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude
    }

    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let step = niceStep((range.upperBound - range.lowerBound) / 5)
        return stride(from: range.lowerBound, through: range.upperBound + step * 1e-9, by: step).map { $0 }
    }

    /// `1.5k`, `2M`, `0.25`, `12`.
    public static func compact(_ x: Double) -> String {
        let a = abs(x)
        if a >= 1e6 { return String(format: "%gM", (x / 1e6 * 100).rounded() / 100) }
        if a >= 1e4 { return String(format: "%gk", (x / 1e3 * 10).rounded() / 10) }
        return String(format: "%g", (x * 1000).rounded() / 1000)
    }
}

/// Escaping for XML text and attribute values.
enum XML {
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where c.value < 0x20 && c != "\n" && c != "\t": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
