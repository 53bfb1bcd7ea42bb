import { expect } from "chai";
import * as npm from "semver";
import * as ours from "../../cli/semver";
import { rng } from "../helpers/stack-shapes";

/** Versions of every shape: valid ones with every kind of identifier, and near misses. */
function versions(seed: number, count: number): string[] {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    // mostly valid parts, and now and then one the grammar or the package's limits refuse
    const num = () => (r() < 0.93 ? pick(["0", "1", "2", "9", "10", "11", "123"]) : pick(["01", "00", "9007199254740991", "9007199254740992", "99999999999999999999"]));
    const id = () => (r() < 0.93 ? pick(["alpha", "beta", "rc", "0", "1", "2", "10", "x-y", "-", "-1", "1a", "a1", "Z", "z", "alpha1", "9007199254740993"]) : pick(["01", "", "a_b"]));
    const ids = () => Array.from({ length: 1 + Math.floor(r() * 3) }, id).join(".");
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
        let v = `${num()}.${num()}.${num()}`;
        if (r() < 0.5) v += `-${ids()}`;
        if (r() < 0.25) v += `+${ids()}`;
        const roll = r();
        if (roll < 0.05) v = `v${v}`;
        else if (roll < 0.08) v = ` ${v} `;
        else if (roll < 0.1) v = `=${v}`;
        else if (roll < 0.12) v = v.replace(".", "");
        else if (roll < 0.13) v = `${v}.1`;
        else if (roll < 0.14) v = v + "x".repeat(250);
        out.push(v);
    }
    return out.concat(["1.2.3", "1.2.3-0", "1.2.3-0.0", "1.2.3-a.b", "1.2.3-a.1", "1.2.3-1.a", "1.2.3+b", "1.2.3-rc.1+b.2", "v1.2.3", "1.2", "", " ", "a.b.c", "1.2.3-", "1.2.3+", "1.2.3-a..b"]);
}

function outcome<T>(f: () => T): T | { threw: string } {
    try {
        return f();
    } catch (e) {
        return { threw: (e as Error).constructor.name };
    }
}

describe("releasectl's semver functions answer as npm's semver does", () => {
    const all = versions(42, 600);

    it("valid, prerelease, major, minor and patch, on valid versions and near misses", () => {
        let valid = 0;
        for (const v of all) {
            expect(ours.valid(v), JSON.stringify(v)).to.equal(npm.valid(v));
            expect(ours.prerelease(v), JSON.stringify(v)).to.deep.equal(npm.prerelease(v));
            for (const f of ["major", "minor", "patch"] as const) expect(outcome(() => ours[f](v)), `${f}(${JSON.stringify(v)})`).to.deep.equal(outcome(() => npm[f](v)));
            if (npm.valid(v) !== null) valid++;
        }
        // both kinds are well represented
        expect(valid).to.be.greaterThan(all.length * 0.4);
        expect(valid).to.be.lessThan(all.length * 0.95);
        expect(ours.valid(undefined)).to.equal(null);
        expect(ours.valid(123 as unknown as string)).to.equal(npm.valid(123 as unknown as string));
    });

    it("compare, compareBuild, gt and lt, on every pair of a sample (invalid versions throw alike)", () => {
        const sample = all.slice(0, 160);
        let ordered = 0;
        for (const a of sample) {
            for (const b of sample) {
                const pair = `${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
                const expected = outcome(() => npm.compare(a, b));
                expect(outcome(() => ours.compare(a, b)), pair).to.deep.equal(expected);
                expect(outcome(() => ours.compareBuild(a, b)), pair).to.deep.equal(outcome(() => npm.compareBuild(a, b)));
                expect(outcome(() => ours.gt(a, b)), pair).to.deep.equal(outcome(() => npm.gt(a, b)));
                expect(outcome(() => ours.lt(a, b)), pair).to.deep.equal(outcome(() => npm.lt(a, b)));
                if (typeof expected === "number" && expected !== 0) ordered++;
            }
        }
        expect(ordered).to.be.greaterThan(5000);
    });

    it("sorts a list exactly as the package sorts it", () => {
        const valid = all.filter((v) => npm.valid(v) !== null);
        expect([...valid].sort(ours.compareBuild)).to.deep.equal([...valid].sort(npm.compareBuild));
    });

    it("inc is the package's own", () => {
        for (const v of ["1.2.3", "1.2.3-rc.1", "0.0.0"]) {
            for (const kind of ["major", "minor", "patch", "prerelease", "premajor"] as const) expect(ours.inc(v, kind, "rc")).to.equal(npm.inc(v, kind, "rc"));
        }
    });
});
