import { expect } from "chai";
import { FreezeWindow } from "../../policies/settings";
import { formatInZone, parseInstant, parseWindowDuration, spanCovering } from "../../policies/lib/freeze";
import { changed, exampleObject } from "./fixtures";
import { runResource } from "./runtime";

const yearEnd = { name: "year-end", start: "2026-12-21", end: "2027-01-04", timeZone: "Europe/Berlin" };
const weekend = { name: "weekend", cron: "0 18 * * 5", duration: "62h", timeZone: "Europe/Berlin" };
const window = (w: Partial<FreezeWindow> & { name: string }): FreezeWindow => ({ timeZone: "UTC", ...w });
const messages = (o: { violations: readonly { message: string }[] }) => o.violations.map((v) => v.message);

describe("workload-outside-freeze-window", () => {
    const deployment = () => exampleObject("Deployment");

    it("does not apply when no window is configured", async () => {
        expect((await runResource("workload-outside-freeze-window", deployment())).notApplicable).to.equal("no freeze windows configured");
    });

    it("passes outside every window", async () => {
        const outcome = await runResource("workload-outside-freeze-window", deployment(), { config: { freezeWindows: [yearEnd] }, now: new Date("2026-12-20T12:00:00Z") });
        expect(outcome).to.deep.equal({ violations: [] });
    });

    it("fails a release inside a fixed window, naming it and when it ends", async () => {
        const outcome = await runResource("workload-outside-freeze-window", deployment(), { config: { freezeWindows: [yearEnd] }, now: new Date("2026-12-24T12:00:00Z") });
        expect(messages(outcome)[0]).to.include('change freeze "year-end" is in effect until 2027-01-04 00:00 Europe/Berlin').and.include("stack production");
    });

    it("fails a release inside a recurring window", async () => {
        // Saturday 2026-06-13 10:00 UTC: inside Friday 18:00 Berlin + 62 h.
        const outcome = await runResource("workload-outside-freeze-window", deployment(), { config: { freezeWindows: [weekend] }, now: new Date("2026-06-13T10:00:00Z") });
        expect(messages(outcome)[0]).to.include('"weekend" is in effect until 2026-06-15 08:00 Europe/Berlin');
    });

    it("lets a rollback through a freeze", async () => {
        const rollback = changed(deployment(), ["metadata", "annotations", "releasectl.dev/rollback"], "true");
        const outcome = await runResource("workload-outside-freeze-window", rollback, { config: { freezeWindows: [yearEnd] }, now: new Date("2026-12-24T12:00:00Z") });
        expect(outcome).to.deep.equal({ violations: [] });
    });

    it("applies a window without stacks to production stacks only", async () => {
        const staging = { ...changed(deployment(), ["metadata", "annotations", "releasectl.dev/environment"], "staging"), urn: "urn:pulumi:staging::releasectl::x$kubernetes:apps/v1:Deployment::checkout-deployment" };
        const outcome = await runResource("workload-outside-freeze-window", staging, { config: { freezeWindows: [yearEnd] }, now: new Date("2026-12-24T12:00:00Z") });
        expect(outcome.notApplicable).to.equal("no freeze window applies to stack staging");
    });

    it("applies a window to the stacks it names", async () => {
        const staging = { ...changed(deployment(), ["metadata", "annotations", "releasectl.dev/environment"], "staging"), urn: "urn:pulumi:staging::releasectl::x$kubernetes:apps/v1:Deployment::checkout-deployment" };
        const outcome = await runResource("workload-outside-freeze-window", staging, { config: { freezeWindows: [{ ...yearEnd, stacks: ["staging"] }] }, now: new Date("2026-12-24T12:00:00Z") });
        expect(messages(outcome)).to.have.length(1);
    });

    it("catches a StatefulSet declared outside releasectl", async () => {
        const statefulSet = { type: "kubernetes:apps/v1:StatefulSet", name: "db", props: { kind: "StatefulSet", metadata: { name: "db" }, spec: {} } };
        const outcome = await runResource("workload-outside-freeze-window", statefulSet, { config: { freezeWindows: [yearEnd] }, now: new Date("2026-12-24T12:00:00Z") });
        expect(messages(outcome)[0]).to.include('"year-end"');
    });
});

describe("freeze windows", () => {
    it("read a local date at midnight in the window's time zone", () => {
        expect(parseInstant("2026-12-21", "Europe/Berlin")?.toISOString()).to.equal("2026-12-20T23:00:00.000Z");
    });

    it("read a local date-time across a daylight-saving change", () => {
        expect(parseInstant("2026-07-01T09:30", "Europe/Berlin")?.toISOString()).to.equal("2026-07-01T07:30:00.000Z");
        expect(parseInstant("2026-03-29T03:30", "Europe/Berlin")?.toISOString()).to.equal("2026-03-29T01:30:00.000Z");
    });

    it("take an instant with an offset as it is", () => {
        expect(parseInstant("2026-12-24T18:00:00+01:00", "America/New_York")?.toISOString()).to.equal("2026-12-24T17:00:00.000Z");
    });

    it("reject a date that does not exist", () => {
        expect(parseInstant("2026-02-30", "UTC")).to.equal(undefined);
    });

    it("end exclusively", () => {
        const w = window({ name: "w", start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z" });
        expect(spanCovering(w, new Date("2026-01-01T23:59:59Z"))).to.not.equal(undefined);
        expect(spanCovering(w, new Date("2026-01-02T00:00:00Z"))).to.equal(undefined);
    });

    it("include a recurring window's exact start", () => {
        const w = window({ name: "w", cron: "0 18 * * 5", duration: "1h", timeZone: "UTC" });
        expect(spanCovering(w, new Date("2026-06-12T18:00:00Z"))?.start.toISOString()).to.equal("2026-06-12T18:00:00.000Z");
        expect(spanCovering(w, new Date("2026-06-12T19:00:00Z"))).to.equal(undefined);
    });

    it("follow the time zone of a recurring window in summer and winter", () => {
        const w = window({ name: "w", cron: "0 18 * * 5", duration: "2h", timeZone: "Europe/Berlin" });
        expect(spanCovering(w, new Date("2026-06-12T16:30:00Z"))?.start.toISOString()).to.equal("2026-06-12T16:00:00.000Z");
        expect(spanCovering(w, new Date("2026-12-11T17:30:00Z"))?.start.toISOString()).to.equal("2026-12-11T17:00:00.000Z");
    });

    it("parse durations in days, hours, minutes and seconds", () => {
        expect(parseWindowDuration("2d12h")).to.equal(60 * 3_600_000);
        expect(parseWindowDuration("90m")).to.equal(5_400_000);
        expect(parseWindowDuration("1.5h")).to.equal(undefined);
    });

    it("print an instant as the wall clock of the zone", () => {
        expect(formatInZone(new Date("2026-12-24T17:00:00Z"), "Europe/Berlin")).to.equal("2026-12-24 18:00 Europe/Berlin");
    });
});
