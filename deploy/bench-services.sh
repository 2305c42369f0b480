#!/usr/bin/env bash
# Benchmark of the distributed search (a command, not a test). On a tiny generated model and a generated task file
# it measures, side by side in one run:
#   1. the in-process search:  tale search (one PyTorch thread);
#   2. the same search as a job: orchestrator + 1 evaluator worker (one thread) over a real Kafka broker;
#   3. the same job again with 2 evaluator workers (one thread each; both started cold, like the single one).
# and prints work units/s with 1 and 2 workers (ratio) and the distributed search's time against the in-process
# one (ratio), plus whether the job's Best/BSBA/Final equal tale search's. Everything runs on 127.0.0.1 and is
# stopped at the end; work files go to a temporary folder that is removed unless --keep is given.
#
#   deploy/bench-services.sh [--rows 240] [--layers 8] [--hidden 128] [--unit-examples 40] [--max-removed 3] [--keep]
#
# Needs the orchestrator and evaluator-worker modules built (the script builds them with mvn -o unless
# TALE_BENCH_NO_BUILD=1). Ports: TALE_BENCH_PORT_BASE (default 18480: orchestrator +0, workers +2 and +3,
# Kafka +10 and +11).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows=240 layers=8 hidden=128 unit_examples=40 max_removed=3 keep=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --hidden) hidden="$2"; shift 2 ;;
    --unit-examples) unit_examples="$2"; shift 2 ;;
    --max-removed) max_removed="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench-services: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

base="${TALE_BENCH_PORT_BASE:-18480}"
orch_port=$base
kafka_port=$((base + 10))
bootstrap="127.0.0.1:$kafka_port"
token="bench-$RANDOM$RANDOM"
work="$(mktemp -d /tmp/tale-bench-services.XXXXXX)"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
pids=()

log() { echo "bench-services: $*" >&2; }

kafka() { TALE_KAFKA_PORT=$kafka_port TALE_KAFKA_STATE="$work/kafka" "$root/deploy/kafka.sh" "$@"; }

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  kafka stop > /dev/null 2>&1 || true
  if $keep; then log "work files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
tick=$(getconf CLK_TCK)
# CPU seconds (user + system) a running process has used so far.
cpu_of() { awk -v t="$tick" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
cpu_sum() { local s=0 p; for p in "$@"; do s=$(python3 -c "print($s + $(cpu_of "$p"))"); done; echo "$s"; }
seconds() { python3 -c "print(f'{$2 - $1:.2f}')"; }

wait_ready() { # url name
  for _ in $(seq 1 240); do
    if curl -sf -o /dev/null "$1/q/health/ready"; then return 0; fi
    sleep 0.5
  done
  log "$2 not ready after 120 s; its log:"; tail -30 "$work/$2.log" >&2; exit 1
}

start_worker() { # name port
  TALE_WORKER_ID="$1" TALE_THREADS=1 QUARKUS_HTTP_PORT="$2" TALE_WORKER_MODEL_ROOT="$work/models" \
  TALE_WORKER_DATA_CACHE="$work/cache-$1-$RANDOM" TALE_WORKER_ORCHESTRATOR_URL="http://127.0.0.1:$orch_port" \
  TALE_API_TOKEN="$token" KAFKA_BOOTSTRAP_SERVERS="$bootstrap" \
    java -Xmx1g -Dai.djl.pytorch.num_threads=1 -jar "$root/evaluator-worker/target/quarkus-app/quarkus-run.jar" \
    > "$work/$1.log" 2>&1 &
  pids+=($!)
  worker_pid=$!
  wait_ready "http://127.0.0.1:$2" "$1"
}

scored_units() { # port worker
  curl -sf "http://127.0.0.1:$1/q/metrics" \
    | awk -v w="worker=\"$2\"" '/^tale_worker_units_total\{/ && index($0, w) && /outcome="scored"/ {s += $NF} END {print s + 0}'
}

api() { curl -sf -H "Authorization: Bearer $token" "$@"; }

run_job() { # label [extra spec JSON] -> sets job_seconds, job_cpu (orchestrator, broker, workers), job_id
  local body t0 state cpu0
  body=$(jq -cn --arg ds "$dataset" --argjson mr "$max_removed" --argjson extra "${2:-{\}}" \
    '{model:"tiny", task:"mc", dataset:$ds, splitSeed:3, scoring:"margin", maxRemoved:$mr} + $extra')
  cpu0=$(cpu_sum "${service_pids[@]}")
  t0=$(now)
  job_id=$(api -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$orch_port/jobs" | jq -r .id)
  while true; do
    state=$(api "http://127.0.0.1:$orch_port/jobs/$job_id" | jq -r .state)
    case "$state" in
      succeeded) break ;;
      failed|cancelled) log "job $job_id $state:"; api "http://127.0.0.1:$orch_port/jobs/$job_id" | jq . >&2; exit 1 ;;
    esac
    sleep 0.1
  done
  job_seconds=$(seconds "$t0" "$(now)")
  job_cpu=$(seconds "$cpu0" "$(cpu_sum "${service_pids[@]}")")
  api "http://127.0.0.1:$orch_port/jobs/$job_id" > "$work/job-$1.json"
}

