import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { createMetrics } from '../../src/metrics/metrics.js';
import { startMetricsServer } from '../../src/metrics/server.js';
import { testConfig } from '../support/config.js';
import { startPrometheus, type PromSample } from '../support/prometheus.js';
import { silentLogger } from './support/logger.js';

const HOSTILE_TENANT = 'acme "quoted" \\ back\nline ünï 租户';
const LONG_TENANT = `long-${'x'.repeat(10 * 1024)}`;

const labelsOf = (samples: PromSample[]) =>
  samples.map(({ metric }) => {
    const { __name__: _name, instance: _instance, job: _job, ...rest } = metric;
    return rest;
  });

describe('a real Prometheus scraping the endpoint', () => {
  it('reads back the spec metric families with their labels, hostile values and exemplars', async (t) => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const provider = new TracerProvider();
    const config = testConfig({
      prometheus: { auth: { type: 'bearer', token: 'scrape-token', username: '', password: '' } },
    });
    const metrics = createMetrics(config, silentLogger());
    const server = await startMetricsServer(config, metrics);
    const prometheus = await startPrometheus({
      address: `127.0.0.1:${server.port}`,
      metricsPath: config.prometheus.path,
      bearerToken: 'scrape-token',
    });
    t.after(async () => {
      await prometheus.stop();
      await server.close();
      await provider.shutdown();
      context.disable();
    });

    // The spec's example values.
    metrics.cluster.nodes.set({ role: 'worker', status: 'active' }, 14);
    metrics.cluster.nodes.set({ role: 'coordinator', status: 'active' }, 3);
    metrics.consensus.term.set(42);
    metrics.consensus.leader.set({ node_id: 'grey-coordinator-0' }, 1);
    metrics.consensus.quorumSize.set(3);
    metrics.consensus.commitIndex.set(12345);
    metrics.cluster.cpuUtilization.set(0.72);
    metrics.cluster.memoryUtilization.set(0.65);
    metrics.tasks.submitted.inc({ tenant: 'tenant-123', type: 'stateless' }, 50000);
    metrics.tasks.completed.inc({ tenant: 'tenant-123', type: 'stateless' }, 49500);
    metrics.tasks.failed.inc({ tenant: 'tenant-123', type: 'stateless' }, 500);
    metrics.tasks.submitted.inc({ tenant: HOSTILE_TENANT, type: 'stateless' });
    metrics.tasks.submitted.inc({ tenant: LONG_TENANT, type: 'stateless' }, 2);
    let traceId = '';
    provider.getTracer('test').startActiveSpan('grey.task.run', (span) => {
      traceId = span.spanContext().traceId;
      metrics.tasks.duration.observe({ tenant: 'tenant-123' }, 0.05);
      span.end();
    });
    metrics.queue.depth.set({ tenant: 'tenant-123', priority: 'normal' }, 1234);
    metrics.queue.depth.set({ tenant: 'tenant-123', priority: 'high' }, 45);
    metrics.tee.attestations.inc({ platform: 'sgx', result: 'success' }, 1000);
    metrics.tee.attestations.inc({ platform: 'sgx', result: 'failure' }, 5);
    metrics.tee.attestationDuration.observe(0.05);
    metrics.tee.enclavesActive.set({ platform: 'sgx' }, 10);
    metrics.tee.enclaveMemory.set({ enclave_id: 'enc-1' }, 268435456);
    metrics.db.connectionsActive.set({ backend: 'postgres', shard: '0' }, 15);
    metrics.db.connectionsIdle.set({ backend: 'postgres', shard: '0' }, 5);
    metrics.db.queryDuration.observe({ backend: 'postgres', operation: 'read' }, 0.002);
    metrics.db.replicationLag.set({ backend: 'postgres', replica: 'replica-1' }, 0.1);

    const up = await prometheus.waitFor('up{job="grey"}', (s) => s[0]?.value[1] === '1' && s.length === 1);
    assert.equal(up[0]?.value[1], '1', 'Prometheus scraped the endpoint successfully');
    await prometheus.waitFor('grey_db_replication_lag_seconds', (s) => s.length === 1);

    const expectations: Array<[string, Array<Record<string, string>>, string[]]> = [
      [
        'grey_cluster_nodes_total',
        [
          { role: 'coordinator', status: 'active' },
          { role: 'worker', status: 'active' },
        ],
        ['3', '14'],
      ],
      ['grey_consensus_term', [{}], ['42']],
      ['grey_consensus_leader', [{ node_id: 'grey-coordinator-0' }], ['1']],
      ['grey_consensus_quorum_size', [{}], ['3']],
      ['grey_consensus_commit_index', [{}], ['12345']],
      ['grey_cluster_cpu_utilization_ratio', [{}], ['0.72']],
      ['grey_cluster_memory_utilization_ratio', [{}], ['0.65']],
      ['grey_tasks_completed_total{tenant="tenant-123"}', [{ tenant: 'tenant-123', type: 'stateless' }], ['49500']],
      ['grey_tasks_failed_total{tenant="tenant-123"}', [{ tenant: 'tenant-123', type: 'stateless' }], ['500']],
      [
        'grey_task_duration_seconds_count{tenant="tenant-123"}',
        [
          { tenant: 'tenant-123', outcome: 'failed' },
          { tenant: 'tenant-123', outcome: 'completed' },
        ],
        ['0', '1'],
      ],
      [
        'grey_task_duration_seconds_bucket{tenant="tenant-123",outcome="completed",le="0.1"}',
        [{ tenant: 'tenant-123', outcome: 'completed', le: '0.1' }],
        ['1'],
      ],
      [
        'grey_queue_depth',
        [
          { priority: 'high', tenant: 'tenant-123' },
          { priority: 'normal', tenant: 'tenant-123' },
        ],
        ['45', '1234'],
      ],
      [
        'grey_tee_attestations_total',
        [
          { platform: 'sgx', result: 'failure' },
          { platform: 'sgx', result: 'success' },
        ],
        ['5', '1000'],
      ],
      ['grey_tee_attestation_duration_seconds{quantile="0.99"}', [{ quantile: '0.99' }], ['0.05']],
      ['grey_tee_enclaves_active', [{ platform: 'sgx' }], ['10']],
      ['grey_tee_enclave_memory_bytes', [{ enclave_id: 'enc-1' }], ['268435456']],
      ['grey_db_connections_active', [{ backend: 'postgres', shard: '0' }], ['15']],
      ['grey_db_connections_idle', [{ backend: 'postgres', shard: '0' }], ['5']],
      ['grey_db_query_duration_seconds_count', [{ backend: 'postgres', operation: 'read' }], ['1']],
      ['grey_db_replication_lag_seconds', [{ backend: 'postgres', replica: 'replica-1' }], ['0.1']],
    ];
    for (const [query, labels, values] of expectations) {
      const samples = (await prometheus.query(query)).sort((a, b) => Number(a.value[1]) - Number(b.value[1]));
      assert.deepEqual(labelsOf(samples), labels, query);
      assert.deepEqual(
        samples.map((s) => s.value[1]),
        values,
        query,
      );
    }

    // The tenants only ever submitted have their completed and failed series, at 0.
    for (const name of ['grey_tasks_completed_total', 'grey_tasks_failed_total']) {
      const zeros = await prometheus.query(`${name}{tenant!="tenant-123"}`);
      assert.deepEqual(zeros.map((z) => z.metric.tenant).sort(), [HOSTILE_TENANT, LONG_TENANT].sort(), name);
      assert.deepEqual(
        zeros.map((z) => z.value[1]),
        ['0', '0'],
        name,
      );
    }

    const submitted = await prometheus.query('grey_tasks_submitted_total');
    const byTenant = new Map(submitted.map((s) => [s.metric.tenant, s.value[1]]));
    assert.equal(byTenant.get('tenant-123'), '50000');
    assert.equal(byTenant.get(HOSTILE_TENANT), '1', 'the hostile label value survives the round trip unchanged');
    assert.equal(byTenant.get(LONG_TENANT), '2', 'a 10 KB label value survives the round trip unchanged');

    // The spec's recording rule expression works on what was scraped.
    const successRate = await prometheus.query(
      'sum(grey_tasks_completed_total) by (tenant) / sum(grey_tasks_submitted_total{tenant="tenant-123"}) by (tenant)',
    );
    assert.equal(successRate[0]?.value[1], '0.99');

    const exemplars = await prometheus.queryExemplars('grey_task_duration_seconds_bucket');
    const traceIds = exemplars.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id));
    assert.ok(traceIds.includes(traceId), `exemplar with trace_id ${traceId} in ${JSON.stringify(exemplars)}`);
  });
});
