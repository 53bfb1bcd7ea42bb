# Shared by up.sh, exec.sh and down.sh (sourced, not run): where the cluster lives.
#
# Env overrides (the same for all three entry points):
#   CLUSTER_DIR    state folder: certificates, kubeconfigs, data, logs, pids (default: <repo>/.cluster)
#   CLUSTER_NETNS  name of the network namespace everything runs in       (default: releasectl)
#   CLUSTER_BIN    folder of the built binaries                            (default: e2e/cluster/bin)
# Two clusters can run at once with different CLUSTER_DIR and CLUSTER_NETNS: the ports below
# are inside the namespace, so they never meet.

cluster_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cluster_repo="$(cd "$cluster_here/../.." && pwd)"

CLUSTER_DIR="${CLUSTER_DIR:-$cluster_repo/.cluster}"
CLUSTER_NETNS="${CLUSTER_NETNS:-releasectl}"
CLUSTER_BIN="${CLUSTER_BIN:-$cluster_here/bin}"
mkdir -p "$(dirname "$CLUSTER_DIR")"
CLUSTER_DIR="$(cd "$(dirname "$CLUSTER_DIR")" && pwd)/$(basename "$CLUSTER_DIR")"

# Ports, all on 127.0.0.1 inside the namespace (it has no other address).
ETCD_PORT=2379
ETCD_PEER_PORT=2380
APISERVER_PORT=6443
CONTROLLER_MANAGER_PORT=10257
SCHEDULER_PORT=10259
KWOK_PORT=10247
PROMETHEUS_PORT=9090
FLAGGER_PORT=10080      # Flagger's -port binds every interface; in the namespace that is loopback only
SIMULATOR_PORT=9464     # the traffic simulator (e2e/cluster/simulator/simulator.js --listen)

# in_netns CMD ARGS...: run a command inside the cluster's network namespace.
in_netns() {
  ip netns exec "$CLUSTER_NETNS" "$@"
}

# proc_start_time PID: the process's start time in clock ticks since boot (field 22 of
# /proc/PID/stat), which with the pid names one process: a reused pid has another start time.
proc_start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # The command name (field 2) may hold spaces and parentheses: cut after the last ')'.
  stat="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# recorded_alive NAME: true when the process recorded as NAME is still the one up.sh started.
recorded_alive() {
  local file="$CLUSTER_DIR/pids/$1" pid start now
  [ -f "$file" ] || return 1
  read -r pid start < "$file" || return 1
  now="$(proc_start_time "$pid")" || return 1
  [ "$now" = "$start" ] || return 1
  # A process that has exited but not yet been reaped (a zombie, state Z) is not up.
  local state
  state="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  state="${state##*) }"
  [ "${state%% *}" != Z ]
}
