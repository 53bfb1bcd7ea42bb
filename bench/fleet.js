#!/usr/bin/env node
"use strict";
// The real Pulumi engine on a fleet of N generated services (issue 14), in render mode
// (releasectl:renderYamlToDirectory: no cluster), with a file backend and passphrase secrets, in
// two layouts:
//   one      one stack of N services (the old layout); past ~181 services its PULUMI_CONFIG no
//            longer fits Linux's 131,072-byte limit and the engine cannot start the program;
//   grouped  a stack per group of BENCH_FLEET_GROUP (35) services, production-g01, -g02, ...,
//            each with releasectl:environment: production (the design docs/scale.md chose).
// For each it times preview, `up` from empty and a one-service release as ship runs it
// (cli/ship/decide.ts: `preview --save-plan PLAN`, then `up --yes --plan PLAN --skip-preview`), in the grouped layout the
// whole fleet's stacks one after the other and the release in the first group's stack, and
// records the peak RSS of the program (the node process the language host starts). It prints a
// table per layout beside issue 14's figures, a least-squares fit of time against N with a flag
// for growth faster than linear, and issue 14's goals with PASS or MISS.
//
// Slow: minutes for 50 services, most of an hour for 500. Not part of `npm run bench` unless
// named (`node bench/run.js fleet`); run directly with `node bench/fleet.js`.
//   BENCH_FLEET_SIZES    services per fleet, comma-separated (default 1,10,50; the issue's set is
//                        1,10,50,100,200,500)
//   BENCH_FLEET_LAYOUTS  one,grouped (default both)
//   BENCH_FLEET_GROUP    services per stack in the grouped layout (default 35)
//   BENCH_FLEET_TARGET=1 the release as ship --target runs it (svc-000's URNs only, and the
//                        program told by RELEASECTL_TARGET_FILE to declare svc-000 alone)
//   BENCH_FLEET_RELEASES one-service releases per fleet, one after the other (default 3); the
//                        table shows their median, as one release is the figure goals compare
//   BENCH_FLEET_KEEP=1   keep the temporary directories (their paths are printed)
//   BENCH_FLEET_RESULTS  a JSON-lines file: each fleet measured is appended to it, and a fleet
//                        already in it (same layout, size and group size) is reused, not measured
//                        again, so a long run can be split or resumed; each row says when it ran
//   BENCH_FLEET_REPORT=1 measure nothing: print the tables of the fleets BENCH_FLEET_RESULTS holds
// It measures the committed program (git HEAD, its policy pack compiled in a temporary copy), so
// uncommitted edits in the working tree neither count nor break it.
const { execFileSync, spawn, spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { stringify } = require("yaml");
const { ROOT, generatedStack, time, median, printTable } = require("./_lib");

const ENGINE_BIN = path.join(ROOT, "e2e", "engine", "bin");
const SIZES = (process.env.BENCH_FLEET_SIZES ?? "1,10,50").split(",").map(Number).filter((n) => n > 0);
const LAYOUTS = (process.env.BENCH_FLEET_LAYOUTS ?? "one,grouped").split(",").filter(Boolean);
/** BENCH_FLEET_TARGET=1: the release as `ship --target` runs it, limited to svc-000's URNs. */
const TARGET = process.env.BENCH_FLEET_TARGET === "1";

/** `--target URN` for each of svc-000's resources, as ship --target computes them (dist/, npm run build). */
function targetArgs(dir, stack, before, after) {
    const { parseStackText } = require(path.join(ROOT, "dist", "config", "load.js"));
    const { serviceTargets } = require(path.join(ROOT, "dist", "cli", "ship", "targets.js"));
    const shown = `Pulumi.${stack}.yaml`;
    return serviceTargets(parseStackText(dir, stack, before, shown), parseStackText(dir, stack, after, shown), "svc-000").flatMap((urn) => ["--target", urn]);
}
const GROUP = Number(process.env.BENCH_FLEET_GROUP ?? 35);
const KEEP = process.env.BENCH_FLEET_KEEP === "1";
const RESULTS = process.env.BENCH_FLEET_RESULTS;
const REPORT_ONLY = process.env.BENCH_FLEET_REPORT === "1";
const RELEASES = Math.max(1, Number(process.env.BENCH_FLEET_RELEASES ?? 3));
const PASSPHRASE = "bench-passphrase";
const POLL_MS = 100;

/** Issue 14's measurements of the one-stack layout (s, s, s, MB); 181 services and more failed. */
const OLD = {
    1: { resources: 11, preview: 3.9, up: 8.9, release: 8.5, rss: 406 },
    50: { resources: 438, preview: 13.7, up: 57.7, release: 20.7, rss: 550 },
    100: { resources: 877, preview: 39.7, up: 206, release: 37.9, rss: 750 },
    180: { resources: 1577, preview: 120, rss: 961 },
};
const oldFigure = (n, key) => (n > 180 ? "fails" : OLD[n]?.[key] === undefined ? "—" : String(OLD[n][key]));

for (const bin of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"]) {
    if (!fs.existsSync(path.join(ENGINE_BIN, bin))) {
        console.error(`bench/fleet.js: ${path.join(ENGINE_BIN, bin)} is missing; build the engine first (npm run engine:build)`);
        process.exit(2);
    }
}

// ---------------------------------------------------------------------------------------------
// The project under test and its secrets

/**
 * A temporary copy of the committed project (git HEAD) with node_modules linked and the policy
 * pack compiled into its dist/ (policies/compiled.js runs dist/policies/index.js). The program
 * itself runs from index.ts as the language host starts it.
 */
function buildTemplate(dir) {
    fs.mkdirSync(dir, { recursive: true });
    // Others may commit while a long run goes on: one commit, named in every result, for all its fleets.
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const archive = execFileSync("git", ["archive", "--format=tar", commit], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    // The repository's own stacks (with their salts) are not the bench's.
    for (const f of fs.readdirSync(dir)) if (/^Pulumi\..+\.yaml$/.test(f)) fs.rmSync(path.join(dir, f));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    // Only what the pack imports: the full tsconfig also compiles the tests.
    fs.writeFileSync(path.join(dir, "tsconfig.bench.json"), JSON.stringify({ extends: "./tsconfig.json", include: ["policies/**/*.ts"] }));
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc", { paths: [ROOT] }), "-p", "tsconfig.bench.json"], { cwd: dir, stdio: "inherit" });
    return commit;
}

/**
 * The passphrase secrets provider's key and `encryptionsalt`, made here as the engine makes them
 * (pkg/secrets/passphrase: PBKDF2-SHA256, 1,000,000 rounds, AES-256-GCM, "pulumi" as the check
 * message), so that every stack of a run shares one salt and its secrets are real ciphertexts
 * without a `pulumi config set --secret` per secret.
 */
function passphraseCrypter(passphrase) {
    const salt = crypto.randomBytes(8);
    const key = crypto.pbkdf2Sync(passphrase, salt, 1_000_000, 32, "sha256");
    const encrypt = (plaintext) => {
        const nonce = crypto.randomBytes(12);
        const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce);
        const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
        return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
    };
    return { encrypt, salt: `v1:${salt.toString("base64")}:${encrypt("pulumi")}` };
}

/** Plaintexts for the generated stack's `secure:` values, by key. */
const PLAINTEXT = {
    address: "https://hooks.slack.test/services/T0/B0/bench-webhook",
    databaseUrl: "postgres://app:bench-db-password@db.bench:5432/app",
};

/** `value` with every `{secure: ...}` replaced by a real ciphertext of the plaintext for its key. */
function encrypted(value, encrypt, key = "") {
    if (Array.isArray(value)) return value.map((v) => encrypted(v, encrypt));
    if (value === null || typeof value !== "object") return value;
    if (Object.keys(value).length === 1 && "secure" in value) return { secure: encrypt(PLAINTEXT[key] ?? `bench-secret-${key}`) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encrypted(v, encrypt, k)]));
}

