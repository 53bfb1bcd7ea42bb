import { NotificationConfig } from "../../config/types";

/** The JSON body each chat service's incoming webhook expects for a plain text message. */
export function announcementPayload(target: NotificationConfig, text: string): Record<string, unknown> {
    switch (target.type) {
        case "slack":
        case "rocket":
            return { text, username: target.username, ...(target.channel ? { channel: target.channel } : {}) };
        case "discord":
            return { content: text, username: target.username };
        case "msteams":
            return { "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: text, text };
        case "gchat":
            return { text };
    }
}

/**
 * Posts an announcement. The address is a secret: it never appears in what this returns or
 * throws; errors name the config key instead.
 */
export async function announce(target: NotificationConfig, address: string, text: string, timeoutMs = 10_000): Promise<void> {
    const where = `the ${target.name} webhook (releasectl:notifications.${target.name}.address)`;
    let response: Response;
    try {
        response = await fetch(address, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(announcementPayload(target, text)),
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (e) {
        const reason = (e as Error).name === "TimeoutError" ? "timed out" : "could not be reached";
        throw new Error(`${where} ${reason}`);
    }
    if (!response.ok) throw new Error(`${where} answered HTTP ${response.status}`);
}
