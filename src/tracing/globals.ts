import {
  ProxyTracerProvider,
  context,
  propagation,
  trace,
  type ContextManager,
  type TextMapPropagator,
} from '@opentelemetry/api';

/** Which OpenTelemetry globals this package registered, so that exactly those are undone. */
export interface GlobalClaims {
  context: boolean;
  propagation: boolean;
  trace: boolean;
}

/** A fresh record of no claims. */
export function noClaims(): GlobalClaims {
  return { context: false, propagation: false, trace: false };
}

/**
 * Registers `manager` as the global context manager. Returns false (and registers nothing) when
 * another one is already registered: the caller reports it, the other owner's one is kept.
 */
export function claimContextManager(manager: ContextManager, claims: GlobalClaims): boolean {
  manager.enable();
  if (!context.setGlobalContextManager(manager)) {
    manager.disable();
    return false;
  }
  claims.context = true;
  return true;
}

/** Registers `propagator` globally; false when another one is already registered. */
export function claimPropagator(propagator: TextMapPropagator, claims: GlobalClaims): boolean {
  if (!propagation.setGlobalPropagator(propagator)) return false;
  claims.propagation = true;
  return true;
}

/** True when some SDK already registered a global tracer provider. */
export function isTracerProviderRegistered(): boolean {
  const current = trace.getTracerProvider();
  if (!(current instanceof ProxyTracerProvider)) return true;
  return current.getDelegate() !== new ProxyTracerProvider().getDelegate();
}

/** Unregisters every global recorded in `claims` (and only those), then clears the record. */
export function releaseGlobals(claims: GlobalClaims): void {
  if (claims.trace) trace.disable();
  if (claims.propagation) propagation.disable();
  if (claims.context) context.disable();
  claims.trace = false;
  claims.propagation = false;
  claims.context = false;
}