/** Service `name`'s next release: a patch version up, the previous one kept, its evidence renamed. */
function released(service) {
    const [major, minor, patch] = service.version.split(".").map(Number);
    const version = `${major}.${minor}.${patch + 1}`;
    const evidence = Object.fromEntries(Object.entries(service.evidence).map(([k, v]) => [k, v.replace(`-${service.version}`, `-${version}`)]));
    return { ...service, version, previousVersion: service.version, evidence };
}

// ---------------------------------------------------------------------------------------------
// Running the engine, with the program's peak memory

/** Every process's parent, command line and VmHWM (peak RSS, kB) from /proc; vanished ones are skipped. */
function processTable() {
    const table = new Map();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // The command name is in parentheses and may hold spaces: the fields after it are fixed.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            table.set(Number(entry), { ppid });
        } catch {
            // exited between readdir and read
        }
    }
    return table;
}

/** What a process of pulumi's tree is: the program, the policy pack, the CLI, or other. */
function role(pid, rootPid) {
    if (pid === rootPid) return "engine";
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (argv.some((a) => /@pulumi[/\\]pulumi[/\\]cmd[/\\]run-policy-pack/.test(a))) return "pack";
    if (argv.some((a) => /@pulumi[/\\]pulumi[/\\]cmd[/\\]run([/\\]index\.js)?$/.test(a))) return "program";
    return undefined;
}

