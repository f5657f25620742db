// A CommonJS service: plain require() of the package, which is an ES module (Node >= 22.12 loads
// ES modules from require(); the package needs Node >= 22.15). No build step, no decorators: the
// handle's tracer, logger and metrics do the same work by hand.
//
//   node examples/commonjs/service.cjs
//
// Start observability before the rest of the service with
//   node --import @grey/observability/register service.cjs
// (require('@grey/observability/register') is not supported: see docs/typescript.md).
'use strict';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain require() is what this example shows
const { initObservability, withTenant, SpanNames } = require('@grey/observability');

async function main() {
  const obs = await initObservability();
  const jobs = obs.metrics.counter({ name: 'example_cjs_jobs_total', help: 'Jobs run', labels: ['tenant'] });

  await withTenant('tenant-cjs', () =>
    obs.tracer.startActiveSpan(SpanNames.TASK_RUN, async (span) => {
      try {
        obs.logger.info('job running');
        jobs.inc(); // the tenant label comes from the baggage that withTenant() set
      } finally {
        span.end();
      }
    }),
  );

  const exposition = await obs.metrics.scrape('text');
  const line = exposition.split('\n').find((text) => text.startsWith('example_cjs_jobs_total{'));
  obs.logger.info({ metric: line }, 'commonjs service done');
  await obs.shutdown();
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
