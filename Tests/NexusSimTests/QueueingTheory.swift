import Foundation

/// Closed forms for the M/M/c queue, used as the reference the simulator must reproduce.
enum MMc {
    /// Erlang C: the probability that an arrival waits, for offered load `a = λ/μ` on `c` servers.
    /// Computed through the numerically stable Erlang B recursion.
    static func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
        var b = 1.0
        for k in 1...c { b = a * b / (Double(k) + a * b) }
        let rho = a / Double(c)
        return b / (1 - rho * (1 - b))
    }

    /// Mean response time (wait + service), seconds.
    static func meanResponse(lambda: Double, mu: Double, servers c: Int) -> Double {
        let pWait = erlangC(servers: c, offeredLoad: lambda / mu)
        return 1 / mu + pWait / (Double(c) * mu - lambda)
    }

    /// P(T > t) for the response time T (FCFS):
    /// (1−C)e^(−μt) + C(θe^(−μt) − μe^(−θt))/(θ−μ), θ = cμ − λ; the θ = μ limit is C·e^(−μt)(1 + μt).
    static func responseTail(_ t: Double, lambda: Double, mu: Double, servers c: Int) -> Double {
        let pWait = erlangC(servers: c, offeredLoad: lambda / mu)
        let theta = Double(c) * mu - lambda
        let serviceTail = exp(-mu * t)
        if abs(theta - mu) < 1e-9 * mu {
            return (1 - pWait) * serviceTail + pWait * serviceTail * (1 + mu * t)
        }
        return (1 - pWait) * serviceTail + pWait * (theta * serviceTail - mu * exp(-theta * t)) / (theta - mu)
    }

    /// The response-time quantile q (e.g. 0.95), by bisection on the tail.
    static func responseQuantile(_ q: Double, lambda: Double, mu: Double, servers c: Int) -> Double {
        var lo = 0.0, hi = 1.0 / mu
        while responseTail(hi, lambda: lambda, mu: mu, servers: c) > 1 - q { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if responseTail(mid, lambda: lambda, mu: mu, servers: c) > 1 - q { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
