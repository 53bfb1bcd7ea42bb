import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { configSchemaFor, defaultSettings, readSettings, schemaProblem, SETTINGS_SCHEMA } from "../../policies/settings";
import { parseImage } from "../../policies/lib/image";
import { RULES } from "../../policies/rules";

const rule = (name: string) => RULES.find((r) => r.name === name)!;

describe("pack settings", () => {
    it("default to 99 % success rate and 500 ms latency", () => {
        expect(defaultSettings()).to.include({ successRateMin: 99, latencyMaxMs: 500, tagFormat: "v{version}", changelogFile: "CHANGELOG.md" });
        expect(defaultSettings().productionStacks).to.deep.equal(["production"]);
    });

    it("have defaults that satisfy their own schema", () => {
        for (const [key, schema] of Object.entries(SETTINGS_SCHEMA)) expect(schemaProblem(schema, schema.default, key), key).to.equal(undefined);
    });

    it("are read with the schema defaults applied when the config is empty", () => {
        expect(readSettings(rule("canary-thresholds-strict"), {})).to.deep.equal({ ...defaultSettings(), freezeWindows: [] });
    });

    it("take a configured value over the default", () => {
        expect(readSettings(rule("canary-thresholds-strict"), { successRateMin: 99.5 }).successRateMin).to.equal(99.5);
    });

    it("ignore enforcementLevel beside the settings", () => {
        expect(readSettings(rule("canary-thresholds-strict"), { enforcementLevel: "advisory" }).successRateMin).to.equal(99);
    });

    it("reject a setting the rule does not read, naming the rule's settings", () => {
        expect(() => readSettings(rule("canary-thresholds-strict"), { allowedRegistries: [] }, "cfg.json")).to.throw(
            ConfigError,
            "cfg.json: canary-thresholds-strict.allowedRegistries: unknown setting; canary-thresholds-strict reads successRateMin, latencyMaxMs",
        );
    });

    it("reject a value of the wrong type with its path", () => {
        expect(() => readSettings(rule("canary-thresholds-strict"), { latencyMaxMs: "500ms" }, "cfg.json")).to.throw('canary-thresholds-strict.latencyMaxMs = "500ms": must be a number');
    });

    it("reject a success rate above 100", () => {
        expect(() => readSettings(rule("canary-thresholds-strict"), { successRateMin: 101 })).to.throw("must be at most 100");
    });

    it("reject a freeze window with an unknown time zone", () => {
        expect(() => readSettings(rule("workload-outside-freeze-window"), { freezeWindows: [{ name: "x", start: "2026-12-21", end: "2027-01-04", timeZone: "Europe/Atlantis" }] })).to.throw(
            'freezeWindows[0].timeZone = "Europe/Atlantis": is not an IANA time zone',
        );
    });

    it("reject a freeze window with both dates and cron", () => {
        expect(() =>
            readSettings(rule("workload-outside-freeze-window"), { freezeWindows: [{ name: "x", start: "2026-12-21", end: "2027-01-04", cron: "0 18 * * 5", duration: "2h" }] }),
        ).to.throw("needs either start and end (fixed dates) or cron and duration (recurring), not both");
    });

    it("reject a freeze window that ends before it starts", () => {
        expect(() => readSettings(rule("workload-outside-freeze-window"), { freezeWindows: [{ name: "x", start: "2027-01-04", end: "2026-12-21" }] })).to.throw("must be after start");
    });

    it("reject a freeze window with a broken cron expression", () => {
        expect(() => readSettings(rule("workload-outside-freeze-window"), { freezeWindows: [{ name: "x", cron: "61 * * * *", duration: "2h" }] })).to.throw("freezeWindows[0].cron");
    });

    it("reject an unknown key in a freeze window", () => {
        expect(() => readSettings(rule("workload-outside-freeze-window"), { freezeWindows: [{ name: "x", from: "2026-12-21" }] })).to.throw("freezeWindows[0].from: unknown key");
    });

    it("give each rule a configSchema of the settings it reads", () => {
        expect(Object.keys(configSchemaFor(rule("workload-outside-freeze-window").settings).properties)).to.deep.equal(["freezeWindows", "productionStacks", "productionEnvironments"]);
    });
});

describe("image references", () => {
    it("split registry, path, tag and digest", () => {
        expect(parseImage(`registry.example.com:5000/shop/checkout:2.4.1@sha256:${"b".repeat(64)}`)).to.deep.equal({
            registry: "registry.example.com:5000",
            name: "registry.example.com:5000/shop/checkout",
            tag: "2.4.1",
            digest: `sha256:${"b".repeat(64)}`,
        });
    });

    it("read a short name as a Docker Hub library image", () => {
        expect(parseImage("nginx")).to.deep.equal({ registry: "docker.io", name: "docker.io/library/nginx", tag: undefined, digest: undefined });
    });

    it("read a two-part name without a dot as a Docker Hub user image", () => {
        expect(parseImage("bitnami/redis:7.2").name).to.equal("docker.io/bitnami/redis");
    });
});
