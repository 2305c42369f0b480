#!/usr/bin/env bash
# The project's test command (README): unit and integration tests of every module. Tests that run services as
# separate processes use the broker of deploy/kafka.sh (KAFKA_BOOTSTRAP_SERVERS); unless one is running already, a
# broker with empty storage (no records of earlier runs) is started here and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
if ! deploy/kafka.sh status > /dev/null; then
  TALE_KAFKA_STATE="$(mktemp -d /tmp/tale-kafka-test.XXXXXX)"
  export TALE_KAFKA_STATE
  trap 'deploy/kafka.sh stop; rm -rf "$TALE_KAFKA_STATE"' EXIT
fi
KAFKA_BOOTSTRAP_SERVERS="$(deploy/kafka.sh start)"
export KAFKA_BOOTSTRAP_SERVERS
mvn -B -Dstyle.color=never verify "$@"
