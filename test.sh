#!/usr/bin/env bash
# The project's test command (README): unit and integration tests of every module. Tests bring their own Kafka
# brokers: in the test JVM (EmbeddedKafkaBroker), or, for services run as separate processes, one started with
# deploy/kafka.sh on a free port. A broker address inherited from the environment would override theirs in the
# Quarkus tests, so it is dropped here.
set -euo pipefail
cd "$(dirname "$0")"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
unset KAFKA_BOOTSTRAP_SERVERS
exec mvn -B -Dstyle.color=never verify "$@"
