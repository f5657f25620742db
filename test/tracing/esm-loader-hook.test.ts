import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describeLateImports } from '../../src/tracing/esm-loader-hook.js';

const run = promisify(execFile);
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => join(fixtures, name);
const preload = (name: string) => pathToFileURL(fixture(name)).href;

async function node(args: string[]): Promise<string[]> {
  const env = { ...process.env, NODE_OPTIONS: '', GREY_TRACED_FIXTURE: '1' };
  const { stdout } = await run(process.execPath, args, { timeout: 30_000, env });
  return stdout.trim().split('\n');
}

describe('installEsmLoaderHook', () => {
  it('registers the loader hook before the app and sees no late import with --import', async () => {
    const lines = await node(['--import', preload('hooks-entry.js'), fixture('plain-app.js')]);
    assert.deepEqual(JSON.parse(lines[0] ?? ''), { registered: true, late: [] });
    assert.equal(lines[1], 'app ran');
  });

  it('reports node:http as a late import when the entry module imports it next to the hooks', async () => {
    const lines = await node([fixture('late-http-app.js')]);
    assert.deepEqual(JSON.parse(lines[0] ?? ''), { registered: true, late: ['http'] });
  });

  it('names the modules and the fix in the warning', () => {
    const text = describeLateImports(['http', 'https']);
    assert.match(text, /^http, https were loaded before @grey\/observability\/register/);
    assert.match(text, /node --import @grey\/observability\/register app\.js/);
  });
});

describe('automatic HTTP spans in an ESM service', () => {
  it('traces node:http named imports (server and client) and fetch, linked in one trace', async () => {
    const lines = await node(['--import', preload('traced-entry.js'), fixture('traced-esm-app.js')]);
    const spans = JSON.parse(lines.at(-1) ?? '[]') as Array<{
      kind: number;
      traceId: string;
      spanId: string;
      parent: string;
    }>;
    const clients = spans.filter((s) => s.kind === 3);
    const servers = spans.filter((s) => s.kind === 2 && clients.some((c) => c.spanId === s.parent));
    assert.equal(clients.length, 2, `http.request and fetch client spans: ${JSON.stringify(spans)}`);
    assert.equal(servers.length, 2, 'a server span for each');
    for (const client of clients) {
      const server = servers.find((s) => s.parent === client.spanId);
      assert.ok(server, 'each server span continues its client span');
      assert.equal(server.traceId, client.traceId);
    }
  });
});
