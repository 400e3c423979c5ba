/// One time series of one replication as the store keeps it: a single row holding every window's value.
///
/// Windows normally lie on a regular grid, window `i` starting at `firstWindowStartSeconds + i × windowSeconds`
/// (``windowStarts`` is `nil`); a window without a value (e.g. p95 when nothing finished) is NaN. Points that
/// do not lie on one grid keep their own start times in ``windowStarts``, one per value.
public struct SeriesColumn: Sendable, Hashable {
    /// Replication index.
    public var replication: Int
    /// Series name, e.g. `arrivals`.
    public var name: String
    /// Simulated time at which the first window starts, in seconds.
    public var firstWindowStartSeconds: Double
    /// Width of one window in seconds (0 when the column has at most one window or explicit starts).
    public var windowSeconds: Double
    /// The value of each window, in time order; NaN where the window has no value.
    public var values: [Double]
    /// Explicit start of each value's window, in seconds, when the windows are not on one grid.
    public var windowStarts: [Double]?

    /// A column on a regular grid of windows.
    public init(replication: Int, name: String, firstWindowStartSeconds: Double = 0, windowSeconds: Double, values: [Double]) {
        self.replication = replication
        self.name = name
        self.firstWindowStartSeconds = firstWindowStartSeconds
        self.windowSeconds = windowSeconds
        self.values = values
        self.windowStarts = nil
    }

    /// A column whose values keep their own window starts (`starts.count == values.count`).
    init(replication: Int, name: String, windowStarts starts: [Double], values: [Double]) {
        self.replication = replication
        self.name = name
        self.firstWindowStartSeconds = starts.first ?? 0
        self.windowSeconds = 0
        self.values = values
        self.windowStarts = starts
    }

    /// Start of window `index`, in seconds.
    public func windowStart(_ index: Int) -> Double {
        windowStarts?[index] ?? firstWindowStartSeconds + Double(index) * windowSeconds
    }

    /// The column's points with a value (NaN windows left out), in time order.
    public var rows: [SeriesRow] {
        values.indices.compactMap { i in
            values[i].isNaN ? nil : SeriesRow(replication: replication, windowStartSeconds: windowStart(i), name: name, value: values[i])
        }
    }

    /// Columns holding `rows`, one per replication and name in order of first appearance; rows without a
    /// value (NaN) are dropped. Points on one grid become a regular column, exactly: each start is
    /// reproduced bit for bit as `first + i × width`; any other set of starts is kept explicitly.
    public static func columns(of rows: some Sequence<SeriesRow>) -> [SeriesColumn] {
        var order: [Key] = []
        var points: [Key: [(start: Double, value: Double)]] = [:]
        for row in rows where !row.value.isNaN {
            let key = Key(replication: row.replication, name: row.name)
            if points[key] == nil { order.append(key) }
            points[key, default: []].append((row.windowStartSeconds, row.value))
        }
        return order.map { key in
            // Stable: points with equal starts keep their order, as rows did when they were stored one by one.
            let sorted = points[key]!.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
            if let grid = regularGrid(sorted.map(\.start)) {
                var values = [Double](repeating: .nan, count: grid.count)
                for (index, point) in zip(grid.indices, sorted) { values[index] = point.value }
                return SeriesColumn(replication: key.replication, name: key.name, firstWindowStartSeconds: sorted[0].start,
                                    windowSeconds: grid.width, values: values)
            }
            return SeriesColumn(replication: key.replication, name: key.name, windowStarts: sorted.map(\.start),
                                values: sorted.map(\.value))
        }
    }

    private struct Key: Hashable {
        var replication: Int
        var name: String
    }

    /// The grid through sorted `starts` — its width, window count and each start's window index — if every
    /// start is exactly `starts[0] + i × width`, no two are equal, and gaps would at most double the column.
    private static func regularGrid(_ starts: [Double]) -> (width: Double, count: Int, indices: [Int])? {
        guard let first = starts.first, first.isFinite else { return nil }
        guard starts.count > 1 else { return (0, 1, [0]) }
        var width = Double.infinity
        for (a, b) in zip(starts, starts.dropFirst()) {
            guard b > a, b.isFinite else { return nil }
            width = min(width, b - a)
        }
        let limit = 2 * starts.count + 16
        var indices: [Int] = []
        indices.reserveCapacity(starts.count)
        for start in starts {
            let k = ((start - first) / width).rounded()
            guard k < Double(limit) else { return nil }
            let index = Int(k)
            guard first + Double(index) * width == start else { return nil }
            indices.append(index)
        }
        return (width, indices.last! + 1, indices)
    }
}
