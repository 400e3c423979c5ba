/// LiteLLM mode (`routing.mode: litellm`): the decisions of LiteLLM's `Router`, returned through the same
/// `route` / `afterFailure` API as Nexus mode.
///
/// - A tier is a model group; its candidates are the group's deployments. Deployments cooling down, or that
///   the request may not use (classification, budget, and with `enable_pre_call_checks` the context window),
///   are not *healthy*.
/// - A failed call is retried within its group up to `num_retries` times (or `retry_policy`'s count for the
///   error's class), each retry re-picking a deployment with the group's strategy. The retry starts at once
///   when the group has more than one deployment and one of them is healthy (`_time_to_sleep_before_retry`);
///   a group of one waits the provider's `Retry-After` (when in (0, 60 s]) or the jittered exponential backoff.
/// - When the retries are spent, or no deployment of the group is healthy, the request goes to the group's
///   fallback groups in order (else `default_fallbacks`), at most `max_fallbacks` of them, each with its own
///   retries. A context-window error goes to `context_window_fallbacks` when the group has some.
/// - Cooldowns replace circuit breakers (see ``LiteLLMDeploymentState``): no half-open probe, a cooled-down
///   deployment simply becomes healthy again when its cooldown ends.
extension Router {
    mutating func litellmRoute(_ request: RouteRequest, state: inout RequestRouting, settings: LiteLLMRouterSettings,
                               now: Nanoseconds, draw: Double) -> RouteDecision {
        state.group = request.tier
        let (mask, reason) = litellmHealthy(request, group: request.tier, settings: settings, at: now)
        if mask != 0, let position = litellmPick(request, group: request.tier, among: mask, settings: settings, at: now, draw: draw) {
            return litellmDispatch(request, group: request.tier, position: position, state: &state, after: nil)
        }
        if reason == .contextWindowExceeded, !state.onContextWindowFallbacks,
           !litellmList(settings.contextWindowFallbacks, request.tier).isEmpty {
            state.onContextWindowFallbacks = true
            state.nextFallback = 0
        }
        if let decision = litellmNextFallback(request, state: &state, settings: settings, now: now, draw: draw) { return decision }
        // No fallback: LiteLLM's first call fails with "no deployments available" and its retries wait.
        if reason == .noAvailableRoute, let decision = litellmWaitForCooldown(
            request, state: &state, settings: settings, allowedRetries: settings.retryPolicy[.rateLimit] ?? settings.numRetries,
            retryAfter: nil, now: now, draw: draw) {
            return decision
        }
        return .fail(reason)
    }

    mutating func litellmAfterFailure(_ request: RouteRequest, state: inout RequestRouting, error: AttemptError,
                                      settings: LiteLLMRouterSettings, now: Nanoseconds, draw: Double) -> RouteDecision {
        let group = state.group >= 0 ? state.group : request.tier
        let exhausted = FailureReason(exhaustedAfter: error)
        if error == .contextWindowExceeded, !state.onContextWindowFallbacks,
           !litellmList(settings.contextWindowFallbacks, request.tier).isEmpty {
            state.onContextWindowFallbacks = true
            state.nextFallback = 0
            return litellmNextFallback(request, state: &state, settings: settings, now: now, draw: draw) ?? .fail(exhausted)
        }
        let allowed = settings.retries(after: error)
        let retryAfter: Nanoseconds? = if case .rateLimited(let after) = error { after } else { nil }
        if state.retriesOnEndpoint < allowed {
            let (mask, _) = litellmHealthy(request, group: group, settings: settings, at: now)
            let healthy = mask.nonzeroBitCount
            if healthy > 0 {
                // `_time_to_sleep_before_retry` (router.py): no sleep when the group has more than one deployment
                // and any of them is healthy — the one that just failed included, unless it cooled down; a group
                // of one always sleeps.
                let groupSize = tierStart[group + 1] - tierStart[group]
                let delay = groupSize > 1 ? 0 : settings.backoff(retryIndex: state.retriesOnEndpoint, retryAfter: retryAfter,
                                                                  draw: Self.derivedDraw(draw, 1))
                if state.deadline.map({ now + delay < $0 }) ?? true,
                   let position = litellmPick(request, group: group, among: mask, settings: settings, at: now, draw: draw) {
                    state.retriesOnEndpoint += 1
                    return litellmDispatch(request, group: group, position: position, state: &state, after: delay)
                }
            } else if !litellmHasFallbackLeft(request, state: state, settings: settings),
                      let decision = litellmWaitForCooldown(request, state: &state, settings: settings, allowedRetries: allowed,
                                                            retryAfter: retryAfter, now: now, draw: draw) {
                return decision
            }
        }
        return litellmNextFallback(request, state: &state, settings: settings, now: now, draw: draw) ?? .fail(exhausted)
    }

