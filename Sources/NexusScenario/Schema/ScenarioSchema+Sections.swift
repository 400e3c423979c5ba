import NexusGateway

extension ScenarioSchema {
    /// A key of a mapping: its value's schema and whether a complete scenario must have it.
    struct Key {
        var name: String
        var schema: SchemaJSON
        var required = false
    }

    /// Builds the sections of the schema. `partial` builds the variant for a file that `extends:` another
    /// one: nothing is required and named list items may be deleted with `remove: true`.
    struct Builder {
        let partial: Bool

        // MARK: Building blocks

        func key(_ name: String, _ schema: SchemaJSON, _ description: String, default value: SchemaJSON? = nil, required: Bool = false) -> Key {
            var s = schema.setting("description", .string(description))
            if let value { s = s.setting("default", value) }
            return Key(name: name, schema: s, required: required)
        }

        func key(_ name: String, _ scalar: String, _ description: String, default value: SchemaJSON? = nil, required: Bool = false) -> Key {
            key(name, ref(scalar), description, default: value, required: required)
        }

        /// A mapping with exactly these keys; `anyOfRequired` lists alternatives of which one must be present.
        func object(_ keys: [Key], description: String? = nil, anyOfRequired: [[String]] = []) -> SchemaJSON {
            var entries: [(String, SchemaJSON)] = [("type", "object")]
            if let description { entries.append(("description", .string(description))) }
            // The loader reads `key: ~` as the key left out, which an optional key (and in an extending
            // file any key, dropping the inherited value) may be.
            entries.append(("properties", .object(keys.map { key in
                guard partial || !key.required else { return (key.name, key.schema) }
                return (key.name, Self.nullable(key.schema))
            })))
            let required = keys.filter(\.required).map { SchemaJSON.string($0.name) }
            if !partial, !required.isEmpty { entries.append(("required", .array(required))) }
            if !partial, !anyOfRequired.isEmpty {
                entries.append(("anyOf", .array(anyOfRequired.map { ["required": .array($0.map { .string($0) })] })))
            }
            entries.append(("additionalProperties", false))
            return .object(entries)
        }

        /// `schema`, or null; the description and default stay on the outside, where editors show them.
        static func nullable(_ schema: SchemaJSON) -> SchemaJSON {
            guard case .object(let entries) = schema else { return schema }
            let outer = entries.filter { ["description", "default"].contains($0.0) }
            let inner = entries.filter { !["description", "default"].contains($0.0) }
            return .object(outer + [("anyOf", [.object(inner), ["type": "null"]])])
        }

        func list(_ items: SchemaJSON, minItems: Int? = nil, maxItems: Int? = nil, count: Int? = nil) -> SchemaJSON {
            var entries: [(String, SchemaJSON)] = [("type", "array"), ("items", items)]
            if let n = count ?? minItems { entries.append(("minItems", .integer(n))) }
            if let n = count ?? maxItems { entries.append(("maxItems", .integer(n))) }
            return .object(entries)
        }

        /// A list of mappings identified by `name`, which an extending file merges item by item.
        func namedList(_ keys: [Key], description: String, minItems: Int? = nil) -> SchemaJSON {
            var keys = keys
            if partial {
                keys.append(key(ScenarioNode.removeKey, "boolean", "true deletes the inherited item of this name (give only name and remove)."))
            }
            return list(object(keys, description: description), minItems: partial ? nil : minItems)
        }

        func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> SchemaJSON where T.RawValue == String {
            Scalars.scalar("One of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).", [["enum": .array(T.allCases.map { .string($0.rawValue) })]])
        }

        func anyOf(_ alternatives: [SchemaJSON]) -> SchemaJSON { ["anyOf": .array(alternatives)] }

        /// One of these names, or a parameter reference.
        func names(_ names: [String]) -> SchemaJSON {
            ["anyOf": [["enum": .array(names.map { .string($0) })], ref("parameter_reference")]]
        }

        // MARK: The document

