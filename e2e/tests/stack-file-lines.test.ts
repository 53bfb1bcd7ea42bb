import { expect } from "chai";
import * as fs from "fs";
import { load } from "js-yaml";
import { isDeepStrictEqual } from "util";
import { reapplyServiceBlock, ServiceLocation, setServiceKey, useLineOutline } from "../../cli/stack/edit";
import { outlineOf, parseYamlDocument } from "../../cli/stack/outline-yaml";
import { lineDocument } from "../../config/yaml-outline";
import { requireEngine, SECRETS, Workspace } from "./workspace";

/** `edit` with the file read line by line, and again with it read by the `yaml` library. */
function bothSources<T>(edit: () => T): { lines: T; yaml: T } {
    const lines = edit();
    const was = useLineOutline(false);
    try {
        return { lines, yaml: edit() };
    } finally {
        useLineOutline(was);
    }
}

/**
 * Stack files as the real Pulumi CLI writes them (`pulumi config set --path`, `--secret`): the
 * line reader (config/yaml-outline.ts) reads them to the data js-yaml reads and the ranges the
 * `yaml` library gives, releasectl's edits of them are the same bytes whichever reads them, and
 * the CLI reads those edits back, secrets included.
 */
describe("stack files the real pulumi CLI writes, read line by line", function () {
    this.timeout(10 * 60 * 1000);
    let ws: Workspace;
    const checkout: ServiceLocation = { project: "releasectl", service: "checkout", file: "Pulumi.production.yaml" };

    before(() => {
        requireEngine();
        // the example's secure values set by the CLI; then, by path, an item of an existing (flow)
        // list, a new map, and a new list of another namespace, which the CLI writes as a block
        ws = Workspace.create();
        ws.ok(["config", "set", "--path", "releasectl:services.checkout.migration.command[1]", "upgrade"]);
        ws.ok(["config", "set", "--path", "releasectl:services.checkout.env.LOG_LEVEL", "info"]);
        ws.ok(["config", "set", "--path", "e2e:hooks[0]", "/app/notify"]);
        ws.ok(["config", "set", "--path", "e2e:hooks[1]", "on-failure"]);
    });
    after(() => ws?.remove());

    it("reads the file pulumi wrote to js-yaml's data and yaml's ranges", () => {
        const text = fs.readFileSync(ws.stackFile, "utf8");
        // what the CLI wrote: ciphertexts, and the list as a block sequence
        expect(text).to.match(/secure: v1:/);
        expect(text).to.match(/hooks:\n\s*- \/app\/notify\n\s*- on-failure\n/);
        const lines = lineDocument(text);
        expect(lines, `the line reader gave up on pulumi's file:\n${text}`).to.not.equal(undefined);
        expect(isDeepStrictEqual(lines!.data, load(text))).to.equal(true);
        const doc = parseYamlDocument(text);
        expect(doc.errors).to.deep.equal([]);
        expect(lines!.root).to.deep.equal(outlineOf(doc));
    });

    it("edits it to the same bytes either way, and pulumi reads the edit back, secrets and lists included", () => {
        const text = fs.readFileSync(ws.stackFile, "utf8");
        const version = bothSources(() => setServiceKey(text, checkout, "version", "2.5.0"));
        expect(version.lines).to.equal(version.yaml);
        // the block re-applied from the committed file (a rollback's edit), on top
        const committed = ws.git(["show", "HEAD:Pulumi.production.yaml"]);
        const reapplied = bothSources(() => reapplyServiceBlock(version.lines, committed, checkout, { set: { rollback: true } }).text);
        expect(reapplied.lines).to.equal(reapplied.yaml);

        fs.writeFileSync(ws.stackFile, version.lines);
        const get = (key: string) => ws.ok(["config", "get", "--path", key]).trim();
        expect(get("releasectl:services.checkout.version")).to.equal("2.5.0");
        expect(get("releasectl:services.checkout.migration.command[1]")).to.equal("upgrade");
        expect(get("e2e:hooks[1]")).to.equal("on-failure");
        expect(get("releasectl:services.checkout.env.LOG_LEVEL")).to.equal("info");
        expect(get("releasectl:services.checkout.migration.databaseUrl")).to.equal(SECRETS["releasectl:services.checkout.migration.databaseUrl"]);

        fs.writeFileSync(ws.stackFile, reapplied.lines);
        expect(get("releasectl:services.checkout.rollback")).to.equal("true");
        // the committed block's own version and ciphertext: the secret still decrypts
        expect(get("releasectl:services.checkout.version")).to.equal(String((load(committed) as { config: Record<string, { checkout: { version: unknown } }> }).config["releasectl:services"].checkout.version));
        expect(get("releasectl:services.checkout.migration.databaseUrl")).to.equal(SECRETS["releasectl:services.checkout.migration.databaseUrl"]);
    });
});