    /// Bit i set: deployment i of `group` is healthy at `now`; when none is, why (checked in the order of
    /// Nexus mode: classification, context window, budget, cooldown).
    func litellmHealthy(_ request: RouteRequest, group: Int, settings: LiteLLMRouterSettings,
                        at now: Nanoseconds) -> (mask: UInt64, reason: FailureReason) {
        let first = tierStart[group], count = tierStart[group + 1] - first
        var compliant = false, fitting = false, affordable = false
        var mask: UInt64 = 0
        for position in 0..<count {
            let endpoint = candidateTable[first + position]
            guard isCompliant(endpoint, for: request) else { continue }
            compliant = true
            guard !settings.preCallChecks || fits(endpoint, request) else { continue }
            fitting = true
            guard isAffordable(endpoint, for: request) else { continue }
            affordable = true
            guard !litellmState[endpoint].isCoolingDown(at: now) else { continue }
            mask |= 1 << UInt64(position)
        }
        let reason: FailureReason = !compliant ? .noCompliantRoute : !fitting ? .contextWindowExceeded
            : !affordable ? .budgetExceeded : .noAvailableRoute
        return (mask, reason)
    }

    /// The group's strategy applied to its healthy deployments; `nil` when the strategy rules them all out
    /// (every one over its rpm/tpm this minute).
    func litellmPick(_ request: RouteRequest, group: Int, among mask: UInt64, settings: LiteLLMRouterSettings,
                     at now: Nanoseconds, draw: Double) -> Int? {
        let first = tierStart[group], count = tierStart[group + 1] - first
        let positions = (0..<count).filter { mask & (1 << UInt64($0)) != 0 }
        guard !positions.isEmpty else { return nil }
        let endpoint = { (p: Int) in self.candidateTable[first + p] }
        let uniform = { (among: [Int]) -> Int? in
            among.isEmpty ? nil : among[min(Int(min(max(draw, 0), 1) * Double(among.count)), among.count - 1)]
        }
        // Latency and cost skip deployments whose successful calls this minute, plus this one, pass their
        // declared rpm or tpm; usage-based v2 counts requests when they start.
        func underLimits(_ p: Int, countingStarted: Bool) -> Bool {
            let d = settings.deployment(endpoint(p))
            let usage = litellmState[endpoint(p)].usage(at: now)
            if let tpm = d.tpm, usage.tokens + request.inputTokens > tpm { return false }
            if let rpm = d.rpm, (countingStarted ? usage.started : usage.successes) + 1 > rpm { return false }
            return true
        }
        switch settings.strategy {
        case .simpleShuffle:
            let lead = settings.deployment(endpoint(positions[0]))
            let weights: [Double]
            if lead.weight != nil {
                weights = positions.map { settings.deployment(endpoint($0)).weight ?? 0 }
            } else if lead.rpm != nil {
                weights = positions.map { Double(settings.deployment(endpoint($0)).rpm ?? 0) }
            } else if lead.tpm != nil {
                weights = positions.map { Double(settings.deployment(endpoint($0)).tpm ?? 0) }
            } else {
                return uniform(positions)
            }
            let total = weights.reduce(0, +)
            guard total > 0 else { return uniform(positions) }
            var target = min(max(draw, 0), 1) * total
            for (i, w) in weights.enumerated() {
                target -= w
                if target < 0 { return positions[i] }
            }
            return positions[weights.lastIndex { $0 > 0 }!]
        case .leastBusy:
            // The least busy of all the group's deployments; when that one is not healthy, a healthy one at random.
            let all = Array(0..<count)
            let least = all.min { state[endpoint($0)].inFlight < state[endpoint($1)].inFlight }!
            return mask & (1 << UInt64(least)) != 0 ? least : uniform(positions)
        case .latencyBased:
            let scored = positions.filter { underLimits($0, countingStarted: false) }
                .map { ($0, litellmState[endpoint($0)].latencyScore(stream: settings.stream)) }
            guard let lowest = scored.map(\.1).min() else { return nil }
            let ceiling = lowest + settings.lowestLatencyBuffer * lowest
            return uniform(scored.filter { $0.1 <= ceiling }.map(\.0))
        case .costBased:
            let priced = positions.filter { underLimits($0, countingStarted: false) }.map { p in
                (p, endpoints[endpoint(p)].price.inputPerToken.dollars + endpoints[endpoint(p)].price.outputPerToken.dollars)
            }
            return priced.min { $0.1 < $1.1 }?.0
        case .usageBasedV2:
            let used = positions.filter { underLimits($0, countingStarted: true) }
                .map { ($0, litellmState[endpoint($0)].usage(at: now).tokens) }
            guard let lowest = used.map(\.1).min() else { return nil }
            return uniform(used.filter { $0.1 == lowest }.map(\.0))
        }
    }

