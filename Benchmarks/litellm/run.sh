#!/usr/bin/env bash
# LiteLLM side by side: the simulator's `routing.mode: litellm` against a real LiteLLM proxy, both in front of the
# provider emulator, and the gateway overhead of LiteLLM next to `nexus-sim gateway`.
#
#   Benchmarks/litellm/run.sh [SCENARIO]          # default Scenarios/litellm-router.yaml
#
# Steps:
#   1. venv: Benchmarks/litellm/.venv with litellm[proxy]==$LITELLM_VERSION and opentelemetry-sdk from PyPI
#      (skipped when already installed at that version; NO_INSTALL=1 fails instead of installing).
#   2. simulation: `nexus-sim run SCENARIO --json` (seed $SEED, warm-up 0 so that every attempt the emulator
#      counts is a counted request's).
#   3. config: `nexus-sim export litellm` of the scenario at the emulator's address, every time in it (router
#      cooldown_time, retry_after, deployment timeouts) divided by the speed factor K, since LiteLLM runs on wall
#      time while the emulator and the load generator compress scenario time K times; the overhead scenario's
#      group (Benchmarks/litellm/overhead.yaml, at speed 1) is added to the same config, and
#      `forward_client_headers_to_llm_api` passes the load generator's token hints to the emulator.
#   4. proxy: LiteLLM on 127.0.0.1 with LITELLM_LOCAL_MODEL_COST_MAP=True (no price-map download),
#      LITELLM_TELEMETRY_DISABLED=True, no database, a master key generated for this run (sent by
#      `nexus-sim load --api-key-env`); waits for /health/liveliness and checks /v1/models.
#   5. overhead: for each rate of $OVERHEAD_RATES, the overhead scenario loaded at speed 1 directly on its
#      emulator, through `nexus-sim gateway` and through LiteLLM: throughput and added latency.
#   6. side by side: for `nexus-sim gateway` (same scenario, `--speed K`: its timers on scenario time) and for LiteLLM, a
#      fresh emulator at speed K started just before `nexus-sim load SCENARIO --speed K --model-map CLASS=GROUP`,
#      then the emulator's /stats (attempts per deployment).
#   7. compare.py prints the table (Markdown) and exits 1 when a check is outside its tolerance; the table and
#      the JSON files go to $OUT (default Results/litellm-<date>).
#
# Everything listens on 127.0.0.1 only, every process it starts is stopped on exit, and each wait is bounded.
# Wall time: 15–75 s for the proxy to start, 2 × (duration + drain) / K for the side by side (26 min at the
# default K = 5 for the bundled one-hour scenario; SETS=simulation.duration=40m GATEWAY_SIDE=0: 9 min) and
# 3 × 28 s per overhead rate.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scenario="${1:-$root/Scenarios/litellm-router.yaml}"
LITELLM_VERSION="${LITELLM_VERSION:-1.74.9}"
# K = 5 keeps LiteLLM (one Python process) well below saturation at the bundled scenario's 4 requests/s (20 a
# wall second), and makes the scenario's Retry-After values (5 s, 30 s) whole wall seconds: LiteLLM 1.74.9 reads
# only the integer `Retry-After` header for its cooldown (utils.py, _get_retry_after_from_exception_header), and
# the emulator rounds it up to whole wall seconds.
SPEED="${SPEED:-5}"
SEED="${SEED:-7}"
OVERHEAD_RATES="${OVERHEAD_RATES:-20 60}"
# Overrides applied to every run of the scenario (simulation, emulator, gateway, load), space-separated
# PATH=VALUE, e.g. SETS="simulation.duration=40m" for a shorter run.
SETS="${SETS:-}"
# GATEWAY_SIDE=0 skips the side by side through nexus-sim gateway (the overhead runs still include it).
GATEWAY_SIDE="${GATEWAY_SIDE:-1}"
stamp="$(date -u +%Y-%m-%d)"
OUT="${OUT:-$root/Results/litellm-$stamp}"
venv="$here/.venv"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$OUT"

# 1. The virtualenv, pinned.
installed() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null || true; }
if [[ ! -x "$venv/bin/litellm" ]] || [[ "$(installed)" != "$LITELLM_VERSION" ]]; then
    if [[ -n "${NO_INSTALL:-}" ]]; then echo "no LiteLLM $LITELLM_VERSION in $venv (NO_INSTALL is set)" >&2; exit 2; fi
    echo "installing litellm[proxy]==$LITELLM_VERSION into $venv (large; a few minutes)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "litellm[proxy]==$LITELLM_VERSION" opentelemetry-sdk
fi
echo "litellm $(installed)" >&2
py="$venv/bin/python"