        var scenario: SchemaJSON {
            object([
                key(ScenarioNode.extendsKey, "path", "The scenario this file changes: its path, relative to this file. Mappings merge by key, lists of named items by name ({name: X, remove: true} deletes X), anything else replaces the inherited value; see docs/writing-scenarios.md."),
                key("name", "name", "The scenario's name, stored with every run.", required: true),
                key("description", "text", "What the scenario represents, in a sentence or two."),
                key("parameters", parameters, "Values that can be changed with --param NAME=VALUE and used anywhere as ${NAME}."),
                key("simulation", simulation, "How long and how often to simulate.", required: true),
                key("pricing", object([key("litellm", "path", "A price table in LiteLLM's model_prices_and_context_window.json format; a model's `price: KEY` names one of its entries.", required: true)]),
                    "Where per-token prices come from."),
                key("gateway", gateway, "The gateway: instances, their capacity and price, its queue and its autoscaler.", required: true),
                key("routing", routing, "Gateway-wide routing settings, and defaults for every tier's routing policy."),
                key("providers", namedList(provider, description: "A provider and the models it serves.", minItems: 1),
                    "Providers and their models.", required: true),
                key("tiers", namedList(tier, description: "A service tier: an ordered list of candidate models and the routing policy over them.", minItems: 1),
                    "Service tiers; a request class names the tier its requests are routed in.", required: true),
                key("traffic", traffic, "Arrivals and request classes, or a recorded trace.", required: true),
                key("targets", list(["type": "string", "pattern": "^\\s*\\S+\\s*(?:<=|>=|<|>|==)\\s*\\S.*$"]),
                    "Service-level targets, METRIC OP VALUE with units, e.g. 'p95_latency < 2s', 'availability >= 99.9%', 'cost_per_request < $0.01'; checked by `nexus-sim gate`."),
                key("budget", budget, "Spending limits, alerts and what happens when a limit is reached."),
                key("cache", cache, "The gateway's response cache."),
            ], description: partial ? "A scenario that extends another one: every key is optional and overrides the inherited value." : nil)
        }

        var parameters: SchemaJSON {
            [
                "type": "object",
                "additionalProperties": anyOf([
                    ref("text", "The parameter's default value."),
                    object([
                        key("default", "text", "The value used unless --param NAME=VALUE gives another.", required: true),
                        key("description", "text", "What the parameter changes, shown by `nexus-sim run` and stored with the run."),
                    ]),
                    ["type": "null", "description": "Declares nothing: drops a parameter the extended scenario declares."],
                ]),
            ]
        }

        var simulation: SchemaJSON {
            object([
                key("duration", "duration", "Arrivals are generated for this long, from simulated time 0.", required: true),
                key("warmup", anyOf([ref("duration"), names(["mser5", "mser-5", "MSER5", "MSER-5"])]),
                    "Requests arriving before this are simulated but not counted; mser5 lets MSER-5 choose it from a pilot replication.", default: "0s"),
                key("drain", "duration", "After the last arrival, how long requests in flight may still finish and be counted.", default: "10m"),
                key("seed", "seed", "Seed of every random stream: the same seed gives the same results, bit for bit.", default: 1),
                key("replications", "whole_number", "Independent replications (for confidence intervals), 1 to 10000.", default: 1),
                key("series_window", "duration", "Width of one point of the time series.", default: "1m"),
                key("start", "instant", "The calendar instant of simulated time 0; places daily and weekly profiles and budget windows.", default: "2026-01-01T00:00:00Z"),
            ])
        }

        var gateway: SchemaJSON {
            object([
                key("instances", "whole_number", "Gateway instances (at the start, when autoscaled).", required: true),
                key("concurrency", "whole_number", "Requests one instance serves at once; it holds the slot for the whole upstream call.", required: true),
                key("overhead", "duration", "Gateway work per request, added to its latency.", default: "0s"),
                key("queue_limit", anyOf([ref("whole_number"), names(["none", "unbounded"])]),
                    "Longest gateway queue, in requests; a request arriving to a full queue fails with queue_full. none: unbounded.", default: "none"),
                key("queue_timeout", "duration_or_none", "Longest wait in the queue before the request fails with queue_timeout.", default: "none"),
                key("vcpus", "positive_number", "vCPUs of one instance (its CPU request, for CPU %).", default: 1),
                key("cpu_per_request", "duration", "CPU time one request costs its instance.", default: "0s"),
                key("memory_limit", "memory", "Memory limit of one instance.", default: "2GiB"),
                key("memory_base", "memory", "Memory an idle instance uses.", default: "256MiB"),
                key("memory_per_request", "memory", "Memory per request in flight.", default: "0MiB"),
                key("startup_time", "duration", "How long a new instance takes before it serves (pull, boot, readiness).", default: "0s"),
                key("instance_price", "money", "Price of one instance-hour, billed from launch until drained.", default: "$0"),
                key("autoscaling", autoscaling, "The autoscaler; without it the gateway runs a fixed number of instances."),
                key("load_balancing", choice(LoadBalancing.self),
                    "How arrivals reach instances. global_queue: one shared FIFO queue (a worker pool); random: kube-proxy's default "
                    + "(iptables/nftables); round_robin: IPVS rr; least_connections: IPVS lc, NGINX least_conn, Envoy LEAST_REQUEST. "
                    + "All but global_queue queue per instance.", default: "global_queue"),
                key("termination_grace", "duration",
                    "How long an instance removed by a scale-in may finish its requests; then they fail with instance_terminated "
                    + "(Kubernetes' terminationGracePeriodSeconds).", default: "30s"),
            ])
        }

