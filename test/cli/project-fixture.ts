import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { GitRepo } from "./git-fixture";

const ROOT = path.join(__dirname, "..", "..");
/** The example project's own files: the fixtures are the real stack a user starts from. */
export const PROJECT_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
export const PRODUCTION = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
export const STACK_FILE = "Pulumi.production.yaml";

/** `text` with each `[from, to]` replaced once; every `from` must occur. */
export function edited(text: string, replacements: [string, string][]): string {
    let out = text;
    for (const [from, to] of replacements) {
        expect(out, `fixture contains ${JSON.stringify(from)}`).to.include(from);
        out = out.replace(from, to);
    }
    return out;
}

/** The example stack with checkout at another version (and previousVersion). */
export function checkoutAt(version: string, previous: string, base = PRODUCTION): string {
    return edited(base, [["      version: 2.4.1\n      previousVersion: 2.4.0\n", `      version: ${version}\n      previousVersion: ${previous}\n`]]);
}

/** A git repository holding the example project, its stack committed as checkout 2.4.1. */
export function projectRepo(): GitRepo {
    const repo = GitRepo.create();
    repo.commit("release checkout 2.4.1", { "Pulumi.yaml": PROJECT_YAML, [STACK_FILE]: PRODUCTION });
    return repo;
}

/** The part of the stack file from the storefront on: what a checkout change must not touch. */
export function storefrontPart(text: string): string {
    return text.slice(text.indexOf("    # The storefront"));
}
