#!/usr/bin/env bash
# The test command: installs the real peers the tests talk to (when missing), then runs every
# test with Maven. Extra arguments go to Maven, e.g. scripts/test.sh -pl wire.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/install-peers.sh
exec mvn -B verify "$@"