        var autoscaling: SchemaJSON {
            let none = names(["none", "off"])
            let step = object([
                key("cpu", anyOf([ref("percentage"), none]), "Scale up above this average CPU utilisation (none: not a trigger)."),
                key("memory", anyOf([ref("fraction"), none]), "Scale up above this average memory utilisation."),
                key("queue_depth", anyOf([ref("whole_number"), none]), "Scale up above this many queued requests."),
                key("response_time", anyOf([ref("duration"), none]), "Scale up above this response time (see response_time_statistic)."),
                key("response_time_statistic", choice(StepScalingPolicy.ResponseTimeStatistic.self), "Which response time is compared with response_time."),
                key("scale_up_by", "whole_number", "Instances added per scale-up."),
                key("scale_down_by", "whole_number", "Instances removed per scale-down."),
                key("scale_up_cooldown", "duration", "Least time between scale-ups."),
                key("scale_down_cooldown", "duration", "Least time between scale-downs."),
                key("hysteresis", "fraction", "Scale down only below the thresholds reduced by this share (below 100%)."),
            ])
            let rules = object([
                key("stabilization_window", "duration", "Kubernetes' stabilizationWindowSeconds (at most 1h)."),
                key("select_policy", choice(HorizontalPodAutoscaler.SelectPolicy.self), "Kubernetes' selectPolicy."),
                key("policies", list(object([
                    key("type", choice(HorizontalPodAutoscaler.ScalingPolicy.Kind.self), "Pods: a number of instances; Percent: a share of the current ones.", required: true),
                    key("value", "whole_number", "Instances (Pods) or percent (Percent) per period.", required: true),
                    key("period", "duration", "The policy's period, whole seconds from 1s to 1800s.", required: true),
                ])), "Kubernetes' scaling policies."),
                key("tolerance", "tolerance", "This direction's tolerance (Kubernetes 1.33+ HPAScalingRules.tolerance), 0% to 1000%.",
                    default: "the HPA's tolerance"),
            ])
            let hpa = object([
                key("metrics", list(object([
                    key("type", names(["cpu", "memory", "in_flight", "queue_depth"]), "cpu and memory: utilisation targets; in_flight and queue_depth: averages per instance.", required: true),
                    key("target", anyOf([ref("percentage"), ref("positive_number")]), "Target utilisation (60%) or average per instance (150).", required: true),
                ]), minItems: 1), "The metrics the HPA scales on."),
                key("behavior", object([
                    key("scale_up", rules, "Scale-up rules."),
                    key("scale_down", rules, "Scale-down rules."),
                ]), "Kubernetes' behavior field."),
                key("tolerance", "fraction", "No scaling while the metric ratio is within 1 ± tolerance.", default: "10%"),
                key("downscale_stabilization", "duration", "The controller's --horizontal-pod-autoscaler-downscale-stabilization.", default: "5m"),
                key("metrics_server", anyOf([object([
                    key("resolution", "duration", "Time between scrapes (metrics-server's --metric-resolution), 10s to 1h.", default: "15s"),
                    key("lag", "duration", "How long after a scrape the HPA reads its values, at most 10m.", default: "0s"),
                ]), names(["none", "off"])]), "CPU and memory as metrics-server publishes them: the CPU rate between its last two scrapes. none: exact averages over each interval.", default: "none"),
            ])
            return object([
                key("policy", names(["step", "hpa"]), "step: the threshold-and-cooldown policy; hpa: Kubernetes' HorizontalPodAutoscaler algorithm.", required: true),
                key("interval", "duration", "Time between evaluations.", default: "60s for step, 15s for hpa"),
                key("min_instances", "whole_number", "Fewest instances.", default: "2 for step, 1 for hpa"),
                key("max_instances", "whole_number", "Most instances.", default: 50),
                key("step", step, "Settings of the step policy."),
                key("hpa", hpa, "Settings of the HPA policy."),
            ])
        }

