/**
 * Issue 13 (f): hostile tenant ids and label values (newlines, quotes, backslashes, control
 * characters, lone surrogates, 1 MB strings) cannot forge log lines, break the exposition
 * (`promtool check metrics` stays clean but for the documented exception) or grow memory without
 * bound. The service runs in a child process (fixtures/hostile-service.ts) so its heap is its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KNOWN_PROMTOOL_EXCEPTION, promtoolCheckMetrics } from '../support/prometheus.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startChildService } from './support/child-service.js';

/** Values sent over IPC; the lone surrogates and 1 MB strings are built in the child. */
const HOSTILE = [
  'new\nline',
  'crlf\r\n{"level":60,"msg":"forged"}',
  '\n{"level":30,"time":1,"msg":"forged"}\n',
  'quote"inside',
  'back\\slash',
  'trailing\\',
  'ctl\u0000\u0001\u0007\u001b[31mred\u001b[0m\u007f',
  'line\u2028sep\u2029para',
  'tab\there',
  'ünïcødé 租户 \u{1F600}',
  '{braces},commas=and"all\\of\nit"',
  '# HELP grey_tasks_submitted_total forged',
  '} 1\ngrey_forged_total 1\n',
  '__other__',
  '__none__',
];
/** Heap the 10,300 hostile tenants (300 of 1 MB) may add, after a GC. */
const MAX_FLOOD_HEAP_GROWTH = 16 * 1024 * 1024;

describe('hostile tenant ids and label values', () => {
  let dir: TempDir;
  before(() => {
    dir = createTempDir('grey-hostile-');
  });
  after(() => dir.remove());

  it('keep every log line one JSON object and the exposition valid for promtool', async () => {
    const logFile = join(dir.path, 'service.log');
    const { service, ready } = await startChildService('hostile-service.js', {
      env: { ...process.env, FIXTURE_LOG_FILE: logFile },
      execArgv: ['--expose-gc'],
      lifetimeMs: 90_000,
    });
    try {
      const sent = await service.call<{ lines: number }>('record', { values: HOSTILE });
      const built = await service.call<{ lines: number }>('recordBuilt');
      const response = await fetch(ready.url as string);
      assert.equal(response.status, 200);
      const exposition = await response.text();
      const promtool = await promtoolCheckMetrics(exposition);
      // The one documented exception appears only when grey_cluster_nodes_total has a sample.
      assert.deepEqual(
        promtool.problems.filter((p) => p !== KNOWN_PROMTOOL_EXCEPTION),
        [],
      );
      assert.notEqual(promtool.code, 1, 'promtool parsed the exposition');
      assert.doesNotMatch(exposition, /^grey_forged_total/m);
      // Escaped, not forged: the CR stays (legal in a label value), the newline and quotes are escaped.
      assert.ok(exposition.includes('priority="crlf\r\\n{\\"level\\":60,\\"msg\\":\\"forged\\"}"'));
      await service.call('shutdown');
      assert.equal((await service.exited(10_000)).code, 0);

      const lines = readFileSync(logFile, 'utf8').split('\n');
      assert.equal(lines.pop(), '', 'the file ends with a newline');
      const parsed = lines.map((line, i) => {
        const value: unknown = JSON.parse(line);
        assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `line ${i + 1} is an object`);
        return value as Record<string, unknown>;
      });
      const userLines = parsed.filter((l) => l.service === 'hostile-fixture' && l.code === undefined);
      assert.equal(userLines.length, sent.lines + built.lines, 'one line per log call, none forged');
      assert.equal(parsed.filter((l) => l.msg === 'forged').length, 0);
      // The values arrive intact (lone surrogates excepted: JSON text cannot carry them as such).
      const fields = parsed.filter((l) => l.msg === 'a field').map((l) => l.user_field);
      for (const value of HOSTILE) assert.ok(fields.includes(value), `logged intact: ${JSON.stringify(value)}`);
      assert.ok(parsed.some((l) => l.msg === 'a field' && l.tenant_id === HOSTILE[1]));
    } finally {
      service.kill();
    }
  });

  for (const overflow of ['other', 'bucket'] as const) {
    it(`hold memory bounded under 10,300 hostile tenants, 300 of them 1 MB (overflow: ${overflow})`, async () => {
      const { service, ready } = await startChildService('hostile-service.js', {
        env: { ...process.env, FIXTURE_LOG_FILE: join(dir.path, `${overflow}.log`), FIXTURE_OVERFLOW: overflow },
        execArgv: ['--expose-gc'],
        lifetimeMs: 120_000,
      });
      try {
        const baseline = ready.heapUsed as number;
        await service.call('flood', { count: 300, size: 1024 * 1024, prefix: 'm' }, 60_000);
        await service.call('flood', { count: 10_000, size: 1024, prefix: 'k' }, 60_000);
        const { heapUsed } = await service.call<{ heapUsed: number }>('probe');
        const growth = heapUsed - baseline;
        console.log(`# overflow ${overflow}: heap growth ${(growth / 1048576).toFixed(1)} MB after 10,300 tenants`);
        assert.ok(growth < MAX_FLOOD_HEAP_GROWTH, `heap grew by ${(growth / 1048576).toFixed(1)} MB`);
        const response = await fetch(ready.url as string);
        assert.equal(response.status, 200);
        const exposition = await response.text();
        assert.ok(exposition.length < 4 * 1024 * 1024, `exposition of ${exposition.length} characters`);
        assert.match(
          exposition,
          /grey_observability_tenant_overflow_total\{metric="grey_tasks_submitted_total",reason="budget"\} \d+/,
        );
        await service.call('shutdown');
        assert.equal((await service.exited(10_000)).code, 0);
      } finally {
        service.kill();
      }
    });
  }
});
