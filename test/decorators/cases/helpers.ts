import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { FixtureBuild } from '../support/fixtures.js';
import type { TestRuntime } from '../support/runtime.js';

/** What a case module gets: the build under test and the live runtime of the current test. */
export interface CaseContext {
  build(): FixtureBuild;
  runtime(): TestRuntime;
}

/** Finished spans of the current test. */
export function finishedSpans(ctx: CaseContext): ReadableSpan[] {
  return ctx.runtime().tracing.exporter.getFinishedSpans();
}

/** The one finished span named `name`; fails when there is not exactly one. */
export function onlySpan(ctx: CaseContext, name: string): ReadableSpan {
  const spans = finishedSpans(ctx).filter((span) => span.name === name);
  if (spans.length !== 1)
    throw new Error(
      `expected one span ${name}, got ${spans.length}: ${finishedSpans(ctx)
        .map((s) => s.name)
        .join(', ')}`,
    );
  return spans[0]!;
}

/** Log lines of the current test with message `msg`. */
export function logLines(ctx: CaseContext, msg: string): Array<Record<string, unknown>> {
  return ctx.runtime().logs.lines.filter((line) => line.msg === msg);
}

/** Resolves after pending I/O callbacks and microtasks ran. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The original method behind a decorator wrapper. */
export function originalOf(fn: unknown): (...args: unknown[]) => unknown {
  return (fn as Record<symbol, (...args: unknown[]) => unknown>)[Symbol.for('@grey/observability.instrumented')]!;
}