        /// Keys that set a tier's routing policy; under `routing:` they are every tier's defaults.
        var policyKeys: [Key] {
            let retryOn = anyOf([["type": "integer", "minimum": 400, "maximum": 599], names(["5xx", "timeout", "connection_error"]),
                                 Scalars.string("^[45][0-9][0-9]$")])
            let retries = anyOf([
                ref("whole_number", "Retries on the same model (at most 100), with the default backoff."),
                names(["none", "off"]),
                ["const": false],
                object([
                    key("max", "whole_number", "Retries on the same model before falling back (at most 100).", default: 2),
                    key("backoff", "duration", "Base of the exponential backoff (full jitter).", default: "250ms"),
                    key("max_backoff", "duration", "Longest backoff.", default: "8s"),
                    key("on", list(retryOn), "What is retried: HTTP statuses (429, 500, ...), 5xx, timeout, connection_error."),
                    key("honor_retry_after", "boolean", "Wait at least the provider's Retry-After.", default: true),
                ]),
            ])
            return [
                key("strategy", choice(RoutingStrategy.self), "How a model is chosen among the eligible ones.", default: "priority"),
                key("latency_tolerance", "fraction", "Strategy latency: models within this share of the fastest are chosen at random.", default: "10%"),
                key("retries", retries, "Retries on the same model: a count, none, or a mapping.", default: "2, on 429, 500, 502, 503, 504, timeout and connection_error"),
                key("fallbacks", "boolean", "After the retries, try the tier's next model.", default: true),
                key("context_window_fallbacks", list(ref("model_reference")), "Models tried when the prompt fits none of the tier's models."),
                key("pre_call_checks", "boolean", "Skip models whose context window the prompt does not fit.", default: true),
                key("attempt_timeout", "duration_or_none", "Longest single call, dispatch to last token.", default: "none"),
                key("deadline", "duration_or_none", "Longest time for the whole request, arrival to answer.", default: "none"),
                key("hedge_after", "duration_or_none", "Send a second attempt to the next model when the first has not answered after this long.", default: "none"),
            ]
        }

        var routing: SchemaJSON {
            let breaker = object([
                key("window", "duration", "Window over which failures are counted.", default: "60s"),
                key("min_requests", "whole_number", "Fewest calls in the window before the breaker may open.", default: 20),
                key("failure_threshold", "fraction", "Share of failed calls that opens the breaker (above 0%).", default: "50%"),
                key("cooldown", "duration", "How long an open breaker stays open before a trial call.", default: "30s"),
            ])
            return object(policyKeys + [
                key("circuit_breaker", anyOf([breaker, names(["none", "off"]), ["const": false]]), "A circuit breaker per model endpoint; none disables them.", default: "none"),
                key("latency_ewma_weight", "fraction", "Weight of the newest observation in the latency average of strategy latency (above 0).", default: "20%"),
                key("mode", names(["nexus", "litellm"]), "nexus: the policy keys above; litellm: LiteLLM's router rules, tiers as model groups (docs/litellm.md).", default: "nexus"),
                key("litellm", litellm, "LiteLLM's router_settings, with routing.mode: litellm."),
            ])
        }

        var litellm: SchemaJSON {
            let tierLists = ["type": "object", "additionalProperties": list(ref("name"))] as SchemaJSON
            let counts = { (suffix: String) -> SchemaJSON in
                object(LiteLLMRouterSettings.ErrorClass.allCases.map { key($0.rawValue + suffix, "whole_number", "For \($0.rawValue).") })
            }
            let deployment = object([
                key("weight", "number", "Relative weight for simple-shuffle."),
                key("rpm", "whole_number", "Requests per minute the deployment takes (shuffle weight; latency, cost and usage strategies skip it beyond)."),
                key("tpm", "whole_number", "Tokens per minute the deployment takes."),
                key("cooldown_time", "duration", "The deployment's own cooldown."),
            ] + ScenarioDecoder.litellmPassthroughKeys.map { key($0, "text", "litellm_params.\($0), kept for export litellm (os.environ/VAR stays a reference).") })
            return object([
                key("routing_strategy", choice(LiteLLMRouterSettings.Strategy.self), "How a deployment is chosen in its group.", default: "simple-shuffle"),
                key("num_retries", "whole_number", "Retries within the group, each re-picking a deployment.", default: 2),
                key("retry_policy", counts("Retries"), "Retries per error class, e.g. {RateLimitErrorRetries: 3}."),
                key("retry_after", "duration", "Least wait before a retry that has to wait.", default: "0s"),
                key("allowed_fails", "whole_number", "Failures allowed within cooldown_time before a cooldown (selects LiteLLM's count rule)."),
                key("allowed_fails_policy", counts("AllowedFails"), "Allowed failures per error class."),
                key("cooldown_time", "duration", "How long a deployment cools down (a 429's Retry-After replaces it).", default: "5s"),
                key("disable_cooldowns", "boolean", "Never cool a deployment down.", default: false),
                key("enable_pre_call_checks", "boolean", "Skip deployments whose context window the prompt does not fit.", default: false),
                key("fallbacks", tierLists, "Per tier, the tiers tried in order after its retries, e.g. {fast: [backup]}."),
                key("default_fallbacks", list(ref("name")), "Fallback tiers of a tier that has none."),
                key("context_window_fallbacks", tierLists, "Per tier, the tiers tried when the prompt is too long."),
                key("max_fallbacks", "whole_number", "Most fallback tiers per request.", default: 5),
                key("lowest_latency_buffer", "number", "latency-based-routing: deployments within this share of the lowest are drawn at random.", default: 0),
                key("max_latency_list_size", "whole_number", "latency-based-routing: samples kept per deployment.", default: 10),
                key("stream", "boolean", "Clients stream: latency-based-routing ranks by time to first token per token.", default: false),
                key("deployments", ["type": "object", "additionalProperties": deployment], "Per model (provider/model), its LiteLLM deployment parameters."),
            ])
        }

