import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, UserError } from "../../config/errors";
import { listStacks, loadStack } from "../../config/load";
import { errorOf } from "../helpers/errors";
import { REPO, removeTempProjects, tempProject } from "../helpers/project";

/** A small valid stack file, as a user would write it. */
const MINIMAL_STACK = `config:
  releasectl:namespace: shop
  releasectl:notifications:
    releases:
      type: slack
      address:
        secure: v1:c2FsdA==:Y2lwaGVydGV4dA==
  releasectl:services:
    web:
      image: registry.example.com/shop/web
      version: 1.0.0
`;

describe("loadStack", () => {
    after(removeTempProjects);

    describe("the example production stack", () => {
        it("declares checkout and storefront", () => {
            expect(loadStack(REPO, "production").services.map((s) => s.name)).to.deep.equal(["checkout", "storefront"]);
        });

        it("gives checkout a migration and storefront none", () => {
            const [checkout, storefront] = loadStack(REPO, "production").services;
            expect(checkout.migration?.phase).to.equal("expand");
            expect(storefront.migration).to.equal(undefined);
        });

        it("keeps the webhook address and database URL as ciphertexts", () => {
            const config = loadStack(REPO, "production");
            expect(config.notifications.releases.address.ciphertext).to.match(/^v1:/);
            expect(config.services[0].migration?.databaseUrl.ciphertext).to.match(/^v1:/);
            expect(config.notifications.releases.address.plaintext).to.equal(undefined);
        });
    });

    it("applies Pulumi.yaml's defaults, so a stack without environment uses the stack name", () => {
        const dir = tempProject({ "Pulumi.staging.yaml": MINIMAL_STACK });
        const config = loadStack(dir, "staging");
        expect(config.environment).to.equal("staging");
        expect(config.kubeContext).to.equal(undefined);
    });

    it("reads dates and yes/no as text, as the Pulumi CLI does", () => {
        const stack = MINIMAL_STACK.replace("      version: 1.0.0\n", "      version: 1.0.0\n      evidence:\n        ciRun: 2024-01-01\n        review: yes\n");
        const [web] = loadStack(tempProject({ "Pulumi.staging.yaml": stack }), "staging").services;
        expect(web.evidence).to.deep.equal({ ciRun: "2024-01-01", review: "yes" });
    });

    it("names the stack file as the source of every config error", () => {
        const dir = tempProject({ "Pulumi.staging.yaml": MINIMAL_STACK.replace("version: 1.0.0", "version: v1.0.0") });
        const error = errorOf(() => loadStack(dir, "staging"));
        expect(error).to.be.instanceOf(ConfigError);
        expect(error.message).to.match(/Pulumi\.staging\.yaml: releasectl:services\.web\.version = "v1\.0\.0": /);
    });

    it("names the stack file relative to the command's cwd, not the process's", () => {
        const dir = tempProject({ "Pulumi.staging.yaml": MINIMAL_STACK.replace("version: 1.0.0", "version: v1.0.0") });
        expect(path.resolve(process.cwd())).not.to.equal(path.resolve(dir));
        expect(errorOf(() => loadStack(dir, "staging", { cwd: dir })).message).to.match(/^Pulumi\.staging\.yaml: releasectl:services\.web\.version = /);
        const above = path.dirname(dir);
        const fromAbove = errorOf(() => loadStack(dir, "staging", { cwd: above })).message;
        expect(fromAbove.startsWith(`${path.basename(dir)}/Pulumi.staging.yaml: releasectl:services.web.version = `), fromAbove).to.equal(true);
    });

    it("lists the stacks that have a stack file", () => {
        const dir = tempProject({ "Pulumi.staging.yaml": MINIMAL_STACK, "Pulumi.dev.yml": MINIMAL_STACK });
        expect(listStacks(dir)).to.deep.equal(["dev", "production", "staging"]);
    });

    describe("a missing stack file", () => {
        it("is a UserError naming the file and the known stacks", () => {
            const dir = tempProject();
            const error = errorOf(() => loadStack(dir, "staging"));
            expect(error).to.be.instanceOf(UserError);
            expect(error.message).to.include(`${dir}/Pulumi.staging.yaml: no such stack file; stack "staging" is unknown`);
            expect(error.message).to.include("Known stacks: production (choose one with --stack)");
        });

        it("suggests pulumi stack init when there is no stack at all", () => {
            const dir = tempProject({}, { example: false });
            expect(errorOf(() => loadStack(dir, "dev")).message).to.include("Create it with: pulumi stack init dev");
        });

        it("is a UserError when Pulumi.yaml is missing", () => {
            const error = errorOf(() => loadStack("/nonexistent-releasectl-project", "production"));
            expect(error).to.be.instanceOf(UserError);
            expect(error.message).to.include("Pulumi.yaml: not found");
        });
    });

    describe("malformed YAML", () => {
        it("names the file, line and column of a bad flow sequence", () => {
            const dir = tempProject({ "Pulumi.bad.yaml": "config:\n  releasectl:namespace: shop\n  releasectl:services: [web\n" });
            const error = errorOf(() => loadStack(dir, "bad"));
            expect(error).to.be.instanceOf(UserError);
            expect(error.message).to.match(new RegExp(`^${dir}/Pulumi\\.bad\\.yaml:\\d+:\\d+: malformed YAML: .+; fix the syntax and run again$`));
        });

        it("points at the line indented with a tab", () => {
            const dir = tempProject({ "Pulumi.tab.yaml": "config:\n  releasectl:namespace: shop\n\treleasectl:services: {}\n" });
            expect(errorOf(() => loadStack(dir, "tab")).message).to.include("Pulumi.tab.yaml:3:1: malformed YAML: tab characters must not be used in indentation");
        });

        it("rejects a key written twice and points at the second", () => {
            const dir = tempProject({ "Pulumi.dup.yaml": "config:\n  releasectl:namespace: shop\n  releasectl:namespace: web\n" });
            expect(errorOf(() => loadStack(dir, "dup")).message).to.include("Pulumi.dup.yaml:3:3: malformed YAML: duplicated mapping key");
        });

        it("names the line of a malformed Pulumi.yaml", () => {
            const dir = tempProject();
            fs.writeFileSync(`${dir}/Pulumi.yaml`, "name: releasectl\nconfig:\n  namespace: {type: string\n");
            expect(errorOf(() => loadStack(dir, "production")).message).to.match(/Pulumi\.yaml:\d+:\d+: malformed YAML: /);
        });

        it("rejects a stack file of several YAML documents", () => {
            const dir = tempProject({ "Pulumi.multi.yaml": `${MINIMAL_STACK}---\nconfig: {}\n` });
            expect(errorOf(() => loadStack(dir, "multi")).message).to.include("Pulumi.multi.yaml: holds 2 YAML documents");
        });

        it("is one line", () => {
            const dir = tempProject({ "Pulumi.bad.yaml": "config:\n  releasectl:services: {web: [}\n" });
            expect(errorOf(() => loadStack(dir, "bad")).message).not.to.include("\n");
        });
    });

    describe("stack file structure", () => {
        it("rejects an unknown top-level key", () => {
            const dir = tempProject({ "Pulumi.typo.yaml": MINIMAL_STACK.replace("config:", "confg:") });
            const message = errorOf(() => loadStack(dir, "typo")).message;
            expect(message).to.include("Pulumi.typo.yaml: confg: unknown top-level key; a stack file may hold config, secretsprovider");
        });

        it("rejects a config that is a list", () => {
            const dir = tempProject({ "Pulumi.list.yaml": "config:\n  - releasectl:namespace\n" });
            expect(errorOf(() => loadStack(dir, "list")).message).to.include("Pulumi.list.yaml: config = a list of 1: must be a map of namespaced keys");
        });
    });
});
