import NexusGateway

extension Scenario {
    /// Request classes that can reach no model allowed to receive their data classification: in their own
    /// tier, and in the budget's downgrade tier when the budget's action is `downgrade`. The router never
    /// sends data where it must not go, so every such request would fail with `no_compliant_route`.
    func routingWarnings(root: ScenarioNode) -> [ScenarioWarning] {
        let providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func allowed(_ model: String) -> ClassificationSet {
            let provider = String(model.split(separator: "/", maxSplits: 1)[0])
            return providers[provider]?.allowedClassifications ?? []
        }
        var warnings: [ScenarioWarning] = []
        for (index, requestClass) in traffic.classes.enumerated() {
            let path = "traffic.classes[\(index)]"
            let node = root.node(at: ["traffic", "classes", "\(index)", "classification"]) ?? root.node(at: ["traffic", "classes", "\(index)"])
            var tiersToCheck = [(requestClass.tier, "tier")]
            if let budget, budget.policy.action == .downgrade, let downgrade = budget.downgradeTier, downgrade != requestClass.tier {
                tiersToCheck.append((downgrade, "downgrade tier (budget.downgrade_to)"))
            }
            for (tierName, role) in tiersToCheck {
                guard let tier = tiers.first(where: { $0.name == tierName }),
                      !tier.models.contains(where: { allowed($0).contains(requestClass.classification) }) else { continue }
                let offered = tier.models.map { model in
                    "\(model): \(allowed(model).members.map(\.rawValue).joined(separator: ", "))"
                }
                let data = requestClass.classification.rawValue
                let receivers = self.providers.filter { $0.allowedClassifications.contains(requestClass.classification) }.map(\.name)
                warnings.append(ScenarioWarning(
                    location: node?.location, keyPath: path,
                    message: "class '\(requestClass.name)' (\(data) data) can reach no compliant model: no model of its \(role) '\(tierName)' "
                        + "is offered by a provider that may receive \(data) data (\(offered.joined(separator: "; "))); "
                        + (receivers.isEmpty ? "no provider lists '\(data)' under 'classifications'"
                            : "providers that may: \(receivers.joined(separator: ", "))")
                        + ". Every such request would fail with no_compliant_route"))
            }
        }
        return warnings
    }
}
