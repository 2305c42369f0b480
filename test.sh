#!/usr/bin/env bash
# The project's test command (README): unit and integration tests of every module.
set -euo pipefail
cd "$(dirname "$0")"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
exec mvn -B -Dstyle.color=never verify "$@"
