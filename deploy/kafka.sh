#!/usr/bin/env bash
# A single-node KRaft Kafka broker from Maven Central jars, for local runs and tests (no Docker needed).
#
#   deploy/kafka.sh start    start it (no-op when it runs), wait until it answers, print the bootstrap address
#   deploy/kafka.sh stop     stop it (no-op when it does not run)
#   deploy/kafka.sh status   print "running <bootstrap> pid <pid>" (exit 0) or "stopped" (exit 3)
#
# Environment:
#   TALE_KAFKA_PORT   client port on 127.0.0.1 (default 19092; the controller listens on port + 1)
#   TALE_KAFKA_HOME   jar cache (default ~/.cache/tale/kafka); filled once with mvn from deploy/kafka/pom.xml
#   TALE_KAFKA_STATE  pid file, logs and data (default /tmp/tale-kafka-<port>)
# Topics are created on first use with 8 partitions (the orchestrator's TALE_ORCHESTRATOR_PARTITIONS).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${TALE_KAFKA_PORT:-19092}"
controller_port=$((port + 1))
home="${TALE_KAFKA_HOME:-$HOME/.cache/tale/kafka}"
state="${TALE_KAFKA_STATE:-/tmp/tale-kafka-$port}"
pidfile="$state/broker.pid"
log="$state/broker.log"
bootstrap="127.0.0.1:$port"
jars="$home/lib-$(sha256sum "$here/kafka/pom.xml" | cut -c1-12)"

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "kafka.Kafka" "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

# Whether the broker accepts connections on its client port (bash's /dev/tcp: no client tools needed).
answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

fetch_jars() {
  [[ -f "$jars/.complete" ]] && return 0
  echo "fetching the Kafka broker jars into $jars" >&2
  mkdir -p "$jars"
  mvn -B -q -Dstyle.color=never -f "$here/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$jars" -Dmdep.useRepositoryLayout=false >&2
  touch "$jars/.complete"
}

write_properties() {
  cat > "$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/data
num.partitions=8
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=8388608
PROPS
}

java_cmd() {
  java -Xmx256m -Xms64m -XX:+UseSerialGC -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" \
      -cp "$jars/*" "$@"
}

start() {
  local pid
  if pid="$(running_pid)"; then
    echo "Kafka already running: $bootstrap (pid $pid)" >&2
    echo "$bootstrap"
    return 0
  fi
  if answers; then
    echo "port $port on 127.0.0.1 is taken by another process: set TALE_KAFKA_PORT" >&2
    return 1
  fi
  fetch_jars
  mkdir -p "$state"
  write_properties
  if [[ ! -f "$state/data/meta.properties" ]]; then
    java_cmd kafka.tools.StorageTool format -t "$(java_cmd kafka.tools.StorageTool random-uuid)" \
        -c "$state/server.properties" >> "$log" 2>&1 \
      || { echo "formatting the broker's storage failed; see $log" >&2; return 1; }
  fi
  local seen
  seen=$(wc -l < "$log" 2>/dev/null || echo 0)
  nohup java -Xmx256m -Xms64m -XX:+UseSerialGC -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" \
      -cp "$jars/*" kafka.Kafka "$state/server.properties" >> "$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if ! running_pid > /dev/null; then
      echo "the broker exited during start-up; last lines of $log:" >&2
      tail -20 "$log" >&2
      rm -f "$pidfile"
      return 1
    fi
    if answers && tail -n +"$((seen + 1))" "$log" | grep -q "Kafka Server started"; then
      echo "Kafka running: $bootstrap (pid $(cat "$pidfile"), logs $log)" >&2
      echo "$bootstrap"
      return 0
    fi
    sleep 0.5
  done
  echo "the broker did not answer on $bootstrap within 60 s; see $log" >&2
  return 1
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    echo "Kafka not running"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "Kafka stopped (pid $pid)"; return 0; }
    sleep 0.5
  done
  echo "the broker did not stop within 30 s; killing pid $pid" >&2
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running $bootstrap pid $pid (state $state)"
  else
    echo "stopped"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
