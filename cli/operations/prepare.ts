// The prepare operation: writes a service's next version into the stack file (prepareEdit,
// validated against the stack's rules, under the file lock, atomic), or shows it (dry run), with
// the changelog entry that goes with it. Layer: cli/operations/, the domain operations the
// commands call; imports only lower layers (cli/stack/, cli/changelog/, cli/versions/, config/),
// never cli/commands/ or cli/ship/.
import { parseStackText, stackFilePath } from "../../config/load";
import { ReleaseConfig } from "../../config/types";
import type { PreparedEntry } from "../changelog/prepare-entry";
import { CommandContext } from "../context";
import { projectName } from "../stack/project-name";
import { readService, ServiceLocation } from "../stack/edit";
import { updateFileLocked } from "../stack/lock";
import { prepareEdit } from "../stack/prepare-edit";
import { readStackText } from "../stack/stack-text";
import { NextRequest } from "../versions/compute-next";

/** The changelog entry prepare writes: loaded only when prepare runs, not by rollback and promote. */
type PrepareEntryModule = typeof import("../changelog/prepare-entry");

export interface PrepareRequest {
    readonly dir: string;
    readonly stack: string;
    readonly config: ReleaseConfig;
    readonly service: string;
    readonly version: string;
    /** Path of the stack file as shown to the user. */
    readonly shown: string;
    readonly dryRun?: boolean;
    readonly lockTimeoutMs?: number;
    /** The changelog entry to write with the version (undefined: --no-changelog). */
    readonly changelog?: { readonly policyPackConfig?: string; readonly repo?: NextRequest };
}

export type PrepareOutcome =
    | {
          readonly written: false;
          readonly from: string;
          readonly before: string;
          readonly after: string;
          readonly entry?: PreparedEntry;
      }
    | {
          readonly written: true;
          readonly from: string;
          readonly after: string;
          /** The service's migration still says phase contract, as written for the version before. */
          readonly stillContract: boolean;
          /** The changelog entry written (undefined: none asked for). */
          readonly changelog?: { readonly line: string; readonly commit?: string };
      };

/** Plans and (unless dryRun) writes the version; the changelog entry is written after the stack file. */
export async function performPrepare(ctx: CommandContext, req: PrepareRequest): Promise<PrepareOutcome> {
    const { dir, stack, version, shown } = req;
    const file = stackFilePath(dir, stack);
    const loc: ServiceLocation = { project: projectName(dir), service: req.service, file: shown };
    const edit = (text: string) => {
        const result = prepareEdit(text, loc, version, stack);
        parseStackText(dir, stack, result.text, shown);
        return result;
    };

    const entry =
        req.changelog === undefined
            ? undefined
            : (require("../changelog/prepare-entry") as PrepareEntryModule).preparedEntry(ctx, { dir, stack, config: req.config, service: req.service, version, ...req.changelog });

    if (req.dryRun) {
        const before = readStackText(file);
        const { text, from } = edit(before);
        return { written: false, from, before, after: text, entry };
    }
    let from = "";
    const { after } = await updateFileLocked(
        file,
        (text) => {
            const result = edit(text);
            from = result.from;
            return result.text;
        },
        { timeoutMs: req.lockTimeoutMs },
    );
    const migration = readService(after, loc)?.migration as { phase?: unknown } | undefined;
    const changelog = entry === undefined ? undefined : await (require("../changelog/prepare-entry") as PrepareEntryModule).writePreparedEntry(entry);
    return { written: true, from, after, stillContract: migration?.phase === "contract", changelog };
}
