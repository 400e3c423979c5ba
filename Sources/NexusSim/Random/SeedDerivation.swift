/// Derivation of independent seeds from a run seed and a name.
///
/// Each source of randomness (arrivals, request attributes, each provider's latency, ...) gets its own
/// stream seeded from `(run seed, stream name)`. Adding a stream therefore never shifts the numbers
/// another stream sees, which is what makes common random numbers work across policies.
public enum SeedDerivation {
    /// SplitMix64's finaliser: a bijective mixer with good avalanche.
    @inlinable
    public static func splitMix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a over the UTF-8 bytes: a stable hash (Swift's `Hasher` is randomly seeded per process).
    public static func stableHash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The seed of the stream called `name` in a run seeded with `runSeed`. Never 0 (seed 0 means
    /// "default seed" to some GSL generators); every run seed, 0 included, is an ordinary seed.
    public static func streamSeed(runSeed: UInt64, name: String) -> UInt64 {
        let s = splitMix64(splitMix64(runSeed) ^ stableHash(name))
        return s == 0 ? 1 : s
    }

    /// The run seed of replication `index` of an experiment seeded with `baseSeed`.
    /// Replication 0 uses the base seed itself, so a single run and the first replication agree.
    public static func replicationSeed(baseSeed: UInt64, index: Int) -> UInt64 {
        index == 0 ? baseSeed : splitMix64(baseSeed ^ splitMix64(UInt64(index) &* 0xD1B5_4A32_D192_ED03))
    }
}
