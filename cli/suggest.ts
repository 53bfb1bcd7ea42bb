import { closest } from "../config/reader";

/**
 * ` (did you mean checkout?)` or nothing: the command line's typo hint for commands, options and
 * services, from the same nearest-match rule the stack loader uses for unknown keys.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
    const match = word === "" ? undefined : closest(word, candidates);
    return match === undefined || match === word ? "" : ` (did you mean ${match}?)`;
}
