import Foundation

/// A stored `compare`, rendered as a self-contained XHTML page: both sides, then one table per list in the
/// comparison's JSON (the metrics, and any per-model, per-tier, failure-reason or cache lists it carries),
/// differences `B − A` with their paired 95 % intervals, significant rows marked.
public struct ComparisonDocument: Sendable {
    public var comparison: StoredComparison

    public init(comparison: StoredComparison) { self.comparison = comparison }

    /// Comparison `id` (the latest when `nil`), or `nil` when there is none.
    public static func load(from store: ResultsStore, comparison id: Int64?) throws -> ComparisonDocument? {
        try store.comparison(id: id).map(ComparisonDocument.init)
    }

    public var html: String {
        let c = comparison
        var body = "<h1>Nexus Sim — comparison \(c.id): \(XML.escape(c.scenarioA)) vs \(XML.escape(c.scenarioB))</h1>\n"
        body += "<p class=\"meta\">A: <code>\(XML.escape(c.labelA))</code><br/>B: <code>\(XML.escape(c.labelB))</code><br/>"
            + "\(c.replications) paired replications with seed \(c.seed) (common random numbers: both sides see the same traffic and "
            + "provider draws). Differences are B − A with a 95 % paired Student-t interval; a difference is significant "
            + "(marked ●) when its interval excludes 0. Created \(XML.escape(StoreTimestamp.text(c.createdAt))) by nexus-sim "
            + "\(XML.escape(c.toolVersion)).</p>\n"
        guard let json = JSONValue.parse(c.json), case .object(let members) = json else {
            body += "<p class=\"fail\">The stored comparison is not a JSON object.</p>\n"
            return RunDocument.page(title: "Nexus Sim comparison \(c.id)", body: body)
        }
        var tables = 0
        for (key, value) in members {
            guard case .array(let items) = value, !items.isEmpty,
                  items.allSatisfy({ if case .object = $0 { true } else { false } }) else { continue }
            // Rows that name their section (metrics, per tier, per model, cache …) get one table per section.
            let sections = items.map { $0["section"]?.string }
            if sections.allSatisfy({ $0 != nil }) {
                var order: [String] = []
                for case let name? in sections where !order.contains(name) { order.append(name) }
                for name in order {
                    let rows = items.filter { $0["section"]?.string == name }
                    body += "<h2>\(XML.escape(name.replacingOccurrences(of: "_", with: " ")))</h2>\n"
                        + Self.table(id: "compare-\(key)-\(name)", rows, hiding: ["section", "unit"])
                    tables += 1
                }
                continue
            }
            body += "<h2>\(XML.escape(key.replacingOccurrences(of: "_", with: " ")))</h2>\n" + Self.table(id: "compare-\(key)", items)
            tables += 1
        }
        // Scalar sections (objects of numbers), e.g. a cache summary.
        for (key, value) in members {
            guard case .object(let fields) = value, !fields.isEmpty else { continue }
            body += "<h2>\(XML.escape(key.replacingOccurrences(of: "_", with: " ")))</h2>\n" + Self.table(id: "compare-\(key)", [.object(fields)])
            tables += 1
        }
        if tables == 0 { body += "<p class=\"meta\">The comparison has no tables.</p>\n" }
        return RunDocument.page(title: "Nexus Sim comparison \(c.id) — \(c.scenarioA) vs \(c.scenarioB)", body: body)
    }

    /// A table with one row per object and one column per key (in first-seen order).
    static func table(id: String, _ items: [JSONValue], hiding: Set<String> = []) -> String {
        var columns: [String] = []
        for case .object(let fields) in items { for (k, _) in fields where !columns.contains(k) && !hiding.contains(k) { columns.append(k) } }
        var s = "<table id=\"\(XML.escape(id))\">\n<tr>" + columns.map { "<th>\(XML.escape(header($0)))</th>" }.joined() + "</tr>\n"
        for case .object(let fields) in items {
            let metric = fields.first { $0.0 == "metric" || $0.0 == "name" }?.1.string
            let significant = fields.first { $0.0 == "significant" }.map { if case .bool(true) = $0.1 { true } else { false } } ?? false
            s += "<tr\(significant ? " class=\"significant\"" : "")>"
            for column in columns {
                let value = fields.first { $0.0 == column }?.1
                s += "<td>\(XML.escape(cell(value, metric: metric, column: column)))</td>"
            }
            s += "</tr>\n"
        }
        return s + "</table>\n"
    }

    private static func header(_ key: String) -> String {
        switch key {
        case "difference": "B − A"
        case "difference_ci95": "B − A 95 % interval"
        case "independent_ci95": "unpaired interval"
        case "a_ci95": "A 95 % interval"
        case "b_ci95": "B 95 % interval"
        default: key.replacingOccurrences(of: "_", with: " ")
        }
    }

    private static func cell(_ value: JSONValue?, metric: String?, column: String) -> String {
        let name = metric ?? column
        switch value {
        case nil, .some(.null): return "–"
        case .some(.bool(let b)): return column == "significant" ? (b ? "●" : "") : (b ? "yes" : "no")
        case .some(.number(let x)):
            if column.hasPrefix("relative") { return String(format: "%+.1f %%", x * 100) }
            return RunDocument.format(name, x)
        case .some(.string(let text)): return text
        case .some(.array(let items)):
            let numbers = items.compactMap(\.number)
            if numbers.count == items.count { return "[" + numbers.map { RunDocument.format(name, $0) }.joined(separator: ", ") + "]" }
            return items.map { $0.rendered(indent: nil) }.joined(separator: ", ")
        case .some(let other): return other.rendered(indent: nil)
        }
    }
}
