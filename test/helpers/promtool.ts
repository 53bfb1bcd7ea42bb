import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { AlertRule } from "../../builders/alerts";
import { Manifest } from "../../builders/types";

/** promtool on the PATH (Debian package `prometheus`), or undefined. */
export function findPromtool(): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, "promtool");
        if (dir && fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

/**
 * promtool, or: under CI a failure (CI installs it, so a missing promtool is a broken setup),
 * elsewhere a skipped suite.
 */
export function requirePromtool(ctx: Mocha.Context): string {
    const promtool = findPromtool();
    if (promtool) return promtool;
    if (process.env.CI === "true") throw new Error("promtool is not installed; CI installs it with apt-get install prometheus");
    ctx.skip();
}

export interface PromtoolResult {
    readonly status: number | null;
    readonly output: string;
}

export function runPromtool(promtool: string, args: string[], cwd: string): PromtoolResult {
    const result = spawnSync(promtool, args, { cwd, encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The rule groups of PrometheusRule manifests as a Prometheus rules file. */
export function rulesFile(rules: readonly Manifest[]): string {
    const groups = rules.flatMap((r) => (r.spec as { groups: unknown[] }).groups);
    return stringify({ groups }, { lineWidth: 0 });
}

/**
 * The annotations Prometheus renders for `rule` with the given `$value` and `$labels`: the rule's
 * own templates with the values filled in, so a test states only the numbers.
 */
export function renderedAnnotations(rule: AlertRule, value: number, labels: Record<string, string> = {}): Record<string, string> {
    const render = (template: string) =>
        template
            .replace(/\{\{ \$value \| printf "%\.(\d)f" \}\}/g, (_, digits: string) => value.toFixed(Number(digits)))
            .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => {
                if (labels[name] === undefined) throw new Error(`template needs label ${name}`);
                return labels[name];
            });
    const result: Record<string, string> = {};
    for (const [key, template] of Object.entries(rule.annotations)) {
        result[key] = render(template);
        if (result[key].includes("{{")) throw new Error(`unrendered template in ${rule.alert} ${key}: ${result[key]}`);
    }
    return result;
}
