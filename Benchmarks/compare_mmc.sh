#!/usr/bin/env bash
# Compares nexus-sim with SimPy on the M/M/c case of `nexus-sim bench`
# (c = 100 servers, Poisson arrivals λ = 90/s, exponential service with mean 1 s, FIFO,
# arrivals for requests/90 simulated seconds, one core), and prints both next to the
# exact Erlang C answers.
#
#   Benchmarks/compare_mmc.sh [--requests N] [--nexus-requests N] [--simpy-requests N]
#                             [--repeats K] [--seed S]
#
# Defaults: nexus-sim 1,000,000 requests, SimPy 200,000 (SimPy is ~20x slower; requests/s
# does not depend on the count, so the ratio is fair), best of 3. The same settings can be
# given as environment variables: NEXUS_REQUESTS, SIMPY_REQUESTS, REPEATS, SEED; also
# NEXUS_SIM (the binary, default .build/release/nexus-sim) and PYTHON (default python3,
# e.g. a venv's python). Builds nothing: run `swift build -c release` first.
set -euo pipefail

cd "$(dirname "$0")/.."   # the repository root: the bench and scenarios use relative paths

NEXUS_SIM=${NEXUS_SIM:-.build/release/nexus-sim}
PYTHON=${PYTHON:-python3}
NEXUS_REQUESTS=${NEXUS_REQUESTS:-1000000}
SIMPY_REQUESTS=${SIMPY_REQUESTS:-200000}
REPEATS=${REPEATS:-3}
SEED=${SEED:-1}

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --requests) NEXUS_REQUESTS=$2; SIMPY_REQUESTS=$2; shift 2 ;;
        --nexus-requests) NEXUS_REQUESTS=$2; shift 2 ;;
        --simpy-requests) SIMPY_REQUESTS=$2; shift 2 ;;
        --repeats) REPEATS=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
    esac
done
for value in "$NEXUS_REQUESTS" "$SIMPY_REQUESTS" "$REPEATS" "$SEED"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "not a whole number: $value" >&2; exit 64; }
done

# --- Prerequisites -------------------------------------------------------------------------

if [[ ! -x $NEXUS_SIM ]]; then
    echo "error: $NEXUS_SIM not found. Build it first:" >&2
    echo "    swift build -c release" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import simpy' 2>/dev/null; then
    cat >&2 <<EOF
error: SimPy is not installed for $PYTHON. Install it with
    pip install simpy
If pip refuses with "externally-managed-environment" (Debian 12 and other PEP 668 systems),
either use a virtual environment:
    python3 -m venv .venv && .venv/bin/pip install simpy
    PYTHON=.venv/bin/python Benchmarks/compare_mmc.sh
or install it for your user despite the system's marker:
    pip install --user --break-system-packages simpy
EOF
    exit 1
fi

# --- Machine --------------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
swift_version=$(swift --version 2>/dev/null | head -n 1 || true)
echo "Date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "CPU:     ${cpu:-unknown} ($(nproc) cores; load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown))"
echo "Python:  $("$PYTHON" -c 'import sys, simpy; print(sys.version.split()[0], "/ SimPy", simpy.__version__)')"
echo "Swift:   ${swift_version:-not on PATH}"
echo "nexus-sim $("$NEXUS_SIM" --version) ($NEXUS_SIM)"
echo

# --- nexus-sim ------------------------------------------------------------------------------

# Speed: the bench's M/M/c line, e.g.
# M/M/c  c=100 λ=90/s   1000952 requests   2001797 events   0.591 s   1694820 requests/s ...
only=()
if [[ $("$NEXUS_SIM" bench --help 2>&1) == *--only* ]]; then
    only=(--only mmc)
else
    echo "note: this nexus-sim has no 'bench --only'; it times its other cases too" >&2
fi
echo "nexus-sim bench: $NEXUS_REQUESTS requests, best of $REPEATS ..." >&2
bench_line=$("$NEXUS_SIM" bench "${only[@]}" --requests "$NEXUS_REQUESTS" --repeats "$REPEATS" | grep '^M/M/c' || true)
if [[ -z $bench_line ]]; then
    echo "error: no M/M/c line in the output of '$NEXUS_SIM bench'" >&2
    exit 1
