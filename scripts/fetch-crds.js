#!/usr/bin/env node
"use strict";
// Fetches the upstream CustomResourceDefinitions the schema tests validate against (npm run crds):
// the Flagger CRDs and the PrometheusRule CRD, each from its project's Go module, which
// `go mod download` brings into Go's module cache. The files are copied into .cache/crds/
// (ignored by git), one folder per module version, so a version bump fetches afresh.
// Files already in the cache are kept; --force fetches them again.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const CACHE = path.join(ROOT, ".cache", "crds");

/** The CRDs, by the name the tests use. `source` is the file's path inside the module. */
const CRDS = {
    flagger: {
        module: "github.com/fluxcd/flagger",
        version: "v1.36.1",
        source: "artifacts/flagger/crd.yaml",
    },
    prometheusRule: {
        module: "github.com/prometheus-operator/prometheus-operator",
        version: "v0.85.0",
        source: "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
    },
};

/** Where the cache keeps a CRD. */
function crdFile(name) {
    const crd = CRDS[name];
    if (!crd) throw new Error(`unknown CRD ${name}`);
    return path.join(CACHE, `${path.basename(crd.module)}@${crd.version}`, path.basename(crd.source));
}

/** One line a person can act on: which CRDs are missing, why they cannot be fetched, how to get them. */
function missingMessage(failures) {
    const names = failures.map(({ name }) => `${name} (${CRDS[name].module}@${CRDS[name].version})`).join(", ");
    const reasons = [...new Set(failures.map(({ reason }) => reason))].join("; ");
    return `upstream CRDs not in ${path.relative(ROOT, CACHE)}/ and not fetched: ${names}: ${reasons}; install Go and run npm run crds`;
}

/** Go's module directory for `module@version`, downloading the module if Go's cache lacks it. Throws the reason it cannot. */
function moduleDir(name) {
    const crd = CRDS[name];
    // Outside any go.mod or workspace, so the project's own Go modules cannot interfere.
    const result = spawnSync("go", ["mod", "download", "-json", `${crd.module}@${crd.version}`], {
        cwd: os.tmpdir(),
        env: { ...process.env, GOWORK: "off" },
        encoding: "utf8",
    });
    if (result.error) {
        const reason = result.error.code === "ENOENT" ? "go is not on the PATH" : `go could not be started (${result.error.message})`;
        throw new Error(reason);
    }
    let info;
    try {
        info = JSON.parse(result.stdout);
    } catch {
        info = {};
    }
    if (result.status !== 0 || info.Error || !info.Dir) {
        const detail = (info.Error || result.stderr || `exit status ${result.status}`).trim().split("\n")[0];
        throw new Error(`go mod download failed: ${detail}`);
    }
    return info.Dir;
}

/** Writes through a temporary file in the same folder and renames it, so no reader sees half a file. */
function writeAtomically(file, text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    try {
        fs.writeFileSync(temporary, text);
        fs.renameSync(temporary, file);
    } finally {
        fs.rmSync(temporary, { force: true });
    }
}

/**
 * The cached file of each named CRD (all of them by default), fetching the ones the cache lacks
 * (or all, with force). Throws an Error whose message says what is missing and how to get it.
 */
function fetchCrds({ names = Object.keys(CRDS), force = false } = {}) {
    const files = {};
    const failures = [];
    for (const name of names) {
        const file = crdFile(name);
        if (force || !fs.existsSync(file)) {
            let dir;
            try {
                dir = moduleDir(name);
            } catch (e) {
                failures.push({ name, reason: e.message });
                continue;
            }
            const source = path.join(dir, CRDS[name].source);
            const text = fs.readFileSync(source, "utf8");
            if (!/^kind: CustomResourceDefinition$/m.test(text)) throw new Error(`${source} is not a CustomResourceDefinition`);
            writeAtomically(file, text);
        }
        files[name] = file;
    }
    if (failures.length > 0) throw new Error(missingMessage(failures));
    return files;
}

module.exports = { CRDS, CACHE, crdFile, fetchCrds };

if (require.main === module) {
    try {
        const files = fetchCrds({ force: process.argv.includes("--force") });
        for (const [name, file] of Object.entries(files)) {
            console.log(`${name}: ${CRDS[name].module}@${CRDS[name].version} ${path.relative(ROOT, file)}`);
        }
    } catch (e) {
        console.error(e.message);
        process.exit(1);
    }
}
