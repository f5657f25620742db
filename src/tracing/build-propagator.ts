import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { PropagatorName } from '../config/types.js';
import { TenantBaggagePropagator } from './tenant-baggage.js';

/**
 * Builds the propagator of `opentelemetry.propagation`, in the given order: `tracecontext`
 * (W3C traceparent/tracestate), `baggage` (W3C baggage, whose limits never drop the tenant entry:
 * see {@link TenantBaggagePropagator}), `b3` (single header), `b3multi` (X-B3-* headers); `none`
 * contributes nothing.
 */
export function buildPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    switch (name) {
      case 'tracecontext':
        propagators.push(new W3CTraceContextPropagator());
        break;
      case 'baggage':
        propagators.push(new TenantBaggagePropagator());
        break;
      case 'b3':
        propagators.push(new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }));
        break;
      case 'b3multi':
        propagators.push(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
        break;
      case 'none':
        break;
    }
  }
  return new CompositePropagator({ propagators });
}
