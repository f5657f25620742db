import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, SUPPORTED_NODE_MAJORS, nodeBinary } from './support/node-versions.js';
import { installPackedPackage, type InstalledPackage } from './support/packed-package.js';

function directoryBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += directoryBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

// A service as a new user writes it: the package and the current OpenTelemetry API, nothing else.
const SERVICE = `
import { trace } from '@opentelemetry/api';
import { initObservability, withTenant } from '@grey/observability';

const obs = await initObservability({
  overrides: {
    prometheus: { host: '127.0.0.1', port: 0 },
    opentelemetry: { exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9' } },
    logging: { level: 'silent' },
    shutdown_timeout_ms: 1000,
  },
});
withTenant('acme', () => obs.metrics.tasks.submitted.inc({ type: 'stateless' }));
const traceId = obs.tracer.startActiveSpan('grey.task.run', (span) => {
  const active = trace.getActiveSpan()?.spanContext().traceId;
  span.end();
  return active;
});
const body = await (await fetch(obs.metricsServer.url)).text();
await obs.shutdown();
console.log(JSON.stringify({
  node: process.versions.node,
  submitted: /grey_tasks_submitted_total\\{tenant="acme",type="stateless"\\} 1/.test(body),
  traceId: /^[0-9a-f]{32}$/.test(traceId),
}));
`;

describe('the packed package in a project already on @opentelemetry/api ^1.10', () => {
  let project: InstalledPackage;

  before(() => {
    project = installPackedPackage(['@opentelemetry/api@^1.10.0']);
    project.write('service.mjs', SERVICE);
  });

  after(() => project?.remove());

  it('installs without a peer-dependency conflict and weighs under 80 MB', (t) => {
    assert.doesNotMatch(project.installOutput, /ERESOLVE|peer dep/i);
    const bytes = directoryBytes(join(project.path, 'node_modules'));
    const megabytes = bytes / 1024 / 1024;
    t.diagnostic(`consumer node_modules: ${megabytes.toFixed(1)} MB`);
    console.log(`consumer node_modules: ${megabytes.toFixed(1)} MB (${bytes} bytes)`);
    assert.ok(megabytes < 80, `${megabytes.toFixed(1)} MB`);
  });

  // Issue 21: the Grafana Foundation SDK builds the dashboards at build time only; the installed
  // CLI writes the shipped dashboard JSON without it.
  it('installs no Grafana SDK, and its CLI still writes the five dashboards as shipped', () => {
    assert.equal(existsSync(join(project.path, 'node_modules/@grafana')), false);
    const out = join(project.path, 'dashboards-out');
    const result = spawnSync(
      process.execPath,
      [join(project.path, 'node_modules/@grey/observability/dist/src/cli/main.js'), 'dashboards', '--out', out],
      { cwd: project.path, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    const written = readdirSync(out).sort();
    const shipped = readdirSync(join(REPO_ROOT, 'monitoring/grafana')).sort();
    assert.deepEqual(written, shipped);
    assert.equal(written.length, 5);
    for (const name of written) {
      assert.equal(
        readFileSync(join(out, name), 'utf8'),
        readFileSync(join(REPO_ROOT, 'monitoring/grafana', name), 'utf8'),
      );
    }
  });

  // Issue 21: the installed CLI writes the whole operator kit (no dev dependency needed), and the
  // promtool tests it ships pass against the rules it ships.
  it('writes the operator kit with its CLI, and its promtool rule tests pass', () => {
    const out = join(project.path, 'kit');
    const result = spawnSync(
      process.execPath,
      [join(project.path, 'node_modules/@grey/observability/dist/src/cli/main.js'), 'monitoring', '--out', out],
      { cwd: project.path, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    for (const file of ['prometheus/prometheus.yml', 'kubernetes/podmonitor.yaml', 'otel-collector/config.yaml']) {
      assert.ok(existsSync(join(out, file)), file);
    }
    const tests = spawnSync('promtool', ['test', 'rules', 'grey-rules.test.yml'], {
      cwd: join(project.path, 'node_modules/@grey/observability/monitoring/prometheus'),
      encoding: 'utf8',
    });
    assert.equal(tests.status, 0, `${tests.stdout}${tests.stderr}`);
  });

  // Issue 20: the instrumentation packages are optional peers, not installed with the package; one
  // enabled without its package is a coded error that names the package to install.
  it('rejects kafkajs enabled without its package with OBS_ERR_INSTRUMENTATION_MISSING naming the package', () => {
    assert.equal(existsSync(join(project.path, 'node_modules/@opentelemetry/instrumentation-kafkajs')), false);
    project.write(
      'kafka.mjs',
      `import { initObservability } from '@grey/observability';
try {
  await initObservability({ overrides: { prometheus: { enabled: false }, logging: { level: 'silent' },
    opentelemetry: { instrumentations: { kafkajs: true } } } });
  console.log(JSON.stringify({ started: true }));
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message, key: error.key }));
}`,
    );
    const result = spawnSync(process.execPath, ['kafka.mjs'], {
      cwd: project.path,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, string>;
    assert.equal(report.code, 'OBS_ERR_INSTRUMENTATION_MISSING');
    assert.equal(report.key, 'opentelemetry.instrumentations.kafkajs');
    assert.match(report.message ?? '', /@opentelemetry\/instrumentation-kafkajs/);
  });

  for (const major of SUPPORTED_NODE_MAJORS) {
    it(`starts a service, serves its metrics and traces on Node ${major}`, () => {
      const result = spawnSync(nodeBinary(major), ['service.mjs'], {
        cwd: project.path,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      });
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      assert.equal(String(report.node).split('.')[0], String(major));
      assert.deepEqual({ submitted: report.submitted, traceId: report.traceId }, { submitted: true, traceId: true });
    });
  }
});