if [[ "${TALE_BENCH_NO_BUILD:-0}" != 1 ]]; then
  log "building cli, orchestrator and evaluator-worker (mvn -o package)"
  (cd "$root" && mvn -B -q -o -Dstyle.color=never -DskipTests -pl cli,orchestrator,evaluator-worker -am package >&2)
fi

# Inputs: a tiny random Llama and a multiple-choice task file of sums.
java -jar "$root/cli/target/tale.jar" make-tiny --arch llama --layers "$layers" --hidden "$hidden" --seed 11 \
  --out "$work/models/tiny" > /dev/null
python3 - "$rows" > "$work/sums.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    a, b = i % 17 + 2, i % 23 + 3
    print(json.dumps({"query": f"What is {a} plus {b}?", "choices": [str(a + b), str(a + b + 1), str(a + b - 1)],
                      "gold": 0}))
PY

# 1. In process.
log "tale search in process"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(now)
# The child's CPU time comes from getrusage once it has exited.
local_cpu=$(TALE_THREADS=1 python3 - "$root/cli/target/tale.jar" "$work" "$max_removed" <<'PY'
import resource, subprocess, sys
jar, work, max_removed = sys.argv[1:4]
with open(f"{work}/search.out", "w") as out, open(f"{work}/search.err", "w") as err:
    subprocess.run(["java", "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-jar", jar, "search",
                    "--model", f"{work}/models/tiny", "--task", "mc", "--data", f"{work}/sums.jsonl", "--split-seed", "3",
                    "--scoring", "margin", "--max-removed", max_removed, "--out", f"{work}/search"],
                   stdout=out, stderr=err, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime + r.ru_stime:.2f}")
PY
)
local_process=$(seconds "$t0" "$(now)")
local_search=$(jq -r .cost.wallSeconds "$work/search/summary.json")

# 2. Distributed, one worker.
log "Kafka on $bootstrap"
kafka start > /dev/null
kafka_pid=$(kafka status | awk '{print $4}')
log "orchestrator on $orch_port"
QUARKUS_HTTP_PORT=$orch_port TALE_API_TOKEN="$token" TALE_ORCHESTRATOR_DATA_DIR="$work/orchestrator" \
TALE_ORCHESTRATOR_MODEL_ROOT="$work/models" TALE_ORCHESTRATOR_UNIT_EXAMPLES="$unit_examples" \
KAFKA_BOOTSTRAP_SERVERS="$bootstrap" \
  java -Xmx1g -jar "$root/orchestrator/target/quarkus-app/quarkus-run.jar" > "$work/orchestrator.log" 2>&1 &
