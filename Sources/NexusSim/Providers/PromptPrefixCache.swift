import NexusGateway

/// A provider's prompt-prefix cache (OpenAI/Anthropic prompt caching): prompts are cut into fixed-size
/// blocks identified by the hash of everything up to them (Mooncake's `hash_ids`), and the leading blocks a
/// request shares with recent requests are served from cache and billed at the cached-input price.
///
/// An entry's TTL restarts on every use, as providers document. Expired entries are purged lazily from a
/// FIFO of uses, so memory follows the blocks used within one TTL. O(blocks) per request.
public struct PromptPrefixCache: Sendable {
    /// Tokens per block (Mooncake: 512).
    public let blockTokens: Int
    /// Time an unused block stays cached; `nil` keeps blocks for ever.
    public let ttlNanos: Nanoseconds?
    private var lastUse: [UInt64: Nanoseconds] = [:]
    private var uses: [(block: UInt64, at: Nanoseconds)] = []
    private var usesHead = 0

    public init(blockTokens: Int = 512, ttlNanos: Nanoseconds?) {
        self.blockTokens = blockTokens
        self.ttlNanos = ttlNanos
    }

    /// Blocks currently cached.
    public var count: Int { lastUse.count }

    /// Serves a prompt of `inputTokens` made of `blocks` at `now`: returns how many of its input tokens come
    /// from cache (the leading run of cached blocks; the last block may be partial), then caches all its blocks.
    public mutating func serve(blocks: some Collection<UInt64>, inputTokens: Int, now: Nanoseconds) -> Int {
        purge(now)
        var cached = 0
        var leading = true
        for (i, block) in blocks.enumerated() {
            let tokens = max(0, min(blockTokens, inputTokens - i * blockTokens))
            if leading, let used = lastUse[block], ttlNanos.map({ used + $0 > now }) ?? true {
                cached += tokens
            } else {
                leading = false
            }
            lastUse[block] = now
            if ttlNanos != nil { uses.append((block, now)) }
        }
        return cached
    }

    private mutating func purge(_ now: Nanoseconds) {
        guard let ttl = ttlNanos else { return }
        while usesHead < uses.count, uses[usesHead].at + ttl <= now {
            let (block, at) = uses[usesHead]
            if lastUse[block] == at { lastUse[block] = nil }  // not used since: expired
            usesHead += 1
        }
        if usesHead > 4096, usesHead * 2 > uses.count {
            uses.removeFirst(usesHead)
            usesHead = 0
        }
    }
}