        var limits: SchemaJSON {
            object([
                key("requests_per_minute", "whole_number", "Requests per minute; beyond, 429 with Retry-After."),
                key("tokens_per_minute", "whole_number", "Prompt tokens plus max_tokens per minute (OpenAI's estimate)."),
                key("input_tokens_per_minute", "whole_number", "Prompt tokens not read from the prompt cache per minute (Anthropic's ITPM)."),
                key("output_tokens_per_minute", "whole_number", "Output tokens per minute: max_tokens when admitted, corrected to those produced (Anthropic's OTPM)."),
                key("requests_per_day", "whole_number", "Requests per UTC calendar day of the scenario's calendar (reset at UTC midnight)."),
                key("concurrency", "whole_number", "Calls in flight at once; beyond, 429 without Retry-After."),
                key("algorithm", choice(RateLimitAlgorithm.self), "token_bucket: per-minute limits refill continuously; fixed_window: counted per calendar minute.", default: "token_bucket"),
                key("burst", "duration", "Refill a full token bucket holds: 1m admits a whole minute's limit at once, 1s one second's share (1ms to 1d).", default: "1m"),
            ])
        }

        var outageKeys: [Key] {
            [
                key("mode", choice(OutageMode.self), "down: fast connection errors; degraded: slower and some 503s; throttled: some 429s.", required: true),
                key("latency_factor", "positive_number", "Latency multiplier while degraded (at least 1).", default: "3 when degraded, else 1"),
                key("error_rate", "fraction", "Share of calls that fail during the outage.", default: "100% down, 20% degraded, 100% throttled"),
                key("retry_after", "duration", "Retry-After of throttled 429s.", default: "30s"),
            ]
        }

        var provider: [Key] {
            let outage = object([
                key("start", "duration", "Start, as simulated time since 0 (14h is 14:00 on the first day).", required: true),
                key("duration", "duration", "How long the outage lasts.", required: true),
            ] + outageKeys + [
                key("models", list(ref("name")), "The provider's models affected (default: all)."),
            ])
            let random = object([
                key("mtbf", "duration", "Mean time between failures (exponential).", required: true),
                key("mttr", "duration", "Mean time to repair (exponential).", required: true),
            ] + outageKeys)
            return [
                key("name", "name", "The provider's name; models are referred to as provider/model.", required: true),
                key("classifications", list(ref("classification")),
                    "The data classifications this provider may receive; the router never sends it anything else.", default: ["public"]),
                key("models", namedList(model, description: "A model the provider serves.", minItems: 1), "The provider's models.", required: true),
                key("limits", limits, "The account's limits, shared by all of the provider's models."),
                key("outages", list(outage), "Scheduled outage windows."),
                key("random_outages", random, "Random failures: up and down periods, exponentially distributed."),
                key("fast_failure_latency", "duration", "How long a fast failure takes to come back (connection error, 429 from a limit).", default: "50ms"),
                key("prompt_cache", object([
                    key("ttl", "duration_or_none", "How long a prompt block is kept after its last use; none: for ever.", default: "5m"),
                    key("block_tokens", "whole_number", "Tokens per cached prompt block.", default: 512),
                ]), "The provider's prompt-prefix cache (cached input tokens are billed at cached_input_per_mtok)."),
                key("load_slowdown", object([
                    key("concurrency", "whole_number", "Calls in flight the provider serves at full speed.", required: true),
                    key("exponent", "positive_number", "Exponent of the slowdown (n / concurrency)^exponent (0.1 to 10); 1 is processor sharing.", default: 1),
                ]), "Slowdown under load: with n calls in flight, TTFT × and speed ÷ max(1, n / concurrency)^exponent, fixed when a call is sent."),
                key("base_url", "url", "Live gateway only: the provider's OpenAI-compatible API root, e.g. https://api.openai.com/v1."),
                key("api_key_env", "environment_variable", "Live gateway only: the environment variable that holds the provider's API key."),
            ]
        }