/**
 * Runs pulumi with `args` in `cwd` and resolves to its exit code, output, wall time (s) and the
 * peak RSS (MB) of the program, the policy pack and the CLI. The process tree under pulumi is
 * read from /proc every POLL_MS; a process's VmHWM is its own high-water mark, so the last
 * reading before it exits misses at most the growth of its final POLL_MS.
 */
function pulumi(args, cwd, env) {
    return new Promise((resolve) => {
        const started = process.hrtime.bigint();
        const child = spawn(path.join(ENGINE_BIN, "pulumi"), [...args, "--non-interactive"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const chunks = [];
        child.stdout.on("data", (d) => chunks.push(d));
        child.stderr.on("data", (d) => chunks.push(d));
        const peakKb = { program: 0, pack: 0, engine: 0 };
        const roles = new Map(); // pid -> role, read once per process
        const poll = () => {
            const table = processTable();
            const inTree = (pid) => {
                for (let p = pid, hops = 0; p > 1 && hops < 32; p = table.get(p)?.ppid ?? 0, hops++) if (p === child.pid) return true;
                return false;
            };
            for (const pid of table.keys()) {
                if (!inTree(pid)) continue;
                try {
                    if (!roles.has(pid)) roles.set(pid, role(pid, child.pid));
                    const r = roles.get(pid);
                    if (r === undefined) continue;
                    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
                    if (hwm) peakKb[r] = Math.max(peakKb[r], Number(hwm[1]));
                } catch {
                    // exited while being read
                }
            }
        };
        const timer = setInterval(poll, POLL_MS);
        child.on("close", (code) => {
            clearInterval(timer);
            const output = Buffer.concat(chunks).toString("utf8");
            const mb = (kb) => (kb === 0 ? undefined : kb / 1024);
            resolve({
                code: code ?? 1,
                output,
                seconds: Number(process.hrtime.bigint() - started) / 1e9,
                rss: { program: mb(peakKb.program), pack: mb(peakKb.pack), engine: mb(peakKb.engine) },
            });
        });
    });
}

/** A run's outcome: "ok", "fails" (the configuration is past the environment string limit) or "error". */
function outcome(run) {
    if (run.code === 0) return "ok";
    return /argument list too long/.test(run.output) ? "fails" : "error";
}

/** The resources `pulumi up` reports as created (its summary's `+ N created`). */
function created(output) {
    const m = [...output.matchAll(/\+\s+(\d+)\s+created/g)].pop();
    return m ? Number(m[1]) : undefined;
}

/** `pulumi up`'s summary of what changed ("+ 1 created, ~ 2 updated, 4 changes. 8 unchanged"), for the log. */
function changes(output) {
    // The last summary: `up` prints its preview's ("to create") before the update's ("created").
    const m = [...output.matchAll(/Resources:\n([\s\S]*?)\n\s*\n/g)].pop();
    return m ? m[1].split("\n").map((l) => l.trim()).filter(Boolean).join(", ") : "no summary";
}

/** The last lines of a failed run that say why (errors first), for the log. */
function why(run) {
    const lines = run.output.split("\n");
    const errors = lines.filter((l) => /error|\[mandatory\]/i.test(l)).slice(0, 12);
    return [...errors, "...", ...lines.slice(-15)].join("\n");
}

/** Load beside each measurement: the machine is shared, so `node -e 0` and the load average say how busy it was. */
function machineLoad() {
    return { nodeMs: median(time(["-e", "0"], ROOT, 5)), load: os.loadavg()[0] };
}

// ---------------------------------------------------------------------------------------------
// One fleet: stacks created, previewed, brought up from empty, one service released

/** The stacks of a fleet of `count` services in `layout`: their names and services. */
function fleetStacks(count, layout) {
    const services = Object.entries(generatedStack(count, "production").config["releasectl:services"]);
    if (layout === "one") return [{ name: "production", services }];
    const stacks = [];
    for (let i = 0; i < services.length; i += GROUP) {
        stacks.push({ name: `production-g${String(stacks.length + 1).padStart(2, "0")}`, services: services.slice(i, i + GROUP) });
    }
    return stacks;
}

/** Measures one fleet in a fresh temporary directory; returns its figures (seconds, MB). */
async function measureFleet(template, commit, crypter, count, layout) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `releasectl-fleet-${layout}-${count}-`));
    const dir = path.join(root, "project");
    fs.cpSync(template, dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    fs.mkdirSync(path.join(root, "state"));
    // The provider built here, in the plugin cache under the version @pulumi/kubernetes asks for
    // (as e2e/tests/workspace.ts does), so no ambient plugin or download is involved.
    const version = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json", { paths: [ROOT] }), "utf8")).version;
    const plugin = path.join(root, "home", "plugins", `resource-kubernetes-v${version}`);
    fs.mkdirSync(plugin, { recursive: true });
    fs.symlinkSync(path.join(ENGINE_BIN, "pulumi-resource-kubernetes"), path.join(plugin, "pulumi-resource-kubernetes"));
    const env = {
        ...process.env,
        PATH: `${ENGINE_BIN}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
        PULUMI_HOME: path.join(root, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    };
    delete env.PULUMI_ACCESS_TOKEN;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;

    const stacks = fleetStacks(count, layout);
    const stackFile = (stack) => path.join(dir, `Pulumi.${stack.name}.yaml`);
    const writeStack = (stack) => {
        const { config } = generatedStack(0, "production");
        config["releasectl:services"] = Object.fromEntries(stack.services);
        config["releasectl:renderYamlToDirectory"] = path.join(root, "rendered", stack.name);
        fs.writeFileSync(stackFile(stack), stringify({ encryptionsalt: crypter.salt, config: encrypted(config, crypter.encrypt) }, { lineWidth: 0 }));
    };
    const pack = ["--policy-pack", "policies"];
    const result = { count, layout, group: GROUP, target: TARGET, commit, at: new Date().toISOString(), stacks: stacks.length, ...machineLoad(), resources: 0, rss: { program: 0, pack: 0, engine: 0 } };
    const noteRss = (run) => {
        for (const k of Object.keys(result.rss)) result.rss[k] = Math.max(result.rss[k], run.rss[k] ?? 0);
    };
    try {
        for (const stack of stacks) {
            // `stack init` keeps the salt of a stack file that is already there: every stack of the run shares one.
            writeStack(stack);
            const init = await pulumi(["stack", "init", stack.name], dir, env);
            if (init.code !== 0) throw new Error(`pulumi stack init ${stack.name} failed:\n${why(init)}`);
        }
        // Each phase runs over the whole fleet, stack after stack; a stack that fails ends the phase.
        const phase = async (name, argsOf, stacksOfPhase) => {
            let seconds = 0;
            for (const stack of stacksOfPhase) {
                const run = await pulumi(argsOf(stack), dir, env);
                const state = outcome(run);
                if (state !== "ok") {
                    if (state === "error") console.error(`${layout} ${count}: ${name} of ${stack.name} failed (${run.code}):\n${why(run)}`);
                    return { state };
                }
                seconds += run.seconds;
                noteRss(run);
                if (name === "up") result.resources += created(run.output) ?? 0;
                if (name === "release") result.releaseChanges = changes(run.output);
            }
            return { state: "ok", seconds };
        };
        result.preview = await phase("preview", (s) => ["preview", "--stack", s.name, ...pack], stacks);
        result.up = await phase("up", (s) => ["up", "--stack", s.name, ...pack, "--yes"], stacks);
        if (result.up.state === "ok") {
            // The release: svc-000 one patch version up in its stack (the first), then ship's preview and up;
            // RELEASES times, each on the previous one, and their median kept.
            const [first] = stacks;
            const runs = [];
            for (let k = 0; k < RELEASES; k++) {
                const before = fs.readFileSync(stackFile(first), "utf8");
                first.services = first.services.map(([name, service]) => [name, name === "svc-000" ? released(service) : service]);
                writeStack(first);
                const target = TARGET ? targetArgs(dir, first.name, before, fs.readFileSync(stackFile(first), "utf8")) : [];
                // and, as ship --target does, the program declares only svc-000 (components/targetedServices.ts)
                if (TARGET) {
                    env.RELEASECTL_TARGET_FILE = path.join(root, "targets.json");
                    fs.writeFileSync(env.RELEASECTL_TARGET_FILE, JSON.stringify({ stack: first.name, services: ["svc-000"] }));
                }
                // as ship runs it: the preview saves an update plan, up applies it without a second preview
                const plan = path.join(root, `release-${k}.plan.json`);
                const previewed = await phase("release", (s) => ["preview", "--stack", s.name, ...pack, ...target, "--save-plan", plan], [first]);
                const applied = previewed.state === "ok" ? await phase("release", (s) => ["up", "--stack", s.name, ...pack, ...target, "--yes", "--plan", plan, "--skip-preview"], [first]) : previewed;
                const run = applied.state === "ok" ? { state: "ok", seconds: previewed.seconds + applied.seconds } : applied;
                delete env.RELEASECTL_TARGET_FILE;
                if (run.state !== "ok") {
                    runs.length = 0;
                    result.release = run;
                    break;
                }
                runs.push(run.seconds);
            }
            if (runs.length) result.release = { state: "ok", seconds: median([...runs].sort((a, b) => a - b)), runs };
            result.releaseStackServices = first.services.length;
        } else {
            result.release = { state: result.up.state };
        }
        return result;
    } finally {
        if (KEEP) console.log(`kept ${root}`);
        else fs.rmSync(root, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------
// Tables, fits and goals

const seconds = (p) => (p === undefined ? "—" : p.state === "ok" ? p.seconds.toFixed(1) : p.state);
const megabytes = (mb) => (mb ? mb.toFixed(0) : "—");

function printLayout(layout, results) {
    console.log(`\n## ${layout === "one" ? "one stack of N services (the old layout)" : `a stack per group of ${GROUP} services (production-g01, ...)`}`);
    console.log(
        layout === "one"
            ? "preview / up / release: one stack; old: issue 14's figures for the same layout"
            : "preview / up: every stack of the fleet, one after the other; release: svc-000 in production-g01; old: issue 14's one-stack figures",
    );
    printTable(
        results.map((r) => ({
            services: String(r.count),
            stacks: String(r.stacks),
            resources: r.resources ? String(r.resources) : "—",
            "preview s": seconds(r.preview),
            "old preview": oldFigure(r.count, "preview"),
            "up s": seconds(r.up),
            "old up": oldFigure(r.count, "up"),
            "release s": seconds(r.release),
            runs: String(r.release?.runs?.length ?? (r.release?.state === "ok" ? 1 : 0)),
            "old release": oldFigure(r.count, "release"),
            "program MB": megabytes(r.rss.program),
            "old MB": oldFigure(r.count, "rss"),
            "pack MB": megabytes(r.rss.pack),
            "CLI MB": megabytes(r.rss.engine),
            "node -e 0 ms": r.nodeMs.toFixed(0),
            load: r.load.toFixed(2),
            "at UTC": r.at.slice(11, 16),
            program: r.commit ?? "—",
        })),
    );
}

/**
 * Least squares of t = a + b·N over the sizes that succeeded, and the growth test: the average
 * cost of a service beyond the first, (t(N) - t(1)) / (N - 1) (t(N) / N when N = 1 was not
 * measured), at the largest N against the smallest N > 1, and the log-log slope of that
 * variable part. Faster than linear: a ratio over 1.5 or a slope over 1.2.
 */
function fit(points) {
    const ok = points.filter((p) => p.t !== undefined);
    if (ok.length < 2) return undefined;
    const n = ok.length;
    const mx = ok.reduce((s, p) => s + p.n, 0) / n;
    const my = ok.reduce((s, p) => s + p.t, 0) / n;
    const sxx = ok.reduce((s, p) => s + (p.n - mx) ** 2, 0);
    const b = ok.reduce((s, p) => s + (p.n - mx) * (p.t - my), 0) / sxx;
    const a = my - b * mx;
    const sst = ok.reduce((s, p) => s + (p.t - my) ** 2, 0);
    const r2 = sst === 0 ? 1 : 1 - ok.reduce((s, p) => s + (p.t - a - b * p.n) ** 2, 0) / sst;
    const base = ok.find((p) => p.n === 1);
    const variable = ok
        .filter((p) => p.n > 1)
        .map((p) => (base ? { n: p.n - 1, t: p.t - base.t } : { n: p.n, t: p.t }))
        .filter((p) => p.t > 0);
    let ratio;
    let slope;
    if (variable.length >= 2) {
        const first = variable[0];
        const last = variable[variable.length - 1];
        ratio = last.t / last.n / (first.t / first.n);
        const lx = variable.map((p) => Math.log(p.n));
        const ly = variable.map((p) => Math.log(p.t));
        const lmx = lx.reduce((s, x) => s + x, 0) / lx.length;
        const lmy = ly.reduce((s, y) => s + y, 0) / ly.length;
        slope = lx.reduce((s, x, i) => s + (x - lmx) * (ly[i] - lmy), 0) / lx.reduce((s, x) => s + (x - lmx) ** 2, 0);
    }
    const superlinear = (ratio !== undefined && ratio > 1.5) || (slope !== undefined && slope > 1.2);
    return { a, b, r2, ratio, slope, superlinear, sizes: ok.map((p) => p.n) };
}

/**
 * Least squares of t = a·stacks + b·N with no intercept, for a fleet of several stacks: what each
 * stack costs whatever its size (the CLI, language host, program and pack starting) and what
 * each service costs. Undefined with fewer than two sizes or a single stack count.
 */
function fitPerStack(points) {
    const ok = points.filter((p) => p.t !== undefined);
    const skk = ok.reduce((s, p) => s + p.k * p.k, 0);
    const skn = ok.reduce((s, p) => s + p.k * p.n, 0);
    const snn = ok.reduce((s, p) => s + p.n * p.n, 0);
    const det = skk * snn - skn * skn;
    if (ok.length < 2 || Math.abs(det) < 1e-9) return undefined;
    const skt = ok.reduce((s, p) => s + p.k * p.t, 0);
    const snt = ok.reduce((s, p) => s + p.n * p.t, 0);
    return { a: (skt * snn - snt * skn) / det, b: (snt * skk - skt * skn) / det };
}

function printFits(layout, results) {
    const rows = [];
    for (const key of ["preview", "up", "release"]) {
        const points = results.map((r) => ({ n: r.count, k: r.stacks, t: r[key]?.state === "ok" ? r[key].seconds : undefined }));
        const f = fit(points);
        if (!f) continue;
        // Several stacks (the grouped fleet's preview and up): each stack's fixed cost apart.
        const g = key !== "release" && results.some((r) => r.stacks > 1) ? fitPerStack(points) : undefined;
        rows.push({
            [`${layout}: fit`]: key,
            sizes: f.sizes.join(","),
            "fixed s": f.a.toFixed(2),
            "ms per service": (f.b * 1000).toFixed(0),
            R2: f.r2.toFixed(3),
            "cost ratio largest/smallest": f.ratio === undefined ? "—" : f.ratio.toFixed(2),
            "log-log slope": f.slope === undefined ? "—" : f.slope.toFixed(2),
            growth: f.superlinear ? "FASTER THAN LINEAR" : f.ratio === undefined && f.slope === undefined ? "too few sizes" : "linear",
            "s per stack + ms per service": g ? `${g.a.toFixed(2)} + ${(g.b * 1000).toFixed(0)}` : "—",
        });
    }
    if (rows.length) printTable(rows);
}

/** Issue 14's goals, on the grouped layout (the design) at the largest N measured. */
function printGoals(byLayout) {
    const grouped = byLayout.grouped ?? [];
    const one = byLayout.one ?? [];
    if (grouped.length === 0) return;
    const largest = grouped[grouped.length - 1];
    const at = `N=${largest.count}${largest.count === 500 ? "" : ", goal at 500"}`;
    // The one-service stack's release: this layout's own N = 1 first (same run), else the old layout's.
    const single = [...grouped, ...one].find((r) => r.count === 1 && r.release?.state === "ok");
    // Linear in N where it matters, past one group: a stack's own cost grows faster than linear
    // (one-stack table), but a group never grows past GROUP services, so the fleet's preview is
    // linear once every size is at least a full group. With fewer than two such sizes, all sizes.
    const full = grouped.filter((r) => r.count >= GROUP);
    const linearSizes = full.length >= 2 ? full : grouped;
    const previewFit = fit(linearSizes.map((r) => ({ n: r.count, t: r.preview?.state === "ok" ? r.preview.seconds : undefined })));
    const rows = [
        {
            goal: `preview and release the fleet (${at})`,
            measured: `preview ${seconds(largest.preview)}, release ${seconds(largest.release)}`,
            result: largest.preview?.state === "ok" && largest.release?.state === "ok" ? "PASS" : "MISS",
        },
        {
            goal: `one-service release within 2x a one-service stack's (${at})`,
            measured: single && largest.release?.state === "ok" ? `${largest.release.seconds.toFixed(1)} s vs ${single.release.seconds.toFixed(1)} s: ${(largest.release.seconds / single.release.seconds).toFixed(2)}x` : "N=1 not measured",
            result: single && largest.release?.state === "ok" ? (largest.release.seconds <= 2 * single.release.seconds ? "PASS" : "MISS") : "MISS",
        },
        {
            goal: `preview linear in N (sizes ${previewFit?.sizes.join(",") ?? "—"}${full.length >= 2 ? `: at least a full group of ${GROUP}` : ""})`,
            measured: previewFit ? `ratio ${previewFit.ratio?.toFixed(2) ?? "—"}, slope ${previewFit.slope?.toFixed(2) ?? "—"}` : "too few sizes",
            result: previewFit && !previewFit.superlinear && (previewFit.ratio !== undefined || previewFit.slope !== undefined) ? "PASS" : "MISS",
        },
        {
            goal: `program under 1 GB (${at}; max over the fleet's stacks)`,
            measured: `${megabytes(largest.rss.program)} MB`,
            result: largest.rss.program > 0 && largest.rss.program < 1024 ? "PASS" : "MISS",
        },
    ];
    console.log("\n## goals (issue 14), grouped layout");
    printTable(rows);
}

async function main() {
    console.log(`bench/fleet.js: sizes ${SIZES.join(",")}, layouts ${LAYOUTS.join(",")}, group size ${GROUP}; ${new Date().toISOString()}`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "releasectl-fleet-"));
    const byLayout = {};
    const earlier = RESULTS && fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    try {
        // Built when the first fleet is measured (not at all when every one is reused).
        const template = path.join(work, "template");
        let crypter;
        let commit;
        for (const layout of LAYOUTS) {
            byLayout[layout] = [];
            for (const count of SIZES) {
                const reused = earlier.find((r) => r.layout === layout && r.count === count && r.group === GROUP);
                if (reused) {
                    console.log(`${layout} ${count}: measured at ${reused.at}, from ${RESULTS}`);
                    byLayout[layout].push(reused);
                    continue;
                }
                if (REPORT_ONLY) continue;
                const started = Date.now();
                if (!crypter) {
                    commit = buildTemplate(template);
                    crypter = passphraseCrypter(PASSPHRASE);
                }
                const r = await measureFleet(template, commit, crypter, count, layout);
                byLayout[layout].push(r);
                if (RESULTS) fs.appendFileSync(RESULTS, `${JSON.stringify(r)}\n`);
                console.log(
                    `${layout} ${count} (program at ${commit}): ${r.stacks} stack(s), preview ${seconds(r.preview)}, up ${seconds(r.up)}, release${r.target ? " (--target)" : ""} ${seconds(r.release)}, program ${megabytes(r.rss.program)} MB; release runs ${r.release?.runs?.map((x) => x.toFixed(1)).join(", ") ?? "—"}: ${r.releaseChanges ?? "—"} (node -e 0 ${r.nodeMs.toFixed(0)} ms, load ${r.load.toFixed(2)}; ${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
                );
            }
        }
    } finally {
        if (!KEEP) fs.rmSync(work, { recursive: true, force: true });
    }
    for (const layout of LAYOUTS) {
        if (byLayout[layout].length === 0) continue;
        printLayout(layout, byLayout[layout]);
        printFits(layout, byLayout[layout]);
    }
    // Last: its table's MISS sets the exit code (printTable).
    printGoals(byLayout);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
