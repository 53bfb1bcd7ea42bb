import { expect } from "chai";
import { changed, exampleObject } from "./fixtures";
import { runResource, urnFor } from "./runtime";

const RULE = "deployment-promoted-from-earlier-stack";
const ANN = ["metadata", "annotations"];
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const config = { promotionSources: ["staging"] };
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

/** The example's checkout Deployment (2.4.1, production), with a recorded promotion. */
function promoted(stack = "staging", version = "2.4.1", commit: string | null = COMMIT) {
    let d = changed(exampleObject("Deployment"), [...ANN, "releasectl.dev/promoted-from-stack"], stack);
    d = changed(d, [...ANN, "releasectl.dev/promoted-version"], version);
    return changed(d, [...ANN, "releasectl.dev/promoted-from-commit"], commit ?? undefined);
}

describe(RULE, () => {
    it("judges nothing while promotionSources is empty (the default)", async () => {
        const outcome = await runResource(RULE, exampleObject("Deployment"));
        expect(outcome.notApplicable).to.include("promotionSources names no earlier stack");
    });

    it("passes a production release promoted from a named stack, of this very version", async () => {
        expect(await runResource(RULE, promoted(), { config })).to.deep.equal({ violations: [] });
    });

    it("fails a production release that records no promotion, naming the command", async () => {
        const outcome = await runResource(RULE, exampleObject("Deployment"), { config });
        expect(messages(outcome)).to.have.length(1);
        expect(messages(outcome)[0]).to.include("records no promotion").and.include("releasectl promote <service> --from staging --to production");
    });

    it("fails a promotion from a stack that is not a promotion source", async () => {
        const outcome = await runResource(RULE, promoted("dev"), { config });
        expect(messages(outcome)[0]).to.include("promoted from stack dev, which is not one of promotionSources (staging)");
    });

    it("fails provenance recorded for another version", async () => {
        const outcome = await runResource(RULE, promoted("staging", "2.4.0"), { config });
        expect(messages(outcome)[0]).to.include("is of 2.4.0, not of 2.4.1");
    });

    it("fails a promotion without its commit", async () => {
        const outcome = await runResource(RULE, promoted("staging", "2.4.1", null), { config });
        expect(messages(outcome)[0]).to.include("names no commit");
    });

    it("does not apply to a rollback release, nor outside production", async () => {
        const rollback = changed(exampleObject("Deployment"), [...ANN, "releasectl.dev/rollback"], "true");
        expect((await runResource(RULE, rollback, { config })).notApplicable).to.include("a rollback release");
        const staging = { ...changed(exampleObject("Deployment"), [...ANN, "releasectl.dev/environment"], "staging"), urn: urnFor("kubernetes:apps/v1:Deployment", "checkout-deployment", "staging") };
        expect((await runResource(RULE, staging, { config })).notApplicable).to.include("is not production");
    });
});
