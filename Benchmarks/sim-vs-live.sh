#!/bin/bash
# Simulation versus live: runs a scenario through the simulator (`nexus-sim run`) and through the live chain
# (`nexus-sim load` → `nexus-sim gateway` → `nexus-sim providers`, all on loopback with the scenario's seed and
# the same speed factor) and prints the two side by side with their differences.
#
#   Benchmarks/sim-vs-live.sh SCENARIO [--speed K] [--seed N] [--no-stream] [--out DIR] [--param N=V | --set P=V]...
#
#   --speed K     scenario seconds per wall second for the live chain (default 60: an hour in a minute)
#   --seed N      run seed (default: the scenario's simulation.seed)
#   --no-stream   keep the scenario's `stream` settings; by default every class streams (--set traffic.stream=true),
#                 because the simulator's TTFT is the provider's first token, which a client only sees in a stream
#                 (a non-streamed answer's first byte is its last); `stream` changes nothing else in a simulation
#   --out DIR     keep sim.json, live.json and the servers' logs in DIR (default: a temporary folder, removed)
#   --param, --set  passed to all four commands (slice a scenario: --set simulation.duration=1h)
#
# Needs a release build (swift build -c release; NEXUS_SIM=path to use another binary) and jq. Ports are chosen
# by the system (port 0). The emulator's schedule (outages, limit windows) and the load's arrivals share
# scenario time 0 through --start-at, a few seconds ahead of the launch. Exit 0 once the table is printed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NEXUS_SIM="${NEXUS_SIM:-${ROOT}/.build/release/nexus-sim}"
LEAD_S="${LEAD_S:-6}"     # seconds from launch to scenario time 0: time for the servers to start and the simulation to run

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
[ $# -ge 1 ] || usage
SCENARIO="$1"; shift
SPEED=60 SEED="" STREAM=1 OUT=""
SHARED=()
while [ $# -gt 0 ]; do
    case "$1" in
        --speed) SPEED="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --no-stream) STREAM=0; shift ;;
        --out) OUT="$2"; shift 2 ;;
        --param|--set) SHARED+=("$1" "$2"); shift 2 ;;
        -h|--help) usage ;;
        *) echo "sim-vs-live: unknown option '$1'" >&2; usage ;;
    esac
done
[ -x "${NEXUS_SIM}" ] || { echo "sim-vs-live: no nexus-sim at ${NEXUS_SIM}; run swift build -c release" >&2; exit 2; }
command -v jq >/dev/null || { echo "sim-vs-live: needs jq" >&2; exit 2; }
[ "${STREAM}" = 1 ] && SHARED+=(--set traffic.stream=true)
SEEDS=()
[ -n "${SEED}" ] && SEEDS=(--seed "${SEED}")

if [ -n "${OUT}" ]; then mkdir -p "${OUT}"; WORK="${OUT}"; else WORK="$(mktemp -d /tmp/sim-vs-live.XXXXXX)"; fi
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "${pid}" 2>/dev/null || true; done
    [ -n "${OUT}" ] || rm -rf "${WORK}"
}
trap cleanup EXIT

# Waits (up to 60 s) for a line matching $2 in file $1, written by process $3, and prints it.
wait_for_line() {
    for _ in $(seq 600); do
        if line=$(grep -m1 -E "$2" "$1" 2>/dev/null); then echo "${line}"; return 0; fi
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    echo "sim-vs-live: no '$2' in $1:" >&2; cat "${1%.*}.err" >&2; return 1
}

START=$(( $(date +%s) + LEAD_S ))
"${NEXUS_SIM}" providers "${SCENARIO}" "${SHARED[@]}" "${SEEDS[@]}" --listen 127.0.0.1:0 --speed "${SPEED}" --start-at "${START}" \
    > "${WORK}/providers.out" 2> "${WORK}/providers.err" &
PIDS+=($!)
PROVIDERS=$(wait_for_line "${WORK}/providers.out" '^http://' $!)
"${NEXUS_SIM}" gateway "${SCENARIO}" "${SHARED[@]}" --listen 127.0.0.1:0 --speed "${SPEED}" --upstreams "${PROVIDERS}" \
    2> "${WORK}/gateway.err" &
PIDS+=($!)
GATEWAY=$(wait_for_line "${WORK}/gateway.err" 'listening on http://' $! | grep -oE 'http://[0-9.:]+')

(cd "${ROOT}" && "${NEXUS_SIM}" run "${SCENARIO}" "${SHARED[@]}" "${SEEDS[@]}" --replications 1 --json --no-store --quiet) > "${WORK}/sim.json"
if [ "$(date +%s)" -ge "${START}" ]; then
    echo "sim-vs-live: the servers and the simulation took longer than LEAD_S=${LEAD_S} s; raise it" >&2; exit 1
fi
echo "sim-vs-live: ${SCENARIO} at speed ${SPEED}: load → ${GATEWAY} → ${PROVIDERS}" >&2
"${NEXUS_SIM}" load "${SCENARIO}" "${SHARED[@]}" "${SEEDS[@]}" --target "${GATEWAY}" --speed "${SPEED}" --start-at "${START}" \
    --json --no-store > "${WORK}/live.json" 2> "${WORK}/load.err" || { cat "${WORK}/load.err" >&2; exit 1; }

# One row: label, jq path, kind (count | pct | ms | usd); the difference is relative (counts, times, costs) or
# in percentage points (availability, error rate).
row() {
    local label="$1" path="$2" kind="$3" s l
    s=$(jq -r "${path} // 0" "${WORK}/sim.json"); l=$(jq -r "${path} // 0" "${WORK}/live.json")
    awk -v label="${label}" -v s="${s}" -v l="${l}" -v kind="${kind}" 'BEGIN {
        if (kind == "pct") { printf "%-16s %14.3f %% %14.3f %% %+12.3f pt\n", label, s * 100, l * 100, (l - s) * 100; exit }
        d = (s == 0) ? (l == 0 ? 0 : 100) : (l - s) / s * 100
        if (kind == "count") printf "%-16s %16d %16d %+12.2f %%\n", label, s, l, d
        else if (kind == "ms") printf "%-16s %13.1f ms %13.1f ms %+12.2f %%\n", label, s, l, d
        else printf "%-16s %15.6f$ %15.6f$ %+12.2f %%\n", label, s, l, d
    }'
}
printf '%-16s %16s %16s %14s\n' metric simulation live difference
row requests '.requests' count
row succeeded '.succeeded' count
row availability '.availability' pct
row 'error rate' '.error_rate' pct
row 'latency p50' '.latency_ms.p50' ms
row 'latency p95' '.latency_ms.p95' ms
row 'latency p99' '.latency_ms.p99' ms
row 'TTFT p50' '.ttft_ms.p50' ms
row 'TTFT p95' '.ttft_ms.p95' ms
row 'cost/request' '.cost_usd.per_request' usd
jq -r '"live: sent \(.live.sent) of \(.live.scheduled) scheduled, send lag p50 \(.live.send_lag_ms.p50) ms p99 \(.live.send_lag_ms.p99) ms max \(.live.send_lag_ms.max) ms (wall), client errors \(.live.client_errors), unpriced \(.live.unpriced_responses), wall \(.live.wall_s) s"' "${WORK}/live.json"
