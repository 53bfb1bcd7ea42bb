import { expect } from "chai";
import { buildServiceObjects } from "../../builders/service-objects";
import { loadStack } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import { releaseConfig } from "../helpers/fixtures";
import { Doc } from "../helpers/manifests";
import { REPO } from "../helpers/project";

/**
 * The load-test webhook as it runs: flagger-loadtester executes a `cmd` task with `sh -c`
 * (pkg/loadtester/task_shell.go), here `hey`. Flagger's nginx metrics count only what the
 * ingress controller routed to the canary (`nginx_ingress_controller_requests{ingress=...,
 * canary!=""}`), so the load must reach the controller with a Host that a rule of the Canary's
 * Ingress routes. These tests split the command as sh does, read hey's flags, and route the
 * request through the rendered Ingress.
 */

/** Words of a command line as sh splits them (quotes and backslashes; no expansions). */
function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === "'") {
            const end = line.indexOf("'", i + 1);
            if (end < 0) throw new Error(`unterminated ' in ${line}`);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (ch === '"') {
            let j = i + 1;
            let text = "";
            while (j < line.length && line[j] !== '"') {
                if (line[j] === "\\" && j + 1 < line.length) j++;
                text += line[j++];
            }
            if (j >= line.length) throw new Error(`unterminated " in ${line}`);
            word = (word ?? "") + text;
            i = j;
        } else if (ch === "\\" && i + 1 < line.length) {
            word = (word ?? "") + line[++i];
        } else if (/\s/.test(ch)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else if (/[;&|<>`$()]/.test(ch)) {
            throw new Error(`the load test is more than one hey command (${ch} in ${line}); this test reads hey's flags only`);
        } else {
            word = (word ?? "") + ch;
        }
    }
    if (word !== undefined) words.push(word);
    return words;
}

/** hey's flags that take a value (github.com/rakyll/hey main.go). */
const HEY_VALUE_FLAGS = ["-z", "-q", "-c", "-n", "-m", "-H", "-t", "-A", "-d", "-D", "-T", "-a", "-x", "-host", "-cpus", "-o"];

/** The request hey sends: where it connects and the Host header nginx routes on. */
function heyRequest(command: string): { connectTo: string; host: string; path: string } {
    const [program, ...args] = shellWords(command);
    expect(program, `load test ${command}`).to.equal("hey");
    let hostFlag: string | undefined;
    let hostHeader: string | undefined;
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
        if (HEY_VALUE_FLAGS.includes(args[i])) {
            const value = args[++i];
            if (args[i - 1] === "-host") hostFlag = value;
            if (args[i - 1] === "-H" && /^host:/i.test(value)) hostHeader = value.replace(/^host:\s*/i, "");
        } else if (args[i].startsWith("-")) {
            continue; // boolean flags (-h2, -disable-keepalive, ...)
        } else {
            positional.push(args[i]);
        }
    }
    expect(positional, `hey takes one URL: ${command}`).to.have.length(1);
    const url = new URL(positional[0]);
    return { connectTo: url.host, host: hostFlag ?? hostHeader ?? url.host, path: url.pathname };
}

/** The Ingress rule nginx picks for a request: exact host, then the longest matching Prefix path. */
function route(ingress: Doc, host: string, path: string): Doc | undefined {
    const rule = ingress.spec.rules.find((r: Doc) => r.host === host);
    return rule?.http.paths
        .filter((p: Doc) => (p.pathType === "Exact" ? path === p.path : path === p.path || path.startsWith(p.path.endsWith("/") ? p.path : `${p.path}/`)))
        .sort((a: Doc, b: Doc) => b.path.length - a.path.length)[0];
}

function release(config: ReleaseConfig, service = config.services[0].name) {
    const s = config.services.find((x) => x.name === service)!;
    const objects = buildServiceObjects(config, s).objects.map((o) => o.manifest as Doc);
    const canary = objects.find((o) => o.kind === "Canary");
    const webhook = (type: string) => canary.spec.analysis.webhooks.find((w: Doc) => w.type === type);
    return { s, canary, ingress: objects.find((o) => o.kind === "Ingress"), loadTest: webhook("rollout"), smokeTest: webhook("pre-rollout") };
}

describe("the load test as flagger-loadtester runs it", () => {
    describe("provider nginx", () => {
        const stacks: [string, () => { config: ReleaseConfig; service: string }][] = [
            ["the example stack's storefront", () => ({ config: loadStack(REPO, "production"), service: "storefront" })],
            ["a stack with an nginx service", () => ({ config: releaseConfig({ canary: { provider: "nginx", host: "shop.example.com" } }), service: "web" })],
        ];
        for (const [title, stack] of stacks) {
            it(`${title}: sends its requests through the ingress controller to the Canary's Ingress`, () => {
                const { config, service } = stack();
                const { canary, ingress, loadTest } = release(config, service);
                expect(ingress.metadata.name).to.equal(canary.spec.ingressRef.name);
                const request = heyRequest(loadTest.metadata.cmd);
                const hosts = ingress.spec.rules.map((r: Doc) => r.host);
                const backend = route(ingress, request.host, request.path);
                expect(backend, `the load test sends Host ${request.host} to ${request.connectTo}; Ingress ${ingress.metadata.name} routes only ${hosts.join(", ")}`).to.not.equal(undefined);
                expect(request.connectTo).to.equal("ingress-nginx-controller.ingress-nginx");
            });
        }

        it("connects to the configured ingress controller address", () => {
            const { loadTest } = release(releaseConfig({ canary: { provider: "nginx", host: "shop.example.com", ingressControllerUrl: "http://nginx-public.ingress.svc.cluster.local:8080" } }));
            expect(heyRequest(loadTest.metadata.cmd)).to.deep.equal({ connectTo: "nginx-public.ingress.svc.cluster.local:8080", host: "shop.example.com", path: "/" });
        });

        it("smoke-tests the canary Service directly before any traffic moves", () => {
            const { smokeTest } = release(releaseConfig({ canary: { provider: "nginx", host: "shop.example.com" } }));
            expect(smokeTest.metadata.cmd).to.include("http://web-canary.shop:8080/readyz");
        });
    });

    for (const provider of ["istio", "linkerd", "kubernetes"]) {
        it(`provider ${provider}: loads the canary Service, where the mesh or the pods' own metrics see it`, () => {
            const { loadTest } = release(releaseConfig({ canary: { provider } }));
            expect(heyRequest(loadTest.metadata.cmd)).to.deep.equal({ connectTo: "web-canary.shop:8080", host: "web-canary.shop:8080", path: "/" });
        });
    }

    it("sends the webhooks to a load tester outside any tutorial's test namespace", () => {
        const { smokeTest, loadTest } = release(releaseConfig());
        for (const hook of [smokeTest, loadTest]) expect(new URL(hook.url).hostname).to.equal("flagger-loadtester.flagger-system");
    });
});
