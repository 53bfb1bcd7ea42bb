#!/usr/bin/env bash
# npm run cluster:exec -- CMD ARGS... — runs CMD against the running cluster: inside its
# network namespace, with KUBECONFIG set to the admin kubeconfig, the built kubectl (and the
# other e2e/cluster/bin/ tools) first on PATH, and CLUSTER_PROMETHEUS_URL,
# CLUSTER_SIMULATOR_URL, CLUSTER_FLAGGER_URL set. It runs in the directory npm was started
# from (npm's INIT_CWD), so relative paths mean what they say. Exits with CMD's status.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "$#" -eq 0 ]; then
  echo "usage: npm run cluster:exec -- CMD ARGS...   (e.g. npm run cluster:exec -- kubectl get nodes)" >&2
  exit 2
fi
if [ ! -f "$CLUSTER_DIR/env" ] || ! recorded_alive kube-apiserver; then
  echo "cluster:exec: no cluster running from $CLUSTER_DIR; run npm run cluster:up" >&2
  exit 1
fi
# shellcheck disable=SC1091
source "$CLUSTER_DIR/env"
export PATH="$CLUSTER_BIN:$PATH"
cd "${INIT_CWD:-$PWD}"
exec ip netns exec "$CLUSTER_NETNS" "$@"
