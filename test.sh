#!/usr/bin/env bash
# The project's test command (README): unit and integration tests of every module. Tests that run services as
# separate processes use the broker of deploy/kafka.sh (KAFKA_BOOTSTRAP_SERVERS); it is started here and stopped
# afterwards, unless it was already running.
set -euo pipefail
cd "$(dirname "$0")"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
if ! deploy/kafka.sh status > /dev/null; then
  trap 'deploy/kafka.sh stop' EXIT
fi
KAFKA_BOOTSTRAP_SERVERS="$(deploy/kafka.sh start)"
export KAFKA_BOOTSTRAP_SERVERS
mvn -B -Dstyle.color=never verify "$@"
