// Command etcd is upstream etcd's own main package (go.etcd.io/etcd/server/v3,
// main.go) in a module of ours: server/v3's go.mod replaces its sibling
// modules with local paths (../api, ../pkg, ...), so `go install
// go.etcd.io/etcd/server/v3@v3.6.16` is refused. Here the siblings resolve to
// their published v3.6.16 versions instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
