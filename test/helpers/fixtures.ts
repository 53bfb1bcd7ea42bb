import { parseReleaseConfig, ParseContext } from "../../config/load";
import { ReleaseConfig, ServiceConfig } from "../../config/types";

/**
 * Factories for configuration as a stack file holds it (the `releasectl:` keys without the
 * namespace). Every test starts from one of these valid baselines and changes one thing.
 */

/** What every error message must name as its file. */
export const SOURCE = "Pulumi.test.yaml";

/** Looks like a passphrase-provider ciphertext; the loader never decrypts it. */
export const WEBHOOK_CIPHERTEXT = "v1:Zm9vYmFyYmF6:webhookCiphertextThatMustNeverBePrinted0000==";
export const DATABASE_CIPHERTEXT = "v1:YmF6cXV4Zm9v:databaseCiphertextThatMustNeverBePrinted000==";

export type Raw = Record<string, unknown>;

/** A deep partial of raw values; `undefined` removes a key from the baseline. */
export type Overrides = { [key: string]: unknown };

/** One service with only what has no default: image, version, notification target. */
export function validService(): Raw {
    return {
        image: "registry.example.com/shop/web",
        version: "1.4.2",
        notification: "releases",
    };
}

/** A complete migration: command, downgrade, phase and the database URL as a secret. */
export function migrationValues(): Raw {
    return {
        command: ["/app/migrate", "up"],
        downgradeCommand: ["/app/migrate", "down", "--to", "1.4.1"],
        phase: "expand",
        databaseUrl: { secure: DATABASE_CIPHERTEXT },
    };
}

/** A stack with one service (`web`) and one notification target (`releases`). */
export function validValues(): Raw {
    return {
        environment: "production",
        namespace: "shop",
        notifications: {
            releases: { type: "slack", channel: "#releases", address: { secure: WEBHOOK_CIPHERTEXT } },
        },
        services: { web: validService() },
    };
}

/** validValues() with the service `web` changed by `overrides` (deep merge). */
export function valuesWithService(overrides: Overrides): Raw {
    const values = validValues();
    return merge(values, { services: { web: overrides } });
}

export function parse(values: Raw, ctx: Partial<ParseContext> = {}): ReleaseConfig {
    return parseReleaseConfig(values, { source: SOURCE, stack: "test", mode: "file", ...ctx });
}

/** The whole stack, with `web` changed by `overrides`. */
export function releaseConfig(overrides: Overrides = {}): ReleaseConfig {
    return parse(valuesWithService(overrides));
}

/** The typed `web` service, with `overrides` applied to its raw values. */
export function serviceConfig(overrides: Overrides = {}): ServiceConfig {
    const [service] = releaseConfig(overrides).services;
    return service;
}

/** A service with the example migration, changed by `overrides`. */
export function serviceWithMigration(overrides: Overrides = {}): ServiceConfig {
    return serviceConfig(merge({ migration: migrationValues() }, overrides));
}

/**
 * A stack exercising every canary provider, a migration with a backup step and a custom image,
 * a digest, a rollback and build metadata, so schema checks see every shape the builders emit.
 */
export function allProvidersValues(): Raw {
    const values = validValues();
    return merge(values, {
        prometheusUrl: "http://prometheus.monitoring:9090",
        services: {
            web: undefined,
            mesh: {
                ...validService(),
                image: "registry.example.com/shop/mesh",
                version: "3.0.0-rc.1+build.7",
                imageDigest: `sha256:${"a".repeat(64)}`,
                canary: { provider: "istio" },
                migration: {
                    ...migrationValues(),
                    phase: "contract",
                    image: "registry.example.com/shop/migrator:2.0.0",
                    backupCommand: "pg_dump \"$DATABASE_URL\" > /tmp/backup.sql",
                },
            },
            linkerd: { ...validService(), image: "registry.example.com/shop/linkerd", canary: { provider: "linkerd" }, rollback: true, previousVersion: "1.4.1" },
            edge: { ...validService(), image: "registry.example.com/shop/edge", canary: { provider: "nginx", host: "shop.example.com" } },
            batch: { ...validService(), image: "registry.example.com/shop/batch", canary: { provider: "kubernetes", iterations: 5 } },
        },
    });
}

/** Deep merge of plain maps; arrays and scalars replace, `undefined` deletes. */
export function merge(base: Raw, overrides: Overrides): Raw {
    const result: Raw = { ...base };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete result[key];
        } else if (isPlainMap(value) && isPlainMap(result[key])) {
            result[key] = merge(result[key] as Raw, value as Overrides);
        } else {
            result[key] = value;
        }
    }
    return result;
}

function isPlainMap(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !("secure" in (value as object));
}
