import Dispatch
import Foundation
import NexusResults

/// Redraws one progress line on stderr (simulated time, % done, requests/s, ETA) twice a second, and
/// erases it when stopped.
final class ProgressDisplay: @unchecked Sendable {
    let meter = ProgressMeter()
    private let queue = DispatchQueue(label: "nexus-sim.progress")
    private let timer: DispatchSourceTimer

    init() {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        timer.setEventHandler { [meter] in
            writeStandardError("\r\u{1B}[2K" + meter.snapshot.line)
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
        // Let a draw in progress finish, then clear the line.
        queue.sync {}
        writeStandardError("\r\u{1B}[2K")
    }
}
