import NexusGateway
import NexusScenario

/// Kubernetes' metrics-server between the fleet and the HPA (``MetricsServerSpec``): the driver calls
/// ``scrapeMetrics(now:)`` every resolution, and an evaluation reads the CPU rate between the two newest scrapes
/// already published (taken at least the lag ago).
extension InstancePool {
    /// One scrape: every live instance's cumulative CPU counter and requests in flight, in launch order.
    struct MetricsScrape {
        var at: Nanoseconds
        var instances: [Int32] = []
        var cpuNanos: [Int64] = []
        var inFlight: [Int32] = []

        /// Where instance `id` is in this scrape, if it was live then. O(log n): ids are in launch order.
        func index(of id: Int32) -> Int? {
            var low = 0, high = instances.count
            while low < high {
                let mid = (low + high) / 2
                if instances[mid] < id { low = mid + 1 } else { high = mid }
            }
            return low < instances.count && instances[low] == id ? low : nil
        }
    }

    /// Time between scrapes; `nil` when the HPA sees exact interval averages instead.
    public var metricsScrapeIntervalNanos: Nanoseconds? { metricsServer?.resolutionNanos }

    /// Takes a scrape at `now` (once per time: a second call at the same time does nothing), and forgets the
    /// scrapes no evaluation from now on can read.
    public mutating func scrapeMetrics(now: Nanoseconds) {
        guard let metricsServer, scrapes.last.map({ $0.at < now }) ?? true else { return }
        var scrape = MetricsScrape(at: now)
        scrape.instances.reserveCapacity(fleet.live.count)
        for id in fleet.live {
            scrape.instances.append(id)
            scrape.cpuNanos.append(fleet.cpuNanos[Int(id)])
            scrape.inFlight.append(fleet.inFlight[Int(id)])
        }
        scrapes.append(scrape)
        // Once the third scrape is published, later evaluations read a window from the second one on.
        while scrapes.count >= 3 && scrapes[2].at + metricsServer.lagNanos <= now { scrapes.removeFirst() }
    }

    /// The older and newer scrape of the newest window published by `now`, if there is one yet.
    func publishedScrapes(now: Nanoseconds) -> (MetricsScrape, MetricsScrape)? {
        guard let metricsServer, let newest = scrapes.lastIndex(where: { $0.at + metricsServer.lagNanos <= now }), newest >= 1 else { return nil }
        return (scrapes[newest - 1], scrapes[newest])
    }

    /// An instance's memory in use with `inFlight` requests, MiB.
    func memoryMiB(inFlight: Int32) -> Double {
        spec.memoryBaseMiB + spec.memoryPerRequestMiB * Double(inFlight)
    }
}
