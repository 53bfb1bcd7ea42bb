//go:build tools

// Package tools pins kwok's main package for ../build.sh. kwok v0.8.0 needs
// k8s.io v0.36.x libraries and Flagger v0.27.x, the control plane v0.35.4, so
// each tool gets its own module and its own upstream-chosen dependency graph.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