        var model: [Key] {
            let price = anyOf([
                ["type": "string", "description": "A key of the price table named under pricing.litellm."],
                object([
                    key("input_per_mtok", "money", "Dollars per million prompt tokens.", required: true),
                    key("output_per_mtok", "money", "Dollars per million output tokens.", required: true),
                    key("cached_input_per_mtok", "money", "Dollars per million prompt tokens read from the provider's prompt cache."),
                ]),
            ])
            return [
                key("name", "name", "The model's name within its provider.", required: true),
                key("price", price, "A price-table key, or {input_per_mtok, output_per_mtok} in dollars per million tokens.", required: true),
                key("context_window", "whole_number", "Largest prompt accepted, in tokens.", default: "the price table's max_input_tokens; else unlimited"),
                key("ttft", ref("duration_distribution"), "Time to first token: a duration or a distribution of durations.", required: true),
                key("tokens_per_second", ref("amount_distribution"), "Generation speed of one call, tokens per second (above 0); without it the output arrives with the first token."),
                key("error_rate", "fraction", "Share of calls that fail with HTTP 500 after the time to first token."),
                key("errors", [
                    "type": "object",
                    "propertyNames": ["pattern": "^(?:429|5[0-9][0-9])$"],
                    "additionalProperties": ref("fraction"),
                ], "Share of calls answered with each HTTP status (429 or 5xx), e.g. {503: 0.2%, 429: 1%}; at most 100% in all."),
                key("limits", limits, "The model's own limits, in addition to the provider's."),
                key("retry_after", "duration", "Retry-After sent with background 429s.", default: "1s"),
                key("prefill_tokens_per_second", "positive_number", "Prompt processing speed: TTFT = drawn ttft + uncached prompt tokens / this rate (1 to 1e9)."),
                key("mid_stream_error_rate", "fraction", "Share of answers that break off after a uniform share of their tokens: billed, and a 500 to the router.", default: "0%"),
            ]
        }

        var tier: [Key] {
            [
                key("name", "name", "The tier's name, referred to by request classes.", required: true),
                key("models", list(ref("model_reference"), minItems: 1, maxItems: 64), "Candidate models in preference order (1 to 64).", required: true),
            ] + policyKeys + [
                key("weights", list(ref("non_negative_number")), "Strategy weighted: one weight per model of the tier."),
            ]
        }

        var traffic: SchemaJSON {
            object([
                key("arrivals", arrivals, "The arrival process; may be left out when a trace is replayed."),
                key("classes", namedList(requestClass, description: "A request class: its share of the traffic, tier, data classification and token counts.", minItems: 1),
                    "Request classes; each request belongs to one, drawn by share (the shares add up to 100%).", required: true),
                key("users", object([
                    key("count", "whole_number", "Number of users.", required: true),
                    key("zipf", "non_negative_number", "Zipf exponent of their activity: user i sends a share proportional to 1/(i+1)^zipf.", default: 1),
                    key("teams", "whole_number", "Number of teams: user i belongs to team i mod teams and spends its per_team_monthly budget (at most count)."),
                ]), "A user population (for per-user and per-team budgets)."),
                key("trace", trace, "A recorded trace replayed instead of the arrival process."),
                key("stream", "boolean", "Whether nexus-sim load asks for streamed (SSE) answers for classes that do not say.", default: false),
            ], anyOfRequired: [["arrivals"], ["trace"]])
        }

        var profileKeys: [Key] {
            let spike = object([
                key("start", "duration", "Start, as simulated time since 0.", required: true),
                key("duration", "duration", "How long the spike lasts.", required: true),
                key("multiplier", "positive_number", "Rate multiplier during the spike.", required: true),
            ])
            let hours = list(ref("non_negative_number"), count: 24)
            return [
                key("daily_profile", anyOf([hours, object([
                    key("peak_hour", "non_negative_number", "Hour of the peak, from 0 to 24 (exclusive)."),
                    key("peak_to_trough", "positive_number", "Peak rate over trough rate (at least 1); a sinusoid over the day."),
                    key("hourly", hours, "24 multipliers, one per hour from midnight, normalised to mean 1."),
                ])]), "The rate over the day: 24 hourly multipliers, or {peak_hour, peak_to_trough}."),
                key("weekly_profile", list(ref("non_negative_number"), count: 7), "7 multipliers, Monday first, normalised to mean 1."),
                key("growth_per_month", "growth", "Compound growth of the rate per month."),
                key("spikes", list(spike), "Windows in which the rate is multiplied."),
            ]
        }

