#!/usr/bin/env python3
"""SimPy version of the M/M/c case timed by `nexus-sim bench`.

The model is the one `nexus-sim bench` simulates:

* c = 100 identical servers (``simpy.Resource(capacity=100)``), one FIFO queue;
* Poisson arrivals at λ = 90/s (exponential interarrival times);
* exponential service times with mean 1 s (μ = 1/s);
* arrivals for ``requests / 90`` simulated seconds, no warm-up, no drain: the run
  stops at that time, as the bench's does. Requests still in the system then
  (about a hundred) count as simulated but have no sojourn time.

Written the way SimPy's documentation writes queueing models: a source process
creates one process per request; each requests a server, holds it for its
service time and releases it (the ``with`` block), and records its sojourn time
(wait + service). Randomness comes from one seeded ``random.Random``.

It prints the requests simulated, the wall-clock time of the run (best of
``--repeats``), requests per second, and the simulated mean and p95 sojourn
time next to the exact values from Erlang C, so the output shows that the model
is right as well as how fast it runs. ``--json`` prints one JSON object instead
(used by ``compare_mmc.sh``).

    python3 Benchmarks/simpy_mmc.py --requests 200000 --repeats 3
"""

import argparse
import json
import math
import random
import sys
import time

import simpy

SERVERS = 100          # c
ARRIVAL_RATE = 90.0    # λ, requests per second
SERVICE_RATE = 1.0     # μ, per second (mean service time 1 s)


# --- The model --------------------------------------------------------------

def request(env, servers, rng, sojourns):
    """One request: queue for a server, hold it for an exponential time, leave."""
    arrived = env.now
    with servers.request() as claim:
        yield claim
        yield env.timeout(rng.expovariate(SERVICE_RATE))
    sojourns.append(env.now - arrived)


def source(env, servers, rng, sojourns, counter):
    """Poisson arrivals: exponential interarrival times, one process per request."""
    while True:
        yield env.timeout(rng.expovariate(ARRIVAL_RATE))
        counter["arrivals"] += 1
        env.process(request(env, servers, rng, sojourns))


def simulate(duration, seed):
    """Runs the model for `duration` simulated seconds.

    Returns (arrivals, sojourn times of the completed requests, wall seconds).
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    sojourns = []
    counter = {"arrivals": 0}
    env.process(source(env, servers, rng, sojourns, counter))
    start = time.perf_counter()
    env.run(until=duration)
    wall = time.perf_counter() - start
    return counter["arrivals"], sojourns, wall


# --- Exact answers (Erlang C) -------------------------------------------------

def erlang_c(c, a):
    """Probability that an arrival waits, offered load a = λ/μ on c servers.

    Uses the Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), which is
    numerically stable for large c, then C = B / (1 − ρ(1 − B)).
    """
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1 - rho * (1 - b))


def sojourn_tail(t, lam, mu, c):
    """P(T > t) for the FIFO M/M/c sojourn time T = W + S.

    With probability 1 − C there is no wait and T = S ~ Exp(μ); otherwise
    W ~ Exp(θ), θ = cμ − λ, and T is the sum of two exponentials:
    P(T > t) = (1 − C)e^(−μt) + C(θe^(−μt) − μe^(−θt)) / (θ − μ),
    whose θ = μ limit is C·e^(−μt)(1 + μt).
    """
    p_wait = erlang_c(c, lam / mu)
    theta = c * mu - lam
    service_tail = math.exp(-mu * t)
    if abs(theta - mu) < 1e-9 * mu:
        waited = service_tail * (1 + mu * t)
    else:
        waited = (theta * service_tail - mu * math.exp(-theta * t)) / (theta - mu)
    return (1 - p_wait) * service_tail + p_wait * waited


def sojourn_quantile(q, lam, mu, c):
    """The q-quantile of the sojourn time, by bisection on the tail."""
    lo, hi = 0.0, 1.0 / mu
    while sojourn_tail(hi, lam, mu, c) > 1 - q:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if sojourn_tail(mid, lam, mu, c) > 1 - q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def exact(lam=ARRIVAL_RATE, mu=SERVICE_RATE, c=SERVERS):
    """P(wait), mean and p95 sojourn time of the M/M/c queue."""
    p_wait = erlang_c(c, lam / mu)
    mean = p_wait / (c * mu - lam) + 1 / mu
    return p_wait, mean, sojourn_quantile(0.95, lam, mu, c)


# --- Command line -------------------------------------------------------------

def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list."""
    rank = max(math.ceil(q * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def main():
    parser = argparse.ArgumentParser(
        description="SimPy M/M/c benchmark (c=100, λ=90/s, mean service 1 s), "
                    "the case timed by `nexus-sim bench`.")
    parser.add_argument("--requests", type=int, default=1_000_000,
                        help="about this many requests: arrivals for requests/90 "
                             "simulated seconds (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="run this many times and report the fastest (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    # The bench's duration: whole seconds, requests/90 rounded half up (as Swift's rounded()).
    duration = math.floor(args.requests / ARRIVAL_RATE + 0.5)
    best = None
    for _ in range(max(args.repeats, 1)):
        run = simulate(duration, args.seed)
        if best is None or run[2] < best[2]:
            best = run
    arrivals, sojourns, wall = best
    sojourns.sort()
    mean = sum(sojourns) / len(sojourns)
    p95 = percentile(sojourns, 0.95)
    p_wait, exact_mean, exact_p95 = exact()

    result = {
        "simulator": "SimPy " + simpy.__version__,
        "python": sys.version.split()[0],
        "simulated_seconds": duration,
        "seed": args.seed,
        "repeats": max(args.repeats, 1),
        "requests": arrivals,
        "completed": len(sojourns),
        "wall_s": wall,
        "requests_per_s": arrivals / wall,
        "sojourn_mean_s": mean,
        "sojourn_p95_s": p95,
        "erlang_c_p_wait": p_wait,
        "erlang_c_mean_s": exact_mean,
        "erlang_c_p95_s": exact_p95,
    }
    if args.json:
        print(json.dumps(result))
        return

    print(f"SimPy {simpy.__version__} (Python {result['python']}), M/M/c c={SERVERS} "
          f"λ={ARRIVAL_RATE:g}/s μ={SERVICE_RATE:g}/s, {duration} simulated s, seed {args.seed}")
    print(f"  {arrivals:,} requests ({len(sojourns):,} completed) in {wall:.3f} s "
          f"(best of {result['repeats']}): {arrivals / wall:,.0f} requests/s")
    print(f"  sojourn   mean {mean:.4f} s   p95 {p95:.4f} s   (simulated)")
    print(f"  sojourn   mean {exact_mean:.4f} s   p95 {exact_p95:.4f} s   "
          f"(Erlang C, P(wait) = {p_wait:.4f})")
    print(f"  error     mean {100 * (mean / exact_mean - 1):+.2f} %    "
          f"p95 {100 * (p95 / exact_p95 - 1):+.2f} %")


if __name__ == "__main__":
    main()
