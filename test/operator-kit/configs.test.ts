import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaDefaults } from '../../src/config/defaults.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { deployment } from '../../src/operator-kit/kubernetes-objects.js';
import { SHIPPED_LOG_FIELDS, vectorConfig } from '../../src/operator-kit/log-shipping.js';
import { kubernetesScrapeConfig } from '../../src/operator-kit/scrape-configs.js';
import { TENANT_BAGGAGE_KEY } from '../../src/tenancy/tenant-context.js';
import { testConfig } from '../support/config.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { captureLines } from '../logging/support/capture.js';
import { kitOptions } from './support/kit-options.js';

/** The pod annotations and the log shipping, against what the scrape job and the real logger do. */
describe('kit configs', () => {
  it('annotate the pod template with exactly what the Kubernetes scrape job keeps and rewrites', () => {
    const pod = deployment(kitOptions()) as {
      spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
    };
    const { labels, annotations } = pod.spec.template.metadata;
    const job = (
      kubernetesScrapeConfig(kitOptions()) as {
        scrape_configs: Array<{ relabel_configs: Array<Record<string, unknown>> }>;
      }
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
    const config = vectorConfig(kitOptions()) as {
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
});
