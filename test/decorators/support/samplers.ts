import type { Attributes } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * Records only spans whose start attributes carry `priority=critical`, as an always-sample rule
 * would; counts the attribute sets it saw.
 */
export class CriticalOnlySampler implements Sampler {
  readonly seen: Attributes[] = [];

  shouldSample(
    _context: unknown,
    _traceId: string,
    _name: string,
    _kind: unknown,
    attributes: Attributes,
  ): SamplingResult {
    this.seen.push(attributes);
    return {
      decision: attributes.priority === 'critical' ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
    };
  }

  toString(): string {
    return 'CriticalOnlySampler';
  }
}
