import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../../config/types.js';
import { AlwaysSampleRuleSampler } from './always-sample-rule-sampler.js';

type SamplingConfig = ObservabilityConfig['opentelemetry']['sampling'];

/** The rule that turns error capture on (with `error_capture.enabled`). */
const ERROR_CAPTURE_RULE = 'error=true';

/** What {@link buildSampler} built. */
export interface SamplerSetup {
  /** The head sampler handed to the SDK. */
  sampler: Sampler;
  /** True when spans of traces the ratio drops are to be captured (see CaptureTracer). */
  errorCapture: boolean;
}

/**
 * True when error capture runs: `error_capture.enabled`, the rule `error=true` in `always_sample`,
 * and a ratio strategy (only a ratio "drops a trace"; always_off means no traces at all).
 */
export function isErrorCaptureActive(sampling: SamplingConfig): boolean {
  const ratioStrategy = sampling.strategy === 'traceid_ratio' || sampling.strategy === 'parent_based_traceid_ratio';
  return ratioStrategy && sampling.error_capture.enabled && sampling.always_sample.includes(ERROR_CAPTURE_RULE);
}

/**
 * Builds the head sampler from `opentelemetry.sampling`: the strategy (with `ratio`), wrapped in
 * {@link AlwaysSampleRuleSampler} when `always_sample` has rules (rules are checked first). Error
 * capture does not change the sampler: the spans it drops stay dropped for the SDK and are
 * captured by the tracer (error-capture/capture-tracer.ts).
 */
export function buildSampler(sampling: SamplingConfig): SamplerSetup {
  const errorCapture = isErrorCaptureActive(sampling);
  let sampler = buildStrategySampler(sampling);
  if (sampling.always_sample.length > 0) sampler = new AlwaysSampleRuleSampler(sampling.always_sample, sampler);
  return { sampler, errorCapture };
}

function buildStrategySampler(sampling: SamplingConfig): Sampler {
  switch (sampling.strategy) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceid_ratio':
      return new TraceIdRatioBasedSampler(sampling.ratio);
    case 'parent_based_traceid_ratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampling.ratio) });
    case 'parent_based_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parent_based_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
  }
}
