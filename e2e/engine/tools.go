//go:build tools

// Package tools pins the upstream main packages that build.sh compiles into
// bin/. The build tag keeps this file out of every normal build while
// `go mod tidy` still records the dependencies in go.mod/go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
