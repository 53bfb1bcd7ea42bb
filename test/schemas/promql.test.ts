import { expect } from "chai";
import { buildMetricTemplates } from "../../builders/canary";
import { alertRules } from "../../builders/alerts";
import { loadStack } from "../../config/load";
import { allProvidersValues, parse } from "../helpers/fixtures";
import { doc } from "../helpers/manifests";
import { REPO } from "../helpers/project";

type PromqlParser = typeof import("@prometheus-io/lezer-promql")["parser"];

/** Where the Prometheus project's own PromQL grammar finds an error node ("⚠"), if anywhere. */
function syntaxErrors(parser: PromqlParser, expr: string): string[] {
    const errors: string[] = [];
    parser.parse(expr).iterate({
        enter: (node) => {
            if (node.type.isError) errors.push(`error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
        },
    });
    return errors;
}

/** Flagger fills these in before querying; a sample value makes the template plain PromQL. */
function fillTemplate(query: string): string {
    return query.replace(/\{\{ interval \}\}/g, "1m").replace(/\{\{ namespace \}\}/g, "shop").replace(/\{\{ target \}\}/g, "batch");
}

describe("PromQL expressions", () => {
    let parser: PromqlParser;

    before(async () => {
        ({ parser } = await import("@prometheus-io/lezer-promql"));
    });

    it("parses every alert expression of the example stack without error nodes", () => {
        const exprs = loadStack(REPO, "production").services.flatMap((s) => alertRules(s).map((r) => [`${s.name}/${r.alert}`, r.expr]));
        expect(exprs.length).to.be.above(10);
        expect(exprs.flatMap(([name, expr]) => syntaxErrors(parser, expr).map((e) => `${name}: ${e}`))).to.deep.equal([]);
    });

    it("parses alert expressions built from custom metric names and selectors", () => {
        const config = parse(allProvidersValues());
        const exprs = config.services.flatMap((s) => alertRules(s).map((r) => r.expr));
        expect(exprs.flatMap((expr) => syntaxErrors(parser, expr))).to.deep.equal([]);
    });

    it("parses the blue/green MetricTemplate queries once Flagger fills in their variables", () => {
        const config = parse(allProvidersValues());
        const batch = config.services.find((s) => s.name === "batch");
        if (!batch) throw new Error("no batch service");
        const queries = buildMetricTemplates(config, batch).map((t) => fillTemplate(doc(t).spec.query));
        expect(queries.flatMap((q) => syntaxErrors(parser, q))).to.deep.equal([]);
    });

    it("finds error nodes in a broken expression", () => {
        expect(syntaxErrors(parser, 'sum(rate(http_requests_total{code=~"5.."}[5m])')).not.to.deep.equal([]);
    });

    it("finds error nodes in a selector with a missing quote", () => {
        expect(syntaxErrors(parser, 'max(flagger_canary_status{name="web}) > 1')).not.to.deep.equal([]);
    });
});
