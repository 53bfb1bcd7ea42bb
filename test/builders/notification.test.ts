import { expect } from "chai";
import { buildAlertProvider, buildWebhookSecret } from "../../builders/notification";
import { SECRET_PLACEHOLDER } from "../../config/types";
import { doc } from "../helpers/manifests";
import { merge, parse, validValues, WEBHOOK_CIPHERTEXT } from "../helpers/fixtures";

function setup(notification: Record<string, unknown> = {}) {
    const config = parse(merge(validValues(), { notifications: { releases: notification } }));
    return { service: config.services[0], target: config.notifications.releases };
}

describe("notification builders", () => {
    it("puts a placeholder, never the secret, in the webhook Secret", () => {
        const { service, target } = setup();
        const secret = doc(buildWebhookSecret(service, target).manifest);
        expect([secret.apiVersion, secret.kind, secret.type]).to.deep.equal(["v1", "Secret", "Opaque"]);
        expect(secret.stringData).to.deep.equal({ address: SECRET_PLACEHOLDER });
        expect(JSON.stringify(secret)).not.to.include(WEBHOOK_CIPHERTEXT);
    });

    it("binds the Secret's address to the notification's Pulumi secret", () => {
        const { service, target } = setup();
        expect(buildWebhookSecret(service, target).secrets).to.deep.equal([{ path: ["stringData", "address"], secret: target.address }]);
    });

    it("declares an AlertProvider of the target's type that reads the Secret", () => {
        const { service, target } = setup();
        const provider = doc(buildAlertProvider(service, target));
        const secret = doc(buildWebhookSecret(service, target).manifest);
        expect([provider.apiVersion, provider.kind, provider.metadata.name]).to.deep.equal(["flagger.app/v1beta1", "AlertProvider", "web-releases"]);
        expect(provider.spec).to.deep.equal({ type: "slack", channel: "#releases", username: "releasectl", secretRef: { name: secret.metadata.name } });
    });

    it("leaves the channel out when none is configured", () => {
        const { service, target } = setup({ type: "msteams", channel: undefined });
        expect(doc(buildAlertProvider(service, target)).spec).not.to.have.property("channel");
    });

    it("uses the configured username", () => {
        const { service, target } = setup({ username: "shop-releases" });
        expect(doc(buildAlertProvider(service, target)).spec.username).to.equal("shop-releases");
    });
});
