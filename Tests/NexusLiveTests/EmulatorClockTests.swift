import NexusLive
import Testing

@Suite("Emulator clock")
struct EmulatorClockTests {
    @Test("scenario time runs K times faster than wall time; delays are K times shorter")
    func compresses() {
        let origin = ContinuousClock.now
        let clock = EmulatorClock(speed: 60, origin: origin)
        #expect(clock.scenarioTime(at: origin) == 0)
        #expect(clock.scenarioTime(at: origin.advanced(by: .seconds(1))) == 60_000_000_000)
        #expect(clock.scenarioTime(at: origin.advanced(by: .seconds(-1))) == 0)
        #expect(clock.wallDuration(ofScenarioNanos: 3_600_000_000_000) == .seconds(60))
        #expect(clock.wallDuration(ofScenarioNanos: -5) == .zero)
        #expect(clock.instant(atScenarioTime: 120_000_000_000) == origin.advanced(by: .seconds(2)))
    }

    @Test("speed factors outside 0.001…1,000,000, and non-numbers, are refused with the accepted range")
    func validatesSpeed() throws {
        for good in [0.001, 1, 60, 1e6] { try EmulatorClock.validate(speed: good) }
        for bad in [0, -1, 1e-4, 2e6, .infinity, .nan] {
            #expect(throws: EmulatorError.self) { try EmulatorClock.validate(speed: bad) }
        }
        #expect("\(EmulatorError.invalidSpeed(0))".contains("from 0.001 to 1000000"))
    }
}
