#!/usr/bin/env bash
# Regenerates docs/figures.md from the current build: the machine it ran on, `nexus-sim bench`, the README's
# scenario and its gate, the baseline, the M/M/c case against Erlang C, a sweep, and every scenario figure the
# docs quote. Every number in docs/figures.md is printed by the commands shown next to it.
#
#   docs/figures.sh                 # builds release if needed; rewrites docs/figures.md
#   BENCH_REPEATS=5 docs/figures.sh # best of 5 instead of 3 for the speed figures
#   NEXUS_SIM_BIN=/path/to/nexus-sim docs/figures.sh   # use this binary instead of building
#
# Needs jq, sqlite3 and python3. Simulated figures are deterministic for a build and seed; speed figures
# depend on the machine and on what else it is running.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /opt/swift/usr/bin ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
tools="jq sqlite3 python3 git"; [ -n "${NEXUS_SIM_BIN:-}" ] || tools="$tools swift"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "figures.sh: needs $tool on the PATH" >&2; exit 1; }
done

BENCH_REPEATS="${BENCH_REPEATS:-3}"
OUT=docs/figures.md
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/figures.sqlite"
DOC="$WORK/figures.md"
started=$(date +%s)

if [ -n "${NEXUS_SIM_BIN:-}" ]; then
  BIN="$NEXUS_SIM_BIN"
  [ -x "$BIN" ] || { echo "figures.sh: NEXUS_SIM_BIN=$BIN is not an executable" >&2; exit 1; }
else
  swift build -c release --product nexus-sim >&2
  BIN="$(swift build -c release --show-bin-path)/nexus-sim"
fi

note() { echo "figures.sh: $*" >&2; }
# The arguments as a shell command line: words with spaces or shell characters in single quotes.
quoted() {
  local out="" a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./=:,%@+-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${out% }"
}
md() { printf '%s\n' "$@" >>"$DOC"; }
# Runs nexus-sim with its arguments, appends the command and its stdout to the document as a code block,
# and records the exit code (a gate that misses a target exits 1, which is a figure, not an error).
show() {
  note "$*"
  local rc=0
  "$BIN" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
  if [ "$rc" -ge 2 ]; then cat "$WORK/err.txt" >&2; echo "figures.sh: nexus-sim $* failed with exit code $rc" >&2; exit 1; fi
  md '```' "\$ nexus-sim $(quoted "$@")"
  cat "$WORK/out.txt" >>"$DOC"
  md "(exit code $rc)" '```' ''
}
# Runs `nexus-sim run ... --json`, storing the run in the scratch database, and saves the JSON as $WORK/NAME.json
# and the run's time series (from `report --csv`) as $WORK/NAME.csv.
json_run() {
  local name=$1; shift
  note "run $* --json"
  "$BIN" run "$@" --json --db "$DB" >"$WORK/$name.json" 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
  "$BIN" report latest --db "$DB" --out "$WORK/$name.html" --csv "$WORK/$name.csv" 2>/dev/null
}
# Appends a Markdown table row computed from saved runs: table CELL... (see fmt.py below).
table() { python3 "$WORK/fmt.py" "$WORK" "$@" >>"$DOC"; }

cat >"$WORK/fmt.py" <<'PY'
import csv, json, math, sys
work = sys.argv[1]
def run(name):
    with open(f"{work}/{name}.json") as f: return json.load(f)
def series(name):
    with open(f"{work}/{name}.csv") as f: return [r for r in csv.DictReader(f) if r["replication"] == "0"]
def num(v): return float(v) if v not in ("", None) else 0.0
def pct(x, d=2): return "—" if x is None else f"{x * 100:.{d}f} %"
def secs(ms): return "—" if ms is None else f"{ms / 1000:.1f} s"
def usd(x, d=2): return "—" if x is None else f"${x:,.{d}f}"
def interval(block, key):
    lo, hi = block[key + "_ci95"]
    return f"{block[key] / 1000:.4f} s [{lo / 1000:.4f}, {hi / 1000:.4f}]"
