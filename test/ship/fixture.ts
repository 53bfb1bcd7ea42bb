import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { parse } from "yaml";
import { canaryObject, deploymentObject, FakeKubeApi } from "../helpers/fake-kube-api";
import { FakeCall, FakePulumiScript, installFakePulumi } from "../helpers/fake-pulumi";
import { GitRepo } from "../cli/git-fixture";
import { checkoutAt as checkoutAtIn, edited, PRODUCTION as RELEASED_241, PROJECT_YAML, STACK_FILE } from "../cli/project-fixture";
import { CliRun, runCli } from "../cli/run-cli";

/**
 * The world a `releasectl ship` test runs in: a real git repository holding the example project
 * with earlier releases in its history, the stand-in `pulumi` first on PATH, a loopback
 * Kubernetes API that plays Flagger according to what the stand-in's `up` deployed, and a
 * loopback webhook receiving the announcements.
 */

export const NS = "shop";
export const CONTEXT = "prod-eu-west-1"; // the example stack's releasectl:kubeContext
export const SECRET_TOKEN = "T0SECRET/B0SECRET/xoxb-do-not-print-me";

/**
 * Fails the calling test when a run printed the webhook token (ship reads the address through
 * `pulumi config get`). Called by each test on each of its runs, never from a hook: a leak fails
 * that one test.
 */
export function expectSecretNotPrinted(run: { readonly stdout: string; readonly stderr: string }): void {
    expect(`${run.stdout}${run.stderr}`, "the webhook token was printed").not.to.include(SECRET_TOKEN);
}

/** How Flagger handles one applied version, one frame per look at the Canary (the last repeats). */
export type Behaviour = "promote" | "fail" | "hang";

interface Frame {
    readonly phase: string;
    readonly weight: number;
    readonly failedChecks: number;
    /** The primary takes the target's version at this frame (promotion). */
    readonly promote: boolean;
}

const FRAMES: Record<Behaviour, Frame[]> = {
    promote: [
        { phase: "Progressing", weight: 10, failedChecks: 0, promote: false },
        { phase: "Progressing", weight: 30, failedChecks: 0, promote: false },
        { phase: "Succeeded", weight: 0, failedChecks: 0, promote: true },
    ],
    fail: [
        { phase: "Progressing", weight: 10, failedChecks: 2, promote: false },
        { phase: "Failed", weight: 0, failedChecks: 5, promote: false },
    ],
    hang: [{ phase: "Progressing", weight: 10, failedChecks: 0, promote: false }],
};

/** A rollback (`rollback: true`): Flagger promotes without analysis, or is stuck. */
const ROLLBACK_FRAMES: Record<"promote" | "stuck", Frame[]> = {
    promote: [
        { phase: "Progressing", weight: 0, failedChecks: 0, promote: false },
        { phase: "Succeeded", weight: 0, failedChecks: 0, promote: true },
    ],
    stuck: [{ phase: "Progressing", weight: 0, failedChecks: 0, promote: false }],
};

export interface ClusterScript {
    /** What Flagger does with a new version (default promote). */
    readonly release?: Behaviour;
    readonly rollback?: "promote" | "stuck";
}

/** Reads, from a stack file text, checkout's version and whether it is a rollback. */
export function checkoutIn(stackFile: string): { version: string; rollback: boolean } {
    const data = parse(stackFile) as { config: Record<string, Record<string, { version: unknown; rollback?: unknown }>> };
    const checkout = data.config["releasectl:services"].checkout;
    return { version: String(checkout.version), rollback: checkout.rollback === true };
}

/**
 * Makes `api` answer like a cluster with Flagger, driven by the stand-in's successful `up`
 * calls: each one deploys the stack file it saw, and the Canary then moves through the frames
 * of the scripted behaviour, one per look.
 */
export function simulateCluster(api: FakeKubeApi, calls: () => FakeCall[], script: ClusterScript, initial = "2.4.1"): void {
    let primary = initial;
    let target = initial;
    let applied = 0;
    let frames: Frame[] = [{ phase: "Succeeded", weight: 0, failedChecks: 0, promote: false }];
    let look = 0;
    let frame = frames[0];
    const deployments = () => {
        const image = "registry.example.com/shop/checkout";
        return {
            primary: deploymentObject({ name: "checkout-primary", namespace: NS, version: primary, image }),
            target: deploymentObject({ name: "checkout", namespace: NS, version: target, image }),
        };
    };
    api.onRequest((req) => {
        if (req.method !== "GET") return undefined;
        const ups = calls().filter((c) => c.args[0] === "up" && c.code === 0);
        if (ups.length !== applied) {
            applied = ups.length;
            const deployed = checkoutIn(ups[ups.length - 1].stackFile!);
            target = deployed.version;
            frames = deployed.rollback ? ROLLBACK_FRAMES[script.rollback ?? "promote"] : FRAMES[script.release ?? "promote"];
            look = 0;
        }
        if (req.path === `/apis/flagger.app/v1beta1/namespaces/${NS}/canaries/checkout`) {
            frame = frames[Math.min(look, frames.length - 1)];
            look++;
            if (frame.promote) primary = target;
            return { status: 200, body: canaryObject({ name: "checkout", namespace: NS, phase: frame.phase, weight: frame.weight, failedChecks: frame.failedChecks }) };
        }
        if (req.path === `/apis/apps/v1/namespaces/${NS}/deployments/checkout-primary`) return { status: 200, body: deployments().primary };
        if (req.path === `/apis/apps/v1/namespaces/${NS}/deployments/checkout`) return { status: 200, body: deployments().target };
        return undefined;
    });
}

