import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { loadStack } from "../../config/load";
import { SECRET_PLACEHOLDER } from "../../config/types";
import { allObjects } from "../helpers/manifests";
import { REPO, removeTempProjects, runCli, snapshot, tempProject } from "../helpers/project";

const ALL_KINDS = ["Secret", "AlertProvider", "Job", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "MetricTemplate", "Canary", "PrometheusRule"];

/** The kinds of a multi-document YAML text, in order. */
function kindsOf(yaml: string): string[] {
    return parseAllDocuments(yaml).map((d) => (d.toJS() as { kind: string }).kind);
}

/** The `secure:` ciphertexts of the example stack file. */
function ciphertexts(): string[] {
    return [...fs.readFileSync(path.join(REPO, "Pulumi.production.yaml"), "utf8").matchAll(/secure: (v1:\S+)/g)].map((m) => m[1]);
}

describe("releasectl render", () => {
    after(removeTempProjects);

    it("prints every kind of object the example stack declares", async () => {
        const { code, stdout } = await runCli(["render", "--stack", "production"], tempProject());
        expect(code).to.equal(0);
        expect([...new Set(kindsOf(stdout))].sort()).to.deep.equal([...ALL_KINDS].sort());
    });

    it("prints exactly the builders' objects, in order", async () => {
        const dir = tempProject();
        const { stdout } = await runCli(["render", "--stack", "production"], dir);
        const printed = parseAllDocuments(stdout).map((d) => d.toJS());
        expect(printed).to.deep.equal(allObjects(loadStack(dir, "production")).map((o) => o.manifest));
    });

    it("heads each document with its service and Pulumi resource", async () => {
        const { stdout } = await runCli(["render", "--stack", "production"], tempProject());
        expect(stdout.split("\n")[0]).to.equal("# checkout/checkout-webhook-secret (kubernetes:core/v1:Secret)");
    });

    it("prints the same bytes on every run", async () => {
        const dir = tempProject();
        const first = await runCli(["render", "--stack", "production"], dir);
        const second = await runCli(["render", "--stack", "production"], dir);
        expect(second.stdout).to.equal(first.stdout);
    });

    it("orders services by name and each service's objects in apply order", async () => {
        const { stdout } = await runCli(["render", "--stack", "production"], tempProject());
        const heads = stdout.split("\n").filter((l) => l.startsWith("# ")).map((l) => l.slice(2).split(" ")[0]);
        expect(heads.indexOf("checkout/checkout-migrate-2.4.1")).to.be.below(heads.indexOf("checkout/checkout-deployment"));
        expect(heads.findIndex((h) => h.startsWith("storefront/"))).to.be.above(heads.findIndex((h) => h.startsWith("checkout/")));
    });

    it("prints only the named service with --service", async () => {
        const { code, stdout } = await runCli(["render", "--stack", "production", "--service", "storefront"], tempProject());
        expect(code).to.equal(0);
        const names = parseAllDocuments(stdout).map((d) => (d.toJS() as { metadata: { labels: Record<string, string> } }).metadata.labels["app.kubernetes.io/instance"]);
        expect(new Set(names)).to.deep.equal(new Set(["storefront"]));
    });

    it("renders the only stack without --stack", async () => {
        const { code, stdout } = await runCli(["render"], tempProject());
        expect(code).to.equal(0);
        expect(kindsOf(stdout)).to.include("Canary");
    });

    it("takes the stack from RELEASECTL_STACK", async () => {
        const dir = tempProject({ "Pulumi.staging.yaml": "config: {}\n" });
        const { code } = await runCli(["render"], dir, { RELEASECTL_STACK: "production" });
        expect(code).to.equal(0);
    });

    describe("secrets", () => {
        it("shows secret values as the placeholder", async () => {
            const { stdout } = await runCli(["render", "--stack", "production"], tempProject());
            expect(stdout).to.include(`address: ${SECRET_PLACEHOLDER}`);
            expect(stdout).to.include(`DATABASE_URL: ${SECRET_PLACEHOLDER}`);
        });

        it("never prints a ciphertext or a secure: value", async () => {
            const { code, stdout, stderr } = await runCli(["render", "--stack", "production"], tempProject());
            // Something to look at: the render succeeded and printed the Secrets, where a leak would be.
            expect(code, stderr).to.equal(0);
            expect(kindsOf(stdout)).to.include("Secret");
            expect(stdout).to.include(`: ${SECRET_PLACEHOLDER}\n`);
            expect(ciphertexts()).to.have.length(2);
            for (const ciphertext of ciphertexts()) expect(ciphertext).to.match(/^v1:[A-Za-z0-9+/=]{8,}:[A-Za-z0-9+/=]{16,}$/);
            for (const ciphertext of ciphertexts()) expect(stdout).not.to.include(ciphertext);
            expect(stdout).not.to.include("secure:");
            expect(stdout).not.to.match(/v1:[A-Za-z0-9+/=]{8,}:/);
        });
    });

    describe("bad input", () => {
        it("exits 2 for an unknown service and lists the stack's services", async () => {
            const { code, stdout, stderr } = await runCli(["render", "--stack", "production", "--service", "cart"], tempProject());
            expect(code).to.equal(2);
            expect(stdout).to.equal("");
            expect(stderr).to.include('has no service "cart"; services in stack production: checkout, storefront');
        });

        it("exits 2 for an unknown stack and lists the known stacks", async () => {
            const { code, stderr } = await runCli(["render", "--stack", "staging"], tempProject());
            expect(code).to.equal(2);
            expect(stderr).to.include('stack "staging" is unknown. Known stacks: production');
        });

        it("exits 2 for an unknown option and points at --help", async () => {
            const { code, stderr } = await runCli(["render", "--stak", "production"], tempProject());
            expect(code).to.equal(2);
            expect(stderr).to.include("--stak");
            expect(stderr).to.include("releasectl render --help");
        });

        describe("a malformed stack file", () => {
            const malformed = "config:\n  releasectl:namespace: shop\n  releasectl:services:\n    web: {image: registry.example.com/web, version: [1.0.0}\n";

            it("exits 2 with one line on stderr naming the file and line", async () => {
                const { code, stdout, stderr } = await runCli(["render", "--stack", "broken"], tempProject({ "Pulumi.broken.yaml": malformed }));
                expect(code).to.equal(2);
                expect(stdout).to.equal("");
                expect(stderr.split("\n")).to.have.length(2);
                expect(stderr).to.match(/^releasectl render: .*Pulumi\.broken\.yaml:\d+:\d+: malformed YAML: .+\n$/);
            });

            it("changes no file", async () => {
                const dir = tempProject({ "Pulumi.broken.yaml": malformed });
                const before = snapshot(dir);
                await new Promise((resolve) => setTimeout(resolve, 20));
                await runCli(["render", "--stack", "broken", "--out", "rendered"], dir);
                expect(snapshot(dir)).to.deep.equal(before);
            });
        });

        it("exits 2 for an invalid value, naming the key, with one line on stderr", async () => {
            const stack = fs.readFileSync(path.join(REPO, "Pulumi.production.yaml"), "utf8").replace("maxWeight: 50", "maxWeight: 150");
            const { code, stderr } = await runCli(["render", "--stack", "bad"], tempProject({ "Pulumi.bad.yaml": stack }));
            expect(code).to.equal(2);
            expect(stderr.trimEnd().split("\n")).to.have.length(1);
            expect(stderr).to.include("releasectl:services.checkout.canary.maxWeight = 150: is not allowed: must be a whole number from 1 to 100");
        });

        it("prints no stack trace unless --debug", async () => {
            const { code, stderr } = await runCli(["render", "--stack", "staging"], tempProject());
            expect(code).to.equal(2);
            expect(stderr).to.include('stack "staging" is unknown');
            expect(stderr).not.to.match(/\n\s+at /);
        });

        it("refuses --out naming a file", async () => {
            const dir = tempProject({ "taken.txt": "x" });
            const { code, stderr } = await runCli(["render", "--stack", "production", "--out", "taken.txt"], dir);
            expect(code).to.equal(2);
            expect(stderr).to.include("--out taken.txt: exists and is not a directory");
        });
    });

    describe("--out DIR", () => {
        it("writes one file per object under DIR/<service>/", async () => {
            const dir = tempProject();
            const { code, stdout } = await runCli(["render", "--stack", "production", "--out", "rendered"], dir);
            const count = allObjects(loadStack(dir, "production")).length;
            expect(code).to.equal(0);
            expect(stdout).to.equal(`wrote ${count} objects under rendered\n`);
            const files = ["checkout", "storefront"].flatMap((s) => fs.readdirSync(path.join(dir, "rendered", s)).map((f) => path.join(dir, "rendered", s, f)));
            expect(files).to.have.length(count);
        });

        it("writes files numbered in apply order and named by kind and object", async () => {
            const dir = tempProject();
            await runCli(["render", "--stack", "production", "--service", "checkout", "--out", "rendered"], dir);
            const files = fs.readdirSync(path.join(dir, "rendered", "checkout")).sort();
            expect(files[0]).to.equal("01-secret-checkout-releases-webhook.yaml");
            expect(files.findIndex((f) => f.includes("-job-"))).to.be.below(files.findIndex((f) => f.includes("-deployment-")));
        });

        it("writes the same manifests it prints", async () => {
            const dir = tempProject();
            await runCli(["render", "--stack", "production", "--service", "storefront", "--out", "rendered"], dir);
            const { stdout } = await runCli(["render", "--stack", "production", "--service", "storefront"], dir);
            const written = fs
                .readdirSync(path.join(dir, "rendered", "storefront"))
                .sort()
                .map((f) => parseAllDocuments(fs.readFileSync(path.join(dir, "rendered", "storefront", f), "utf8"))[0].toJS());
            expect(written).to.deep.equal(parseAllDocuments(stdout).map((d) => d.toJS()));
        });
    });
});
