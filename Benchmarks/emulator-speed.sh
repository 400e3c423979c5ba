#!/usr/bin/env bash
# Speed and memory of the provider emulator (`nexus-sim providers`), as published in docs/provider-emulator.md:
#   1. non-streamed requests per second with zero delay (Benchmarks/emulator/zero-delay.yaml), driven by wrk;
#   2. resident memory with 10,000 streams open at once (Benchmarks/emulator/open-streams.yaml: 20 s streams).
# Cores: the emulator runs on EMULATOR_CPUS (default 1), wrk on WRK_CPUS (default 0), via taskset; the rate case
# runs ROUNDS times (default 3), the best is what the docs carry.
# Usage: Benchmarks/emulator-speed.sh [SECONDS]   (needs wrk: apt-get install wrk; NEXUS_SIM_BIN overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${NEXUS_SIM_BIN:-.build/release/nexus-sim}
SECONDS_PER_CASE=${1:-10}
STREAMS=${STREAMS:-10000}
ROUNDS=${ROUNDS:-3}
EMULATOR_CPUS=${EMULATOR_CPUS:-1}
WRK_CPUS=${WRK_CPUS:-0}
command -v wrk >/dev/null || { echo "error: wrk is needed (apt-get install wrk)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "error: $BIN not found; build with swift build -c release" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start() {  # start SCENARIO: runs the emulator on a free port, sets $server and $url
    taskset -c "$EMULATOR_CPUS" "$BIN" providers "$1" --listen 127.0.0.1:0 > "$work/url" 2> "$work/log" &
    server=$!
    for _ in $(seq 200); do [ -s "$work/url" ] && break; sleep 0.05; done
    url=$(head -1 "$work/url")
    [ -n "$url" ] || { cat "$work/log" >&2; exit 1; }
}
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$server/status"; }
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cores: emulator on $EMULATOR_CPUS, wrk on $WRK_CPUS"

start Benchmarks/emulator/zero-delay.yaml
echo "idle RSS: $(rss_mib) MiB"
taskset -c "$WRK_CPUS" wrk -t1 -c64 -d2s -s Benchmarks/emulator/chat.lua "$url/p/v1/chat/completions" > /dev/null  # warm-up
for round in $(seq "$ROUNDS"); do
    taskset -c "$WRK_CPUS" wrk -t1 -c64 -d"${SECONDS_PER_CASE}s" -s Benchmarks/emulator/chat.lua "$url/p/v1/chat/completions" > "$work/wrk1"
    echo "round $round non-streamed, zero delay: $(awk '/Requests\/sec/ {print $2}' "$work/wrk1") requests/s (wrk -t1 -c64), non-2xx: $(awk '/Non-2xx/ {print $5}' "$work/wrk1"); load $(cut -d' ' -f1 /proc/loadavg); RSS after: $(rss_mib) MiB"
done
stop

start Benchmarks/emulator/open-streams.yaml
STREAM=1 taskset -c "$WRK_CPUS" wrk -t2 -c"$STREAMS" -d"$((SECONDS_PER_CASE + 15))s" --timeout 60s -s Benchmarks/emulator/chat.lua \
    "$url/p/v1/chat/completions" > "$work/wrk2" 2>&1 &
wrk_pid=$!
peak_rss=0; peak_open=0
while kill -0 "$wrk_pid" 2>/dev/null; do
    rss=$(rss_mib)
    open=$(curl -s "$url/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["totals"]["open_streams"])' 2>/dev/null || true)
    awk -v a="$rss" -v b="$peak_rss" 'BEGIN {exit !(a > b)}' && peak_rss=$rss
    [ -n "$open" ] && [ "$open" -gt "$peak_open" ] && peak_open=$open
    sleep 1
done
wait "$wrk_pid" || true
cat "$work/wrk2"
echo "open streams: peak $peak_open at once (wrk -t2 -c$STREAMS); peak RSS $peak_rss MiB"
stop
