import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NexusResults
import NexusScenario
import NexusSim

enum Scenarios {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mmc = root.appendingPathComponent("Scenarios/validation/mmc.yaml").path

    /// The M/M/c validation scenario with `parameters` and `overrides` (dotted path, value).
    static func mmc(_ parameters: [(String, String)], overrides: [(String, String)] = [], targets: [String] = []) throws -> Scenario {
        var scenario = try ScenarioLoader.load(path: mmc, parameters: parameters,
                                               overrides: overrides.map { Override(path: $0.0, value: $0.1) })
        scenario.targets = try targets.enumerated().map {
            try TargetSpec.parse($1, location: nil, keyPath: "targets[\($0)]")
        }
        return scenario
    }

    /// A small M/M/c: `servers` servers, λ = `rate`/s, mean service 1 s, `duration` s after a 30 s warm-up.
    static func small(servers: Int = 10, rate: Double = 8, duration: Double = 300) throws -> Scenario {
        try mmc([("servers", String(servers)), ("arrival_rate", String(rate)),
                 ("duration_s", String(duration + 30)), ("warmup_s", "30")])
    }

    static func report(_ scenario: Scenario, seed: UInt64 = 1, replications: Int) -> RunReport {
        Experiment.report(scenario: scenario, seed: seed, policy: ReplicationPolicy(replications: replications))
    }
}

/// Collects the elements of an XML document (name, attributes, text) with Foundation's XMLParser.
final class XMLTree: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var path: [String]
        var text = ""
        /// Position in ``elements``, and those of the enclosing elements (outermost first).
        var index = 0
        var ancestors: [Int] = []
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private(set) var parseError: Error?

    init(_ text: String) {
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        if !parser.parse() { parseError = parser.parserError ?? NSError(domain: "XMLTree", code: 1) }
    }

    var isWellFormed: Bool { parseError == nil }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        elements.append(Element(name: name, attributes: attributes, path: stack.map { elements[$0].name },
                                index: elements.count, ancestors: stack))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let top = stack.last { elements[top].text += string }
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}
