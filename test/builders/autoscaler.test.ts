import { expect } from "chai";
import { buildAutoscaler } from "../../builders/autoscaler";
import { doc } from "../helpers/manifests";
import { serviceConfig } from "../helpers/fixtures";

describe("buildAutoscaler", () => {
    it("is an autoscaling/v2 HorizontalPodAutoscaler for the service's Deployment", () => {
        const hpa = doc(buildAutoscaler(serviceConfig()));
        expect([hpa.apiVersion, hpa.kind]).to.deep.equal(["autoscaling/v2", "HorizontalPodAutoscaler"]);
        expect(hpa.spec.scaleTargetRef).to.deep.equal({ apiVersion: "apps/v1", kind: "Deployment", name: "web" });
    });

    it("takes min and max replicas from the config", () => {
        const hpa = doc(buildAutoscaler(serviceConfig({ replicas: { min: 3, max: 12 } })));
        expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).to.deep.equal([3, 12]);
    });

    it("scales on average CPU utilisation", () => {
        const hpa = doc(buildAutoscaler(serviceConfig({ replicas: { targetCpuUtilization: 60 } })));
        expect(hpa.spec.metrics).to.deep.equal([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
    });
});
