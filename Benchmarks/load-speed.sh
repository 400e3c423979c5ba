#!/usr/bin/env bash
# Speed of the load generator (`nexus-sim load`), as published in docs/load.md:
#   1. sustained open-loop rate against a zero-delay upstream (the provider emulator with
#      Benchmarks/live/zero-delay.yaml): RATE requests/s (default 10,000) for SECONDS; prints sent, answered,
#      the send lag p50 / p99 / max and the load generator's peak resident memory;
#   2. (STREAMS=N, default 10000; 0 skips) N streams open at once: streamed requests against
#      Benchmarks/emulator/open-streams.yaml (20 s streams) arriving at N/20 per second for 20 s, with
#      --connections N; prints the peak of open streams at the emulator and both processes' peak memory.
# Each rate case runs ROUNDS times (default 3); the best is what the docs carry.
# Cores: the load generator runs on LOAD_CPUS (default 0), the upstream on UPSTREAM_CPUS (default 1), via taskset.
# Usage: Benchmarks/load-speed.sh [SECONDS]   (NEXUS_SIM_BIN overrides the binary; no Python or wrk in the load path)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${NEXUS_SIM_BIN:-.build/release/nexus-sim}
SECONDS_PER_CASE=${1:-10}
RATE=${RATE:-10000}
ROUNDS=${ROUNDS:-3}
STREAMS=${STREAMS:-10000}
LOAD_CPUS=${LOAD_CPUS:-0}
UPSTREAM_CPUS=${UPSTREAM_CPUS:-1}
EVENT_LOOPS=${EVENT_LOOPS:-1}
[ -x "$BIN" ] || { echo "error: $BIN not found; build with swift build -c release" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start() {  # start SCENARIO: runs the emulator on a free port, sets $server and $url
    taskset -c "$UPSTREAM_CPUS" "$BIN" providers "$1" --listen 127.0.0.1:0 > "$work/url" 2> "$work/log" &
    server=$!
    for _ in $(seq 200); do [ -s "$work/url" ] && break; sleep 0.05; done
    url=$(head -1 "$work/url")
    [ -n "$url" ] || { cat "$work/log" >&2; exit 1; }
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
field() {  # field FILE KEY...: a number from the report's JSON, by key path
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: d = d[k]
print(d)' "$@"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cores: load generator on $LOAD_CPUS ($EVENT_LOOPS event loop(s)); upstream on $UPSTREAM_CPUS"

start Benchmarks/live/zero-delay.yaml
for round in $(seq "$ROUNDS"); do
    taskset -c "$LOAD_CPUS" "$BIN" load Benchmarks/live/zero-delay.yaml --target "$url/p" --model-map c=a --no-store --json \
        --event-loops "$EVENT_LOOPS" --set "simulation.duration=${SECONDS_PER_CASE}s" \
        --set "traffic.arrivals.rate=${RATE}/s" > "$work/load.json" &
    load=$!; peak=0
    while kill -0 "$load" 2>/dev/null; do
        r=$(rss_mib "$load"); awk -v a="$r" -v b="$peak" 'BEGIN {exit !(a > b)}' && peak=$r; sleep 0.5
    done
    wait "$load"
    f=$work/load.json
    echo "round $round: offered $RATE/s for ${SECONDS_PER_CASE}s: sent $(field "$f" live sent)/$(field "$f" live scheduled)," \
         "succeeded $(field "$f" succeeded), wall $(field "$f" live wall_s) s; send lag p50 $(field "$f" live send_lag_ms p50) ms," \
         "p99 $(field "$f" live send_lag_ms p99) ms, max $(field "$f" live send_lag_ms max) ms; peak in flight" \
         "$(field "$f" live peak_in_flight); client errors $(field "$f" live client_errors); load RSS peak $peak MiB"
done
stop

[ "$STREAMS" -gt 0 ] || exit 0
start Benchmarks/emulator/open-streams.yaml
taskset -c "$LOAD_CPUS" "$BIN" load Benchmarks/emulator/open-streams.yaml --target "$url/p" --model-map c=a --no-store --json \
    --event-loops "$EVENT_LOOPS" --connections "$STREAMS" --set simulation.duration=20s --set simulation.drain=30s \
    --set "traffic.arrivals.rate=$((STREAMS / 20))/s" --set traffic.stream=true > "$work/streams.json" &
load=$!; peak_open=0; peak_load=0; peak_server=0
while kill -0 "$load" 2>/dev/null; do
    open=$(curl -s "$url/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["totals"]["open_streams"])' 2>/dev/null || echo 0)
    [ "$open" -gt "$peak_open" ] && peak_open=$open
    r=$(rss_mib "$load"); awk -v a="$r" -v b="$peak_load" 'BEGIN {exit !(a > b)}' && peak_load=$r
    r=$(rss_mib "$server"); awk -v a="$r" -v b="$peak_server" 'BEGIN {exit !(a > b)}' && peak_server=$r
    sleep 1
done
wait "$load"
f=$work/streams.json
echo "streams: peak $peak_open open at once at the emulator; sent $(field "$f" live sent), succeeded $(field "$f" succeeded);" \
     "client errors $(field "$f" live client_errors); send lag p99 $(field "$f" live send_lag_ms p99) ms;" \
     "peak RSS: load $peak_load MiB, emulator $peak_server MiB"
