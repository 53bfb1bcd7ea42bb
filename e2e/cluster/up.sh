#!/usr/bin/env bash
# npm run cluster:up — starts a real Kubernetes control plane with Flagger on this machine,
# every process inside a network namespace that has only loopback:
#   etcd, kube-apiserver (client certificates, RBAC), kube-controller-manager, kube-scheduler,
#   kwok (fake nodes: pods become Running and Ready, Job pods Succeeded), the Flagger and
#   PrometheusRule CRDs, Prometheus (Debian's), the traffic simulator (e2e/cluster/simulator/)
#   and Flagger (-mesh-provider=kubernetes, metrics from that Prometheus).
# Everything is left running, daemonized; pids, logs, certificates and data are in CLUSTER_DIR
# (default <repo>/.cluster, wiped at each start). `npm run cluster:down` stops it.
# The LAST line printed is `export KUBECONFIG=<path>`; that kubeconfig names 127.0.0.1 inside
# the namespace, so use it through `npm run cluster:exec -- CMD ...`.
#
# Env overrides: see lib.sh (CLUSTER_DIR, CLUSTER_NETNS, CLUSTER_BIN), and
#   CLUSTER_NODES          number of kwok nodes                 (default: 1)
#   CLUSTER_WAIT_SECONDS   how long to wait for each component  (default: 90)
#   CLUSTER_FLAGGER_LOG_LEVEL  Flagger's -log-level             (default: info)
#   CLUSTER_SCRAPE_INTERVAL    Prometheus' scrape interval      (default: 1s; a Canary's 10s
#                              interval is the rate() window of its MetricTemplates, which
#                              needs at least two samples in it: simulator/README.md)
#   CLUSTER_SIMULATOR_ARGS     more flags for simulator.js, e.g. "--behaviour FILE"
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_NODES="${CLUSTER_NODES:-1}"
CLUSTER_WAIT_SECONDS="${CLUSTER_WAIT_SECONDS:-90}"
CLUSTER_FLAGGER_LOG_LEVEL="${CLUSTER_FLAGGER_LOG_LEVEL:-info}"
CLUSTER_SCRAPE_INTERVAL="${CLUSTER_SCRAPE_INTERVAL:-1s}"
CLUSTER_SIMULATOR_ARGS="${CLUSTER_SIMULATOR_ARGS:-}"

say() { echo "cluster:up: $*"; }
die() { echo "cluster:up: $*" >&2; exit 1; }

t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- preconditions ---------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "needs root (it creates a network namespace with ip netns)"
for tool in ip openssl curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found; npm run cluster:build installs it"
done
[ -x /usr/bin/prometheus ] || die "/usr/bin/prometheus not found; npm run cluster:build installs Debian's prometheus"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok flagger; do
  [ -x "$CLUSTER_BIN/$b" ] || die "$CLUSTER_BIN/$b not built; run npm run cluster:build"
done
command -v node >/dev/null 2>&1 || die "node not found on PATH"
KUBECTL="$CLUSTER_BIN/kubectl"

