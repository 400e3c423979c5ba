import Foundation
import NexusScenario

/// The verdicts of a set of targets on one run: what `nexus-sim gate` prints, writes as JUnit XML and
/// Markdown, and turns into an exit code.
public struct GateReport: Sendable {
    public var scenarioName: String
    public var seed: UInt64
    public var replications: Int
    public var verdicts: [TargetVerdict]
    /// Where the targets came from, e.g. `Scenarios/baseline.yaml (targets:)` or `ci/targets.txt`.
    public var targetsSource: String

    /// Judges every target on `report`'s estimates.
    public init(report: RunReport, targets: [GateTarget], targetsSource: String) {
        scenarioName = report.scenario.name
        seed = report.seed
        replications = report.replications.count
        self.targetsSource = targetsSource
        verdicts = targets.map { target in
            TargetVerdict(target: target, estimate: report.estimate(target.metric) ?? Estimate([]))
        }
        diagnoses = verdicts.map { $0.passed ? nil : report.diagnosis($0) }
    }

    /// For each missed target, what the run shows about why (see ``RunReport/diagnosis(_:)``); `nil` for a met one.
    public var diagnoses: [String?] = []

    /// Whether every target was met.
    public var passed: Bool { verdicts.allSatisfy(\.passed) }
    public var missedCount: Int { verdicts.filter { !$0.passed }.count }

    /// How targets were judged, in words (the output must say which).
    public var basisDescription: String {
        replications >= 2
            ? "\(replications) replications: each target is judged on the conservative end of its 95 % confidence interval (upper bound for <, lower bound for >)"
            : "1 replication: each target is judged on the point estimate (run with --replications 2 or more to judge on the 95 % interval)"
    }

    /// A summary for a terminal.
    public var text: String {
        var lines = ["Gate for scenario \(scenarioName) — seed \(seed); targets from \(targetsSource)", basisDescription, ""]
        let width = max(verdicts.map(\.target.spec.text.count).max() ?? 0, 6)
        for (i, v) in verdicts.enumerated() {
            lines.append("  " + (v.passed ? "PASS  " : "FAIL  ") + v.target.spec.text.padding(toLength: width, withPad: " ", startingAt: 0)
                + "   " + v.explanation)
            if diagnoses.indices.contains(i), let why = diagnoses[i] { lines.append("        why: " + why) }
        }
        lines.append("")
        lines.append(passed ? "All \(verdicts.count) targets met." : "\(missedCount) of \(verdicts.count) targets missed.")
        return lines.joined(separator: "\n")
    }
}
