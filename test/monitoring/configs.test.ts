import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { schemaDefaults } from '../../src/config/defaults.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { exampleArtifacts, writeArtifacts } from '../../src/monitoring/artifacts.js';
import { monitoringArtifacts } from '../../src/monitoring/built-dashboards.js';
import { SHIPPED_LOG_FIELDS, vectorConfig } from '../../src/monitoring/log-shipping.js';
import { kubernetesScrapeConfig, podTemplateExample, staticScrapeConfig } from '../../src/monitoring/scrape-configs.js';
import { alertmanagerConfig } from '../../src/monitoring/alertmanager.js';
import { TENANT_BAGGAGE_KEY } from '../../src/tenant-context.js';
import { testConfig } from '../support/config.js';
import { createTempDir } from '../support/temp-dir.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { captureLines } from '../logging/support/capture.js';

function run(command: string, args: string[], cwd: string): { code: number; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** monitoring/ as generated, in a temp dir (the example configs refer to ../prometheus/). */
function writeMonitoring(): { root: string; remove: () => void } {
  const dir = createTempDir();
  writeArtifacts(dir.path, monitoringArtifacts());
  return { root: dir.path, remove: () => dir.remove() };
}

describe('example configs', () => {
  it('pass promtool check config (static targets), loading the generated rule file', () => {
    const { root, remove } = writeMonitoring();
    try {
      const result = run('promtool', ['check', 'config', 'prometheus-static.yml'], join(root, 'examples'));
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /SUCCESS: 1 rule files found/);
    } finally {
      remove();
    }
  });

  it('pass promtool check config (Kubernetes pods), with pod discovery swapped for Debian promtool', () => {
    // Debian's Prometheus is built without Kubernetes discovery ("field kubernetes_sd_configs not
    // found"); everything else (relabelling regexes, rule files, alerting) is checked as written,
    // and the relabelling is run by a real Prometheus in live-prometheus.test.ts.
    const { root, remove } = writeMonitoring();
    try {
      const config = kubernetesScrapeConfig() as { scrape_configs: Array<Record<string, unknown>> };
      const job = config.scrape_configs[0] as Record<string, unknown>;
      assert.deepEqual(job.kubernetes_sd_configs, [{ role: 'pod', selectors: [{ role: 'pod', label: 'app=grey' }] }]);
      delete job.kubernetes_sd_configs;
      job.static_configs = [{ targets: ['127.0.0.1:9090'] }];
      writeFileSync(join(root, 'examples', 'k8s-checked.yml'), stringify(config));
      const result = run('promtool', ['check', 'config', 'k8s-checked.yml'], join(root, 'examples'));
      assert.equal(result.code, 0, result.output);
    } finally {
      remove();
    }
  });

  it('pass amtool check-config (Alertmanager route, receivers, inhibition)', () => {
    const { root, remove } = writeMonitoring();
    try {
      const result = run('amtool', ['check-config', 'alertmanager.yml'], join(root, 'examples'));
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /SUCCESS/);
      assert.match(result.output, /2 receivers/);
    } finally {
      remove();
    }
  });

  it('annotate the pod template with exactly what the Kubernetes scrape job keeps and rewrites', () => {
    const pod = podTemplateExample() as {
      spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
    };
    const { labels, annotations } = pod.spec.template.metadata;
    const job = (
      kubernetesScrapeConfig() as { scrape_configs: Array<{ relabel_configs: Array<Record<string, unknown>> }> }
    ).scrape_configs[0]!;
    const read = job.relabel_configs.flatMap((rule) => rule.source_labels as string[]);
    for (const name of ['scrape', 'port', 'path']) {
      assert.ok(annotations[`prometheus.io/${name}`], name);
      assert.ok(read.includes(`__meta_kubernetes_pod_annotation_prometheus_io_${name}`), name);
    }
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/port'], String(schemaDefaults().prometheus.port));
    assert.equal(annotations['prometheus.io/path'], schemaDefaults().prometheus.path);
    assert.equal(labels.app, 'grey');
  });

  it('ship to Loki the fields the real logger writes: time, level label, service, tenant_id, trace_id', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      const sink = captureLines();
      const logger = createLogger(testConfig({ logging: { level: 'info' }, service: { name: 'grey-api' } }), {
        stream: sink,
      });
      const span = trace.wrapSpanContext({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      });
      const ctx = propagation.setBaggage(
        trace.setSpan(context.active(), span),
        propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-123' } }),
      );
      context.with(ctx, () => logger.info('Task submitted'));
      const fields = sink.lines[0] as Record<string, unknown>;
      for (const field of SHIPPED_LOG_FIELDS) assert.ok(field in fields, `the logger writes ${field}: ${sink.raw[0]}`);
      assert.equal(fields.level, 'info');
      assert.equal(typeof fields.time, 'number');
      assert.equal(fields.service, 'grey-api');
      assert.equal(fields.tenant_id, 'tenant-123');
      assert.equal(fields.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
    } finally {
      context.disable();
    }
    const config = vectorConfig() as {
      transforms: { grey_parse: { source: string } };
      sinks: { loki: { labels: Record<string, string> } };
    };
    const program = config.transforms.grey_parse.source;
    for (const field of SHIPPED_LOG_FIELDS.filter((f) => f !== 'trace_id'))
      assert.match(program, new RegExp(`\\.${field}\\b`));
    assert.match(program, /from_unix_timestamp!\(int!\(\.time\), unit: "milliseconds"\)/);
    assert.deepEqual(
      {
        level: config.sinks.loki.labels.level,
        service: config.sinks.loki.labels.service,
        tenant: config.sinks.loki.labels.tenant,
      },
      { level: '{{ level }}', service: '{{ service }}', tenant: '{{ tenant_id }}' },
    );
    assert.ok(!Object.values(config.sinks.loki.labels).some((v) => v.includes('trace_id')), 'trace_id is no label');
  });

  it('are written as YAML that parses back to the generated objects', () => {
    const byPath: Record<string, object> = {
      'prometheus-kubernetes.yml': kubernetesScrapeConfig(),
      'prometheus-static.yml': staticScrapeConfig(),
      'kubernetes-deployment.yaml': podTemplateExample(),
      'alertmanager.yml': alertmanagerConfig(),
      'vector.yaml': vectorConfig(),
    };
    assert.deepEqual(
      exampleArtifacts()
        .map((a) => a.path)
        .sort(),
      Object.keys(byPath).sort(),
    );
    for (const artifact of exampleArtifacts())
      assert.deepEqual(parse(artifact.content), byPath[artifact.path], artifact.path);
  });
});
