#!/usr/bin/env bash
# Builds the Kubernetes test equipment used by `npm run cluster:up` into
# e2e/cluster/bin/ (git-ignored), every binary from Go modules:
#   etcd                     go.etcd.io/etcd/server/v3 v3.6.16 (wrapper module ./etcd)
#   kube-apiserver           k8s.io/kubernetes v1.35.4 (module ./k8s, staging modules v0.35.4)
#   kube-controller-manager  "
#   kube-scheduler           "
#   kubectl                  "
#   kwok                     sigs.k8s.io/kwok v0.8.0 (module ./kwok)
#   flagger                  github.com/fluxcd/flagger v1.36.1 (module ./flagger)
# Prometheus and openssl come from Debian (/usr/bin/prometheus, /usr/bin/openssl); this
# script checks they are there and installs them with apt-get when they are not.
#
# One `go build` at a time: a kube-apiserver link takes ~2 GB. Go's module and build
# caches make repeated runs incremental; a warm run (nothing changed) takes seconds.
# Callable from any working directory.
#
# Env overrides:
#   BIN_DIR   output directory                       (default: <this dir>/bin)
#   ONLY      space-separated subset of binaries to build, e.g. ONLY="kwok flagger"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

BIN_DIR="${BIN_DIR:-$here/bin}"
mkdir -p "$BIN_DIR"
BIN_DIR="$(cd "$BIN_DIR" && pwd)"   # absolute: the builds run in module dirs
cd "$here"

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: go not found on PATH" >&2
  exit 1
fi

ALL="etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok flagger"
ONLY="${ONLY:-$ALL}"
for name in $ONLY; do
  case " $ALL " in *" $name "*) ;; *)
    echo "build.sh: unknown binary '$name' in ONLY (known: $ALL)" >&2
    exit 2 ;;
  esac
done

# Debian packages the cluster needs at run time (not built here).
missing=()
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build.sh: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: need root for apt-get install ${missing[*]}" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
    || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

# Static binaries, stripped like upstream's release builds (smaller, faster links).
export CGO_ENABLED=0

k8s_version="$(cd "$here/k8s" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"   # v1.35.4
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
# What hack/lib/version.sh stamps, so the API server reports v1.35.4 (not v0.0.0-master)
# and kubectl's version skew check has a real client version.
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

echo "build.sh: $(go version); GOCACHE=$(go env GOCACHE)"
echo "build.sh: output dir $BIN_DIR"

total_start=$SECONDS
summary=()
# build NAME MODULE_DIR PACKAGE LDFLAGS
build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4"
  case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
  echo "build.sh: building $name ($pkg in module $dir) ..."
  local start=$SECONDS
  (cd "$here/$dir" && go build -o "$BIN_DIR/$name" -ldflags "$ldflags" "$pkg")
  echo "build.sh: built $name in $((SECONDS - start))s"
  summary+=("$name $((SECONDS - start))s")
}

build etcd etcd . "-s -w"
build kube-apiserver k8s k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
build kube-controller-manager k8s k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"
build kube-scheduler k8s k8s.io/kubernetes/cmd/kube-scheduler "$k8s_ldflags"
build kubectl k8s k8s.io/kubernetes/cmd/kubectl "$k8s_ldflags"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "-s -w"
build flagger flagger github.com/fluxcd/flagger/cmd/flagger "-s -w"

echo "build.sh: done in $((SECONDS - total_start))s (${summary[*]:-nothing selected})"
