#!/bin/bash
# Exercises deploy/slurm/nexus-sim-array.sbatch on a real, throw-away, single-node Slurm cluster on this
# machine: installs Debian's slurm-wlm and munge, starts munged, slurmctld and slurmd by hand (no systemd),
# submits the array and its merge for a sharded simulation and for a sharded live load (against the provider
# emulator, `nexus-sim providers`, which the script starts), checks that each merged JSON equals the unsharded run's, and stops every daemon it started.
#
#   sudo deploy/slurm/test-local.sh            # from the checkout, after `swift build -c release`
#
# Needs root (apt, daemons under /etc/slurm and /var/spool) and Debian 12. Not part of `swift test`: it
# installs packages and runs daemons. Exit code 0 when both merges equal the unsharded runs.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NEXUS_SIM="${NEXUS_SIM:-${ROOT}/.build/release/nexus-sim}"
SHARDS="${SHARDS:-2}"
WORK="$(mktemp -d /tmp/nexus-slurm-test.XXXXXX)"
PORT="${PORT:-18089}"
PIDS=()

log() { echo "test-local: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null; done
    for pidfile in /run/slurmctld.pid /run/slurmd.pid /run/munge/munged.pid; do
        [ -f "${pidfile}" ] && kill "$(cat "${pidfile}")" 2>/dev/null
    done
    # Live (not zombie) processes of the daemons this script started.
    alive() { ps -C slurmctld,slurmd,slurmstepd,munged -o pid=,stat=,comm= | awk '$2 !~ /Z/'; }
    for _ in $(seq 50); do [ -z "$(alive)" ] && break; sleep 0.1; done
    [ -n "$(alive)" ] && log "warning: still running: $(alive | tr '\n' ' ')"
    log "work files in ${WORK}"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (installs packages, starts daemons)"
[ -x "${NEXUS_SIM}" ] || fail "no nexus-sim at ${NEXUS_SIM}; build with swift build -c release or set NEXUS_SIM"

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null
fi

# munge: a key, then the daemon as its own user.
if [ ! -s /etc/munge/munge.key ]; then
    (command -v mungekey >/dev/null && mungekey --create --force) || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
runuser -u munge -- munged --force
for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null || fail "munge does not work"

# Slurm: one node with this machine's CPUs, one partition.
HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB="$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)"
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=nexus-test
SlurmctldHost=${HOST}
AuthType=auth/munge
SlurmUser=root
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
NodeName=${HOST} CPUs=${CPUS} RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=debug Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i
slurmd
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)' && break; sleep 0.2; done
sinfo -h -o %T | grep -qE '^(idle|mixed)' || { sinfo; fail "the node did not come up (see /var/log/slurm)"; }
log "cluster up: ${HOST}, ${CPUS} CPUs"

