#!/usr/bin/env bash
# npm run test:cluster — the release suite on a real control plane (e2e/cluster/tests/): starts
# the cluster (npm run cluster:up), runs the suite inside its network namespace with its
# KUBECONFIG, and stops exactly what it started (npm run cluster:down), whatever the outcome.
# Needs the equipment (npm run cluster:build) and the Pulumi engine (npm run engine:build).
# TEST_COUNTS_FILE (set by .ci/run) reaches the reporter unchanged.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

started=0
cleanup() { [ "$started" = 1 ] && bash "$here/down.sh"; }
trap cleanup EXIT

start=$SECONDS
if ! bash "$here/up.sh"; then
  echo "test:cluster: the cluster did not start" >&2
  exit 1
fi
started=1
echo "test:cluster: cluster up in $((SECONDS - start))s"
INIT_CWD="$repo" bash "$here/exec.sh" npx mocha --config e2e/.mocharc.json "e2e/cluster/tests/**/*.test.ts" "$@"
status=$?
echo "test:cluster: suite finished in $((SECONDS - start))s (exit $status)"
exit $status
