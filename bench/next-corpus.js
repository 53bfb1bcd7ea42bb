#!/usr/bin/env node
"use strict";
// How often `releasectl next` predicts the version real projects actually released (issue 12).
// Usage: node bench/next-corpus.js [REPO...]   (default: every bare repository under
// $CORPUS_DIR, default /work/.mirror/*/repo). Needs dist/ (npm run build).
//
// For each repository, its release tags are grouped into lines by prefix (`v1.2.3` and `1.2.3`
// are one line; a monorepo's `<package>-v1.2.3` / `<package>@1.2.3` tags are the package's line,
// read with the path packages/<package>). For each release tag T of a line: the base is the
// newest stable tag of the line reachable from T below it (for a prerelease T: the newest tag of
// any kind), and `next` computes the version from the commits base..T (with --prerelease <id>
// for a prerelease T), as the project would have run it just before tagging T. A hit is that
// version equal to T's. The peer column runs conventional-recommended-bump (angular preset, the
// engine of standard-version and lerna) on the same range and applies its bump to the base.
// Output: per repository hits/total for both, the misses of ours (with RELEASECTL_MISSES=1), and
// the overall percentages.
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const semver = require("semver");

const ROOT = path.join(__dirname, "..");
if (!fs.existsSync(path.join(ROOT, "dist", "cli", "commands", "next.js"))) {
    console.error("bench/next-corpus.js: dist/ is missing; run `npm run build` first");
    process.exit(2);
}
const { computeNext } = require(path.join(ROOT, "dist", "cli", "commands", "next.js"));

const CORPUS_DIR = process.env.CORPUS_DIR ?? "/work/.mirror";
const SHOW_MISSES = process.env.RELEASECTL_MISSES === "1";
const PEER = process.env.CORPUS_PEER !== "0";

function repositories() {
    const args = process.argv.slice(2);
    if (args.length > 0) return args.map((a) => path.resolve(a));
    return fs
        .readdirSync(CORPUS_DIR)
        .map((d) => path.join(CORPUS_DIR, d, "repo"))
        .filter((d) => fs.existsSync(path.join(d, "HEAD")));
}

const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" };
const git = (dir, args) => execFileSync("git", ["--git-dir", dir, ...args], { env, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });

/** Release tags grouped by line: prefix → [{tag, version}]. */
function lines(dir) {
    const byLine = new Map();
    for (const tag of git(dir, ["tag", "--list"]).split("\n").filter(Boolean)) {
        const m = /^(.*?)(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
        if (!m || !semver.valid(m[2])) continue;
        const prefix = m[1];
        const line = prefix === "v" || prefix === "" ? "" : prefix;
        if (line !== "" && !/(-v|@|-)$/.test(prefix)) continue;
        if (!byLine.has(line)) byLine.set(line, []);
        byLine.get(line).push({ tag, prefix, version: m[2] });
    }
    return byLine;
}

/** The package folder of a monorepo line, when it exists at `ref`. */
function packagePath(dir, line, ref) {
    const name = line.replace(/(-v|@|-)$/, "").replace(/^@[^/]+\//, "");
    for (const folder of [`packages/${name}`, `@commitlint/${name}`, `packages/@commitlint/${name.replace(/^@commitlint\//, "")}`]) {
        try {
            git(dir, ["cat-file", "-e", `${ref}:${folder}`]);
            return folder;
        } catch {
            // not this one
        }
    }
    return undefined;
}

async function peerVersion(Bumper, dir, base, tag, commitPath, prerelease) {
    const bumper = new Bumper(path.dirname(dir)).loadPreset("angular").tag(base.tag);
    bumper.commits(commitPath ? { to: tag, path: commitPath } : { to: tag });
    const rec = await bumper.bump();
    if (!rec.releaseType) return undefined;
    const from = base.version;
    if (prerelease === undefined) return semver.inc(from.replace(/-.*$/, "") === from ? from : from, rec.releaseType);
    // standard-version's --prerelease: pre<type> from a stable base, else the line continues
    if (semver.prerelease(from) === null) return semver.inc(from, `pre${rec.releaseType}`, prerelease, "1");
    return semver.inc(from, "prerelease", prerelease);
}

async function main() {
    let Bumper;
    if (PEER) {
        try {
            ({ Bumper } = await import("conventional-recommended-bump"));
        } catch (e) {
            console.error(`conventional-recommended-bump not installed (${e.message}): peer column skipped`);
        }
    }
    // A worktree-less bare repository: git needs a work tree for nothing here (log and tag only).
    const rows = [];
    let total = 0;
    let hits = 0;
    let peerHits = 0;
    const scratch = fs.mkdtempSync(path.join(require("os").tmpdir(), "releasectl-corpus-"));
    for (const mirror of repositories()) {
        const name = path.basename(path.dirname(mirror)).replace("+", "/");
        // next reads a repository with a work tree: a shared clone without checkout costs nothing
        const work = path.join(scratch, name.replace("/", "+"));
        execFileSync("git", ["clone", "-q", "--shared", "--no-checkout", mirror, work], { env, stdio: "ignore" });
        const dir = path.join(work, ".git");
        let repoTotal = 0;
        let repoHits = 0;
        let repoPeer = 0;
        const misses = [];
        for (const [line, tags] of lines(dir)) {
            tags.sort((a, b) => semver.compare(a.version, b.version));
            for (const t of tags) {
                const reachable = new Set(git(dir, ["tag", "--merged", t.tag]).split("\n").filter(Boolean));
                const pre = semver.prerelease(t.version);
                const candidates = tags.filter((o) => o !== t && reachable.has(o.tag) && semver.lt(o.version, t.version) && (pre !== null || semver.prerelease(o.version) === null));
                if (candidates.length === 0) continue;
                const base = candidates[candidates.length - 1];
                // a tag on the same commit as its base released nothing new (a re-tag); skip it
                if (git(dir, ["rev-parse", `${t.tag}^{commit}`]) === git(dir, ["rev-parse", `${base.tag}^{commit}`])) continue;
                let commitPath;
                if (line !== "") {
                    commitPath = packagePath(dir, line, t.tag);
                    if (commitPath === undefined) continue;
                }
                const prerelease = pre === null ? undefined : String(pre[0]);
                if (prerelease !== undefined && /^\d+$/.test(prerelease)) continue;
                let ours;
                try {
                    const r = computeNext({ repo: work, from: base.tag, to: t.tag, tagPrefix: base.prefix, prerelease, paths: commitPath ? [commitPath] : undefined, env });
                    ours = r.version;
                } catch (e) {
                    ours = `error: ${e.message.split("\n")[0]}`;
                }
                repoTotal++;
                if (ours === t.version) repoHits++;
                else misses.push(`${base.tag}..${t.tag}: next ${ours ?? "nothing"}`);
                if (Bumper) {
                    try {
                        if ((await peerVersion(Bumper, dir, base, t.tag, commitPath, prerelease)) === t.version) repoPeer++;
                    } catch {
                        // counts as a miss
                    }
                }
            }
        }
        if (repoTotal === 0) continue;
        total += repoTotal;
        hits += repoHits;
        peerHits += repoPeer;
        rows.push({ name, repoTotal, repoHits, repoPeer, misses });
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    const pct = (n, d) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(1)} %`);
    const width = Math.max(10, ...rows.map((r) => r.name.length));
    console.log(`${"repository".padEnd(width)}  releases  next hits       ${Bumper ? "conventional-recommended-bump" : "(peer skipped)"}`);
    for (const r of rows) {
        console.log(`${r.name.padEnd(width)}  ${String(r.repoTotal).padStart(8)}  ${`${r.repoHits} (${pct(r.repoHits, r.repoTotal)})`.padEnd(14)}  ${Bumper ? `${r.repoPeer} (${pct(r.repoPeer, r.repoTotal)})` : ""}`);
        if (SHOW_MISSES) for (const m of r.misses) console.log(`    miss ${m}`);
    }
    console.log(`${"overall".padEnd(width)}  ${String(total).padStart(8)}  ${`${hits} (${pct(hits, total)})`.padEnd(14)}  ${Bumper ? `${peerHits} (${pct(peerHits, total)})` : ""}`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
