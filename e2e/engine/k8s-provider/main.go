// Command pulumi-resource-kubernetes serves the upstream Kubernetes provider
// (github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider).
//
// Upstream's own main package (provider/v4/cmd/pulumi-resource-kubernetes)
// cannot be built from the module cache: it embeds schema-embed.json and
// terraform-mapping-embed.json, which upstream creates with `go generate`
// and does not ship in the module zip. build.sh runs gen.go to create both
// files here (git-ignored) from the schema.json and terraform-mapping.json
// that the module does ship, then builds this package.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
