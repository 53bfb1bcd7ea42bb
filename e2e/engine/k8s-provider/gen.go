//go:build ignore

// gen.go writes schema-embed.json (the provider schema with "version" set)
// and terraform-mapping-embed.json (compacted) into the current directory.
//
//	go run gen.go <provider module dir> <version>
package main

import (
	"encoding/json"
	"log"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: go run gen.go <provider module dir> <version>")
	}
	dir, version := os.Args[1], os.Args[2]
	src := filepath.Join(dir, "cmd", "pulumi-resource-kubernetes")

	var schema map[string]any
	readJSON(filepath.Join(src, "schema.json"), &schema)
	schema["version"] = version
	writeJSON("schema-embed.json", schema)

	var mapping any
	readJSON(filepath.Join(src, "terraform-mapping.json"), &mapping)
	writeJSON("terraform-mapping-embed.json", mapping)
}

func readJSON(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		log.Fatalf("parsing %s: %v", path, err)
	}
}

func writeJSON(path string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	// Only rewrite when the content changes, so the file stays untouched on
	// warm builds.
	if old, err := os.ReadFile(path); err == nil && string(old) == string(b) {
		return
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
