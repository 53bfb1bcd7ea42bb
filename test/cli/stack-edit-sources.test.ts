import { expect } from "chai";
import { copyServiceKey, setServiceMap } from "../../cli/promote/copy-keys";
import { readService, reapplyServiceBlock, removeServiceKey, ServiceLocation, setServiceKey, useLineOutline } from "../../cli/stack/edit";
import { lineOutline } from "../../config/yaml-outline";
import { rng, stackShape } from "../helpers/stack-shapes";

describe("stack file edits give the same bytes whether the file is read line by line or by yaml", () => {
    const loc = (service: string): ServiceLocation => ({ project: "releasectl", service, file: "Pulumi.production.yaml" });

    /** The result of `edit` with each source: both the same text, or both the same refusal. */
    function bothWays(edit: () => unknown, what: string): { fast: unknown; slow: unknown } {
        const run = () => {
            try {
                return { ok: edit() };
            } catch (e) {
                return { error: (e as Error).message };
            }
        };
        const fast = run();
        const was = useLineOutline(false);
        let slow;
        try {
            slow = run();
        } finally {
            useLineOutline(was);
        }
        expect(fast, what).to.deep.equal(slow);
        return { fast, slow };
    }

    it("sets, inserts and removes keys, re-applies blocks and copies keys alike on generated files", () => {
        let edited = 0;
        for (let seed = 1; seed <= 600; seed++) {
            const text = stackShape(seed, { odd: 0.01 });
            if (lineOutline(text) === undefined) continue;
            const r = rng(seed * 7919);
            const svc = loc("svc0");
            const service = readService(text, svc) ?? {};
            const keys = Object.keys(service);
            const key = keys[Math.floor(r() * keys.length)] ?? "image";
            const other = stackShape(seed + 100_000, { odd: 0.01 });
            const results = [
                bothWays(() => setServiceKey(text, svc, "version", "2.5.0"), `seed ${seed}: set version`),
                bothWays(() => setServiceKey(text, svc, "previousVersion", "2.4.1", { after: "version" }), `seed ${seed}: set previousVersion`),
                bothWays(() => setServiceKey(text, svc, "rollback", true, { after: key }), `seed ${seed}: insert rollback after ${key}`),
                bothWays(() => setServiceKey(text, svc, key, "a value: with a colon"), `seed ${seed}: set ${key}`),
                bothWays(() => removeServiceKey(text, svc, key, false), `seed ${seed}: remove ${key}`),
                bothWays(() => readService(text, svc), `seed ${seed}: read`),
                bothWays(() => reapplyServiceBlock(text, other, svc, { set: { rollback: true } }), `seed ${seed}: re-apply from seed ${seed + 100_000}`),
                bothWays(() => copyServiceKey(text, other, svc, { ...svc, file: "Pulumi.staging.yaml" }, [key], ["version"]), `seed ${seed}: copy ${key}`),
                bothWays(() => setServiceMap(text, svc, "promotedFrom", { stack: "staging", commit: "0123abc", version: "2.5.0" }, ["previousVersion", "version"]), `seed ${seed}: promotedFrom`),
            ];
            edited += results.filter((x) => "ok" in (x.fast as object)).length;
        }
        // most edits succeed (the rest are refusals both sources word alike)
        expect(edited).to.be.greaterThan(1500);
    });
});
