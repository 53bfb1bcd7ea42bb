import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, UserError } from "../../config/errors";
import { LIMITS } from "../../config/limits";
import { loadStack, parseStackFileText } from "../../config/load";
import { isSecretName } from "../../config/plain-secrets";
import { merge, migrationValues, parse, serviceConfig, validValues, valuesWithService } from "../helpers/fixtures";
import { errorOf, expectRejected, rejection } from "../helpers/errors";
import { removeTempProjects, runCli, snapshot, tempProject } from "../helpers/project";

/**
 * Bad input the loader must refuse with one line (file, key path, what was found, the fix),
 * without echoing a secret or a huge value, without hanging and without an internal error.
 */

const PLAIN = '"<plain text>"';
const ENV_FIX = "secrets are not allowed in env";

/** The message for `env` with `{name: value}`, checked to be a refusal that does not echo `value`. */
function envRejection(name: string, value: unknown): string {
    const message = expectRejected(valuesWithService({ env: { [name]: value } }), { key: `services.web.env.${name}`, value: PLAIN, allowed: "is a plain-text value" });
    expect(message).to.include(ENV_FIX);
    expect(message).not.to.include(String(value));
    return message;
}

/** A small stack file as a user writes it; `extra` is appended under the service `web`. */
function stackText(extra = ""): string {
    return `config:
  releasectl:namespace: shop
  releasectl:notifications:
    releases:
      type: slack
      address:
        secure: v1:c2FsdA==:Y2lwaGVydGV4dA==
  releasectl:services:
    web:
      image: registry.example.com/shop/web
      version: 1.0.0
${extra}`;
}

