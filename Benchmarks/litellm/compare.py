"""Side-by-side table of Benchmarks/litellm/run.sh: `nexus-sim run` of a LiteLLM-mode scenario next to the same
traffic replayed (`nexus-sim load`) through a real LiteLLM proxy — and through `nexus-sim gateway` — in front of
the provider emulator (`nexus-sim providers`), plus the gateway-overhead runs.

    python3 compare.py DIR        # reads DIR/*.json written by run.sh, prints Markdown, exits 1 on a miss

Checks (the tolerances the table names):
  - share of attempts per deployment: within 3 points;
  - retries and fallbacks per group (attempts beyond the group's own requests): within 3 sqrt(n) + 10 % of the
    simulated count (Poisson noise of a count n, plus the attempts a 5xx or 429 adds where the order of arrivals
    differs);
  - availability, overall and per class: within 1 point;
  - p95 latency, overall and per class: within 10 % of the simulated p95 plus the gateway's measured added p95
    (overhead run at the same wall rate, in wall ms) times the speed factor (latencies are in scenario time).
Standard library only, so that it runs with any Python 3.
"""
import json
import math
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def emulator_attempts(stats):
    """{provider/model: (requests, failed)} from the emulator's /stats."""
    out = {}
    for provider in stats["providers"]:
        for m in provider["models"]:
            ok = m.get("responses", {}).get("200", 0)
            out[f"{provider['name']}/{m['model']}"] = (m["requests"], m["requests"] - ok, m.get("responses", {}))
    return out


def sim_attempts(run):
    out = {}
    for m in run["by_model"]:
        failures = m.get("failures", {})
        out[m["model"]] = (m["attempts"], m["attempts"] - m["successes"], failures)
    return out


