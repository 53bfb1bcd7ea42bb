// Quoting an argv for a person to paste into a shell. Layer: cli/ root utilities (no cli/
// imports), used by the operations' reports, ship's recovery commands and the commands' hints.

/** An argv as a shell command line a person can paste. */
export function shellLine(argv: readonly string[]): string {
    return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
