import { expect } from "chai";
import { FakeKubeApi } from "../helpers/fake-kube-api";
import { runCli } from "../cli/run-cli";
import { makeWorld, PRODUCTION, Webhook, World } from "./fixture";

/**
 * Bad input to ship: exit 2, nothing run or changed, and with --json the error is a JSON event
 * on stdout too (CI reads only stdout), for usage errors from flag parsing as well.
 */
describe("releasectl ship: bad input (plain and --json)", function () {
    this.timeout(30_000);
    let api: FakeKubeApi;
    let hook: Webhook;
    let world: World;
    let head: string;

    before(async () => {
        api = await FakeKubeApi.start();
        hook = await Webhook.start();
    });
    after(async () => {
        await api.close();
        await hook.close();
    });
    beforeEach(() => {
        world = makeWorld({ api, hook });
        head = world.repo.head();
    });
    afterEach(() => world.remove());

    const untouched = () => {
        expect(world.calls()).to.deep.equal([]);
        expect(api.requests).to.deep.equal([]);
        expect(hook.received).to.deep.equal([]);
        expect(world.repo.head()).to.equal(head);
        expect(world.repo.git("tag", "-l").trim()).to.equal("checkout-v2.4.1");
        expect(world.repo.git("status", "--porcelain", "--untracked-files=all")).to.equal("");
        expect(world.stackFile()).to.equal(PRODUCTION);
    };

    /** One JSON line on stdout, {"event":"error","exitCode":2,...}, saying what stderr's first line says. */
    const jsonError = (run: { code: number; stdout: string; stderr: string }, code: string, message: RegExp) => {
        expect(run.code, run.stderr).to.equal(2);
        const lines = run.stdout.trimEnd().split("\n");
        expect(lines, run.stdout).to.have.length(1);
        const event = JSON.parse(lines[0]);
        expect(event).to.deep.equal({ event: "error", exitCode: 2, code, message: event.message });
        expect(event.message).to.match(message);
        expect(run.stderr.split("\n")[0]).to.equal(`releasectl ship: ${event.message}`);
        expect(run.stderr).to.not.include("internal error");
    };

    it("reports a flag the parser rejects as a JSON event", async () => {
        jsonError(await world.ship("checkout", "2.5.0", "--json", "--yes", "--bogus"), "EUSAGE", /^unknown option --bogus; usage: releasectl ship /);
        jsonError(await world.ship("checkout", "2.5.0", "--json", "--yes", "--monitor", "-1m"), "EUSAGE", /^--monitor -1m: a value that starts with "-" is read as an option/);
        jsonError(await world.ship("checkout", "--json", "--yes"), "EUSAGE", /^expected 2 argument\(s\), got 1/);
        untouched();
    });

    it("reports --json without --yes as a JSON event", async () => {
        jsonError(await world.ship("checkout", "2.5.0", "--json"), "EUSAGE", /^--json cannot ask for confirmation: pass --yes/);
        untouched();
    });

    it("reports an unknown service, a bad version and a bad duration as JSON events", async () => {
        jsonError(await world.ship("chekout", "2.5.0", "--json", "--yes"), "ENOSERVICE", /has no service "chekout" \(did you mean checkout\?\)/);
        jsonError(await world.ship("checkout", "v2.5.0", "--json", "--yes"), "EBADVERSION", /^version "v2\.5\.0": not a SemVer version; drop the leading v: 2\.5\.0$/);
        jsonError(await world.ship("checkout", "2.5.0", "--json", "--dry-run", "--watch-timeout", "abc"), "EUSAGE", /^--watch-timeout "abc": not a duration/);
        jsonError(await world.ship("checkout", "2.4.0", "--json", "--yes"), "ENOTFORWARD", /^checkout: 2\.4\.0 does not move forward from 2\.4\.1/);
        untouched();
    });

    it("reports what stops a real run before it changes anything (no pulumi) as a JSON event", async () => {
        const run = await runCli(["ship", "checkout", "2.5.0", "--json", "--yes"], { cwd: world.repo.dir, env: { ...world.env, PATH: process.env.PATH } });
        jsonError(run, "ENOPULUMI", /pulumi CLI is not on PATH/);
        untouched();
    });

    it("refuses --prerelease, --build and --strict with an explicit version (they were ignored)", async () => {
        const run = await world.ship("checkout", "2.5.0", "--prerelease", "rc", "--dry-run");
        expect(run.code).to.equal(2);
        expect(run.stdout).to.equal("");
        expect(run.stderr).to.equal(
            "releasectl ship: --prerelease rc only applies when the version is computed, and 2.5.0 is given: put the prerelease into the version (releasectl ship checkout 2.5.0-rc.1) or drop the version to compute it (releasectl ship checkout auto --prerelease rc)\n",
        );
        jsonError(await world.ship("checkout", "2.5.0", "--build", "b7", "--json", "--yes"), "EUSAGE", /^--build b7 only applies when the version is computed, .*\(releasectl ship checkout 2\.5\.0\+b7\)/);
        jsonError(await world.ship("checkout", "2.5.0", "--strict", "--json", "--yes"), "EUSAGE", /^--strict only applies when the version is computed/);
        untouched();
    });

    it("refuses a version it cannot compare (it was an internal error) and waits a timer cannot hold", async () => {
        const huge = await world.ship("checkout", "99999999999999999999.0.0", "--dry-run");
        expect(huge.code).to.equal(2);
        expect(huge.stderr).to.match(/^releasectl ship: version "99999999999999999999\.0\.0": a number above 9007199254740991, the largest that can be compared/);
        for (const option of ["--interval", "--monitor-interval", "--monitor", "--watch-timeout", "--rollback-timeout"]) {
            const run = await world.ship("checkout", "2.5.0", "--dry-run", option, "1000h");
            expect(run.code, option).to.equal(2);
            expect(run.stderr).to.equal(`releasectl ship: ${option} "1000h": longer than 596h31m24s, the longest wait a timer can hold; use e.g. 30s, 5m or 1h30m\n`);
        }
        const tiny = await world.ship("checkout", "2.5.0", "--dry-run", "--interval", "0.1ms");
        expect(tiny.stderr).to.match(/^releasectl ship: --interval "0\.1ms": not a duration/);
        untouched();
    });
});
