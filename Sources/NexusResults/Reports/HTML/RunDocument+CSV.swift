import Foundation

extension RunDocument {
    /// The time series as CSV: `replication,window_start_s,<one column per series>`, one row per replication and
    /// window; an empty cell where a series has no value for the window (e.g. p95 when nothing finished).
    public var csv: String {
        let names = seriesNames
        var table: [Int: [Double: [String: Double]]] = [:]
        for row in seriesRows { table[row.replication, default: [:]][row.windowStartSeconds, default: [:]][row.name] = row.value }
        var lines = [(["replication", "window_start_s"] + names).joined(separator: ",")]
        for replication in table.keys.sorted() {
            let windows = table[replication]!
            for start in windows.keys.sorted() {
                let cells = names.map { windows[start]![$0].map { JSONValue.format($0) } ?? "" }
                lines.append(([String(replication), JSONValue.format(start)] + cells).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
