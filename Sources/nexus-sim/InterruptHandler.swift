import Dispatch
import Foundation
import NexusResults

/// Marks the runs in progress incomplete when the user interrupts them (SIGINT or SIGTERM), so that an
/// interrupted run is never taken for a finished one, and exits with 130.
enum InterruptHandler {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(db: String, runIDs: [Int64]) {
        guard !runIDs.isEmpty else { return }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let onSignal = {
            // A separate connection: the main thread's is busy or not in use while simulating.
            let store = try? ResultsStore(path: db)
            for id in runIDs { try? store?.markRun(id: id, status: .incomplete) }
            let list = runIDs.map(String.init).joined(separator: ", ")
            printError("\ninterrupted: run\(runIDs.count == 1 ? "" : "s") \(list) stored as incomplete")
            exit(130)
        }
        sources = [SIGINT, SIGTERM].map { sig in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: onSignal)
            source.resume()
            return source
        }
    }
}
