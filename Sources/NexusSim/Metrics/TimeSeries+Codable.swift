import Foundation
import NexusGateway

/// Column by column under the series' names, each column its values' little-endian bytes (base64 in
/// JSON): a month of one-minute windows is then a few megabytes of text that encodes and decodes in
/// milliseconds, where a JSON number per value took over 100 MB of encoder memory. Exact, NaN included.
extension TimeSeries: Codable {
    private enum CodingKeys: String, CodingKey {
        case windowNanos, providers, arrivals, succeeded, failed, rejected, p95LatencyMillis, meanLatencyMillis
        case queueDepth, maxQueueDepth, inFlight, instances, readyInstances, startingInstances, drainingInstances
        case cpuUtilization, memoryUtilization, utilization, spendUSD, providerAttempts, providerFailures
        case providerOutageIntervals
    }

    private struct Interval: Codable {
        var start: Nanoseconds
        var end: Nanoseconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(windowNanos, forKey: .windowNanos)
        try c.encode(providers, forKey: .providers)
        func put<T: ColumnValue>(_ key: CodingKeys, _ path: KeyPath<Window, T>) throws {
            try c.encode(T.column(windows.map { $0[keyPath: path] }), forKey: key)
        }
        try put(.arrivals, \.arrivals)
        try put(.succeeded, \.succeeded)
        try put(.failed, \.failed)
        try put(.rejected, \.rejected)
        try put(.p95LatencyMillis, \.p95LatencyMillis)
        try put(.meanLatencyMillis, \.meanLatencyMillis)
        try put(.queueDepth, \.queueDepth)
        try put(.maxQueueDepth, \.maxQueueDepth)
        try put(.inFlight, \.inFlight)
        try put(.instances, \.instances)
        try put(.readyInstances, \.readyInstances)
        try put(.startingInstances, \.startingInstances)
        try put(.drainingInstances, \.drainingInstances)
        try put(.cpuUtilization, \.cpuUtilization)
        try put(.memoryUtilization, \.memoryUtilization)
        try put(.utilization, \.utilization)
        try put(.spendUSD, \.spendUSD)
        try c.encode(Int32.column(providerCounts.map(\.attempts)), forKey: .providerAttempts)
        try c.encode(Int32.column(providerCounts.map(\.failures)), forKey: .providerFailures)
        try c.encode(providerOutageIntervals.map { $0.map { Interval(start: $0.lowerBound, end: $0.upperBound) } },
                     forKey: .providerOutageIntervals)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(windowNanos: try c.decode(Nanoseconds.self, forKey: .windowNanos))
        providers = try c.decode([String].self, forKey: .providers)
        func column<T: ColumnValue>(_ key: CodingKeys, count: Int?) throws -> [T] {
            guard let values = T.values(of: try c.decode(Data.self, forKey: key)), count.map({ $0 == values.count }) ?? true else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a column of \(count ?? 0) \(T.self) values")
            }
            return values
        }
        let arrivals: [Int32] = try column(.arrivals, count: nil)
        var windows = arrivals.map { a -> Window in
            var w = Window()
            w.arrivals = a
            return w
        }
        func fill<T: ColumnValue>(_ key: CodingKeys, _ path: WritableKeyPath<Window, T>) throws {
            let values: [T] = try column(key, count: windows.count)
            for i in values.indices { windows[i][keyPath: path] = values[i] }
        }
        try fill(.succeeded, \.succeeded)
        try fill(.failed, \.failed)
        try fill(.rejected, \.rejected)
        try fill(.p95LatencyMillis, \.p95LatencyMillis)
        try fill(.meanLatencyMillis, \.meanLatencyMillis)
        try fill(.queueDepth, \.queueDepth)
        try fill(.maxQueueDepth, \.maxQueueDepth)
        try fill(.inFlight, \.inFlight)
        try fill(.instances, \.instances)
        try fill(.readyInstances, \.readyInstances)
        try fill(.startingInstances, \.startingInstances)
        try fill(.drainingInstances, \.drainingInstances)
        try fill(.cpuUtilization, \.cpuUtilization)
        try fill(.memoryUtilization, \.memoryUtilization)
        try fill(.utilization, \.utilization)
        try fill(.spendUSD, \.spendUSD)
        let counts = windows.count * providers.count
        let attempts: [Int32] = try column(.providerAttempts, count: counts)
        let failures: [Int32] = try column(.providerFailures, count: counts)
        self.windows = windows
        providerCounts = zip(attempts, failures).map { ProviderCounts(attempts: $0, failures: $1) }
        providerOutageIntervals = try c.decode([[Interval]].self, forKey: .providerOutageIntervals).map { intervals in
            try intervals.map { i in
                guard i.start <= i.end else {
                    throw DecodingError.dataCorruptedError(forKey: .providerOutageIntervals, in: c, debugDescription: "an interval ends before it starts")
                }
                return i.start..<i.end
            }
        }
    }
}

/// A fixed-width value stored in a series column as its little-endian bit pattern.
private protocol ColumnValue {
    associatedtype Bits: FixedWidthInteger & UnsignedInteger
    var bits: Bits { get }
    init(bits: Bits)
}

extension ColumnValue {
    static func column(_ values: [Self]) -> Data {
        var data = Data(capacity: values.count * MemoryLayout<Bits>.size)
        for v in values { withUnsafeBytes(of: v.bits.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func values(of data: Data) -> [Self]? {
        let size = MemoryLayout<Bits>.size
        guard data.count % size == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<data.count / size).map { Self(bits: Bits(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: Bits.self))) }
        }
    }
}

extension Int32: ColumnValue {
    var bits: UInt32 { UInt32(bitPattern: self) }
    init(bits: UInt32) { self.init(bitPattern: bits) }
}

extension Float: ColumnValue {
    var bits: UInt32 { bitPattern }
    init(bits: UInt32) { self.init(bitPattern: bits) }
}

extension Double: ColumnValue {
    var bits: UInt64 { bitPattern }
    init(bits: UInt64) { self.init(bitPattern: bits) }
}
