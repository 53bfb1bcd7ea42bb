import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { FAST_READER_MAX_VERSIONS, versionReader } from "../../cli/stack/history";
import { GitRepo } from "./git-fixture";
import { checkoutAt, PROJECT_YAML, STACK_FILE } from "./project-fixture";
import { runCli } from "./run-cli";

const ROOT = path.join(__dirname, "..", "..");
const STACKS = ["Pulumi.production.yaml", "Pulumi.staging.yaml"].map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"));

/**
 * A stack file's history is read with the fast reader (js-yaml) when it is short and with the
 * incremental reader (`yaml`, patched per version) when it is long: both must give the data a
 * full `yaml` parse gives, or a history's releases would depend on its length.
 */
describe("the two readers of a stack file's history", () => {
    const variants = (text: string): string[] => [
        text,
        text.replace("version: 2.4.1", 'version: "2.4.1"'),
        text.replace("version: 2.4.1", "version: 2.4.1 # shipped"),
        text.replace("version: 2.4.1", "version: 2.10"),
        text.replace("previousVersion: 2.4.0", "previousVersion: ~"),
        text.replace("version: 2.4.1", "version: 1_000"),
        text.replace("version: 2.4.1", "version: 0x1F"),
        text.replace("version: 2.4.1", "version: yes"),
        text.replace("version: 2.4.1", "version: |\n        2.4.1"),
        text.replace("version: 2.4.1", "version: &v 2.4.1\n      note: *v"),
        text + "\n# trailing comment\n",
        "",
        "# only a comment\n",
        "config: {}\n",
    ];

    it("agree with a full yaml parse on every version of the example stacks and their variants", () => {
        let compared = 0;
        for (const stack of STACKS) {
            for (const text of variants(stack)) {
                const expected = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
                if (expected.errors.length > 0) continue;
                const fast = versionReader(1).read(text);
                const incremental = versionReader(FAST_READER_MAX_VERSIONS + 1).read(text);
                expect(fast.ok && fast.data, JSON.stringify(text.slice(0, 60))).to.deep.equal(expected.toJS());
                expect(incremental.ok && incremental.data).to.deep.equal(expected.toJS());
                compared++;
            }
        }
        expect(compared).to.be.greaterThan(20);
    });

    it("both report invalid YAML, the fast reader with line and column", () => {
        const fast = versionReader(1).read("config: [\n");
        const incremental = versionReader(FAST_READER_MAX_VERSIONS + 1).read("config: [\n");
        expect(fast.ok).to.equal(false);
        expect(incremental.ok).to.equal(false);
        expect(!fast.ok && fast.error).to.match(/^line \d+, column \d+: /);
        expect(!fast.ok && fast.error).to.not.include("fix the syntax");
    });

    describe("history of a short and a long release line", () => {
        let repo: GitRepo;
        afterEach(() => repo.remove());

        for (const count of [3, FAST_READER_MAX_VERSIONS + 10]) {
            it(`lists the same releases for ${count} releases (${count > FAST_READER_MAX_VERSIONS ? "incremental" : "fast"} reader)`, async () => {
                repo = GitRepo.create();
                repo.commit("release checkout 2.4.1", { "Pulumi.yaml": PROJECT_YAML, [STACK_FILE]: checkoutAt("2.4.1", "2.4.0") });
                const expected = ["2.4.1"];
                for (let i = 0; i < count; i++) {
                    const version = `2.5.${i}`;
                    repo.commit(`release checkout ${version}`, { [STACK_FILE]: checkoutAt(version, expected[expected.length - 1]) });
                    expected.push(version);
                }
                const run = await runCli(["history", "checkout", "--json"], { cwd: repo.dir, env: repo.env });
                expect(run.code, run.stderr).to.equal(0);
                const releases = JSON.parse(run.stdout) as { version: string; previousVersion: string | null }[];
                expect(releases.map((r) => r.version)).to.deep.equal([...expected].reverse());
                expect(releases[0].previousVersion).to.equal(expected[expected.length - 2]);
            });
        }
    });
});
