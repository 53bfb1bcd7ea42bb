//go:build tools

// Package tools pins the upstream main packages that ../build.sh compiles into
// ../bin/. The build tag keeps this file out of every normal build while
// `go mod tidy` still records the dependencies in go.mod/go.sum.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
