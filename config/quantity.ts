const CPU = /^(\d+(?:\.\d+)?)(m)?$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E)?$/;
const MEMORY_FACTORS: Record<string, number> = {
    "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

export function isCpuQuantity(text: string): boolean {
    const m = CPU.exec(text);
    return m !== null && Number(m[1]) > 0;
}

export function isMemoryQuantity(text: string): boolean {
    const m = MEMORY.exec(text);
    return m !== null && Number(m[1]) > 0;
}

/** Quantity in base units (cores or bytes), or undefined when it does not parse. */
export function quantityValue(text: string, kind: "cpu" | "memory"): number | undefined {
    if (kind === "cpu") {
        const m = CPU.exec(text);
        return m ? Number(m[1]) / (m[2] ? 1000 : 1) : undefined;
    }
    const m = MEMORY.exec(text);
    return m ? Number(m[1]) * MEMORY_FACTORS[m[2] ?? ""] : undefined;
}

/** Negative, zero or positive as a < b, a = b, a > b; undefined when either does not parse. */
export function compareQuantities(a: string, b: string, kind: "cpu" | "memory"): number | undefined {
    const x = quantityValue(a, kind);
    const y = quantityValue(b, kind);
    return x === undefined || y === undefined ? undefined : x - y;
}
