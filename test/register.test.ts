import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const registerUrl = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'register.js')).href;

describe('@grey/observability/register', () => {
  it('lets the service run without telemetry when observability cannot start, and says why on stderr', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: '',
      GREY_OBSERVABILITY_CONFIG: '/nonexistent/observability.yaml',
    };
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', registerUrl, '--input-type=module', '--eval', "process.stdout.write('service ran\\n')"],
      { timeout: 30_000, env },
    );
    assert.equal(stdout, 'service ran\n');
    assert.match(stderr, /@grey\/observability: observability did not start; the service runs without telemetry/);
  });
});
