import { expect } from "chai";
import { ConfigError, UserError } from "../../config/errors";
import { ParseContext } from "../../config/load";
import { parse, Raw, SOURCE } from "./fixtures";

/** The error `fn` throws; fails the test when it throws nothing. */
export function errorOf(fn: () => unknown): Error {
    try {
        fn();
    } catch (e) {
        return e as Error;
    }
    expect.fail("expected an error, got none");
}

/** The message of the UserError parsing `values` throws. */
export function rejection(values: Raw, ctx: Partial<ParseContext> = {}): string {
    const error = errorOf(() => parse(values, ctx));
    expect(error).to.be.instanceOf(UserError);
    return error.message;
}

/**
 * Asserts the one-line message of a rejected configuration names the file, the key path, the
 * bad value (when there is one) and what is allowed.
 */
export function expectRejected(
    values: Raw,
    expected: { key: string; value?: string; allowed: string },
    ctx: Partial<ParseContext> = {},
): string {
    const error = errorOf(() => parse(values, ctx));
    expect(error).to.be.instanceOf(ConfigError);
    const message = error.message;
    expect(message).not.to.include("\n");
    expect(message).to.include(`${SOURCE}: releasectl:${expected.key}`);
    if (expected.value !== undefined) expect(message).to.include(`releasectl:${expected.key} = ${expected.value}`);
    expect(message).to.include(expected.allowed);
    return message;
}