nexus="${NEXUS_SIM:-$root/.build/release/nexus-sim}"
[[ -x "$nexus" ]] || { echo "build nexus-sim first: swift build -c release" >&2; exit 2; }
sets=(--set simulation.warmup=0s)
for s in $SETS; do sets+=(--set "$s"); done
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {  # URL PID LOG SECONDS
    local started; started=$(date +%s)
    until curl -fsS -m 2 "$1" > /dev/null 2>&1; do
        if ! kill -0 "$2" 2>/dev/null; then echo "$1: the process exited:" >&2; tail -20 "$3" >&2; exit 1; fi
        if (( $(date +%s) - started > $4 )); then echo "$1 did not answer within $4 s" >&2; tail -20 "$3" >&2; exit 1; fi
        sleep 0.2
    done
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# 2. The simulation.
"$nexus" run "$scenario" --seed "$SEED" "${sets[@]}" --json --no-store > "$OUT/sim.json"
classes=$("$py" -c 'import json, sys; print(" ".join(k + "=" + v["tier"] for k, v in json.load(open(sys.argv[1]))["by_class"].items()))' "$OUT/sim.json")
model_map=(); for pair in $classes; do model_map+=(--model-map "$pair"); done

# 3. The config: the scenario's groups at the emulator (times / K), the overhead group at its own emulator.
emu_port=$(free_port); ovh_port=$(free_port); proxy_port=$(free_port); gw_port=$(free_port); gwo_port=$(free_port)
"$nexus" export litellm "$scenario" "${sets[@]}" --api-base "http://127.0.0.1:$emu_port" > "$work/scenario-config.yaml"
"$nexus" export litellm "$here/overhead.yaml" --api-base "http://127.0.0.1:$ovh_port" > "$work/overhead-config.yaml" 2> /dev/null
"$py" - "$work/scenario-config.yaml" "$work/overhead-config.yaml" "$SPEED" "$OUT/meta-groups.json" > "$work/config.yaml" <<'EOF'
import json, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
overhead = yaml.safe_load(open(sys.argv[2]))
k = float(sys.argv[3])
# LiteLLM measures these in wall seconds; the emulator runs K scenario seconds per wall second.
for key in ("cooldown_time", "retry_after", "timeout"):
    if isinstance(config.get("router_settings", {}).get(key), (int, float)):
        config["router_settings"][key] /= k
for key in ("request_timeout",):
    if isinstance(config.get("litellm_settings", {}).get(key), (int, float)):
        config["litellm_settings"][key] /= k
groups = {}
for d in config["model_list"]:
    params = d["litellm_params"]
    for key in ("cooldown_time", "timeout", "stream_timeout"):
        if isinstance(params.get(key), (int, float)):
            params[key] /= k
    # provider/model as the emulator's /stats names it: the provider is the api_base's last path segment.
    provider = params["api_base"].rstrip("/").split("/")[-2]
    groups.setdefault(d["model_name"], []).append(f"{provider}/{params['model'].split('/', 1)[1]}")
config["model_list"] += overhead["model_list"]
config.setdefault("general_settings", {})["forward_client_headers_to_llm_api"] = True
json.dump(groups, open(sys.argv[4], "w"))
yaml.safe_dump(config, sys.stdout, sort_keys=False)
EOF
cp "$work/config.yaml" "$OUT/litellm-config.yaml"

# 4. The proxy, offline on loopback.
export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_TELEMETRY_DISABLED=True DISABLE_SCHEMA_UPDATE=True
export LITELLM_DONT_SHOW_FEEDBACK_BOX=True NO_DOCS=True LITELLM_MODE=PRODUCTION
# Its default INFO log writes several lines a request, which alone saturates the proxy at a few dozen requests/s.
export LITELLM_LOG=ERROR
export LITELLM_MASTER_KEY="sk-$("$py" -c 'import secrets; print(secrets.token_hex(16))')"
export NEXUS_EMULATOR_KEY="sk-emulator"
unset DATABASE_URL || true
"$venv/bin/litellm" --config "$work/config.yaml" --host 127.0.0.1 --port "$proxy_port" > "$OUT/proxy.log" 2>&1 &
proxy=$!; pids+=("$proxy")
started=$(date +%s)
wait_http "http://127.0.0.1:$proxy_port/health/liveliness" "$proxy" "$OUT/proxy.log" 180
echo "proxy up after $(( $(date +%s) - started )) s on 127.0.0.1:$proxy_port" >&2
served=$(curl -fsS -m 5 -H "Authorization: Bearer $LITELLM_MASTER_KEY" "http://127.0.0.1:$proxy_port/v1/models" \
    | "$py" -c 'import json, sys; print(" ".join(sorted(m["id"] for m in json.load(sys.stdin)["data"])))')
groups=$("$py" -c 'import sys, yaml; print(" ".join(sorted({d["model_name"] for d in yaml.safe_load(open(sys.argv[1]))["model_list"]})))' "$work/config.yaml")
if [[ "$served" != "$groups" ]]; then echo "the proxy serves '$served', the config has '$groups'" >&2; exit 1; fi
echo "model groups served: $served" >&2

# 5. Overhead: the same open-loop load directly, through nexus-sim gateway and through LiteLLM.
"$nexus" providers "$here/overhead.yaml" --listen "127.0.0.1:$ovh_port" > "$work/ovh-url" 2> "$OUT/overhead-emulator.log" &
pids+=($!); wait_http "http://127.0.0.1:$ovh_port/health" "${pids[-1]}" "$OUT/overhead-emulator.log" 60
"$nexus" gateway "$here/overhead.yaml" --listen "127.0.0.1:$gwo_port" --upstreams "http://127.0.0.1:$ovh_port" \
    2> "$OUT/overhead-gateway.log" &
pids+=($!); wait_http "http://127.0.0.1:$gwo_port/v1/models" "${pids[-1]}" "$OUT/overhead-gateway.log" 60
overhead_json="["
for rate in $OVERHEAD_RATES; do
    common=("$here/overhead.yaml" --set "traffic.arrivals.rate=$rate/s" --speed 1 --json --no-store)
    echo "overhead at $rate requests/s: direct, nexus-sim gateway, LiteLLM" >&2
    "$nexus" load "${common[@]}" --target "http://127.0.0.1:$ovh_port/fixed" --model-map probe=echo > "$OUT/overhead-$rate-direct.json"
    "$nexus" load "${common[@]}" --target "http://127.0.0.1:$gwo_port" > "$OUT/overhead-$rate-gateway.json"
    "$nexus" load "${common[@]}" --target "http://127.0.0.1:$proxy_port" --model-map probe=overhead \
        --api-key-env LITELLM_MASTER_KEY > "$OUT/overhead-$rate-litellm.json"
    overhead_json+="{\"rate\": $rate, \"direct\": \"overhead-$rate-direct.json\", \"gateway\": \"overhead-$rate-gateway.json\", \"litellm\": \"overhead-$rate-litellm.json\"},"
done
overhead_json="${overhead_json%,}]"

# 6. Side by side at speed K, a fresh emulator (its scenario clock starts when it listens) for each gateway.
start_emulator() {
    "$nexus" providers "$scenario" "${sets[@]}" --seed "$SEED" --speed "$SPEED" --listen "127.0.0.1:$emu_port" \
        > /dev/null 2> "$OUT/$1-emulator.log" &
    emulator=$!; pids+=("$emulator")
    wait_http "http://127.0.0.1:$emu_port/health" "$emulator" "$OUT/$1-emulator.log" 60
}
wall=$("$py" -c 'import json, sys; s = json.load(open(sys.argv[1]))["simulated"]; print(round(s["duration_s"] / float(sys.argv[2])))' "$OUT/sim.json" "$SPEED")
sides="litellm"; [[ "$GATEWAY_SIDE" == 1 ]] && sides="litellm gateway"
for side in $sides; do
    if [[ "$side" == gateway ]]; then
        "$nexus" gateway "$scenario" "${sets[@]}" --speed "$SPEED" --listen "127.0.0.1:$gw_port" \
            --upstreams "http://127.0.0.1:$emu_port" 2> "$OUT/gateway.log" &
        gw=$!; pids+=("$gw")
        wait_http "http://127.0.0.1:$gw_port/v1/models" "$gw" "$OUT/gateway.log" 60
        target=(--target "http://127.0.0.1:$gw_port")
    else
        target=(--target "http://127.0.0.1:$proxy_port" --api-key-env LITELLM_MASTER_KEY)
    fi
    echo "side by side through $side at speed $SPEED (about $wall s plus the drain)" >&2
    start_emulator "$side"
    "$nexus" load "$scenario" "${sets[@]}" --seed "$SEED" --speed "$SPEED" "${target[@]}" "${model_map[@]}" \
        --json --no-store > "$OUT/$side.json" 2> "$OUT/$side-load.log"
    curl -fsS -m 10 "http://127.0.0.1:$emu_port/stats" > "$OUT/$side-stats.json"
    stop "$emulator"
    [[ "$side" == gateway ]] && stop "$gw"
done

# 7. The table.
side_rate=$("$py" -c 'import json, sys; s = json.load(open(sys.argv[1])); print(s["traffic"]["arrivals"] / s["simulated"]["duration_s"] * float(sys.argv[2]))' "$OUT/sim.json" "$SPEED")
"$py" - "$OUT" <<EOF
import json, platform, sys
groups = json.load(open("$OUT/meta-groups.json"))
json.dump({"scenario": "$(basename "$scenario")", "seed": $SEED, "speed": $SPEED, "litellm": "$(installed)",
           "date": "$stamp", "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
           "side_rate": $side_rate, "groups": groups, "overhead": $overhead_json}, open("$OUT/meta.json", "w"), indent=1)
EOF
set +e
"$py" "$here/compare.py" "$OUT" | tee "$OUT/table.md"
status=${PIPESTATUS[0]}
echo "results in $OUT" >&2
exit "$status"
