import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { alertingRules, recordingRules } from '../../src/operator-kit/rules.js';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/**
 * The kit as written, run by the real servers: a Prometheus started on the kit's
 * `prometheus/prometheus.yml` untouched (its rule file and alerting section resolving inside the
 * kit) scrapes a service using this package, and sends to an Alertmanager started on the kit's
 * `alertmanager/alertmanager.yml`.
 */

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface RulesData {
  groups: Array<{ name: string; rules: Array<{ name: string; type: string; health: string; lastError?: string }> }>;
}

describe('the monitoring kit on a real Prometheus and Alertmanager', () => {
  let dir: TempDir;
  let handle: ObservabilityHandle;
  let alertmanager: RunningAlertmanager;
  let prometheus: RunningPrometheus;

  before(async () => {
    dir = createTempDir();
    handle = await initObservability({
      env: {},
      overrides: {
        service: { name: 'kit-live' },
        prometheus: { host: '127.0.0.1', port: 0, default_metrics: false },
        logging: { level: 'silent' },
        opentelemetry: { enabled: false },
      },
    });
    // Alertmanager first: its port goes into the kit's --alertmanager-url.
    const placeholderKit = join(dir.path, 'am');
    const first = spawnSync(process.execPath, [CLI, 'monitoring', '--out', placeholderKit], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    alertmanager = await startAlertmanager(join(placeholderKit, 'alertmanager/alertmanager.yml'));
    const kit = join(dir.path, 'kit');
    const written = spawnSync(
      process.execPath,
      [
        CLI,
        'monitoring',
        '--out',
        kit,
        '--job=kit-live',
        `--target=127.0.0.1:${handle.metricsServer?.port as number}`,
        `--alertmanager-url=${alertmanager.url}`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    );
    assert.equal(written.status, 0, written.stderr);
    prometheus = await startPrometheus({ address: 'unused:1' }, { configFile: join(kit, 'prometheus/prometheus.yml') });
  });

  after(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await handle?.shutdown();
    dir?.remove();
  });

  it('loads every rule of the kit and evaluates each without error', async () => {
    let data: RulesData = { groups: [] };
    const deadline = Date.now() + 45_000;
    // The groups run every 15 s (the kit's evaluation_interval), each at its own offset.
    while (Date.now() < deadline) {
      data = await prometheus.api<RulesData>('/api/v1/rules');
      if (data.groups.length > 0 && data.groups.every((g) => g.rules.every((r) => r.health !== 'unknown'))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const rules = data.groups.flatMap((group) => group.rules);
    assert.deepEqual(
      rules.filter((r) => r.type === 'alerting').map((r) => r.name),
      alertingRules().map((r) => r.alert),
    );
    assert.deepEqual(
      rules.filter((r) => r.type === 'recording').map((r) => r.name),
      recordingRules().map((r) => r.record),
    );
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? rule.health}`);
  });

  it('scrapes the service as the kit job, and sends alerts to the kit Alertmanager', async () => {
    const up = await prometheus.waitFor('up{job="kit-live"}', (s) => s.length === 1, 45_000);
    assert.equal(up[0]?.value[1], '1');
    const alertmanagers = await prometheus.api<{ activeAlertmanagers: Array<{ url: string }> }>(
      '/api/v1/alertmanagers',
    );
    assert.deepEqual(
      alertmanagers.activeAlertmanagers.map((a) => a.url),
      [`${alertmanager.url}/api/v2/alerts`],
    );
    const status = await alertmanager.api<{ config: { original: string } }>('/api/v2/status');
    assert.match(status.config.original, /grey-critical/);
    assert.match(status.config.original, /GreyClusterCritical/);
  });
});
