import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { parse } from "yaml";

/** What the program asked the engine to create, as the engine saw the request. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    /** The inputs as serialized on the wire: secrets keep their secret signature here. */
    readonly wireInputs: Record<string, any>;
    readonly urn: string;
    readonly parent: string;
    readonly dependencies: string[];
    readonly deleteBeforeReplace: boolean;
    readonly provider: string;
}

/**
 * Runs the Pulumi program (index.ts) under `setMocks` with the given namespaced config, and
 * returns every registration with its parent, dependencies and inputs. The mock monitor's
 * `registerResource` is wrapped to record what the real engine would receive, since the mock
 * API does not expose parents or dependencies. `call` throws: the program makes no calls, and a
 * new one must be mocked on purpose.
 */
export async function runProgram(
    config: Record<string, string>,
    secretKeys: string[],
    opts: { stack?: string; preview?: boolean } = {},
): Promise<{ registrations: Registration[]; exports: Record<string, any> }> {
    const registrations: Registration[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args: pulumi.runtime.MockResourceArgs) => ({
                id: args.custom ? `${args.name}-id` : undefined,
                state: args.inputs,
            }),
            call: (args: pulumi.runtime.MockCallArgs) => {
                throw new Error(`unexpected call to ${args.token}: the program makes no provider calls`);
            },
        },
        "releasectl",
        opts.stack ?? "production",
        opts.preview ?? false,
    );
    pulumi.runtime.setAllConfig(config, secretKeys);

    const settings = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    let inflight = 0;
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, res: any) => void) => {
        inflight++;
        original(req, (err: any, res: any) => {
            if (!err) {
                registrations.push({
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    inputs: unwrapSecrets(req.getObject().toJavaScript()),
                    wireInputs: req.getObject().toJavaScript(),
                    urn: res.getUrn(),
                    parent: req.getParent(),
                    dependencies: req.getDependenciesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    provider: req.getProvider(),
                });
            }
            inflight--;
            callback(err, res);
        });
    };

    const programPath = require.resolve(path.join(__dirname, "..", "..", "index"));
    delete require.cache[programPath];
    const program = require(programPath);
    // Registrations happen asynchronously once inputs resolve: wait until the program is idle.
    let stable = 0;
    let last = -1;
    while (stable < 5) {
        await new Promise((r) => setTimeout(r, 10));
        if (inflight === 0 && registrations.length === last) stable++;
        else stable = 0;
        last = registrations.length;
    }
    return { registrations, exports: program };
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** The plain value of wire inputs: secret envelopes (`{<sig>: <secret sig>, value}`) opened. */
export function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        if (value[SECRET_SIG_KEY] === SECRET_SIG_VALUE) return unwrapSecrets(value.value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Resolves an Output (or plain value) for assertions. */
export function resolve<T>(value: pulumi.Input<T>): Promise<T> {
    return new Promise((r) => pulumi.output(value).apply((v) => r(v as T)));
}

/**
 * Config as the engine hands it to the program, made from a stack file: `releasectl:*` keys,
 * objects as JSON, `secure:` values replaced by the given plaintexts (keyed by their path, e.g.
 * `notifications.releases.address`) and their top-level keys marked secret.
 */
export function engineConfig(stackYaml: string, plaintexts: Record<string, string>): { config: Record<string, string>; secretKeys: string[] } {
    const doc = parse(stackYaml) as { config: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(doc.config)) {
        const top = key.split(":")[1];
        const replaced = replaceSecure(value, top, (p) => {
            secretKeys.add(key);
            const plain = plaintexts[p];
            if (plain === undefined) throw new Error(`test gives no plaintext for secure value ${p}`);
            return plain;
        });
        config[key] = typeof replaced === "string" ? replaced : JSON.stringify(replaced);
    }
    return { config, secretKeys: [...secretKeys] };
}

function replaceSecure(value: unknown, at: string, plain: (path: string) => string): unknown {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const record = value as Record<string, unknown>;
        if (Object.keys(record).length === 1 && typeof record.secure === "string") return plain(at);
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, replaceSecure(v, `${at}.${k}`, plain)]));
    }
    if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, `${at}.${i}`, plain));
    return value;
}
