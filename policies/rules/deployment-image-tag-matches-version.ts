import { ANNOTATIONS } from "../../builders/names";
import { imageTagForVersion } from "../../config/versions";
import { parseImage } from "../lib/image";
import { asString, containersOf, metadataName, podSpecOf } from "../lib/manifest";
import { NOT_A_RELEASE, releaseRecord } from "../lib/release-record";
import { checked, notApplicable, ResourceRule } from "../lib/rule";

export const deploymentImageTagMatchesVersion: ResourceRule = {
    scope: "resource",
    name: "deployment-image-tag-matches-version",
    description: "The service container of a release runs the image tagged with the release's version.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Let releasectl derive the image from the version (set only `image: <repository>` and `version` in the stack file), " +
        "or tag the image with the version (`+` becomes `_`: 1.4.0+build.7 → 1.4.0_build.7).",
    settings: [],
    kinds: ["apps/Deployment"],
    validate(resource) {
        const release = releaseRecord(resource.props);
        if (!release) return notApplicable(NOT_A_RELEASE);
        const podSpec = podSpecOf(resource.type, resource.props);
        const containers = podSpec ? containersOf(podSpec, { init: false }) : [];
        // The service's own container carries the Deployment's name; sidecars keep their own versions.
        const name = metadataName(resource.props);
        const main = containers.find((c) => c.name === name) ?? containers[0];
        if (!main) return checked([`the Deployment declares no container, so version ${release.version} runs nowhere. Declare the service container.`]);
        const image = asString(main.container.image);
        const expected = imageTagForVersion(release.version);
        if (image === undefined) return checked([`container ${main.name} has no image; it must run the image tagged ${expected}.`]);
        const tag = parseImage(image).tag;
        if (tag === expected) return checked([]);
        return checked([
            `container ${main.name} runs ${image}, but the release records ${ANNOTATIONS.version}=${release.version}: the stack would say one version while another runs, ` +
                `and a rollback would restore the wrong code. Use the image tagged ${expected}.`,
        ]);
    },
};