pids+=($!)
orch_pid=$!
wait_ready "http://127.0.0.1:$orch_port" orchestrator
dataset=$(api -H 'Content-Type: application/x-ndjson' --data-binary @"$work/sums.jsonl" \
  "http://127.0.0.1:$orch_port/datasets?name=sums.jsonl" | jq -r .id)

# Warm-up, not measured: creates the topics and the consumer group, warms the orchestrator. Its worker goes away.
start_worker w0 $((base + 2))
service_pids=("$orch_pid" "$kafka_pid" "$worker_pid")
log "warm-up job"
run_job warm-up '{"limit": 4, "maxRemoved": 1}'
kill "$worker_pid"; wait "$worker_pid" 2>/dev/null || true

start_worker w1 $((base + 2))
w1_pid=$worker_pid
service_pids=("$orch_pid" "$kafka_pid" "$w1_pid")
sleep 5 # the group's assignment after w0 left
log "job with 1 worker"
run_job one
one_seconds=$job_seconds
one_cpu=$job_cpu
one_units=$(scored_units $((base + 2)) w1)
kill "$w1_pid"; wait "$w1_pid" 2>/dev/null || true

# 3. Two workers, both cold.
start_worker w2 $((base + 2))
w2_pid=$worker_pid
start_worker w3 $((base + 3))
service_pids=("$orch_pid" "$kafka_pid" "$w2_pid" "$worker_pid")
sleep 5 # rebalance: the group spreads the partitions over both
log "job with 2 workers"
run_job two
two_seconds=$job_seconds
two_cpu=$job_cpu
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
two_a=$(scored_units $((base + 2)) w2)
two_b=$(scored_units $((base + 3)) w3)
two_units=$((two_a + two_b))

same() { # job file -> yes/no: Best/BSBA/Final removed layers and accuracies as tale search's summary
  local q='[.best.removed, .bsba.removed, .final.removed, .best.test.accuracy, .bsba.test.accuracy, .final.test.accuracy]'
  if [[ "$(jq -c ".summary | $q" "$1")" == "$(jq -c "$q" "$work/search/summary.json")" ]]; then echo yes; else echo NO; fi
}

python3 - <<PY
one_units, one_s = $one_units, $one_seconds
two_units, two_s = $two_units, $two_seconds
local_search, local_process, local_cpu = $local_search, $local_process, $local_cpu
one_cpu, two_cpu = $one_cpu, $two_cpu
r1, r2 = one_units / one_s, two_units / two_s
print(f"tiny llama: $layers layers, hidden $hidden; task file $rows rows; units of at most $unit_examples examples; "
      f"max removed $max_removed; one PyTorch thread per process")
print(f"in-process tale search:       {local_search:8.2f} s search loop, {local_process:8.2f} s whole process")
print(f"distributed, 1 worker:        {one_s:8.2f} s job, {one_units} units, {r1:6.2f} units/s")
print(f"distributed, 2 workers:       {two_s:8.2f} s job, {two_units} units (w2 $two_a, w3 $two_b), {r2:6.2f} units/s")
print(f"units/s ratio, 2 workers / 1: {r2 / r1:8.2f}")
print(f"overhead, distributed (1 worker) / in-process: {one_s / local_search:.2f} x the search loop, "
      f"{one_s / local_process:.2f} x the whole tale search process (wall time)")
print(f"CPU seconds: tale search process {local_cpu:.1f}; job with 1 worker {one_cpu:.1f}, with 2 workers {two_cpu:.1f} "
      f"(orchestrator + broker + workers); ratio 1 worker / in-process {one_cpu / local_cpu:.2f}")
print(f"load average (1, 5, 15 min) before: $load_before; after: $load_after on {__import__('os').cpu_count()} CPUs "
      f"(wall-time ratios are only meaningful on an otherwise idle machine)")
PY
echo "same Best/BSBA/Final as tale search: 1 worker $(same "$work/job-one.json"), 2 workers $(same "$work/job-two.json")"