/** A loopback webhook that records what it receives and answers `status`. */
export class Webhook {
    readonly received: { path: string; body: Record<string, unknown> }[] = [];
    status = 200;

    private constructor(
        private readonly server: http.Server,
        readonly url: string,
    ) {}

    static async start(): Promise<Webhook> {
        let hook: Webhook | undefined;
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                hook!.received.push({ path: req.url ?? "/", body: JSON.parse(body || "{}") as Record<string, unknown> });
                res.writeHead(hook!.status, { "content-type": "text/plain" });
                res.end(hook!.status === 200 ? "ok" : "invalid_token");
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        hook = new Webhook(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        return hook;
    }

    /** The secret webhook address, as `pulumi config get` prints it. */
    get address(): string {
        return `${this.url}/services/${SECRET_TOKEN}`;
    }

    /** The texts of the announcements received (Slack's `text`). */
    texts(): string[] {
        return this.received.map((r) => String(r.body.text));
    }

    reset(): void {
        this.received.length = 0;
        this.status = 200;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}

/** The example stack with checkout's migration changed to a contract (as a release would declare it). */
export function withContract(text: string): string {
    return edited(text, [
        ["        phase: expand\n", "        phase: contract\n"],
        ['        downgradeCommand: ["/app/migrate", "down", "--to", "2.4.0"]\n', '        downgradeCommand: ["/app/migrate", "down", "--to", "2.4.1"]\n'],
    ]);
}

/** Adds `rollback: true` after checkout's previousVersion, as a rollback writes it. */
export function markedRollback(text: string, previous: string): string {
    return edited(text, [[`      previousVersion: ${previous}\n`, `      previousVersion: ${previous}\n      rollback: true\n`]]);
}

/**
 * A repository with checkout released as 2.4.0 then 2.4.1 (tagged checkout-v2.4.1: the example stack has two services, so each has its own tags), and a feat commit
 * after it, so `auto` is 2.5.0 and a rollback has 2.4.1 to go back to.
 */
export function shipRepo(): GitRepo {
    const repo = GitRepo.create();
    repo.commit("release checkout 2.4.0", {
        "Pulumi.yaml": PROJECT_YAML,
        [STACK_FILE]: checkoutAtIn("2.4.0", "2.3.9"),
        "policies/PulumiPolicy.yaml": "runtime: nodejs\ndescription: the release checklist\n",
    });
    repo.commit("release checkout 2.4.1", { [STACK_FILE]: RELEASED_241 });
    repo.tag("checkout-v2.4.1", { annotated: true });
    // with the coming release's evidence, recorded before ship (repository-evidence-renewed)
    repo.commit("feat: one-page checkout", { [STACK_FILE]: PRODUCTION });
    return repo;
}

export interface World {
    readonly repo: GitRepo;
    readonly env: NodeJS.ProcessEnv;
    calls(): FakeCall[];
    /** The stand-in's calls as `preview`, `up`, `config get`. */
    commands(): string[];
    ship(...args: string[]): Promise<CliRun>;
    /** Commit subjects, newest first. */
    log(): string[];
    stackFile(): string;
    remove(): void;
}

export function makeWorld(opts: { api: FakeKubeApi; hook: Webhook; pulumi?: FakePulumiScript; cluster?: ClusterScript; repo?: GitRepo }): World {
    const repo = opts.repo ?? shipRepo();
    const fake = installFakePulumi(repo.root, {
        ...opts.pulumi,
        config: { "releasectl:notifications.releases.address": opts.hook.address, ...opts.pulumi?.config },
    });
    const env: NodeJS.ProcessEnv = {
        ...repo.env,
        PATH: `${fake.binDir}${path.delimiter}${process.env.PATH}`,
        KUBECONFIG: opts.api.writeKubeconfig(repo.root, CONTEXT),
    };
    opts.api.requests.length = 0;
    simulateCluster(opts.api, fake.calls, opts.cluster ?? {});
    return {
        repo,
        env,
        calls: fake.calls,
        commands: () => fake.calls().map((c) => (c.args[0] === "config" ? `config ${c.args[1]}` : c.args[0])),
        ship: (...args) => runCli(["ship", ...args], { cwd: repo.dir, env }),
        log: () => repo.git("log", "--format=%s").trim().split("\n"),
        stackFile: () => fs.readFileSync(path.join(repo.dir, STACK_FILE), "utf8"),
        remove: () => repo.remove(),
    };
}

/** Options that keep a test fast: quick polls and short limits, no monitoring. */
export const FAST = ["--yes", "--interval", "10ms", "--watch-timeout", "5s", "--rollback-timeout", "5s", "--monitor", "0"];

/**
 * The example stack as the fixture's history leaves it: checkout 2.4.1 with the evidence of the
 * coming release 2.5.0 recorded (a CI run and review of its own, scan and report naming 2.5.0).
 */
const PRODUCTION = edited(RELEASED_241, [
    ["ciRun: https://ci.example.com/shop/checkout/runs/8812", "ciRun: https://ci.example.com/shop/checkout/runs/8907"],
    ["review: https://git.example.com/shop/checkout/pull/412", "review: https://git.example.com/shop/checkout/pull/431"],
    ["https://scan.example.com/reports/checkout-2.4.1", "https://scan.example.com/reports/checkout-2.5.0"],
    ["https://perf.example.com/reports/checkout-2.4.1", "https://perf.example.com/reports/checkout-2.5.0"],
]);
const checkoutAt = (version: string, previous: string, base = PRODUCTION): string => checkoutAtIn(version, previous, base);

export { checkoutAt, PRODUCTION, STACK_FILE };
