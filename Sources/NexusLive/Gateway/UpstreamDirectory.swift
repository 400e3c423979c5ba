import NexusScenario

/// Where each model endpoint's requests go: the provider's chat-completions URL, the model name it expects and
/// the API key to send, resolved once at start-up.
public struct UpstreamDirectory: Sendable {
    /// One endpoint's upstream.
    public struct Upstream: Sendable, Hashable {
        /// The provider's name in the scenario.
        public var provider: String
        /// `<base>/chat/completions`.
        public var chatCompletionsURL: String
        /// The `model` sent upstream: the model's name within its provider.
        public var model: String
        /// The bearer token, read from the provider's `api_key_env`; nil when none is configured.
        public var apiKey: String?
    }

    /// Per endpoint (the order of ``Scenario/qualifiedModels``).
    public let upstreams: [Upstream]

    /// Resolves every provider's base URL: `--upstreams BASE` gives `BASE/<provider>/v1` (the provider emulator's
    /// layout) for every provider; otherwise the provider's `base_url`. Keys come only from the environment.
    ///
    /// - Throws: a message naming the provider when it has no URL, or when its `api_key_env` variable is unset
    ///   (unless `--upstreams` points at an emulator, which needs no key).
    public init(scenario: Scenario, upstreamsBase: String?, environment: [String: String]) throws(GatewayConfigurationError) {
        var base = upstreamsBase
        while base?.hasSuffix("/") == true { base?.removeLast() }
        var upstreams: [Upstream] = []
        for (_, provider, model) in scenario.qualifiedModels {
            let root: String
            if let base {
                root = "\(base)/\(provider.name)/v1"
            } else if let url = provider.baseURL {
                root = url
            } else {
                throw GatewayConfigurationError(
                    "provider '\(provider.name)' has no base_url; set providers[].base_url in the scenario or pass --upstreams BASE")
            }
            var key: String?
            if let variable = provider.apiKeyEnvironmentVariable {
                key = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
                if key == nil && upstreamsBase == nil {
                    throw GatewayConfigurationError(
                        "provider '\(provider.name)': the environment variable \(variable) (its api_key_env) is not set")
                }
            }
            upstreams.append(Upstream(provider: provider.name, chatCompletionsURL: "\(root)/chat/completions", model: model.name, apiKey: key))
        }
        self.upstreams = upstreams
    }
}

/// A gateway that cannot start as configured.
public struct GatewayConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
