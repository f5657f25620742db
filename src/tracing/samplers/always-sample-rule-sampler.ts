import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

/** One parsed `always_sample` rule: `value` undefined means `key=*` (any value). */
interface SamplingRule {
  readonly key: string;
  readonly value: string | undefined;
}

/**
 * Parses `opentelemetry.sampling.always_sample` rules: `key=value` matches a start attribute
 * whose value, as a string, equals `value` (`error=true` matches the boolean `true` and the
 * string `"true"`); `key=*` matches the attribute with any value.
 */
function parseSamplingRules(rules: readonly string[]): SamplingRule[] {
  return rules.map((rule) => {
    const at = rule.indexOf('=');
    const key = rule.slice(0, at);
    const value = rule.slice(at + 1);
    return { key, value: value === '*' ? undefined : value };
  });
}

/**
 * Samples a span whatever the wrapped sampler says when one of the `always_sample` rules matches
 * the attributes the span starts with; otherwise defers to the wrapped sampler. Only start
 * attributes are visible to a head sampler: attributes set later cannot sample a span (the
 * error-capture path covers spans that end in error).
 */
export class AlwaysSampleRuleSampler implements Sampler {
  private readonly keys: string[];
  private readonly values: Array<string | undefined>;

  constructor(
    rules: readonly string[],
    private readonly delegate: Sampler,
  ) {
    const parsed = parseSamplingRules(rules);
    this.keys = parsed.map((r) => r.key);
    this.values = parsed.map((r) => r.value);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (attributes !== undefined) {
      for (let i = 0; i < this.keys.length; i++) {
        const actual = attributes[this.keys[i] as string];
        if (actual === undefined || actual === null) continue;
        const expected = this.values[i];
        if (expected === undefined || String(actual) === expected) return SAMPLED;
      }
    }
    return this.delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    const rules = this.keys.map((k, i) => `${k}=${this.values[i] ?? '*'}`).join(',');
    return `AlwaysSampleRuleSampler{rules=[${rules}], delegate=${this.delegate.toString()}}`;
  }
}
