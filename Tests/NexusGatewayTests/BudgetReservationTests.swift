import NexusGateway
import Testing

/// The budget's reservation modes against their closed forms: a $1 budget, a model charging $10 per million
/// output tokens (prompts free), `max_tokens` 8000 and real answers of 400 tokens. The worst case is $0.08,
/// a real answer $0.004.
@Suite struct BudgetReservationTests {
    static let price = ModelPrice(inputPerToken: .zero, outputPerToken: USD(1e-5))
    static let answerTokens = 400, maxTokens = 8000

    /// Requests one after another (each settles before the next arrives) until the budget refuses 20 in a row;
    /// returns what was spent and the attempts admitted.
    static func serial(_ reservation: BudgetReservation) -> (spent: USD, admitted: Int, budget: LoggedBudget) {
        var budget = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(1), reservation: reservation))
        var spent = USD.zero, admitted = 0, refusedInARow = 0, now: Int64 = 0
        while refusedInARow < 20 {
            now += 1_000_000
            guard let (reservation, tokens) = budget.admit(price: price, inputTokens: 100, maxOutputTokens: maxTokens, user: 0, at: now)
            else { refusedInARow += 1; continue }
            refusedInARow = 0
            admitted += 1
            let cost = price.cost(inputTokens: 100, outputTokens: min(answerTokens, tokens))
            spent += cost
            budget.settle(reservation, actualCost: cost, at: now + 1)
        }
        return (spent, admitted, budget)
    }

    @Test func worstCaseStopsWhenTheRoomIsBelowOneWorstCase() {
        // Admitted while settled + $0.08 <= $1: 230 or 231 answers of $0.004 ($0.92 or $0.924, as the sum
        // rounds at the boundary), then the room is below the worst case and everything is refused.
        let (spent, admitted, budget) = Self.serial(.worstCase)
        let answer = Self.price.cost(inputTokens: 100, outputTokens: Self.answerTokens).dollars
        let worst = Self.price.cost(inputTokens: 100, outputTokens: Self.maxTokens).dollars
        var expected = 0, settled = 0.0
        while settled + worst <= 1 { settled += answer; expected += 1 }
        #expect(expected == 230 || expected == 231)
        #expect(admitted == expected)
        #expect(abs(spent.dollars - settled) < 1e-12)
        #expect(spent.dollars > 0.919 && spent.dollars < 0.925)
        #expect(budget.overspend == .zero)
        #expect(abs(budget.usedShareAtExhaustion! - settled) < 1e-12)
        #expect(budget.clampedAttempts == 0)
    }

    @Test func clampUsesTheBudgetToWithinOneTokenAndNeverOver() {
        // 250 full answers of 400 tokens fit exactly ($1.000); the clamp then leaves less than one token of room,
        // so the spend ends within one token's price ($0.00001) of the limit, never above it.
        let (spent, admitted, budget) = Self.serial(.clamp)
        #expect(spent.dollars <= 1 + 1e-12)
        #expect(spent.dollars >= 1 - 1e-5)
        #expect(admitted >= 250 && admitted <= 252)
        #expect(budget.overspend == .zero)
        #expect(budget.usedShareAtExhaustion! >= 0.99)
        #expect(budget.firstExhaustion?.window == .month)
    }

    @Test func clampLowersMaxTokensToWhatTheRoomCovers() {
        var budget = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(0.05), reservation: .clamp))
        // $0.05 covers 5000 output tokens at $1e-5: max_tokens 8000 becomes 5000, which is reserved.
        let first = budget.admit(price: Self.price, inputTokens: 100, maxOutputTokens: 8000, user: 0, at: 0)
        #expect(first?.maxTokens == 5000)
        #expect(abs(first!.reservation.amount.dollars - 0.05) < 1e-12)
        #expect(budget.clampedAttempts == 1)
        // Nothing is left while it runs: a second attempt cannot get even one token.
        #expect(budget.admit(price: Self.price, inputTokens: 100, maxOutputTokens: 8000, user: 0, at: 1) == nil)
        // It settles at 400 tokens ($0.004): the room is $0.046, i.e. 4600 tokens — 4599 when the priced 4600
        // comes out one ulp above the room in binary floating point (the guard must admit what it grants).
        budget.settle(first!.reservation, actualCost: USD(0.004), at: 2)
        let second = budget.admit(price: Self.price, inputTokens: 100, maxOutputTokens: 8000, user: 0, at: 3)
        #expect(second.map { (4599...4600).contains($0.maxTokens) } == true, "\(String(describing: second))")
        // A request asking for less than the room is not clamped.
        var roomy = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(1), reservation: .clamp))
        #expect(roomy.admit(price: Self.price, inputTokens: 100, maxOutputTokens: 8000, user: 0, at: 0)?.maxTokens == 8000)
        #expect(roomy.clampedAttempts == 0)
    }

    @Test func outputTokensWithinABudget() {
        let price = ModelPrice(inputPerToken: USD(2e-6), outputPerToken: USD(1e-5))
        // Prompt of 1000 tokens costs $0.002; $0.012 leaves $0.01 = 1000 output tokens (999 where the priced
        // 1000 rounds above $0.012: the call must fit as the guard computes it).
        let tokens = price.outputTokens(within: USD(0.012), inputTokens: 1000, atMost: 8000)
        #expect(tokens == 999 || tokens == 1000)
        #expect(price.cost(inputTokens: 1000, outputTokens: tokens) <= USD(0.012))
        #expect(price.outputTokens(within: USD(0.012), inputTokens: 1000, atMost: 700) == 700)
        #expect(price.outputTokens(within: USD(0.001), inputTokens: 1000, atMost: 8000) == 0)
        #expect(ModelPrice.free.outputTokens(within: .zero, inputTokens: 1000, atMost: 8000) == 8000)
        #expect(price.outputTokens(within: USD(1e300), inputTokens: 1000, atMost: 8000) == 8000)
    }

    /// LiteLLM's check (`spend >= max_budget` before the call, spend added after it): `c` requests admitted
    /// together before any settles. Batches of `c` answers of $0.004 are admitted while the settled spend is
    /// below $1, so the spend ends at 0.004·c·⌈1/(0.004·c)⌉ (values of c that keep clear of a boundary): for
    /// c = 3, 84 batches, $1.008; c = 8, 32 batches, $1.024; c = 30, 9 batches, $1.08.
    @Test(arguments: [(3, 0.008), (8, 0.024), (30, 0.08)])
    func noneOverspendsUnderConcurrencyAsLiteLLMDoes(concurrency c: Int, overspend: Double) {
        var budget = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(1), reservation: BudgetReservation.none))
        var spent = 0.0, now: Int64 = 0
        let answer = Self.price.cost(inputTokens: 100, outputTokens: Self.answerTokens)
        while true {
            now += 1_000_000
            var batch: [BudgetGuard.Reservation] = []
            for _ in 0..<c {
                guard let (r, tokens) = budget.admit(price: Self.price, inputTokens: 100, maxOutputTokens: Self.maxTokens, user: 0, at: now)
                else { break }
                #expect(tokens == Self.maxTokens)  // nothing is clamped
                #expect(r.amount == .zero)          // nothing is reserved
                batch.append(r)
            }
            if batch.isEmpty { break }
            for r in batch {
                budget.settle(r, actualCost: answer, at: now + 1)
                spent += answer.dollars
            }
        }
        #expect(abs(spent - (1 + overspend)) < 1e-9)
        #expect(abs(budget.overspend.dollars - overspend) < 1e-9)
        #expect(budget.overspend.dollars < 0.004 * Double(c))  // less than one batch
        #expect(budget.firstExhaustion?.window == .month)
    }

    @Test func noneRefusesOnceSettledSpendReachesTheLimitInAnyWindow() {
        var budget = LoggedBudget(policy: BudgetPolicy(perTeamMonthlyLimit: USD(0.01), reservation: BudgetReservation.none))
        let a = budget.admit(price: Self.price, inputTokens: 0, maxOutputTokens: 8000, user: 1, team: 7, at: 0)!
        budget.settle(a.reservation, actualCost: USD(0.01), at: 1)
        #expect(budget.admit(price: Self.price, inputTokens: 0, maxOutputTokens: 8000, user: 2, team: 7, at: 2) == nil)
        #expect(budget.admit(price: Self.price, inputTokens: 0, maxOutputTokens: 8000, user: 2, team: 8, at: 3) != nil)
        #expect(budget.firstExhaustion?.window == .teamMonth)
        #expect(budget.usedShareAtExhaustion == 1)
        // The router sees no room once a window is full, and no ceiling before.
        #expect(budget.ceiling(user: 2, team: 7, at: 4) == .zero)
        #expect(budget.ceiling(user: 2, team: 9, at: 4) == nil)
    }

    @Test func theLifecycleSendsTheClampedMaxTokens() {
        let router = makeRouter([endpoint("m", output: 1e-5)])
        var gateway = Gateway(router: router, budget: BudgetGuard(policy: BudgetPolicy(monthlyLimit: USD(0.05), reservation: .clamp)))
        var lifecycle = RequestLifecycle()
        var draws = ScriptedDraws([0.5])
        let request = GatewayRequest(tier: 0, classification: .public, inputTokens: 100, maxOutputTokens: 8000, receivedAt: 0)
        let actions = gateway.arrived(request, lifecycle: &lifecycle, now: 0, draws: &draws)
        #expect(actions == [.send(AttemptID(0), to: 0, maxTokens: 5000, timeout: nil, after: 0, kind: .first)])
        #expect(abs(lifecycle.reservedAmount(of: AttemptID(0))!.dollars - 0.05) < 1e-12)
        // A second request finds no room for even one token: refused by the budget.
        var other = RequestLifecycle()
        #expect(gateway.arrived(request, lifecycle: &other, now: 1, draws: &draws) == [.refuse(.budgetExceeded)])
    }
}