if [ -d "$CLUSTER_DIR/pids" ]; then
  for f in "$CLUSTER_DIR"/pids/*; do
    [ -e "$f" ] || continue
    if recorded_alive "$(basename "$f")"; then
      die "a cluster is already running from $CLUSTER_DIR ($(basename "$f") is up); run npm run cluster:down first"
    fi
  done
fi
if ip netns list | awk '{print $1}' | grep -qx "$CLUSTER_NETNS"; then
  if [ -n "$(ip netns pids "$CLUSTER_NETNS")" ]; then
    die "network namespace $CLUSTER_NETNS exists and has processes in it (pids: $(ip netns pids "$CLUSTER_NETNS" | tr '\n' ' ')); not started by this state folder, so not touched"
  fi
  ip netns delete "$CLUSTER_NETNS"
fi

# --- on failure: show why and stop what was started -----------------------------------------
up_ok=0
failed_component=""
on_exit() {
  [ "$up_ok" = 1 ] && return 0
  echo "cluster:up: FAILED after $(elapsed)s${failed_component:+ waiting for $failed_component}" >&2
  if [ -n "$failed_component" ] && [ -f "$CLUSTER_DIR/logs/$failed_component.log" ]; then
    echo "cluster:up: last lines of $CLUSTER_DIR/logs/$failed_component.log:" >&2
    tail -n 30 "$CLUSTER_DIR/logs/$failed_component.log" >&2 || true
  fi
  echo "cluster:up: stopping what was started (logs stay in $CLUSTER_DIR/logs/)" >&2
  bash "$cluster_here/down.sh" >&2 || true
}
trap on_exit EXIT

rm -rf "$CLUSTER_DIR"
mkdir -p "$CLUSTER_DIR"/{pki,logs,pids,etcd,prometheus/data,prometheus/rules,kubeconfig}
chmod 700 "$CLUSTER_DIR/etcd"
chmod 700 "$CLUSTER_DIR"

ip netns add "$CLUSTER_NETNS"
in_netns ip link set lo up
say "network namespace $CLUSTER_NETNS: $(in_netns ip -brief link | awk '{print $1}' | tr '\n' ' ')(loopback only)"

# --- certificates ---------------------------------------------------------------------------
pki="$CLUSTER_DIR/pki"
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
newkey "$pki/ca.key"
openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=releasectl-test-ca" -days 3650 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$pki/ca.crt" 2>/dev/null
# cert NAME SUBJECT EXTENSIONS
cert() {
  local name="$1" subj="$2" ext="$3"
  newkey "$pki/$name.key"
  openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  printf '%b\n' "$ext" > "$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -CAserial "$pki/ca.srl" -days 365 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}
client_ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'
cert apiserver "/CN=kube-apiserver" \
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1'
# Users: the admin (what KUBECONFIG gives) and kwok and Flagger are in system:masters;
# the controller manager and scheduler are the users their bootstrap RBAC roles name.
cert admin "/O=system:masters/CN=releasectl-admin" "$client_ext"
cert kwok "/O=system:masters/CN=kwok" "$client_ext"
cert flagger "/O=system:masters/CN=flagger" "$client_ext"
cert kube-controller-manager "/CN=system:kube-controller-manager" "$client_ext"
cert kube-scheduler "/CN=system:kube-scheduler" "$client_ext"
# Service account tokens.
newkey "$pki/sa.key"
openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
chmod 600 "$pki"/*.key

# kubeconfig USER: a kubeconfig with that user's certificate embedded.
kubeconfig() {
  local user="$1" b64='base64 -w0'
  cat > "$CLUSTER_DIR/kubeconfig/$user" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: releasectl
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $($b64 < "$pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $($b64 < "$pki/$user.crt")
    client-key-data: $($b64 < "$pki/$user.key")
contexts:
- name: releasectl
  context:
    cluster: releasectl
    user: $user
current-context: releasectl
EOF
  chmod 600 "$CLUSTER_DIR/kubeconfig/$user"
}
for u in admin kwok flagger kube-controller-manager kube-scheduler; do kubeconfig "$u"; done
KUBECONFIG_ADMIN="$CLUSTER_DIR/kubeconfig/admin"
say "certificates and kubeconfigs in $CLUSTER_DIR ($(elapsed)s)"

kc() { in_netns "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# --- process handling -----------------------------------------------------------------------
started=()
# start NAME CMD ARGS...: run CMD in the namespace, detached (own session, stdin from
# /dev/null, output to logs/NAME.log); record "pid start-time" in pids/NAME.
start() {
  local name="$1"; shift
  setsid ip netns exec "$CLUSTER_NETNS" "$@" </dev/null >"$CLUSTER_DIR/logs/$name.log" 2>&1 &
  local pid=$!
  local st
  st="$(proc_start_time "$pid")" || { failed_component="$name"; die "$name exited at once"; }
  echo "$pid $st" > "$CLUSTER_DIR/pids/$name"
  echo "$name" >> "$CLUSTER_DIR/pids/.order"
  started+=("$name")
}

# wait_for NAME DESCRIPTION CMD...: poll CMD (every 0.25 s) until it succeeds; fail when the
# process NAME exits or after CLUSTER_WAIT_SECONDS.
wait_for() {
  local name="$1" what="$2"; shift 2
  local deadline=$((SECONDS + CLUSTER_WAIT_SECONDS))
  while ! "$@" >/dev/null 2>&1; do
    if [ -f "$CLUSTER_DIR/pids/$name" ] && ! recorded_alive "$name"; then
      failed_component="$name"; die "$name exited (waiting for $what)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      failed_component="$name"; die "timed out after ${CLUSTER_WAIT_SECONDS}s waiting for $what"
    fi
    sleep 0.25
  done
  say "$what ($(elapsed)s)"
}
http_ok() { in_netns curl -fsS -o /dev/null --max-time 2 "$@"; }

# --- etcd -----------------------------------------------------------------------------------
start etcd "$CLUSTER_BIN/etcd" \
  --name releasectl --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "releasectl=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --log-level warn
wait_for etcd "etcd healthy" http_ok "http://127.0.0.1:$ETCD_PORT/health"

# --- kube-apiserver -------------------------------------------------------------------------
start kube-apiserver "$CLUSTER_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" --advertise-address 127.0.0.1 \
  --endpoint-reconciler-type none \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" --anonymous-auth=false \
  --authorization-mode Node,RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  --allow-privileged=true --profiling=false
wait_for kube-apiserver "kube-apiserver /readyz" kc get --raw /readyz

# --- controllers, scheduler, kwok -----------------------------------------------------------
kcm_kc="$CLUSTER_DIR/kubeconfig/kube-controller-manager"
start kube-controller-manager "$CLUSTER_BIN/kube-controller-manager" \
  --kubeconfig "$kcm_kc" --authentication-kubeconfig "$kcm_kc" --authorization-kubeconfig "$kcm_kc" \
  --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --controllers '*' --profiling=false
sched_kc="$CLUSTER_DIR/kubeconfig/kube-scheduler"
start kube-scheduler "$CLUSTER_BIN/kube-scheduler" \
  --kubeconfig "$sched_kc" --authentication-kubeconfig "$sched_kc" --authorization-kubeconfig "$sched_kc" \
  --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --profiling=false
start kwok "$CLUSTER_BIN/kwok" \
  --kubeconfig "$CLUSTER_DIR/kubeconfig/kwok" --config "$cluster_here/config/kwok.yaml" \
  --server-address "127.0.0.1:$KWOK_PORT"

# Fake nodes, managed by kwok (annotation kwok.x-k8s.io/node=fake); no taint, so any pod fits.
nodes_yaml="$CLUSTER_DIR/nodes.yaml"
: > "$nodes_yaml"
for i in $(seq 0 $((CLUSTER_NODES - 1))); do
  cat >> "$nodes_yaml" <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
# kwok's node-initialize stage keeps what the Node declares; without ephemeral-storage a node
# offers none, and every pod that requests some (the program's all do) stays Pending.
status:
  allocatable: {cpu: "32", memory: 256Gi, ephemeral-storage: 1Ti, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, ephemeral-storage: 1Ti, pods: "110"}
EOF
done
kc apply -f "$nodes_yaml" >/dev/null

# --- CRDs -----------------------------------------------------------------------------------
crds="$cluster_repo/.cache/crds"
flagger_crd="$crds/flagger@v1.36.1/crd.yaml"
promrule_crd="$crds/prometheus-operator@v0.85.0/monitoring.coreos.com_prometheusrules.yaml"
if [ ! -f "$flagger_crd" ] || [ ! -f "$promrule_crd" ]; then
  say "fetching CRDs (node scripts/fetch-crds.js)"
  node "$cluster_repo/scripts/fetch-crds.js" >&2
fi
kc apply --server-side -f "$flagger_crd" -f "$promrule_crd" >"$CLUSTER_DIR/logs/crds.log" 2>&1 \
  || { failed_component=crds; die "applying the CRDs failed"; }
wait_for kube-apiserver "CRDs established" kc wait --for condition=established --timeout 1s crd --all

# --- Prometheus and the traffic simulator (e2e/cluster/simulator/) ---------------------------
prom="$CLUSTER_DIR/prometheus"
simulator_js="$cluster_here/simulator/simulator.js"
if [ -f "$simulator_js" ]; then
  # The simulator writes the scrape configuration that matches how it serves (http_sd targets,
  # one per pod); ours are appended to its scrape_configs, its last key.
  node "$simulator_js" --print-prometheus-config --listen "127.0.0.1:$SIMULATOR_PORT" \
    --scrape-interval "$CLUSTER_SCRAPE_INTERVAL" > "$prom/prometheus.yml"
else
  say "no traffic simulator ($simulator_js missing): Prometheus scrapes only Flagger and itself"
  printf 'global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\nscrape_configs:\n' \
    "$CLUSTER_SCRAPE_INTERVAL" "$CLUSTER_SCRAPE_INTERVAL" "$CLUSTER_SCRAPE_INTERVAL" > "$prom/prometheus.yml"
fi
cat >> "$prom/prometheus.yml" <<EOF

  # Added by e2e/cluster/up.sh.
  - job_name: flagger
    static_configs:
      - targets: ["127.0.0.1:$FLAGGER_PORT"]
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:$PROMETHEUS_PORT"]

# Rule files a test may drop in (then POST /-/reload).
rule_files:
  - $prom/rules/*.yaml
EOF
/usr/bin/promtool check config "$prom/prometheus.yml" >"$CLUSTER_DIR/logs/promtool.log" 2>&1 \
  || { failed_component=promtool; die "the generated $prom/prometheus.yml is not valid"; }
start prometheus /usr/bin/prometheus \
  --config.file "$prom/prometheus.yml" --storage.tsdb.path "$prom/data" \
  --storage.tsdb.retention.time 1d \
  --web.listen-address "127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle

if [ -f "$simulator_js" ]; then
  # Serves per-pod request metrics for the pods kwok runs; tests set error rates and latency
  # per service and version with PUT $CLUSTER_SIMULATOR_URL/behaviour (see simulator.js --help).
  # shellcheck disable=SC2086
  start simulator node "$simulator_js" \
    --kubeconfig "$KUBECONFIG_ADMIN" --listen "127.0.0.1:$SIMULATOR_PORT" --interval 1s $CLUSTER_SIMULATOR_ARGS
fi

# --- wait for the rest ----------------------------------------------------------------------
wait_for kube-controller-manager "kube-controller-manager /healthz" \
  http_ok -k "https://127.0.0.1:$CONTROLLER_MANAGER_PORT/healthz"
wait_for kube-scheduler "kube-scheduler /healthz" http_ok -k "https://127.0.0.1:$SCHEDULER_PORT/healthz"
wait_for kwok "$CLUSTER_NODES kwok node(s) Ready" kc wait --for condition=Ready --timeout 1s node --all
wait_for kube-controller-manager "service account default/default" kc get serviceaccount default -n default
wait_for prometheus "Prometheus ready" http_ok "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
if [ -f "$simulator_js" ]; then
  wait_for simulator "traffic simulator /healthz" http_ok "http://127.0.0.1:$SIMULATOR_PORT/healthz"
fi

# --- Flagger --------------------------------------------------------------------------------
start flagger "$CLUSTER_BIN/flagger" \
  -kubeconfig "$CLUSTER_DIR/kubeconfig/flagger" \
  -mesh-provider kubernetes \
  -metrics-server "http://127.0.0.1:$PROMETHEUS_PORT" \
  -port "$FLAGGER_PORT" \
  -log-level "$CLUSTER_FLAGGER_LOG_LEVEL"
wait_for flagger "Flagger /healthz" http_ok "http://127.0.0.1:$FLAGGER_PORT/healthz"
flagger_started() { grep -q 'Starting operator' "$CLUSTER_DIR/logs/flagger.log"; }
wait_for flagger "Flagger operator started" flagger_started

# --- done -----------------------------------------------------------------------------------
cat > "$CLUSTER_DIR/env" <<EOF
# Written by e2e/cluster/up.sh; exec.sh sources it. Addresses are inside netns $CLUSTER_NETNS.
export CLUSTER_NETNS=$CLUSTER_NETNS
export CLUSTER_DIR=$CLUSTER_DIR
export KUBECONFIG=$KUBECONFIG_ADMIN
export CLUSTER_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
export CLUSTER_SIMULATOR_URL=http://127.0.0.1:$SIMULATOR_PORT
export CLUSTER_FLAGGER_URL=http://127.0.0.1:$FLAGGER_PORT
EOF

rss_kb=0
for name in "${started[@]}"; do
  read -r pid _ < "$CLUSTER_DIR/pids/$name"
  kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  rss_kb=$((rss_kb + ${kb:-0}))
done
up_ok=1
say "up in $(elapsed)s: ${started[*]}; resident memory $((rss_kb / 1024)) MiB; logs in $CLUSTER_DIR/logs/"
say "run commands in it with: npm run cluster:exec -- kubectl get nodes"
echo "export KUBECONFIG=$KUBECONFIG_ADMIN"
