import Foundation

extension GateReport {
    /// JUnit XML: one `<testsuite>` for the scenario and one `<testcase>` per target, with a `<failure>` for a
    /// missed target. The value, interval and target go in the failure message and in `<system-out>`.
    /// - Parameters:
    ///   - elapsedSeconds: wall-clock time the runs took (the suite's `time`).
    ///   - timestamp: when the gate ran (the suite's `timestamp`, ISO 8601 without zone as the schema wants).
    public func junitXML(elapsedSeconds: Double, timestamp: Date) -> String {
        let stamp = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: false).timeSeparator(.colon).format(timestamp)
            .replacingOccurrences(of: "Z", with: "")
        let time = String(format: "%.3f", elapsedSeconds)
        let failures = missedCount
        var x = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        x += #"<testsuites name="nexus-sim gate" tests="\#(verdicts.count)" failures="\#(failures)" errors="0" time="\#(time)">"# + "\n"
        x += "  <testsuite name=\"\(attr(scenarioName))\" tests=\"\(verdicts.count)\" failures=\"\(failures)\" errors=\"0\" "
            + "skipped=\"0\" time=\"\(time)\" timestamp=\"\(stamp)\" hostname=\"localhost\">\n"
        x += "    <properties>\n"
        for (name, value) in [("seed", String(seed)), ("replications", String(replications)),
                              ("targets", targetsSource), ("basis", basisDescription)] {
            x += "      <property name=\"\(attr(name))\" value=\"\(attr(value))\"/>\n"
        }
        x += "    </properties>\n"
        for v in verdicts {
            x += "    <testcase name=\"\(attr(v.target.spec.text))\" classname=\"nexus-sim.gate.\(attr(scenarioName))\" time=\"0\">\n"
            if !v.passed {
                let message = v.judgedValue.isFinite
                    ? "\(v.target.spec.text) missed: \(v.explanation)"
                    : "\(v.target.spec.text) missed: \(v.target.metric) is undefined in this run"
                x += "      <failure message=\"\(attr(message))\" type=\"TargetMissed\">\(text(message))</failure>\n"
            }
            x += "      <system-out>\(text(v.explanation))</system-out>\n"
            x += "    </testcase>\n"
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    private func text(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private func attr(_ s: String) -> String {
        text(s).replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "\n", with: "&#10;")
    }
}