    private mutating func litellmDispatch(_ request: RouteRequest, group: Int, position: Int, state: inout RequestRouting,
                                          after delay: Nanoseconds?) -> RouteDecision {
        let endpoint = candidateTable[tierStart[group] + position]
        state.group = group
        state.endpoint = endpoint
        state.position = position
        state.attempts += 1
        if let delay { return .retry(endpoint: endpoint, after: delay) }
        state.retriesOnEndpoint = 0
        return .dispatch(endpoint: endpoint)
    }

    private func litellmList(_ lists: [[Int]], _ tier: Int) -> [Int] { tier < lists.count ? lists[tier] : [] }

    private func litellmFallbacks(_ request: RouteRequest, state: RequestRouting, settings: LiteLLMRouterSettings) -> [Int] {
        if state.onContextWindowFallbacks { return litellmList(settings.contextWindowFallbacks, request.tier) }
        let own = litellmList(settings.fallbacks, request.tier)
        return own.isEmpty ? settings.defaultFallbacks : own
    }

    private func litellmHasFallbackLeft(_ request: RouteRequest, state: RequestRouting, settings: LiteLLMRouterSettings) -> Bool {
        state.nextFallback < min(litellmFallbacks(request, state: state, settings: settings).count, settings.maxFallbacks)
    }

    /// The next fallback group that has a deployment to take the request, dispatched; `nil` when none is left.
    private mutating func litellmNextFallback(_ request: RouteRequest, state: inout RequestRouting,
                                              settings: LiteLLMRouterSettings, now: Nanoseconds, draw: Double) -> RouteDecision? {
        let list = litellmFallbacks(request, state: state, settings: settings)
        let limit = min(list.count, settings.maxFallbacks)
        while state.nextFallback < limit {
            let group = list[state.nextFallback]
            state.nextFallback += 1
            let (mask, _) = litellmHealthy(request, group: group, settings: settings, at: now)
            if mask != 0, let position = litellmPick(request, group: group, among: mask, settings: settings, at: now, draw: draw) {
                return litellmDispatch(request, group: group, position: position, state: &state, after: nil)
            }
        }
        return nil
    }

    /// No deployment of the group is healthy and no fallback is left: each remaining retry waits its backoff
    /// (LiteLLM's retries fail at once with "no deployments available" until a cooldown ends), so the request
    /// waits for the first retry time at which a deployment is healthy again; `nil` when none comes within the
    /// retries and the deadline.
    private mutating func litellmWaitForCooldown(_ request: RouteRequest, state: inout RequestRouting,
                                                 settings: LiteLLMRouterSettings, allowedRetries: Int,
                                                 retryAfter: Nanoseconds?, now: Nanoseconds, draw: Double) -> RouteDecision? {
        let group = state.group >= 0 ? state.group : request.tier
        var delay: Nanoseconds = 0
        var retry = state.retriesOnEndpoint
        var u = draw
        while retry < allowedRetries {
            u = Self.derivedDraw(u, 1)
            delay += settings.backoff(retryIndex: retry, retryAfter: retry == state.retriesOnEndpoint ? retryAfter : nil, draw: u)
            retry += 1
            if let deadline = state.deadline, now + delay >= deadline { return nil }
            let (mask, _) = litellmHealthy(request, group: group, settings: settings, at: now + delay)
            if mask != 0, let position = litellmPick(request, group: group, among: mask, settings: settings, at: now + delay, draw: draw) {
                state.retriesOnEndpoint = retry
                return litellmDispatch(request, group: group, position: position, state: &state, after: delay)
            }
        }
        return nil
    }

    /// A second uniform in [0, 1) derived from `draw` (SplitMix64 over its bits), so that one draw per
    /// decision serves both the choice and the jitter without correlating them.
    public static func derivedDraw(_ draw: Double, _ salt: UInt64) -> Double {
        var z = draw.bitPattern &+ salt &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1p-53
    }
}
