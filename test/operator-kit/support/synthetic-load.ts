import type { Tracer } from '@opentelemetry/api';
import type { CounterHelper } from '../../../src/metrics/instruments.js';
import type { Metrics } from '../../../src/metrics/metrics.js';

/** The tenants of the synthetic load. */
export const TENANTS = ['acme', 'globex', 'initech', 'umbrella'] as const;

/**
 * The service's own tenant-aware metric, outside the catalog, on which the pipeline panels see a
 * rejected measurement and a tenant overflow in every round. With `tenancy.max_tenants_per_metric`
 * set to the number of {@link TENANTS}, {@link LATE_TENANT} is one tenant too many for it (and it
 * is never reported on a catalog metric, whose panels and rules see exactly {@link TENANTS}).
 */
export const PIPELINE_METRIC = 'fixture_uploads_total';
/** The tenant beyond the budget. */
export const LATE_TENANT = 'late-tenant';

/** What the load reports to: the metrics handle and a tracer whose spans are exported. */
export interface LoadTarget {
  metrics: Metrics;
  tracer: Tracer;
}

const TYPES = ['stateless', 'stateful'] as const;
const ERROR_CODES = ['TIMEOUT', 'OOM', 'ENCLAVE_LOST'] as const;
const PLATFORMS = ['sgx', 'tdx', 'sev'] as const;
const MAX_ROUNDS = 150;
const ROUND_MS = 100;

/**
 * One round of what a Grey node reports: tasks of every tenant (some failing, some retried),
 * queues, tenant resources and limits, cluster state, consensus and TEE work, and a tenant overflow
 * and a rejected measurement of {@link PIPELINE_METRIC}. Every metric a panel or rule reads is
 * touched, so each query has data.
 */
function round(metrics: Metrics, n: number, uploads: CounterHelper<'tenant'>): void {
  const { cluster, consensus, tasks, queue, tenants, tee, db } = metrics;
  cluster.nodes.set({ role: 'worker', status: 'active' }, 14);
  cluster.nodes.set({ role: 'worker', status: 'down' }, 1);
  cluster.nodes.set({ role: 'coordinator', status: 'active' }, 3);
  cluster.regionNodes.set({ region: 'eu-west-1', status: 'active' }, 9);
  cluster.regionNodes.set({ region: 'us-east-1', status: 'active' }, 8);
  cluster.regionNodes.set({ region: 'us-east-1', status: 'down' }, 1);
  cluster.cpuUtilization.set(0.5 + (n % 10) / 50);
  cluster.memoryUtilization.set(0.65);
  consensus.term.set(42);
  consensus.leader.set({ node_id: 'grey-coordinator-0' }, 1);
  consensus.leader.set({ node_id: 'grey-coordinator-1' }, 0);
  consensus.quorumSize.set(3);
  consensus.commitIndex.set(12345 + n);
  TENANTS.forEach((tenant, t) => {
    const type = TYPES[(n + t) % TYPES.length] as string;
    tasks.submitted.inc({ tenant, type }, 3);
    tasks.running.inc({ tenant, type });
    tasks.duration.observe({ tenant }, 0.002 * (t + 1) * ((n % 7) + 1));
    tasks.completed.inc({ tenant, type }, 2);
    tasks.running.dec({ tenant, type });
    if ((n + t) % 3 === 0) {
      tasks.failed.inc({ tenant, type });
      tasks.duration.observe({ tenant, outcome: 'failed' }, 0.5 * (t + 1));
      tasks.errors.inc({ type, code: ERROR_CODES[(n + t) % ERROR_CODES.length] as string });
    }
    tasks.retries.observe({ type }, (n + t) % 4);
    queue.depth.set({ tenant, priority: 'normal' }, 100 * (t + 1) + n);
    queue.depth.set({ tenant, priority: 'high' }, 5 * (t + 1));
    tenants.cpuSeconds.inc({ tenant }, 0.05 * (t + 1));
    tenants.memory.set({ tenant }, 64 * 1024 * 1024 * (t + 1));
    tenants.quotaUtilization.set({ tenant, resource: 'cpu' }, 0.2 * (t + 1));
    tenants.quotaUtilization.set({ tenant, resource: 'tasks' }, 0.1 * (t + 1));
    tenants.rateLimit.set({ tenant }, 50);
    if (t === 0) tenants.rateLimited.inc({ tenant });
    else tenants.rateLimited.inc({ tenant }, 0);
    tenants.cost.inc({ tenant }, 0.001 * (t + 1));
  });
  PLATFORMS.forEach((platform, p) => {
    tee.attestations.inc({ platform, result: 'success' }, 5);
    tee.attestations.inc({ platform, result: 'failure' }, n % 10 === 0 ? 1 : 0);
    tee.enclavesActive.set({ platform }, 2 + p);
    tee.proofs.inc({ platform, result: 'success' }, 2);
    tee.proofs.inc({ platform, result: 'failure' }, 0);
  });
  tee.attestationDuration.observe(0.04 + (n % 5) / 100);
  tee.enclaveMemory.set({ enclave_id: 'enc-1' }, 268435456);
  db.connectionsActive.set({ backend: 'postgres', shard: '0' }, 15);
  db.connectionsIdle.set({ backend: 'postgres', shard: '0' }, 5);
  db.queryDuration.observe({ backend: 'postgres', operation: 'read' }, 0.002);
  db.replicationLag.set({ backend: 'postgres', replica: 'replica-1' }, 0.1);
  // The package's own pipeline: one tenant over the budget, one measurement rejected.
  for (const tenant of TENANTS) uploads.inc({ tenant });
  uploads.inc({ tenant: LATE_TENANT });
  uploads.inc({ tenant: TENANTS[0] }, -1);
}

/**
 * Runs rounds every 100 ms until `enough()` says so, at most 150 rounds (15 s); returns the
 * number of rounds run. Each round is one span of `target.tracer`.
 */
export async function driveSyntheticLoad(target: LoadTarget, enough: () => Promise<boolean>): Promise<number> {
  const uploads = target.metrics.counter({
    name: PIPELINE_METRIC,
    help: 'Uploads of the synthetic service, by tenant.',
    labels: ['tenant'],
  });
  for (let n = 0; n < MAX_ROUNDS; n++) {
    const span = target.tracer.startSpan('synthetic-round');
    round(target.metrics, n, uploads);
    span.end();
    if (n % 5 === 4 && (await enough())) return n + 1;
    await new Promise((resolve) => setTimeout(resolve, ROUND_MS));
  }
  return MAX_ROUNDS;
}