def count(x): return "—" if x is None else f"{round(x):,}"
def model(r, name):
    for m in r.get("by_model", []):
        if m["model"] == name: return m
    return {}
def reasons(r, k=2):
    items = sorted(r.get("failure_reasons", {}).items(), key=lambda kv: -kv[1])[:k]
    return ", ".join(f"{count(v)} `{key}`" for key, v in items) or "none"
def window_availability(name, start_s, end_s):
    ok = bad = 0.0
    for row in series(name):
        if start_s <= num(row["window_start_s"]) < end_s:
            ok += num(row.get("succeeded")); bad += num(row.get("failed")) + num(row.get("rejected"))
    return ok / (ok + bad) if ok + bad else None
def minutes_over(name, ms, after_s):
    return sum(1 for row in series(name) if num(row["window_start_s"]) >= after_s and num(row.get("p95_latency_ms")) > ms)
def per_day(name, key):
    days = {}
    for row in series(name): days.setdefault(int(num(row["window_start_s"]) // 86400), 0.0); days[int(num(row["window_start_s"]) // 86400)] += num(row.get(key))
    return [days[d] for d in sorted(days)]
# One Markdown row per call: an argument starting with @ is literal text, any other is a Python expression
# evaluated with the helpers above.
print("| " + " | ".join(a[1:] if a.startswith("@") else str(eval(a)) for a in sys.argv[2:]) + " |")
PY

cat >"$WORK/erlang.py" <<'PY'
# Exact M/M/c sojourn time (wait + service): Erlang C, the mean, and the p95 by bisection on
# P(T > t) = (1 - C) e^(-mu t) + C (theta e^(-mu t) - mu e^(-theta t)) / (theta - mu), theta = c mu - lambda.
import math, sys
c, lam, mu = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
a = lam / mu; rho = a / c
term, total = 1.0, 1.0
for k in range(1, c): term *= a / k; total += term
last = term * a / c / (1 - rho)
C = last / (total + last)
theta = c * mu - lam
mean = C / theta + 1 / mu
def tail(t):
    if abs(theta - mu) < 1e-12: return (1 - C) * math.exp(-mu * t) + C * (1 + mu * t) * math.exp(-mu * t)
    return (1 - C) * math.exp(-mu * t) + C * (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
lo, hi = 0.0, 100.0 / min(mu, theta)
for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if tail(mid) > 0.05 else (lo, mid)
print(f"{C:.6f} {mean:.6f} {(lo + hi) / 2:.6f}")
PY

commit="$(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain --untracked-files=no -- Sources Scenarios Package.swift)" ]; then commit="$commit (with uncommitted changes)"; fi
cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
[ -n "$cpu" ] || cpu="$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
os="$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -sr)"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")"

md '# Figures' '' \
  '<!-- Generated by docs/figures.sh; do not edit by hand. -->' '' \
  "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by [\`docs/figures.sh\`](figures.sh) at commit \`$commit\`, $("$BIN" --version)," \
  "release build${NEXUS_SIM_BIN:+ (the binary \`$NEXUS_SIM_BIN\`, not built by this script)}, on $(nproc) cores of $cpu ($mem, $os; $(swift --version 2>/dev/null | head -1 | sed 's/ (.*//' || true))." \
  "Load average when it started: $(cut -d' ' -f1-3 /proc/loadavg)." '' \
  '**Speed figures are noisy**: they are wall-clock measurements, slower and less parallel the busier the' \
  'machine is (the load averages say how busy); compare them only with figures from the same machine and load.' \
  'Everything else (latencies, availabilities, costs, counts) is simulated and identical on every machine for' \
  'this build and these seeds.' ''

# ── The README's scenario ────────────────────────────────────────────────────────────────────────────────
md '## Support chat (the README’s scenario)' '' \
  '`Scenarios/support-chat.yaml`, one replication, then the gate the README’s CI snippet runs.' ''
show run Scenarios/support-chat.yaml --no-store
show gate Scenarios/support-chat.yaml --replications 5 --no-store

# ── Baseline ─────────────────────────────────────────────────────────────────────────────────────────────
md '## Baseline' '' '`Scenarios/baseline.yaml`: the Quick start’s run, and its targets judged over 4 replications.' ''
show run Scenarios/baseline.yaml --no-store
show gate Scenarios/baseline.yaml --replications 4 --no-store

# ── M/M/c against Erlang C ───────────────────────────────────────────────────────────────────────────────
md '## M/M/c against Erlang C' '' \
  '`Scenarios/validation/mmc.yaml` (exponential service with mean 1 s, Poisson arrivals), 10 replications,' \
  'sojourn time (wait + service) against the exact values.' '' \
  '| case | command | requests per replication | mean (95 % CI) | exact mean | p95 (95 % CI) | exact p95 |' \
  '|---|---|---:|---|---:|---|---:|'
for case in "100 90 11111" "20 17 50000" "1 0.8 250000"; do
  set -- $case
  note "mmc c=$1 lambda=$2"
  args=(--param servers="$1" --param arrival_rate="$2" --param duration_s="$3" --replications 10)
  "$BIN" run Scenarios/validation/mmc.yaml "${args[@]}" --json --no-store >"$WORK/mmc.json" 2>/dev/null
  read -r _ exact_mean exact_p95 < <(python3 "$WORK/erlang.py" "$1" "$2" 1)
  table "@c = $1, λ = $2/s" "@\`run Scenarios/validation/mmc.yaml ${args[*]}\`" "count(run('mmc')['requests'])" \
        "interval(run('mmc')['latency_ms'], 'mean')" "f'{$exact_mean:.4f} s'" \
        "interval(run('mmc')['latency_ms'], 'p95')" "f'{$exact_p95:.3f} s'"
done
md ''

# ── Sweep ────────────────────────────────────────────────────────────────────────────────────────────────
md '## Sweep' ''
show sweep Scenarios/validation/mmc.yaml --grid servers=9,10,12 --replications 4 --param duration_s=300 \
  --param warmup_s=30 --param arrival_rate=8.5 --set "targets=[p95_latency < 5s]" --no-store

# ── Provider outage ──────────────────────────────────────────────────────────────────────────────────────
md '## Provider outage' '' \
  '`Scenarios/provider-outage.yaml`: OpenAI down 14:00–14:45. "14:00–14:45" is the availability of requests' \
  'finishing in those windows (replication 0’s per-minute series).' '' \
  '| command | availability | p95 latency | availability 14:00–14:45 | cost / request | main failure reasons |' \
  '|---|---:|---:|---:|---:|---|'
po=Scenarios/provider-outage.yaml
json_run po_on  "$po"
json_run po_off "$po" --param fallbacks=false
json_run po_on_noout  "$po" --set 'providers.openai.outages=[]'
json_run po_off_noout "$po" --param fallbacks=false --set 'providers.openai.outages=[]'
for v in "po_on|run $po" "po_off|run $po --param fallbacks=false" \
         "po_on_noout|run $po --set 'providers.openai.outages=[]'" \
         "po_off_noout|run $po --param fallbacks=false --set 'providers.openai.outages=[]'"; do
  n=${v%%|*}; c=${v#*|}
  table "@\`$c\`" "pct(run('$n')['availability'])" "secs(run('$n')['latency_ms']['p95'])" \
        "pct(window_availability('$n', 14*3600, 14*3600+45*60))" "usd(run('$n')['cost_usd']['per_request'], 5)" "reasons(run('$n'))"
done
md ''

# ── Free tier ────────────────────────────────────────────────────────────────────────────────────────────
md '## Free-tier saturation' '' \
  '`Scenarios/free-tier-saturation.yaml`: where the high-volume tier’s traffic goes under OpenRouter’s free-model limits.' '' \
  '| command | free model answers | 429s from it | `openrouter/claude-3-haiku` answers | its cost | total cost | p95 |' \
  '|---|---:|---:|---:|---:|---:|---:|'
ft=Scenarios/free-tier-saturation.yaml
json_run ft_default "$ft"
json_run ft_50 "$ft" --param free_rpd=50
json_run ft_unlimited "$ft" --param free_rpm=1000000 --param free_rpd=1000000000
for v in "ft_default|run $ft" "ft_50|run $ft --param free_rpd=50" "ft_unlimited|run $ft --param free_rpm=1000000 --param free_rpd=1000000000"; do
  n=${v%%|*}; c=${v#*|}
  free="model(run('$n'), 'openrouter/mistral-7b-instruct:free')"
  haiku="model(run('$n'), 'openrouter/claude-3-haiku')"
  table "@\`$c\`" "count($free.get('successes'))" "count($free.get('failures', {}).get('rate_limited', 0))" \
        "count($haiku.get('successes'))" "usd($haiku.get('cost_usd'))" "usd(run('$n')['cost_usd']['total'], 0)" "secs(run('$n')['latency_ms']['p95'])"
done
md ''

# ── Cache TTL ────────────────────────────────────────────────────────────────────────────────────────────
md '## Response cache TTLs' '' \
  '`Scenarios/cache-ttl.yaml`: hit rates measured from the traffic’s assumed prompt popularity (the brief assumes 85 % and 70 %).' '' \
  '| command | simple hit rate | pattern hit rate | all lookups | saved | cost / request | p95 |' \
  '|---|---:|---:|---:|---:|---:|---:|'
ct=Scenarios/cache-ttl.yaml
for v in "ct0|0s|0s" "ct1|5m|2m" "ct2|1h|30m" "ct3|24h|12h"; do
  IFS='|' read -r n s p <<<"$v"
  json_run "$n" "$ct" --param ttl_simple="$s" --param ttl_pattern="$p"
  table "@\`run $ct --param ttl_simple=$s --param ttl_pattern=$p\`" \
        "pct(run('$n')['cache']['by_class']['simple']['hit_rate'], 1)" "pct(run('$n')['cache']['by_class']['pattern']['hit_rate'], 1)" \
        "pct(run('$n')['cache']['hit_rate'], 1)" "usd(run('$n')['cache']['saved_usd'])" \
        "usd(run('$n')['cost_usd']['per_request'], 6)" "secs(run('$n')['latency_ms']['p95'])"
done
md ''

# ── Traffic spike ────────────────────────────────────────────────────────────────────────────────────────
md '## Traffic spike: step policy against the HPA' '' \
  '`Scenarios/traffic-spike.yaml`: 10× traffic 14:00–14:30. "Minutes with p95 > 20 s" counts replication 0’s' \
  'per-minute p95 latency after the warm-up.' '' \
  '| command | minutes with p95 > 20 s | failed | availability | p95 (day) | most instances | scale events | instance-hours | infrastructure cost |' \
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
ts=Scenarios/traffic-spike.yaml
json_run ts_step "$ts"
json_run ts_hpa "$ts" --param policy=hpa
for v in "ts_step|run $ts" "ts_hpa|run $ts --param policy=hpa"; do
  n=${v%%|*}; c=${v#*|}
  table "@\`$c\`" "minutes_over('$n', 20000, run('$n')['simulated']['warmup_s'])" "count(run('$n')['failed'])" \
        "pct(run('$n')['availability'])" "secs(run('$n')['latency_ms']['p95'])" "run('$n')['autoscaling']['max_instances']" \
        "count(run('$n')['autoscaling']['scale_event_count'])" "f\"{run('$n')['autoscaling']['instance_hours']:.1f}\"" \
        "usd(run('$n')['cost_usd']['infrastructure'])"
done
md ''

# ── Business week ────────────────────────────────────────────────────────────────────────────────────────
md '## Business week' '' '`nexus-sim run Scenarios/business-week.yaml --json`: Monday to Sunday, 1M new conversations a day on average.' '' \
  '| figure | value |' '|---|---:|'
json_run bw Scenarios/business-week.yaml
table "@requests (conversations finished)" "f\"{count(run('bw')['requests'])} ({count(run('bw')['traffic']['conversations'])})\""
table "@prompt / output tokens of all arrivals" "f\"{run('bw')['traffic']['input_tokens'] / 1e9:.2f} B / {run('bw')['traffic']['output_tokens'] / 1e9:.2f} B\""
table "@arrivals per day, Mon … Sun" "', '.join(f'{a / 1e6:.2f}M' for a in per_day('bw', 'arrivals')[:7])"
table "@availability, p95 latency" "f\"{pct(run('bw')['availability'], 4)}, {secs(run('bw')['latency_ms']['p95'])}\""
table "@cost: total, per request, per conversation" "f\"{usd(run('bw')['cost_usd']['total'], 0)}, {usd(run('bw')['cost_usd']['per_request'], 5)}, {usd(run('bw')['cost_usd']['per_conversation'], 5)}\""
table "@users: max, p95, mean cost per active user" "f\"{usd(run('bw')['users']['max_cost_usd'])}, {usd(run('bw')['users']['p95_cost_usd'])}, {usd(run('bw')['users']['mean_cost_usd'])}\""
md ''

# ── Trace replay ─────────────────────────────────────────────────────────────────────────────────────────
md '## Azure trace replay' '' \
  '`Scenarios/replay-azure.yaml`: the first 2,000 requests of the Azure LLM inference trace 2023 against the baseline’s providers.' '' \
  '| command | requests | prompt / output tokens | availability | p95 | total cost | cost / request |' \
  '|---|---:|---:|---:|---:|---:|---:|'
json_run az Scenarios/replay-azure.yaml
json_run az10 Scenarios/replay-azure.yaml --param rate_scale=10
for v in "az|run Scenarios/replay-azure.yaml" "az10|run Scenarios/replay-azure.yaml --param rate_scale=10"; do
  n=${v%%|*}; c=${v#*|}
  table "@\`$c\`" "count(run('$n')['requests'])" "f\"{count(run('$n')['traffic']['input_tokens'])} / {count(run('$n')['traffic']['output_tokens'])}\"" \
        "pct(run('$n')['availability'])" "secs(run('$n')['latency_ms']['p95'])" "usd(run('$n')['cost_usd']['total'])" "usd(run('$n')['cost_usd']['per_request'], 5)"
done
md ''

# ── Month forecast ───────────────────────────────────────────────────────────────────────────────────────
md '## Month forecast' '' \
  '`Scenarios/month-forecast.yaml` for December 2026: the brief’s budgets (what was served, what it cost, what the' \
  'traffic would have cost unblocked), then the affordable volume at a small traffic (so that the search is quick).' ''
show forecast Scenarios/month-forecast.yaml --month 2026-12 --replications 2 --no-store
show forecast Scenarios/month-forecast.yaml --month 2026-12 --replications 4 --param daily_requests=20k \
  --affordable --affordable-replications 3 --no-store

# ── Bench ────────────────────────────────────────────────────────────────────────────────────────────────
md '## Speed and memory (`nexus-sim bench`)' '' \
  "Best of $BENCH_REPEATS within one process. Load average before the bench: $(cut -d' ' -f1-3 /proc/loadavg)." ''
show bench --repeats "$BENCH_REPEATS"

md "Generated in $(( ($(date +%s) - started) / 60 )) minutes."
mv "$DOC" "$OUT"
note "wrote $OUT"