        var arrivals: SchemaJSON {
            let poisson = object([
                key("process", names(["poisson"]), "Poisson arrivals.", required: true),
                key("rate", "rate", "Mean arrival rate (the profiles are normalised to mean 1).", required: true),
            ] + profileKeys)
            let mmpp = object([
                key("process", names(["mmpp"]), "A two-state Markov-modulated Poisson process (bursts).", required: true),
                key("on_rate", "rate", "Arrival rate in the on (burst) state.", required: true),
                key("off_rate", anyOf([ref("rate"), ["const": 0]]), "Arrival rate in the off state (0 allowed).", required: true),
                key("mean_on", "duration", "Mean time in the on state (exponential).", required: true),
                key("mean_off", "duration", "Mean time in the off state (exponential).", required: true),
            ] + profileKeys)
            return anyOf([poisson, mmpp])
        }

        var requestClass: [Key] {
            [
                key("name", "name", "The class's name.", required: true),
                key("share", "fraction", "Share of the requests in this class (above 0%).", required: true),
                key("tier", "name", "The tier its requests are routed in.", required: true),
                key("classification", ref("classification"), "Its data classification: only providers that list it may receive the requests.", default: "public"),
                key("cache_class", choice(CacheClass.self), "Its class for the response cache's TTLs.", default: "complex"),
                key("input_tokens", ref("amount_distribution"), "Prompt tokens: a number or a distribution.", required: true),
                key("output_tokens", ref("amount_distribution"), "Output tokens before max_output_tokens caps them: a number or a distribution.", required: true),
                key("max_output_tokens", "whole_number", "The client's max_tokens: caps the output.", default: 4096),
                key("stream", "boolean", "Whether nexus-sim load asks for a streamed (SSE) answer; default: the traffic's stream."),
                key("prompts", object([
                    key("distinct", "whole_number", "Distinct prompts, drawn by Zipf popularity.", required: true),
                    key("zipf", "non_negative_number", "Zipf exponent of prompt popularity.", default: 1),
                    key("one_off", "fraction", "Share of prompts that never repeat.", default: "0%"),
                    key("paraphrases", "whole_number", "Wordings per distinct prompt (intent), drawn uniformly: different prompts for the exact-match cache, one intent for the semantic cache (1 to 16383).", default: 1),
                ]), "Prompt popularity, which decides the response cache's hit rate."),
                key("turns", ref("amount_distribution"), "Turns per conversation (mean at least 1); needs think_time."),
                key("think_time", ref("duration_distribution"), "Time between a turn's answer and the next turn; needs turns."),
            ]
        }

        var trace: SchemaJSON {
            object([
                key("file", "path", "The trace file, relative to the scenario file.", required: true),
                key("format", choice(TraceFormat.self), "The trace's format.", required: true),
                key("columns", object([
                    key("timestamp", "text", "Column of the arrival time.", required: true),
                    key("timestamp_unit", choice(TimestampUnit.self), "Unit of numeric timestamps.", default: "s"),
                    key("input_tokens", "text", "Column of prompt tokens.", required: true),
                    key("output_tokens", "text", "Column of output tokens.", required: true),
                    key("model", "text", "Column of the requested model."),
                    key("user", "text", "Column of the user."),
                    key("class", "text", "Column of the request class."),
                ]), "Column names (formats csv and jsonl)."),
                key("time_scale", "positive_number", "Replay this many times faster.", default: 1),
                key("rate_scale", "positive_number", "Multiply the traffic (at most 1000): above 1 superposes shifted copies, below 1 thins.", default: 1),
                key("copy_shift", "duration", "Copy j of a rate-scaled replay starts j × this later.", default: "60s"),
                key("loop", "boolean", "Replay the trace again from the start until the duration ends.", default: false),
                key("on_bad_row", choice(BadRowPolicy.self), "What a malformed row does.", default: "fail"),
                key("rules", list(object([
                    key("class", "name", "The request class a matching row gets.", required: true),
                    key("model", "text", "Match rows that request this model."),
                    key("min_input_tokens", "whole_number", "Match rows with at least this many prompt tokens."),
                    key("max_input_tokens", "whole_number", "Match rows with at most this many prompt tokens."),
                    key("share", "fraction", "Match this share of the remaining rows.", default: "100%"),
                ])), "How rows get a request class: the first matching rule wins; unmatched rows are drawn by share."),
            ])
        }

