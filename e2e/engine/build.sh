#!/usr/bin/env bash
# Builds the Pulumi test equipment used by the end-to-end tests into
# e2e/engine/bin/:
#   pulumi                      CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
#   pulumi-resource-kubernetes  provider (pulumi-kubernetes/provider/v4/pkg/provider,
#                               served by ./k8s-provider, see README.md)
#   pulumi-language-nodejs      Node.js language host (./langhost-nodejs, see README.md)
# Go's module and build caches make repeated runs incremental; a warm run
# (nothing changed) takes seconds. Callable from any working directory.
#
# Env overrides:
#   PULUMI_VERSION       version stamped into the CLI   (default: from go.mod)
#   K8S_PROVIDER_VERSION version stamped into provider  (default: @pulumi/kubernetes in package.json)
#   BIN_DIR              output directory               (default: <this dir>/bin)
#   ONLY                 space-separated subset of binaries to build
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

# The CLI version comes from the pulumi/pkg requirement in go.mod so the two
# never drift apart.
default_pulumi_version="$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"
PULUMI_VERSION="${PULUMI_VERSION:-$default_pulumi_version}"
# The provider is stamped with the version the program's @pulumi/kubernetes asks for (package.json
# pins it exactly to the release line of the one provider snapshot the module proxy serves), so the
# engine runs this build for it from the plugin cache; a mismatch fails the end-to-end suite.
sdk_k8s_version="$(sed -n 's/^ *"@pulumi\/kubernetes": *"\([0-9][0-9.]*\)".*/\1/p' "$here/../../package.json")"
if [ -z "$sdk_k8s_version" ]; then
  echo "build.sh: package.json must pin @pulumi/kubernetes to an exact version (the provider built here is stamped with it)" >&2
  exit 1
fi
K8S_PROVIDER_VERSION="${K8S_PROVIDER_VERSION:-$sdk_k8s_version}"

sdk_version_var="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
k8s_version_var="github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version"

ONLY="${ONLY:-pulumi pulumi-resource-kubernetes pulumi-language-nodejs}"

echo "build.sh: $(go version); GOCACHE=$(go env GOCACHE)"
echo "build.sh: output dir $BIN_DIR"

total_start=$SECONDS
# build NAME MODULE_DIR PACKAGE LDFLAGS
build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4"
  case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
  echo "build.sh: building $name ($pkg in module $dir) ..."
  local start=$SECONDS
  (cd "$here/$dir" && go build -o "$BIN_DIR/$name" -ldflags "$ldflags" "$pkg")
  echo "build.sh: built $name in $((SECONDS - start))s"
}

build pulumi . github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-X $sdk_version_var=$PULUMI_VERSION"
case " $ONLY " in *" pulumi-resource-kubernetes "*)
  # Upstream's main package embeds files made by `go generate`; recreate them.
  (cd "$here/k8s-provider" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
  k8s_dir="$(cd "$here/k8s-provider" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
  echo "build.sh: generating k8s-provider/*-embed.json (version $K8S_PROVIDER_VERSION)"
  (cd "$here/k8s-provider" && go run gen.go "$k8s_dir" "$K8S_PROVIDER_VERSION")
  ;;
esac
build pulumi-resource-kubernetes k8s-provider . \
  "-X $k8s_version_var=$K8S_PROVIDER_VERSION"
build pulumi-language-nodejs . ./langhost-nodejs \
  "-X $sdk_version_var=$PULUMI_VERSION"

echo "build.sh: done in $((SECONDS - total_start))s (pulumi $PULUMI_VERSION, kubernetes provider $K8S_PROVIDER_VERSION)"