# Submits the array with the given exports and its merge; waits; prints the merged JSON's path.
submit() {
    local name="$1" exports="$2"
    local results="${WORK}/${name}"
    mkdir -p "${WORK}/logs" "${results}"
    local array merge
    array=$(cd "${ROOT}" && sbatch --parsable --array=1-"${SHARDS}" --output="${WORK}/logs/%x-%A_%a.out" \
        --export="ALL,NEXUS_SIM=${NEXUS_SIM},RESULTS=${results},${exports}" deploy/slurm/nexus-sim-array.sbatch)
    merge=$(cd "${ROOT}" && sbatch --parsable --dependency=afterok:"${array}" --job-name=nexus-sim-merge \
        --cpus-per-task=1 --mem=1G --output="${results}/merged.json" --error="${results}/merge.err" \
        --wrap "${NEXUS_SIM} merge --json --db ${results}/merged.sqlite ${results}/shard-*-of-${SHARDS}.sqlite")
    log "${name}: array job ${array}, merge job ${merge}"
    # Jobs not yet finished (squeue -j also lists finished jobs, for MinJobAge: ask for the live states).
    active() { squeue -h -j "${array},${merge}" -t PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED 2>/dev/null | grep -q .; }
    for _ in $(seq 1200); do
        active || break
        sleep 0.5
    done
    active && fail "${name}: jobs still queued after 10 minutes: $(squeue -t all)"
    # No accounting daemon here (sacct needs one): the controller still knows the finished job.
    state=$(scontrol show job -o "${merge}" 2>/dev/null | grep -oE 'JobState=[A-Z_]+' || true)
    [ -s "${results}/merged.json" ] || { cat "${WORK}"/logs/* "${results}/merge.err" >&2; fail "${name}: the merge wrote no JSON (${state})"; }
    jq -e . "${results}/merged.json" >/dev/null || fail "${name}: merged.json is not clean JSON"
    echo "${results}/merged.json"
}

# 1. A simulation: replications split over the shards; the merge equals the unsharded run byte for byte.
SIM_FLAGS="--param duration_s=300 --param warmup_s=30 --param servers=10 --param arrival_rate=8"
merged=$(submit sim "SCENARIO=Scenarios/validation/mmc.yaml,REPLICATIONS=4,SEED=5,EXTRA_FLAGS=${SIM_FLAGS}")
(cd "${ROOT}" && "${NEXUS_SIM}" run Scenarios/validation/mmc.yaml ${SIM_FLAGS} --seed 5 --replications 4 --json --no-store --quiet) > "${WORK}/sim-whole.json"
if ! diff <(jq -S . "${WORK}/sim-whole.json") <(jq -S . "${merged}") >/dev/null; then
    diff <(jq -S . "${WORK}/sim-whole.json") <(jq -S . "${merged}") | head -20 >&2
    fail "simulation: the merged run differs from the unsharded run"
fi
log "simulation: merged ${SHARDS} shards = unsharded run"

# 2. A live load: arrivals split over the shards, all loading one provider emulator (`nexus-sim providers`) at
# once. The emulator answers with the token counts the load hints (x-nexus-*-tokens) and this scenario has no
# errors, limits or outages, so what is sent and billed does not depend on timing: the shards must add up to
# the unsharded load exactly. The load targets the provider's OpenAI base; --model-map names its models.
cat > "${WORK}/live.yaml" <<'YAML'
name: slurm-live
simulation: {duration: 120s, warmup: 10s, drain: 30s, seed: 4, series_window: 10s}
gateway: {instances: 2, concurrency: 256}
providers:
  - name: acme
    classifications: [public, internal]
    models:
      - {name: big, price: {input_per_mtok: $2.5, output_per_mtok: $10}, ttft: 200ms, tokens_per_second: 400}
      - {name: small, price: {input_per_mtok: $0.15, output_per_mtok: $0.6}, ttft: 100ms}
tiers:
  - {name: premium, strategy: priority, models: [acme/big]}
  - {name: cheap, strategy: priority, models: [acme/small]}
traffic:
  arrivals: {process: poisson, rate: 20/s}
  users: {count: 50}
  classes:
    - {name: agents, share: 40%, tier: premium, classification: internal, input_tokens: {dist: lognormal, median: 300, p95: 2000}, output_tokens: {dist: lognormal, median: 200, p95: 900}, max_output_tokens: 800, stream: true}
    - {name: drafts, share: 60%, tier: cheap, input_tokens: 120, output_tokens: {dist: exponential, mean: 150}}
YAML
"${NEXUS_SIM}" providers "${WORK}/live.yaml" --listen "127.0.0.1:${PORT}" --speed 20 > "${WORK}/providers.out" 2> "${WORK}/providers.err" &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^http://' "${WORK}/providers.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^http://' "${WORK}/providers.out" || { cat "${WORK}/providers.err" >&2; fail "the provider emulator did not start"; }
TARGET="http://127.0.0.1:${PORT}/acme/v1"
LIVE_FLAGS="--model-map agents=big --model-map drafts=small"
merged=$(submit live "MODE=load,SCENARIO=${WORK}/live.yaml,SEED=9,TARGET=${TARGET},SPEED=20,EXTRA_FLAGS=${LIVE_FLAGS}")
"${NEXUS_SIM}" load "${WORK}/live.yaml" ${LIVE_FLAGS} --target "${TARGET}" --speed 20 --seed 9 --json --no-store > "${WORK}/live-whole.json" 2>/dev/null
# Wall-clock figures (latency, send lag) differ between any two live runs; what was sent and billed may not.
KEYS='{requests, succeeded, failed, rejected, traffic, cost: (.cost_usd.total * 1e9 | round),
       classes: (.by_class | map_values(.requests)), models: (.by_model | map({model, requests, input_tokens, output_tokens})),
       source: .traffic.source, sent: .live.sent}'
if ! diff <(jq -S "${KEYS}" "${WORK}/live-whole.json") <(jq -S "${KEYS}" "${merged}") >/dev/null; then
    diff <(jq -S "${KEYS}" "${WORK}/live-whole.json") <(jq -S "${KEYS}" "${merged}") >&2
    fail "live load: the merged shards differ from the unsharded load"
fi
jq -e '.traffic.source == "live" and .requests > 1000 and .succeeded == .requests' "${merged}" >/dev/null \
    || fail "live load: unexpected merged JSON: $(jq -c '{requests, succeeded, failed}' "${merged}")"
log "live load: merged ${SHARDS} shards = unsharded load ($(jq .requests "${merged}") requests, \$$(jq .cost_usd.total "${merged}"))"
log "PASS"