        var budget: SchemaJSON {
            object([
                key("monthly", "money", "Limit per calendar month."),
                key("daily", "money", "Limit per calendar day."),
                key("per_user_monthly", "money", "Limit per user per calendar month."),
                key("per_team_monthly", "money", "Limit per team per calendar month."),
                key("alerts", list(ref("fraction")), "Alert when spending reaches these shares of a limit.", default: ["70%", "85%", "95%"]),
                key("action", choice(BudgetAction.self), "block: refuse (budget_exceeded); downgrade: route to downgrade_to; alert: record and carry on.", default: "block"),
                key("downgrade_to", "name", "The tier requests go to when the budget is short (action downgrade)."),
                key("time_zone", anyOf([ref("utc_offset"), ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"]]),
                    "Where calendar days and months begin: UTC, a fixed offset (+01:00), or a zone of the system's time-zone database by name (Europe/Berlin), daylight saving time included.",
                    default: "UTC"),
                key("reservation", choice(BudgetReservation.self),
                    "worst_case: each attempt reserves prompt + max_tokens until it settles (never exceeded, refuses early); clamp: max_tokens lowered to what the room covers (never exceeded, used to the limit); none: admit while settled spend is below the limit, as LiteLLM does (overspend possible, measured).",
                    default: "worst_case"),
            ], anyOfRequired: [["monthly"], ["daily"], ["per_user_monthly"], ["per_team_monthly"]])
        }

        var cache: SchemaJSON {
            object([
                key("ttl", object(CacheClass.allCases.map { key($0.rawValue, "duration", "TTL of cache class \($0.rawValue); 0s: never cached.", default: "0s") }),
                    "Time to live by cache class.", required: true),
                key("capacity_entries", "whole_number", "Most entries kept (least recently used evicted)."),
                key("capacity_bytes", "whole_number", "Most bytes kept (least recently used evicted)."),
                key("never_cache", list(ref("classification")), "Data classifications never cached.", default: ["confidential", "restricted"]),
                key("hit_latency", "duration", "Latency of a cache hit.", default: "5ms"),
                key("bytes_per_token", "whole_number", "Size of a cached response per output token.", default: 4),
                key("semantic", object([
                    key("threshold", "non_negative_number", "GPTCache search-distance threshold (20 to 100): picks the defaults below from GPTCache's benchmark table, linear between its rows 20, 50 and 100.", default: 50),
                    key("hit_probability", "fraction", "Probability that a paraphrase of a stored intent is matched to it (default: the benchmark's positive share at the threshold)."),
                    key("false_hit_probability", "fraction", "Probability that a lookup is matched to another intent's answer (default: the benchmark's negative share)."),
                    key("lookup_latency", "duration", "Embedding and vector search time on every lookup the exact match missed (default: the benchmark's average time)."),
                    key("embedding_per_mtok", "money", "Embedding price per million prompt tokens, on every such lookup.", default: "$0.02"),
                    key("false_hits", choice(FalseHitAccounting.self), "serve: a wrong answer is served and counted as a false hit; fail: counted as a failed request (wrong_cached_answer).", default: "serve"),
                ]), "A semantic cache tried when the exact key misses (GPTCache, LiteLLM redis-semantic)."),
            ])
        }

        // MARK: Distributions

        func distribution(of quantity: Quantity) -> SchemaJSON {
            let value = quantity == .duration ? ref("duration") : ref("non_negative_number")
            let positive = quantity == .duration ? ref("duration") : ref("positive_number")
            let unit = quantity == .duration ? "durations" : "numbers"
            func kind(_ name: String, _ description: String, _ keys: [Key]) -> SchemaJSON {
                object([key("dist", names([name]), description)] + keys)
            }
            return [
                "description": .string("A single value (a constant), or a distribution of \(unit): {dist: KIND, ...}."),
                "anyOf": [
                    value,
                    kind("constant", "Always the same value.", [key("value", value, "The value.", required: true)]),
                    kind("exponential", "Exponential.", [key("mean", positive, "The mean.", required: true)]),
                    kind("lognormal", "Lognormal, by median and p95, by mean and cv, or by mu and sigma (of the log, in base units).", [
                        key("median", positive, "The median."), key("p95", positive, "The 95th percentile (above the median)."),
                        key("mean", positive, "The mean."), key("cv", "positive_number", "Coefficient of variation (sd / mean)."),
                        key("mu", "number", "Mean of the log."), key("sigma", "positive_number", "Standard deviation of the log."),
                    ]),
                    kind("gamma", "Gamma, by mean and cv, or by shape and scale.", [
                        key("mean", positive, "The mean."), key("cv", "positive_number", "Coefficient of variation (sd / mean)."),
                        key("shape", "positive_number", "Shape k."), key("scale", positive, "Scale θ."),
                    ]),
                    kind("normal", "Normal, truncated at 0.", [
                        key("mean", value, "The mean.", required: true), key("sd", value, "The standard deviation.", required: true),
                    ]),
                    kind("empirical", "Drawn uniformly from the values given.", [
                        key("values", list(value, minItems: 1), "The values.", required: true),
                    ]),
                ],
            ]
        }
    }
}
