/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short words. */
function distance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/**
 * The candidate a mistyped word most likely meant (`chekout` → `checkout`), or undefined when
 * none is close: at most one edit for short words, a third of the word's length for longer ones.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    if (word === "") return undefined;
    const limit = Math.max(1, Math.floor(word.length / 3));
    let best: { name: string; d: number } | undefined;
    for (const name of candidates) {
        const d = distance(word.toLowerCase(), name.toLowerCase());
        if (d <= limit && (best === undefined || d < best.d)) best = { name, d };
    }
    return best?.name;
}

/** ` (did you mean checkout?)` or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
    const match = closest(word, candidates);
    return match === undefined || match === word ? "" : ` (did you mean ${match}?)`;
}
