#!/usr/bin/env bash
# npm run cluster:down — stops exactly what `npm run cluster:up` started: the processes
# recorded in CLUSTER_DIR/pids/ (a recorded pid is signalled only while it is still the same
# process: same pid and start time), newest first, SIGTERM then SIGKILL after 15 s; then
# deletes the network namespace. Processes that something else started in the namespace
# (e.g. with cluster:exec) are listed, not killed; the namespace is deleted only once it is
# empty. Logs and data stay in CLUSTER_DIR until the next cluster:up.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say() { echo "cluster:down: $*"; }

names=()
if [ -f "$CLUSTER_DIR/pids/.order" ]; then
  mapfile -t names < <(tac "$CLUSTER_DIR/pids/.order")
fi

stopped=()
for name in "${names[@]}"; do
  if recorded_alive "$name"; then
    read -r pid _ < "$CLUSTER_DIR/pids/$name"
    t=$(date +%s%N)
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 15))
    while recorded_alive "$name" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if recorded_alive "$name"; then
      say "$name (pid $pid) did not stop on SIGTERM within 15 s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while recorded_alive "$name"; do sleep 0.1; done
    fi
    stopped+=("$name($(( ($(date +%s%N) - t) / 1000000 ))ms)")
  fi
  rm -f "$CLUSTER_DIR/pids/$name"
done
rm -f "$CLUSTER_DIR/pids/.order"

status=0
if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$CLUSTER_NETNS"; then
  others="$(ip netns pids "$CLUSTER_NETNS" | tr '\n' ' ')"
  if [ -n "${others// /}" ]; then
    say "not started by cluster:up, still running in namespace $CLUSTER_NETNS (left alone, namespace kept):"
    for p in $others; do echo "  $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-160)"; done
    status=1
  else
    ip netns delete "$CLUSTER_NETNS"
    say "network namespace $CLUSTER_NETNS deleted"
  fi
fi
say "stopped: ${stopped[*]:-nothing was running}"
exit "$status"
