// Fault injection for the simulated tenant: rules matched by family, method and path add latency or
// replace the answer with a 5xx, a reset connection, a malformed body, a hang or a 429. Probabilities
// are drawn from a seeded generator, so a run with the same seed and requests injects the same faults.
import { SeededRandom } from './seededRandom';

export type RequestFamily = 'entity' | 'hunting' | 'identity' | 'other';

export type FaultKind = 'latency' | 'error' | 'reset' | 'malformed' | 'hang' | 'throttle';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests of this family (default: any). */
  family?: RequestFamily;
  /** A string matches when the decoded path (with query) contains it; a RegExp is tested against it. */
  path?: string | RegExp;
  /** Only this HTTP method (default: any). */
  method?: string;
  /** latency: milliseconds added before the request is handled (default 100). */
  delayMs?: number;
  /** error: the status to answer (default 503). */
  status?: 500 | 502 | 503 | 504;
  /** throttle: the Retry-After to send, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Apply to at most this many matching requests (default: unlimited). */
  count?: number;
  /** Chance (0..1) that a matching request is affected (default 1). */
  probability?: number;
}

export interface FaultDecision {
  /** Total latency to add before anything else happens. */
  delayMs: number;
  /** The fault that replaces the normal answer, if any. */
  fault?: FaultRule;
}

interface ActiveRule {
  rule: FaultRule;
  path?: RegExp;
  remaining: number;
  hits: number;
}

const KINDS: readonly FaultKind[] = ['latency', 'error', 'reset', 'malformed', 'hang', 'throttle'];

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private readonly random: SeededRandom;

  constructor(rules: readonly FaultRule[] = [], seed = 1) {
    this.random = new SeededRandom(seed ^ 0x5eed);
    this.set(rules);
  }

  /** Replaces the rules (and their counters). Throws RangeError for a malformed rule. */
  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => {
      if (!KINDS.includes(rule.kind)) throw new RangeError(`Unknown fault kind '${String(rule.kind)}'`);
      if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new RangeError('Fault probability must be between 0 and 1');
      if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count >= 0)) throw new RangeError('Fault count must be a whole number >= 0');
      if (rule.delayMs !== undefined && !(rule.delayMs >= 0)) throw new RangeError('Fault delayMs must be >= 0');
      const path = rule.path instanceof RegExp ? new RegExp(rule.path.source, rule.path.flags.replace(/[gy]/g, '')) : undefined;
      return { rule, path, remaining: rule.count ?? Infinity, hits: 0 };
    });
  }

  /** How many requests each rule (in order) has affected. */
  hits(): number[] {
    return this.rules.map((r) => r.hits);
  }

  decide(request: { method: string; path: string; family: RequestFamily }): FaultDecision {
    let delayMs = 0;
    let fault: FaultRule | undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.kind !== 'latency' && fault) continue;
      if (rule.family && rule.family !== request.family) continue;
      if (rule.method && rule.method.toUpperCase() !== request.method.toUpperCase()) continue;
      if (typeof rule.path === 'string' && !request.path.includes(rule.path)) continue;
      if (active.path && !active.path.test(request.path)) continue;
      if (rule.probability !== undefined && rule.probability < 1 && !this.random.chance(rule.probability)) continue;
      active.remaining--;
      active.hits++;
      if (rule.kind === 'latency') delayMs += rule.delayMs ?? 100;
      else fault = rule;
    }
    return fault ? { delayMs, fault } : { delayMs };
  }
}
