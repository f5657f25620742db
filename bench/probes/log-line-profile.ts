/**
 * Profiling aid for the log_line comparison (not part of `npm run bench`): writes `argv[3]` lines
 * (default 200,000) with one logger, `package` or `pino` (argv[2]), inside a sampled span with a
 * tenant, so that `node --cpu-prof dist/bench/probes/log-line-profile.js package` shows where a
 * line's time goes.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { closeLogger, createLogger } from '../../src/logging/index.js';
import { TENANT_BAGGAGE_KEY } from '../../src/tenancy/tenant-context.js';
import { testConfig } from '../../test/support/config.js';

const [variant = 'package', linesArg = '200000'] = process.argv.slice(2);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const span = new TracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('bench').startSpan('grey.task.run');
const active = propagation.setBaggage(
  trace.setSpan(context.active(), span),
  propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-1' } }),
);
// `fields`: plain pino with the same correlation fields from a constant mixin (the serialization
// cost of the fields alone, without looking them up).
const fields = {
  trace_id: span.spanContext().traceId,
  span_id: span.spanContext().spanId,
  trace_flags: '01',
  tenant_id: 'tenant-1',
};
const logger =
  variant === 'package'
    ? createLogger(testConfig({ service: { name: 'bench' }, logging: { level: 'info', destination: '/dev/null' } }))
    : variant === 'fields'
      ? pino(
          { base: { service: 'bench', pid: process.pid }, mixin: () => fields },
          pino.destination({ dest: '/dev/null', sync: false }),
        )
      : pino(pino.destination({ dest: '/dev/null', sync: false }));
let cpu = 0;
for (let done = 0; done < Number(linesArg); done += 1000) {
  const start = process.cpuUsage();
  context.with(active, () => {
    for (let i = 0; i < 1000; i++) logger.info({ task_id: 'task-1', i }, 'task completed');
  });
  const used = process.cpuUsage(start);
  cpu += used.user + used.system;
  // Let the asynchronous destination drain, as a service's event loop would.
  await new Promise((resolve) => setImmediate(resolve));
}
const used = { user: cpu, system: 0 };
process.stdout.write(
  `${variant}: ${(((used.user + used.system) * 1000) / Number(linesArg)).toFixed(0)} CPU ns per line\n`,
);
await closeLogger(logger);