describe("bad input", () => {
    after(removeTempProjects);

    describe("plain-text secrets in env, by the variable's name", () => {
        for (const name of [
            "DB_PASSWORD",
            "DB_PASSWD",
            "DB_PASS",
            "DB_PWD",
            "PASSWORD",
            "GPG_PASSPHRASE",
            "API_TOKEN",
            "CLIENT_SECRET",
            "STRIPE_API_KEY",
            "SENDGRID_APIKEY",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_PRIVATE_KEY",
            "ENCRYPTION_KEY",
            "GOOGLE_CREDENTIALS",
            "REGISTRY_CREDENTIAL",
            "dbPassword",
            "password",
        ]) {
            it(`refuses ${name} without echoing the value`, () => {
                const message = envRejection(name, "hunter2-do-not-print");
                expect(message).to.include(`its name (${name}) says it is a secret`);
            });
        }

        it("refuses a number under a secret's name without echoing it (a PIN)", () => {
            const message = envRejection("CARD_PASSWORD", 987654);
            expect(message).not.to.include("987654");
        });

        it("names the file, the key path and says a plain-text value, in one line", () => {
            const message = envRejection("DB_PASSWORD", "hunter2");
            expect(message).to.match(/^Pulumi\.test\.yaml: releasectl:services\.web\.env\.DB_PASSWORD = "<plain text>": is a plain-text value/);
            expect(message).to.include("keep the value in a Kubernetes Secret your platform manages");
        });

        for (const name of [
            "CACHE_KEY_PREFIX",
            "CACHE_KEY",
            "SORT_KEY",
            "JWT_PUBLIC_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "RECAPTCHA_SITE_KEY",
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "PWD",
            "LOG_LEVEL",
        ]) {
            it(`accepts ${name}: its last segment names no secret`, () => {
                expect(serviceConfig({ env: { [name]: "sessions" } }).env[name]).to.equal("sessions");
            });
        }

        it("accepts an empty value, a $(VAR) reference and a file path under a secret's name", () => {
            const env = { DB_PASSWORD: "", API_TOKEN: "$(API_TOKEN_FROM_SECRET)", GOOGLE_CREDENTIALS: "/var/run/secrets/google/key.json" };
            expect(serviceConfig({ env }).env).to.deep.equal(env);
        });

        it("matches the name's last segment only", () => {
            expect(isSecretName("CACHE_KEY_PREFIX")).to.equal(false);
            expect(isSecretName("SESSION_KEY")).to.equal(true);
            expect(isSecretName("PUBLIC_KEY")).to.equal(false);
            expect(isSecretName("apiToken")).to.equal(true);
        });
    });

    describe("plain-text secrets in env, by the value", () => {
        it("refuses a URL with a password under any name", () => {
            const message = envRejection("DATABASE_URL", "postgres://app:pw-do-not-print@db.shop:5432/orders");
            expect(message).to.include("it holds a URL with a password");
            expect(message).not.to.include("pw-do-not-print");
        });

        it("refuses a private key, a token in a known format and a webhook URL", () => {
            expect(envRejection("TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIEdonotprint")).to.include("a private key");
            expect(envRejection("GH", `ghp_${"a1B2".repeat(9)}`)).to.include("an access token");
            expect(envRejection("ALERTS", "https://hooks.slack.com/services/T000/B000/donotprint")).to.include("a webhook URL");
        });

        it("accepts a URL with a user but no password, and one whose password is a variable", () => {
            const env = { UPSTREAM: "https://deploy@git.example.com/x", PGURL: "postgres://app:$(PGPASSWORD)@db/orders", MAIL: "user@example.com" };
            expect(serviceConfig({ env }).env).to.deep.equal(env);
        });

        it("still refuses a secure: value in env", () => {
            expectRejected(valuesWithService({ env: { TOKEN: { secure: "v1:abc" } } }), { key: "services.web.env.TOKEN", allowed: ENV_FIX });
        });

        it("refuses it inside the program too, where the engine hands over plain text", () => {
            const message = rejection(valuesWithService({ env: { DB_PASSWORD: "hunter2" } }), { mode: "program", isSecretKey: () => true });
            expect(message).to.include("releasectl:services.web.env.DB_PASSWORD").and.not.to.include("hunter2");
        });

        it("leaves the secret keys to their own rule: a decrypted database URL in the program is fine", () => {
            const values = valuesWithService({ migration: { ...migrationValues(), databaseUrl: "postgres://app:pw@db/orders" } });
            const config = parse(merge(values, { notifications: { releases: { address: "https://hooks.slack.com/services/T/B/x" } } }), { mode: "program", isSecretKey: () => true });
            expect(config.services[0].migration?.databaseUrl.plaintext).to.equal("postgres://app:pw@db/orders");
        });
    });

    describe("plain-text credentials elsewhere", () => {
        const cases: [string, Record<string, unknown>, string][] = [
            ["canary.loadTesterUrl", { canary: { loadTesterUrl: "http://admin:donotprint@flagger-loadtester.test/" } }, "secure: values"],
            ["canary.smokeTest", { canary: { smokeTest: "curl -sSf http://admin:donotprint@web-canary.shop:8080/" } }, "secure: values"],
            ["alerts.runbookUrl", { alerts: { runbookUrl: "https://u:donotprint@runbooks.example.com/" } }, "secure: values"],
            ["evidence.ciRun", { evidence: { ciRun: "https://u:donotprint@ci.example.com/runs/1" } }, "secure: values"],
            ["migration.command[2]", { migration: { ...migrationValues(), command: ["migrate", "--url", "postgres://u:donotprint@db/x"] } }, "migration.databaseUrl, a secure value: pulumi config set --secret --path 'releasectl:services.web.migration.databaseUrl'"],
            ["migration.backupCommand", { migration: { ...migrationValues(), backupCommand: "pg_dump postgres://u:donotprint@db/x" } }, "refer to $DATABASE_URL"],
            ["image", { image: "user:donotprint@registry.example.com/shop/web" }, "imagePullSecret"],
            ["migration.image", { migration: { ...migrationValues(), image: "user:donotprint@registry.example.com/m:1" } }, "imagePullSecret"],
        ];
        for (const [key, overrides, fix] of cases) {
            it(`refuses one in ${key} without echoing it`, () => {
                const message = expectRejected(valuesWithService(overrides), { key: `services.web.${key}`, value: PLAIN, allowed: fix });
                expect(message).not.to.include("donotprint");
            });
        }

        it("refuses one in prometheusUrl", () => {
            const message = expectRejected(merge(validValues(), { prometheusUrl: "https://admin:donotprint@prom.example.com" }), { key: "prometheusUrl", value: PLAIN, allowed: "a URL with a password" });
            expect(message).not.to.include("donotprint");
        });

        it("accepts a smoke test that reads the password from a shell variable", () => {
            const command = "curl -sSf http://admin:$ADMIN_PASSWORD@web-canary.shop:8080/";
            expect(serviceConfig({ canary: { smokeTest: command } }).canary.smokeTest.command).to.equal(command);
        });
    });

    describe("length limits", () => {
        const big = (n: number) => "x".repeat(n);

        it("refuses a value over 64 KiB, naming the length and the limit and not the value", () => {
            const message = expectRejected(valuesWithService({ env: { BLOB: big(LIMITS.value + 1) } }), { key: "services.web.env.BLOB", allowed: `is ${LIMITS.value + 1} characters long; at most 65536 are allowed` });
            expect(message).not.to.include("xxxxxxxxxx");
            expect(message.length).to.be.below(400);
        });

        it("accepts a value of exactly 64 KiB", () => {
            expect(serviceConfig({ env: { BLOB: big(LIMITS.value) } }).env.BLOB).to.have.length(LIMITS.value);
        });

        it("refuses a version longer than an image tag (128 characters)", () => {
            const version = `1.0.0-${"a".repeat(123)}`;
            expectRejected(valuesWithService({ version }), { key: "services.web.version", allowed: "is 129 characters long; at most 128 are allowed (the version is the image tag" });
        });

        it("refuses an image repository over 255 characters", () => {
            expectRejected(valuesWithService({ image: `registry.example.com/${"a".repeat(240)}` }), { key: "services.web.image", allowed: "at most 255 are allowed" });
        });

        it("refuses an evidence link over 2048 characters (it becomes an annotation)", () => {
            expectRejected(valuesWithService({ evidence: { ciRun: `https://ci.example.com/${big(2030)}` } }), { key: "services.web.evidence.ciRun", allowed: "at most 2048 are allowed (evidence is recorded as annotations" });
        });

        it("refuses a host with a DNS label over 63 characters", () => {
            expectRejected(valuesWithService({ canary: { provider: "nginx", host: `${"a".repeat(64)}.example.com` } }), { key: "services.web.canary.host", allowed: "each label of a DNS name holds at most 63 characters" });
        });

        it("refuses an env over 1 MiB in all", () => {
            const env = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`V${i}`, big(64000)]));
            expectRejected(valuesWithService({ env }), { key: "services.web.env", allowed: "add up to more than 1048576 characters; at most 1048576 (1 MiB)" });
        });

        it("refuses a migration command over 64 KiB in all", () => {
            const downgradeCommand = Array.from({ length: 3 }, () => big(30000));
            expectRejected(valuesWithService({ migration: { ...migrationValues(), downgradeCommand } }), { key: "services.web.migration.downgradeCommand", allowed: "at most 65536 (64 KiB)" });
        });

        it("refuses a key over 512 characters and shortens it in the message", () => {
            const name = "A".repeat(5000);
            const message = expectRejected(valuesWithService({ env: { [name]: "x" } }), { key: "services.web.env.AAAA", allowed: "the key is 5000 characters long; at most 512 are allowed" });
            expect(message.length).to.be.below(300);
        });

        it("refuses a secure value's ciphertext over 64 KiB", () => {
            const values = valuesWithService({ migration: { ...migrationValues(), databaseUrl: { secure: `v1:${big(LIMITS.value)}` } } });
            expectRejected(values, { key: "services.web.migration.databaseUrl.secure", allowed: "at most 65536 are allowed" });
        });

        it("refuses values that aliases repeat past 16 MiB, at once", () => {
            const env = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`V${i}`, big(60000)]));
            const services = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`s${i}`, { image: "registry.example.com/shop/web", version: "1.0.0", env }]));
            const started = Date.now();
            const message = rejection(merge(validValues(), { services }));
            expect(message).to.include("expand to more than 16 MiB");
            expect(message).to.include("YAML aliases");
            expect(Date.now() - started).to.be.below(2000);
        });

        it("refuses a control character, naming where it is", () => {
            expectRejected(valuesWithService({ env: { LOG: "a\u0000b" } }), { key: "services.web.env.LOG", allowed: "holds a control character (U+0000) at position 2" });
        });

        it("accepts tabs and newlines in a command", () => {
            expect(serviceConfig({ canary: { smokeTest: "curl -sSf\thttp://x/ &&\n  true" } }).canary.smokeTest.command).to.include("\n");
        });
    });

    describe("values of the wrong shape", () => {
        for (const [what, value, shown] of [
            ["a fraction YAML has changed (1.10 reads as 1.1)", 1.1, "1.1"],
            ["an integer beyond what a number holds exactly", 12345678901234567000, "12345678901234567000"],
        ] as const) {
            it(`refuses ${what} in env with the advice to quote it`, () => {
                expectRejected(valuesWithService({ env: { PORT: value } }), { key: "services.web.env.PORT", value: shown, allowed: "must be a string; quote it in YAML so it stays exactly as written" });
            });
        }

        it("keeps accepting whole numbers and booleans in env, as earlier releases a rollback re-applies have them", () => {
            expect(serviceConfig({ env: { PORT: 8080, DEBUG: false } }).env).to.deep.equal({ PORT: "8080", DEBUG: "false" });
        });

        it("refuses null, a list and a map in env", () => {
            for (const value of [null, ["a"], { a: "b" }]) {
                expectRejected(valuesWithService({ env: { X: value } }), { key: "services.web.env.X", allowed: "must be a string" });
            }
        });

        it("refuses APP_VERSION, which releasectl sets itself", () => {
            expectRejected(valuesWithService({ env: { APP_VERSION: "9.9.9" } }), { key: "services.web.env.APP_VERSION", allowed: "is set by releasectl itself" });
        });

        it("refuses an env name that is not a C identifier", () => {
            for (const name of ["1BAD", "MY-VAR", "A B", "<<"]) {
                expectRejected(valuesWithService({ env: { [name]: "x" } }), { key: `services.web.env.${name}`, allowed: "is not a valid environment variable name" });
            }
        });

        it("refuses an ingressClassName that is not a DNS name", () => {
            expectRejected(valuesWithService({ canary: { provider: "nginx", host: "shop.example.com", ingressClassName: "Nginx Public" } }), {
                key: "services.web.canary.ingressClassName",
                value: '"Nginx Public"',
                allowed: "an IngressClass name",
            });
        });

        it("keeps refusing what it refused before: names, replicas, versions, images, ports", () => {
            const rejected: [Record<string, unknown>, string][] = [
                [{ replicas: { min: -1 } }, "replicas.min"],
                [{ replicas: { max: 100000000 } }, "replicas.max"],
                [{ replicas: { min: 2.5 } }, "replicas.min"],
                [{ version: "v1.0.0" }, "version"],
                [{ image: "registry.example.com/shop/ web" }, "image"],
                [{ port: 0 }, "port"],
                [{ port: 70000 }, "port"],
            ];
            for (const [overrides, key] of rejected) expect(rejection(valuesWithService(overrides))).to.include(`releasectl:services.web.${key}`);
            expect(rejection(merge(validValues(), { services: { Web_App: { image: "registry.example.com/a", version: "1.0.0" } } }))).to.include("is not a valid service name");
        });
    });

    describe("stack files", () => {
        const load = (text: string | Buffer) => errorOf(() => loadStack(tempProject({ "Pulumi.t.yaml": text as string }), "t"));

        it("refuses a stack file over 4 MiB before reading it", () => {
            const dir = tempProject();
            const file = path.join(dir, "Pulumi.big.yaml");
            fs.writeFileSync(file, "");
            fs.truncateSync(file, 5 * 1024 * 1024);
            const error = errorOf(() => loadStack(dir, "big"));
            expect(error).to.be.instanceOf(UserError);
            expect(error.message).to.equal(`${file}: is 5242880 bytes; a stack file holds at most 4194304 bytes (4 MiB); keep large data out of it`);
        });

        it("refuses a stack file text from git history over the limit", () => {
            const error = errorOf(() => parseStackFileText(`# ${"x".repeat(LIMITS.fileBytes)}\n`, "Pulumi.t.yaml (at v1.0.0)", "t"));
            expect(error).to.be.instanceOf(UserError);
            expect(error.message).to.include("at most 4194304");
        });

        it("refuses a stack file that is not UTF-8, naming the line", () => {
            const text = Buffer.concat([Buffer.from(stackText("      evidence:\n        ciRun: caf")), Buffer.from([0xe9]), Buffer.from("\n")]);
            const error = load(text);
            expect(error).to.be.instanceOf(UserError);
            expect(error.message).to.match(/Pulumi\.t\.yaml:13: is not UTF-8 text \(byte \d+ cannot start or continue a character\); save it as UTF-8$/);
        });

        it("reads a stack file that starts with a byte order mark", () => {
            const dir = tempProject({ "Pulumi.t.yaml": `\ufeff${stackText()}` });
            expect(loadStack(dir, "t").services.map((s) => s.name)).to.deep.equal(["web"]);
        });

        it("refuses a folder where the stack file should be", () => {
            const dir = tempProject();
            fs.mkdirSync(path.join(dir, "Pulumi.t.yaml"));
            expect(errorOf(() => loadStack(dir, "t"))).to.be.instanceOf(UserError);
        });

        it("refuses a named pipe instead of waiting for a writer", function () {
            const dir = tempProject();
            try {
                execFileSync("mkfifo", [path.join(dir, "Pulumi.t.yaml")]);
            } catch {
                this.skip();
            }
            expect(errorOf(() => loadStack(dir, "t")).message).to.include("is not a regular file");
        });

        it("refuses a billion laughs quickly", () => {
            let text = stackText("      evidence:\n        ciRun: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            const names = "abcdefghij";
            for (let i = 1; i < names.length; i++) text += `      x${i}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(", ")}]\n`;
            const started = Date.now();
            const error = load(text);
            expect(error).to.be.instanceOf(ConfigError);
            expect(error.message).to.include("expand to more than 16 MiB or 1000000 values");
            expect(Date.now() - started).to.be.below(5000);
        });

        it("keeps refusing malformed YAML: duplicate keys, tabs, a top level that is a list", () => {
            expect(load(stackText("      version: 1.0.1\n")).message).to.include("duplicated mapping key");
            expect(load(stackText().replace("      version", "\tversion")).message).to.include("tab characters");
            expect(load("- config\n- x\n").message).to.include("(top level) = a list of 2: must be a map with a config: key");
        });
    });

    describe("through the command line", () => {
        const SECRET = "hunter2-do-not-print";

        for (const command of ["render", "check"]) {
            it(`${command} exits 2 with one line for a plain-text password in env, printing nothing else`, async () => {
                const dir = tempProject({ "Pulumi.t.yaml": stackText(`      env:\n        DB_PASSWORD: ${SECRET}\n`) });
                const before = snapshot(dir);
                const run = await runCli([command, "--stack", "t"], dir);
                expect(run.code).to.equal(2);
                expect(run.stdout).to.equal("");
                expect(run.stderr.trimEnd().split("\n")).to.have.length(1);
                expect(run.stderr).to.include("Pulumi.t.yaml: releasectl:services.web.env.DB_PASSWORD = \"<plain text>\": is a plain-text value");
                expect(run.stdout + run.stderr).not.to.include(SECRET);
                expect(snapshot(dir)).to.deep.equal(before);
            });
        }

        it("render exits 2 for a 20 MB value instead of printing it", async () => {
            const dir = tempProject({ "Pulumi.t.yaml": stackText(`      env:\n        BLOB: ${"x".repeat(20 * 1024 * 1024)}\n`) });
            const run = await runCli(["render", "--stack", "t"], dir);
            expect(run.code).to.equal(2);
            expect(run.stdout).to.equal("");
            expect(run.stderr.trimEnd().split("\n")).to.have.length(1);
            expect(run.stderr).to.match(/Pulumi\.t\.yaml: is \d+ bytes; a stack file holds at most 4194304 bytes \(4 MiB\)/);
        });

        it("render exits 2 for a 100 KB value, naming its length and the limit", async () => {
            const dir = tempProject({ "Pulumi.t.yaml": stackText(`      env:\n        BLOB: ${"x".repeat(100 * 1024)}\n`) });
            const run = await runCli(["render", "--stack", "t"], dir);
            expect(run.code).to.equal(2);
            expect(run.stdout).to.equal("");
            expect(run.stderr).to.include("releasectl:services.web.env.BLOB: is 102400 characters long; at most 65536 are allowed");
            expect(run.stderr.length).to.be.below(400);
        });
    });
});
