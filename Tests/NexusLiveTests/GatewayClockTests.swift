import Foundation
import NexusLive
import Testing

@Suite("Gateway clock and shared start")
struct GatewayClockTests {
    @Test("at speed K the gateway's timers are K times shorter in wall time and an upstream's Retry-After K times longer in gateway time")
    func compresses() {
        let clock = GatewayClock(speed: 20)
        #expect(clock.wallNanos(250_000_000) == 12_500_000)          // a 250 ms backoff waits 12.5 ms
        #expect(clock.wallNanos(60_000_000_000) == 3_000_000_000)    // a 60 s attempt timeout cuts after 3 s
        #expect(clock.wallNanos(-1) == 0)
        #expect(clock.gatewayNanos(ofWallNanos: 150_000_000) == 3_000_000_000)  // retry-after-ms: 150 at speed 20 is 3 s
        let real = GatewayClock()
        #expect(real.wallNanos(250_000_000) == 250_000_000)
        #expect(real.gatewayNanos(ofWallNanos: 1_000) == 1_000)
    }

    @Test("gateway time runs K times faster than wall time from its origin")
    func readsScenarioTime() {
        let origin = DispatchTime.now().uptimeNanoseconds - 2_000_000_000   // started 2 s ago
        let now = GatewayClock(speed: 30, originUptimeNanos: origin).now()
        #expect(now >= 60_000_000_000 && now < 90_000_000_000)   // 2 s × 30, plus at most 1 s of scheduling delay
    }

    @Test("--start-at takes Unix seconds up to a day ahead and names what it expects otherwise")
    func startTime() throws {
        let soon = Date().timeIntervalSince1970 + 5
        let start = try StartTime(unixSeconds: soon)
        #expect(start.secondsFromNow > 4 && start.secondsFromNow <= 5)
        let ahead = ContinuousClock.now.duration(to: start.instant)
        #expect(ahead > .seconds(4) && ahead <= .seconds(5))
        let uptimeAhead = Double(start.uptimeNanoseconds) - Double(DispatchTime.now().uptimeNanoseconds)
        #expect(uptimeAhead > 4e9 && uptimeAhead <= 5e9)
        #expect(throws: StartTimeError.self) { try StartTime(unixSeconds: .nan) }
        #expect(throws: StartTimeError.self) { try StartTime(unixSeconds: -1) }
        do {
            _ = try StartTime(unixSeconds: Date().timeIntervalSince1970 + 2 * 86_400)
            Issue.record("a start two days ahead was accepted")
        } catch {
            #expect(error.description.contains("at most 86400 s ahead"))
        }
        // Finite but far beyond any clock: refused with the same error, not trapped converting it to Int.
        do {
            _ = try StartTime(unixSeconds: 1e300)
            Issue.record("a start at 1e300 s was accepted")
        } catch {
            #expect(error.description.contains("at most 86400 s ahead"))
        }
    }

    @Test("a load whose --start-at has passed is refused before anything is sent")
    func pastStartIsRefused() throws {
        let past = try StartTime(unixSeconds: Date().timeIntervalSince1970 - 10)
        do {
            try LoadConfiguration(target: "http://127.0.0.1:1", seed: 1, startAt: past).check()
            Issue.record("a start 10 s ago was accepted")
        } catch {
            #expect(error.description.contains("has passed"))
        }
    }
}
