//go:build tools

// Package tools pins Flagger's main package for ../build.sh, in a module of
// its own (Flagger v1.36.1 is built on k8s.io v0.27.x libraries).
package tools

import (
	_ "github.com/fluxcd/flagger/cmd/flagger"
)
