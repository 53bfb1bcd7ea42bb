// Types of simulator.js (plain JavaScript with JSDoc, run by node without a build) for the
// TypeScript tests that import it.

export interface Behaviour {
    rps: number;
    errorRate: number;
    latencyMs: number;
    errorCode: string;
    successCode: string;
}

/** `{ "<service>" | "<namespace>/<service>" | "*": { "<version>" | "*": Partial<Behaviour> } }` */
export type BehaviourDoc = Record<string, Record<string, Partial<Behaviour>>>;

export interface MetricNames {
    requestsTotal: string;
    durationBucket: string;
    statusLabel: string;
}

export interface PodView {
    uid: string;
    namespace: string;
    name: string;
    service: string;
    version: string;
    versionLabel: string;
    ready: boolean;
    restarts: number;
}

export interface SimulatorOptions {
    kubeconfig: string;
    context?: string;
    listen?: string;
    behaviourFile?: string;
    behaviour?: BehaviourDoc;
    intervalSeconds?: number;
    namespaces?: string[];
    portName?: string;
    metrics?: Partial<MetricNames>;
    buckets?: number[];
    /** Where log lines go (default stderr, prefixed "simulator: "). */
    log?: (line: string) => void;
}

export interface HttpSdTarget {
    targets: string[];
    labels: Record<string, string>;
}

export declare class Simulator {
    constructor(options: SimulatorOptions);
    /** host:port it listens on, once started. */
    readonly address: string;
    start(): Promise<Simulator>;
    stop(): Promise<void>;
    poll(): Promise<void>;
    setBehaviour(doc: BehaviourDoc): void;
    targets(): HttpSdTarget[];
}

export declare const DEFAULT_BUCKETS: readonly number[];
export declare const DEFAULT_BEHAVIOUR: Readonly<Behaviour>;
export declare const DEFAULT_METRICS: Readonly<MetricNames>;
export declare function startSimulator(options: SimulatorOptions): Promise<Simulator>;
export declare function prometheusConfig(opts: { simulator: string; scrapeInterval?: string; sdRefreshInterval?: string; evaluationInterval?: string }): string;
export declare function latencyDistribution(latencyMs: number, buckets: readonly number[], quantile?: number): { shares: number[]; meanSeconds: number };
export declare function resolveBehaviour(doc: BehaviourDoc, pod: { namespace: string; service: string; version: string; versionLabel: string }): Behaviour;
export declare function validateBehaviour(doc: unknown): BehaviourDoc;
export declare function loadKubeconfig(
    file: string,
    contextName?: string,
): { server: URL; ca?: Buffer; cert?: Buffer; key?: Buffer; token?: string; insecure: boolean; servername?: string };
export declare function podView(pod: unknown, portName: string): PodView | undefined;
export declare function parseDuration(text: string | number): number;
