import Testing

/// The reference formulas are themselves checked against independently known values.
@Suite struct QueueingTheoryTests {
    @Test func mm1ReducesToTextbookForms() {
        // M/M/1: T ~ Exp(μ − λ), so mean 1/(μ−λ) and p95 = ln(20)/(μ−λ).
        let lambda = 0.8, mu = 1.0
        #expect(abs(MMc.erlangC(servers: 1, offeredLoad: 0.8) - 0.8) < 1e-12)
        #expect(abs(MMc.meanResponse(lambda: lambda, mu: mu, servers: 1) - 5) < 1e-12)
        #expect(abs(MMc.responseQuantile(0.95, lambda: lambda, mu: mu, servers: 1) - log(20) / 0.2) < 1e-9)
    }

    @Test func erlangCMatchesPublishedTable() {
        // Erlang C for 10 agents at 8 Erlangs is 0.40918 (standard call-centre tables).
        #expect(abs(MMc.erlangC(servers: 10, offeredLoad: 8) - 0.409_18) < 5e-5)
    }

    @Test func tailIsContinuousAtThetaEqualsMu() {
        // c = 2, λ = 1, μ = 1 gives θ = μ; the limit form must agree with a nearby λ.
        let exact = MMc.responseTail(1.3, lambda: 1, mu: 1, servers: 2)
        let nearby = MMc.responseTail(1.3, lambda: 1 + 1e-6, mu: 1, servers: 2)
        #expect(abs(exact - nearby) < 1e-5)
    }
}

import Foundation
