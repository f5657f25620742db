import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promtoolCheckMetrics, KNOWN_PROMTOOL_EXCEPTION } from '../support/prometheus.js';

describe('cluster endpoint', () => {
  it('serves the metrics of all forked workers aggregated by the primary', async (t) => {
    const fixture = fileURLToPath(new URL('./fixtures/cluster-app.js', import.meta.url));
    const child = spawn(process.execPath, [fixture], {
      env: { ...process.env, GREY_CLUSTER_FIXTURE: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    t.after(() => {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    const { url } = JSON.parse(first) as { url: string };

    const response = await fetch(url, { headers: { accept: 'application/openmetrics-text' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    // Worker ids are 1 and 2: counters are summed, the cluster-wide gauge takes the max.
    assert.match(text, /^grey_tasks_submitted_total\{type="stateless",tenant="tenant-123"\} 30$/m);
    assert.match(text, /^grey_task_duration_seconds_count\{tenant="tenant-123",outcome="completed"\} 2$/m);
    assert.match(text, /^grey_cluster_nodes_total\{role="worker",status="active"\} 12$/m);
    // Only worker 1 sets the CPU ratio: the average is its 0.8, not 0.4 with an unset worker's 0.
    assert.match(text, /^grey_cluster_cpu_utilization_ratio 0\.8$/m);
    // No worker sets the term: absent, not 0.
    assert.doesNotMatch(text, /^grey_consensus_term /m);
    assert.deepEqual((await promtoolCheckMetrics(text)).problems, [KNOWN_PROMTOOL_EXCEPTION]);

    child.stdin.end('stop\n');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
