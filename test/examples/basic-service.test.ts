import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { createTempDir } from '../support/temp-dir.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/basic-service.js', import.meta.url));

interface Ready {
  api: string;
  metrics: string;
  lines: Array<Record<string, unknown>>;
}

function startExample(cwd: string): { child: ChildProcess; ready: Promise<Ready> } {
  const child = spawn(process.execPath, [EXAMPLE], {
    cwd,
    env: { PATH: process.env.PATH, GREY_PROMETHEUS_HOST: '127.0.0.1', GREY_PROMETHEUS_PORT: '0', EXAMPLE_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const ready = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('example did not get ready within 20 s')), 20_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      lines.push(record);
      if (record.msg === 'example service ready') {
        clearTimeout(timer);
        resolve({ api: record.api as string, metrics: record.metrics as string, lines });
      }
    });
    child.once('exit', (code) => reject(new Error(`example exited early with ${code}`)));
  });
  return { child, ready };
}

describe('examples/basic-service', () => {
  const cwd = createTempDir();
  after(() => cwd.remove());

  it('runs on the embedded default config, counts tasks per tenant and stops on SIGTERM', async () => {
    const { child, ready } = startExample(cwd.path);
    try {
      const { api, metrics, lines } = await ready;
      for (const fail of [false, false, true]) {
        const response = await fetch(`${api}${fail ? '?fail=1' : ''}`, {
          method: 'POST',
          headers: { 'x-tenant-id': 'acme' },
        });
        assert.equal(response.status, fail ? 500 : 200);
        await response.text();
      }
      const exposition = await (await fetch(metrics)).text();
      assert.match(exposition, /^grey_tasks_submitted_total\{[^}]*tenant="acme"[^}]*\} 3$/m);
      assert.match(exposition, /^grey_tasks_completed_total\{[^}]*tenant="acme"[^}]*\} 2$/m);
      assert.match(exposition, /^grey_tasks_failed_total\{[^}]*tenant="acme"[^}]*\} 1$/m);
      // As in the spec, the duration histogram counts completed tasks (count 49500 = completed).
      assert.match(exposition, /^grey_task_duration_seconds_count\{[^}]*tenant="acme"[^}]*\} 2$/m);
      const failure = lines.find((line) => line.level === 50 || line.level === 'error');
      assert.ok(failure, 'the failed task is logged');
      assert.match(String(failure.trace_id), /^[0-9a-f]{32}$/, 'the failure log line carries the trace id');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});

describe('examples/basic-service on busy ports', () => {
  for (const which of ['API', 'metrics'] as const) {
    it(`exits 1 with a message naming the variable to change when its ${which} port is in use`, async () => {
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      const cwd = createTempDir();
      try {
        const { port } = busy.address() as AddressInfo;
        const child = spawn(process.execPath, [EXAMPLE], {
          cwd: cwd.path,
          env: {
            PATH: process.env.PATH,
            GREY_PROMETHEUS_HOST: '127.0.0.1',
            GREY_PROMETHEUS_PORT: which === 'metrics' ? String(port) : '0',
            EXAMPLE_PORT: which === 'API' ? String(port) : '0',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const [code] = (await once(child, 'exit')) as [number | null];
        assert.equal(code, 1);
        assert.doesNotMatch(stderr, /Unhandled|node:internal|\n\s+at /, 'no stack trace');
        if (which === 'API') {
          assert.match(
            stderr,
            new RegExp(`^example: port ${port} on 127\\.0\\.0\\.1 is already in use by another process\\.$`, 'm'),
          );
          assert.match(stderr, /Set EXAMPLE_PORT to another port/);
        } else {
          assert.match(stderr, new RegExp(`OBS_ERR_PORT_IN_USE: .*port ${port} on 127\\.0\\.0\\.1 is already in use`));
          assert.match(stderr, /GREY_PROMETHEUS_PORT/);
        }
      } finally {
        cwd.remove();
        await new Promise((resolve) => busy.close(resolve));
      }
    });
  }
});
