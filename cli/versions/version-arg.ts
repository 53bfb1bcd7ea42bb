import { isSemVer, semVerLimitProblem } from "../../config/versions";

export interface VersionProblem {
    /** What is wrong, e.g. "not a SemVer version". */
    readonly problem: string;
    /** The version without the tag prefix, when that is what was meant (`v2.4.1` → `2.4.1`). */
    readonly bare?: string;
}

/**
 * What is wrong with a version given on the command line, or undefined when it is a version
 * releasectl can use. A leading tag prefix (`v2.4.1`, the tag's name, not the version) is
 * recognised so the message can give the version to write instead.
 */
export function versionProblem(text: string, prefix = "v"): VersionProblem | undefined {
    if (isSemVer(text)) return undefined;
    const limit = semVerLimitProblem(text);
    if (limit !== undefined) return { problem: limit };
    if (prefix !== "" && text.startsWith(prefix) && isSemVer(text.slice(prefix.length))) return { problem: "not a SemVer version", bare: text.slice(prefix.length) };
    return { problem: "not a SemVer version" };
}
