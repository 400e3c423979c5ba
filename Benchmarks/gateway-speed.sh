#!/usr/bin/env bash
# Speed of the live gateway (`nexus-sim gateway`) in front of a zero-delay upstream (the provider emulator with
# Benchmarks/live/zero-delay.yaml), as published in docs/live-gateway.md:
#   1. closed-loop throughput, non-streamed: wrk through the gateway, and wrk against the upstream alone;
#   2. added latency at 1,000 requests/s, open loop: `nexus-sim load` against the upstream directly, then through
#      the gateway, at the same load; added p50 / p99 = gateway − direct.
# Each case runs ROUNDS times (default 3); every figure is printed, the best is what the docs carry.
# Cores: the gateway runs on GATEWAY_CPUS (default 1), the upstream and the load source share AUX_CPUS
# (default 0), via taskset, so the gateway has one core to itself on a 2-core machine.
# Usage: Benchmarks/gateway-speed.sh [SECONDS]   (needs wrk: apt-get install wrk; NEXUS_SIM_BIN overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${NEXUS_SIM_BIN:-.build/release/nexus-sim}
SECONDS_PER_CASE=${1:-10}
ROUNDS=${ROUNDS:-3}
GATEWAY_CPUS=${GATEWAY_CPUS:-1}
AUX_CPUS=${AUX_CPUS:-0}
CONNECTIONS=${CONNECTIONS:-64}
SCENARIO=Benchmarks/live/zero-delay.yaml
command -v wrk >/dev/null || { echo "error: wrk is needed (apt-get install wrk)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "error: $BIN not found; build with swift build -c release" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

wait_for() {  # wait_for FILE PATTERN: until FILE has a line matching PATTERN, prints the URL in it
    for _ in $(seq 400); do
        url=$(grep -o 'http://[0-9.:]*' "$1" 2>/dev/null | head -1 || true)
        [ -n "$url" ] && { echo "$url"; return; }
        sleep 0.05
    done
    cat "$1" >&2; exit 1
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cores: gateway on $GATEWAY_CPUS; upstream and load source on $AUX_CPUS"

taskset -c "$AUX_CPUS" "$BIN" providers "$SCENARIO" --listen 127.0.0.1:0 > "$work/upstream.url" 2> "$work/upstream.log" &
pids+=($!)
upstream=$(wait_for "$work/upstream.url")
taskset -c "$GATEWAY_CPUS" "$BIN" gateway "$SCENARIO" --listen 127.0.0.1:0 --upstreams "$upstream" 2> "$work/gateway.log" &
pids+=($!)
gateway=$(wait_for "$work/gateway.log")
echo "upstream $upstream, gateway $gateway"

wrk_rate() {  # wrk_rate URL MODEL: one closed-loop wrk run, prints requests/s and non-2xx count
    MODEL=$2 taskset -c "$AUX_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_CASE}s" -s Benchmarks/emulator/chat.lua "$1" > "$work/wrk"
    echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk") req/s, non-2xx: $(awk '/Non-2xx/ {print $5}' "$work/wrk")"
}
MODEL=t taskset -c "$AUX_CPUS" wrk -t1 -c"$CONNECTIONS" -d2s -s Benchmarks/emulator/chat.lua "$gateway/v1/chat/completions" > /dev/null  # warm-up
for round in $(seq "$ROUNDS"); do
    echo "round $round throughput (wrk -t1 -c$CONNECTIONS, ${SECONDS_PER_CASE}s): via gateway $(wrk_rate "$gateway/v1/chat/completions" t); upstream alone $(wrk_rate "$upstream/p/v1/chat/completions" a)"
done

latency() {  # latency TARGET [load options]: open loop at the scenario's 1,000 requests/s; prints p50 p99 (ms)
    local target=$1; shift
    taskset -c "$AUX_CPUS" "$BIN" load "$SCENARIO" --target "$target" --no-store --json \
        --set "simulation.duration=${SECONDS_PER_CASE}s" "$@" > "$work/load.json"
    python3 - "$work/load.json" <<'PY' 2>/dev/null || awk '/"p50"|"p99"/' "$work/load.json"
import json, sys
d = json.load(open(sys.argv[1]))
l = d["latency_ms"]
print(f'{l["p50"]:.3f} {l["p99"]:.3f} {d["succeeded"]} {d["requests"]}')
PY
}
for round in $(seq "$ROUNDS"); do
    read -r d50 d99 dok dn < <(latency "$upstream/p" --model-map c=a)
    read -r g50 g99 gok gn < <(latency "$gateway")
    echo "round $round open loop 1,000 req/s: direct p50 $d50 ms p99 $d99 ms ($dok/$dn ok); via gateway p50 $g50 ms p99 $g99 ms ($gok/$gn ok); added p50 $(awk -v a="$g50" -v b="$d50" 'BEGIN {printf "%.3f", a - b}') ms, p99 $(awk -v a="$g99" -v b="$d99" 'BEGIN {printf "%.3f", a - b}') ms"
done
