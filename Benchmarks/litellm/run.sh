#!/usr/bin/env bash
# LiteLLM side by side: installs a pinned LiteLLM proxy into a virtualenv, starts it offline on loopback with
# the config `nexus-sim export litellm` writes for a scenario, and checks that it serves.
#
#   Benchmarks/litellm/run.sh [SCENARIO]          # default Scenarios/litellm-router.yaml
#
# Steps:
#   1. venv: Benchmarks/litellm/.venv with litellm[proxy]==$LITELLM_VERSION and opentelemetry-sdk from PyPI
#      (skipped when already installed at that version).
#   2. config: `nexus-sim export litellm SCENARIO --api-base http://127.0.0.1:$EMULATOR_PORT` (every deployment
#      pointed at the provider emulator's /<provider>/v1).
#   3. proxy: LiteLLM on 127.0.0.1:$PROXY_PORT with LITELLM_LOCAL_MODEL_COST_MAP=True (no price-map download),
#      LITELLM_TELEMETRY_DISABLED=True, no database, and a master key generated for this run; waits for
#      /health/liveliness, checks that /v1/models lists every model group, then stops it.
#
# Not yet here: the side-by-side measurement (provider emulator + open-loop load generator against the proxy,
# next to `nexus-sim run` of the imported scenario); it needs `nexus-sim providers` and `nexus-sim load`.
#
# Everything listens on 127.0.0.1 only, every process it starts is stopped on exit, and each wait is bounded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scenario="${1:-$root/Scenarios/litellm-router.yaml}"
LITELLM_VERSION="${LITELLM_VERSION:-1.74.9}"
PROXY_PORT="${PROXY_PORT:-4123}"
EMULATOR_PORT="${EMULATOR_PORT:-4124}"
venv="$here/.venv"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# 1. The virtualenv, pinned.
if [[ ! -x "$venv/bin/litellm" ]] || [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null)" != "$LITELLM_VERSION" ]]; then
    echo "installing litellm[proxy]==$LITELLM_VERSION into $venv (large; a few minutes)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "litellm[proxy]==$LITELLM_VERSION" opentelemetry-sdk
fi
echo "litellm $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))')" >&2

# 2. The config, from the scenario.
nexus="${NEXUS_SIM:-$root/.build/release/nexus-sim}"
[[ -x "$nexus" ]] || { echo "build nexus-sim first: swift build -c release" >&2; exit 2; }
"$nexus" export litellm "$scenario" --api-base "http://127.0.0.1:$EMULATOR_PORT" > "$work/config.yaml"
groups=$("$venv/bin/python" - "$work/config.yaml" <<'EOF'
import sys, yaml
print(" ".join(sorted({d["model_name"] for d in yaml.safe_load(open(sys.argv[1]))["model_list"]})))
EOF
)

# 3. The proxy, offline on loopback.
export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_TELEMETRY_DISABLED=True DISABLE_SCHEMA_UPDATE=True
export LITELLM_MASTER_KEY="sk-$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
export NEXUS_EMULATOR_KEY="sk-emulator"
"$venv/bin/litellm" --config "$work/config.yaml" --host 127.0.0.1 --port "$PROXY_PORT" > "$work/proxy.log" 2>&1 &
pids+=($!)
started=$(date +%s)
until curl -fsS -m 2 "http://127.0.0.1:$PROXY_PORT/health/liveliness" > /dev/null 2>&1; do
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then echo "the proxy exited:" >&2; tail -20 "$work/proxy.log" >&2; exit 1; fi
    if (( $(date +%s) - started > 120 )); then echo "the proxy did not answer within 120 s" >&2; tail -20 "$work/proxy.log" >&2; exit 1; fi
    sleep 1
done
echo "proxy up after $(( $(date +%s) - started )) s on 127.0.0.1:$PROXY_PORT" >&2
served=$(curl -fsS -m 5 -H "Authorization: Bearer $LITELLM_MASTER_KEY" "http://127.0.0.1:$PROXY_PORT/v1/models" \
    | "$venv/bin/python" -c 'import json, sys; print(" ".join(sorted(m["id"] for m in json.load(sys.stdin)["data"])))')
if [[ "$served" != "$groups" ]]; then echo "the proxy serves '$served', the config has '$groups'" >&2; exit 1; fi
echo "model groups served: $served" >&2