fi
read -r nexus_requests nexus_events nexus_wall nexus_rate < <(sed -E \
    's|.* ([0-9]+) requests +([0-9]+) events +([0-9.]+) s +([0-9]+) requests/s.*|\1 \2 \3 \4|' <<<"$bench_line")

# Accuracy: the bench prints no latencies, so run the same model (the M/M/c validation scenario
# with the bench's duration, no warm-up, no drain) once more through `nexus-sim run`.
duration=$(( (NEXUS_REQUESTS + 45) / 90 ))   # requests/90 rounded, as the bench does
echo "nexus-sim run Scenarios/validation/mmc.yaml: $duration simulated s, seed $SEED ..." >&2
read -r nexus_mean nexus_p95 < <("$NEXUS_SIM" run Scenarios/validation/mmc.yaml \
        --param "duration_s=$duration" --param warmup_s=0 --set simulation.drain=0s \
        --seed "$SEED" --replications 1 --threads 1 --no-store --quiet --json |
    "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin)["latency_ms"]; print(d["mean"] / 1e3, d["p95"] / 1e3)')

# --- SimPy ----------------------------------------------------------------------------------

echo "SimPy: $SIMPY_REQUESTS requests, best of $REPEATS ..." >&2
simpy_json=$("$PYTHON" Benchmarks/simpy_mmc.py --requests "$SIMPY_REQUESTS" --repeats "$REPEATS" --seed "$SEED" --json)
read -r simpy_requests simpy_wall simpy_rate simpy_mean simpy_p95 exact_mean exact_p95 p_wait < <(
    "$PYTHON" -c 'import json, sys; d = json.loads(sys.argv[1]); print(*(d[k] for k in (
        "requests", "wall_s", "requests_per_s", "sojourn_mean_s", "sojourn_p95_s",
        "erlang_c_mean_s", "erlang_c_p95_s", "erlang_c_p_wait")))' "$simpy_json")
echo >&2

# --- Table ----------------------------------------------------------------------------------

ratio=$(awk -v a="$nexus_rate" -v b="$simpy_rate" 'BEGIN { printf "%.1f", a / b }')
row() { printf '| %-18s | %10s | %8s | %12s | %12s | %11s | %9s |\n' "$@"; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; }
err() { awk -v v="$1" -v e="$2" 'BEGIN { printf "%+.1f %%", 100 * (v / e - 1) }'; }

echo "M/M/c: c=100, λ=90/s, exponential service mean 1 s, FIFO; one core; best of $REPEATS"
echo
row simulator requests "wall s" requests/s "mean sojourn" "p95 sojourn" speed
row ------------------ ---------- -------- ------------ ------------ ----------- ---------
row "nexus-sim" "$nexus_requests" "$(fmt "$nexus_wall" %.3f)" "$(fmt "$nexus_rate" %.0f)" \
    "$(fmt "$nexus_mean" '%.4f s')" "$(fmt "$nexus_p95" '%.3f s')" "${ratio}x"
row "SimPy" "$simpy_requests" "$(fmt "$simpy_wall" %.3f)" "$(fmt "$simpy_rate" %.0f)" \
    "$(fmt "$simpy_mean" '%.4f s')" "$(fmt "$simpy_p95" '%.3f s')" "1.0x"
row "Erlang C (exact)" "" "" "" "$(fmt "$exact_mean" '%.4f s')" "$(fmt "$exact_p95" '%.3f s')" ""
echo
echo "Sojourn error vs Erlang C: nexus-sim mean $(err "$nexus_mean" "$exact_mean"), p95 $(err "$nexus_p95" "$exact_p95");" \
     "SimPy mean $(err "$simpy_mean" "$exact_mean"), p95 $(err "$simpy_p95" "$exact_p95")  (P(wait) = $(fmt "$p_wait" %.4f))"
echo "Speed: nexus-sim simulates ${ratio}x as many requests per second as SimPy" \
     "($(fmt "$nexus_rate" %.0f) vs $(fmt "$simpy_rate" %.0f); $nexus_events nexus-sim events)."
echo "nexus-sim's p95 is from an HdrHistogram (3 significant digits); SimPy's is the exact sample value."
