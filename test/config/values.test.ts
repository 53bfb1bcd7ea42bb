import { expect } from "chai";
import { isPrometheusDuration, parseDuration } from "../../config/duration";
import { compareQuantities, quantityValue } from "../../config/quantity";
import { imageTagForVersion, isPrerelease, isSemVer, labelValueForVersion } from "../../config/versions";

describe("config values", () => {
    describe("versions", () => {
        it("accepts SemVer with prerelease and build metadata", () => {
            expect(isSemVer("1.0.0-rc.1+build.7")).to.equal(true);
        });

        it("rejects a numeric prerelease identifier with a leading zero", () => {
            expect(isSemVer("1.0.0-01")).to.equal(false);
        });

        it("tells a prerelease from a release with build metadata", () => {
            expect([isPrerelease("2.0.0-rc.1"), isPrerelease("2.0.0+build.1")]).to.deep.equal([true, false]);
        });

        it("turns build metadata into an image tag with _ for +", () => {
            expect(imageTagForVersion("1.4.0+build.7")).to.equal("1.4.0_build.7");
        });

        it("cuts a label value to 63 characters ending alphanumeric", () => {
            const label = labelValueForVersion(`1.0.0-${"a".repeat(56)}.-x`);
            expect(label.length).to.be.at.most(63);
            expect(label).to.match(/^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/);
        });
    });

    describe("durations", () => {
        it("reads compound Go durations in seconds", () => {
            expect([parseDuration("1m30s"), parseDuration("500ms"), parseDuration("2h")]).to.deep.equal([90, 0.5, 7200]);
        });

        it("rejects text that is not a duration", () => {
            expect([parseDuration("1 minute"), parseDuration("60")]).to.deep.equal([undefined, undefined]);
        });

        it("allows only whole numbers in Prometheus durations", () => {
            expect([isPrometheusDuration("5m"), isPrometheusDuration("1.5m"), isPrometheusDuration("1d")]).to.deep.equal([true, false, true]);
        });
    });

    describe("quantities", () => {
        it("reads millicores", () => {
            expect(quantityValue("250m", "cpu")).to.equal(0.25);
        });

        it("compares binary and decimal memory units", () => {
            expect(compareQuantities("1Gi", "1G", "memory")).to.be.above(0);
        });
    });
});
