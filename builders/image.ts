import { ServiceConfig } from "../config/types";
import { imageTagForVersion } from "../config/versions";

/** `<repository>:<version>`, or `<repository>:<version>@<digest>` when a digest pins it. */
export function imageReference(s: ServiceConfig): string {
    const tagged = `${s.image.repository}:${imageTagForVersion(s.version)}`;
    return s.image.digest ? `${tagged}@${s.image.digest}` : tagged;
}