def main(directory):
    meta = load(os.path.join(directory, "meta.json"))
    speed = meta["speed"]
    sim = load(os.path.join(directory, "sim.json"))
    sides = [(name, load(os.path.join(directory, f"{key}.json")), load(os.path.join(directory, f"{key}-stats.json")))
             for key, name in (("gateway", "nexus-sim gateway"), ("litellm", f"LiteLLM {meta['litellm']}"))
             if os.path.exists(os.path.join(directory, f"{key}.json"))]
    overhead = meta.get("overhead", [])
    lines, misses = [], []

    def row(cells):
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")

    def check(ok, what):
        if not ok:
            misses.append(what)
        return "✓" if ok else "✗"

    lines.append(f"Scenario `{meta['scenario']}`, seed {meta['seed']}, speed {speed:g} (scenario seconds per wall "
                 f"second), {meta['date']}, {meta['machine']}.")
    lines.append("")

    # Overhead first: the p95 tolerance below uses it.
    added_p95 = {}
    if overhead:
        lines.append("**Gateway overhead** (one deployment answering after a fixed 50 ms, speed 1, open loop; added = "
                     "gateway − direct, wall ms):")
        lines.append("")
        row(["offered req/s", "path", "answered req/s", "availability", "p50 ms", "p95 ms", "p99 ms",
             "added p50 ms", "added p95 ms", "send lag p99 ms"])
        row(["---"] * 10)
        for entry in overhead:
            rate = entry["rate"]
            direct = load(os.path.join(directory, entry["direct"]))
            for label, key in (("direct", "direct"), ("nexus-sim gateway", "gateway"), (f"LiteLLM {meta['litellm']}", "litellm")):
                if key not in entry:
                    continue
                r = load(os.path.join(directory, entry[key]))
                window = r["simulated"]["duration_s"] - r["simulated"]["warmup_s"]
                answered = r["succeeded"] / window if window > 0 else 0
                added50 = r["latency_ms"]["p50"] - direct["latency_ms"]["p50"]
                added95 = r["latency_ms"]["p95"] - direct["latency_ms"]["p95"]
                if key != "direct":
                    added_p95.setdefault(key, {})[rate] = max(added95, 0)
                row([f"{rate:g}", label, f"{answered:.1f}", f"{100 * r['availability']:.2f} %",
                     f"{r['latency_ms']['p50']:.1f}", f"{r['latency_ms']['p95']:.1f}", f"{r['latency_ms']['p99']:.1f}",
                     "—" if key == "direct" else f"{added50:.1f}", "—" if key == "direct" else f"{added95:.1f}",
                     f"{r['live']['send_lag_ms']['p99']:.2f}"])
        lines.append("")

    side_rate = meta.get("side_rate")

    def overhead_p95(key):
        """Added p95 (wall ms) of the gateway at the overhead rate nearest the side-by-side's wall rate."""
        table = added_p95.get(key, {})
        if not table:
            return 0.0
        nearest = min(table, key=lambda r: abs(r - (side_rate or r)))
        return table[nearest]

    names = [name for name, _, _ in sides]
    keys = ["gateway" if name.startswith("nexus") else "litellm" for name in names]

    # Shares of attempts per deployment.
    sim_models = sim_attempts(sim)
    lives = [emulator_attempts(stats) for _, _, stats in sides]
    models = sorted(set(sim_models) | {m for live in lives for m in live})
    sim_total = sum(a for a, _, _ in sim_models.values()) or 1
    lines.append("**Attempts per deployment** (share of all attempts; failed attempts; tolerance 3 points):")
    lines.append("")
    row(["deployment", "simulated"] + names)
    row(["---"] * (2 + len(names)))
    for model in models:
        a, f, _ = sim_models.get(model, (0, 0, {}))
        cells = [f"`{model}`", f"{100 * a / sim_total:.1f} % ({a:.0f}, {f:.0f} failed)"]
        for name, live in zip(names, lives):
            total = sum(x for x, _, _ in live.values()) or 1
            la, lf, _ = live.get(model, (0, 0, {}))
            diff = 100 * la / total - 100 * a / sim_total
            cells.append(f"{100 * la / total:.1f} % ({la}, {lf} failed) {diff:+.1f} "
                         + check(abs(diff) <= 3, f"{name}: share of {model} {diff:+.1f} points"))
        row(cells)
    lines.append("")

    # Retries and fallbacks per group: attempts on the group's deployments beyond the requests of its own class.
    groups = {}
    for cls, c in sim["by_class"].items():
        groups.setdefault(c["tier"], []).append(cls)
    tier_models = meta["groups"]  # group -> [provider/model]
    lines.append("**Retries and fallbacks per group** (attempts on the group's deployments minus requests of the "
                 "classes sent to it: the group's retries, plus the fallbacks it received and their retries; tolerance "
                 "3√n + 10 %):")
    lines.append("")
    row(["group", "requests", "simulated"] + names)
    row(["---"] * (3 + len(names)))
    for group, members in tier_models.items():
        n_sim = sum(sim["by_class"][c]["requests"] for c in groups.get(group, []))
        extra_sim = sum(sim_models.get(m, (0, 0, {}))[0] for m in members) - n_sim
        cells = [f"`{group}`", f"{n_sim:.0f}", f"{extra_sim:+.0f}"]
        for (name, live_run, _), live in zip(sides, lives):
            n_live = sum(live_run["by_class"][c]["requests"] for c in groups.get(group, []))
            extra = sum(live.get(m, (0, 0, {}))[0] for m in members) - n_live
            tolerance = 3 * math.sqrt(max(abs(extra_sim), 1)) + 0.1 * abs(extra_sim)
            cells.append(f"{extra:+.0f} " + check(abs(extra - extra_sim) <= tolerance,
                                                  f"{name}: extra attempts in {group} {extra:+.0f} vs {extra_sim:+.0f}"))
        row(cells)
    lines.append("")

    # Availability and p95, overall and per class.
    lines.append("**Availability and latency** (scenario ms; p95 tolerance 10 % + the gateway's added p95 × speed):")
    lines.append("")
    row(["", "simulated"] + names)
    row(["---"] * (2 + len(names)))
    scopes = [("overall", sim, [r for _, r, _ in sides])] + [
        (f"class `{c}`", sim["by_class"][c], [r["by_class"][c] for _, r, _ in sides]) for c in sim["by_class"]]
    for label, s, ls in scopes:
        cells = [f"availability, {label}", f"{100 * s['availability']:.2f} %"]
        for name, l in zip(names, ls):
            diff = 100 * (l["availability"] - s["availability"])
            cells.append(f"{100 * l['availability']:.2f} % {diff:+.2f} "
                         + check(abs(diff) <= 1, f"{name}: availability {label} {diff:+.2f} points"))
        row(cells)
        cells = [f"p95 latency, {label}", f"{s['latency_ms']['p95']:.0f}"]
        for name, key, l in zip(names, keys, ls):
            allowance = 0.1 * s["latency_ms"]["p95"] + overhead_p95(key) * speed
            diff = l["latency_ms"]["p95"] - s["latency_ms"]["p95"]
            cells.append(f"{l['latency_ms']['p95']:.0f} {diff:+.0f} (±{allowance:.0f}) "
                         + check(abs(diff) <= allowance, f"{name}: p95 {label} {diff:+.0f} ms, allowed ±{allowance:.0f}"))
        row(cells)
    cells = ["p50 latency, overall", f"{sim['latency_ms']['p50']:.0f}"] + [f"{r['latency_ms']['p50']:.0f}" for _, r, _ in sides]
    row(cells)
    cells = ["requests (failed)", f"{sim['requests']:.0f} ({sim['failed']:.0f})"] + [
        f"{r['requests']:.0f} ({r['failed']:.0f}; unfinished {r.get('unfinished', 0):.0f}, client errors "
        f"{r['live']['client_errors']})" for _, r, _ in sides]
    row(cells)
    cells = ["failure reasons", ", ".join(f"{k} {v:.0f}" for k, v in sim["failure_reasons"].items()) or "—"] + [
        ", ".join(f"{k} {v:.0f}" for k, v in r["failure_reasons"].items()) or "—" for _, r, _ in sides]
    row(cells)
    cells = ["send lag p99 (wall ms)", "—"] + [f"{r['live']['send_lag_ms']['p99']:.2f}" for _, r, _ in sides]
    row(cells)
    lines.append("")
    if misses:
        lines.append("Outside tolerance: " + "; ".join(misses) + ".")
    else:
        lines.append("Every check within tolerance.")
    print("\n".join(lines))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
