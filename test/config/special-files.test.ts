// Issue 18 (11): only a regular file is read as config. A FIFO (which would block the read until a
// writer comes, for ever), a device, a socket or a directory is OBS_ERR_CONFIG_READ naming the path,
// for initObservability(), `--import register` and check-config alike. Each case runs in a child
// process with a watchdog: a blocked read would block the event loop of the process running it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAX_CONFIG_FILE_BYTES } from '../../src/config/config-file.js';
import { loadConfig } from '../../src/config/load.js';
import { isObservabilityError } from '../../src/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const INIT_URL = pathToFileURL(join(here, '..', '..', 'src', 'init.js')).href;
const REGISTER_URL = pathToFileURL(join(here, '..', '..', 'src', 'register.js')).href;
const CLI = join(here, '..', '..', 'src', 'cli', 'main.js');

/** Far above any machine's time to fail fast; only a true hang reaches it. */
const WATCHDOG_MS = 120_000;

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const watchdog = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, WATCHDOG_MS);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(watchdog);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

/** initObservability({ configFile }) in a child: prints `started`, or the error's message (code first). */
function initWith(configFile: string | undefined, cwd: string): Promise<Ended> {
  const script = `
    import { initObservability } from ${JSON.stringify(INIT_URL)};
    try {
      const handle = await initObservability({
        configFile: process.env.CONFIG_PATH || undefined,
        overrides: { prometheus: { host: '127.0.0.1', port: 0 }, logging: { level: 'silent' }, opentelemetry: { enabled: false } },
      });
      console.log('started');
      await handle.shutdown();
    } catch (error) {
      console.log(error.message);
    }`;
  return runNode(['--input-type=module', '--eval', script], { CONFIG_PATH: configFile ?? '' }, cwd);
}

let dir: TempDir;
let fifo: string;
let socketServer: Server | undefined;
before(() => {
  dir = createTempDir('grey-special-');
  fifo = join(dir.path, 'observability.yaml.fifo');
  const made = spawnSync('mkfifo', [fifo]);
  assert.equal(made.status, 0, `mkfifo failed: ${made.stderr?.toString()}`);
});
after(async () => {
  await new Promise<void>((resolve) => (socketServer ? socketServer.close(() => resolve()) : resolve()));
  dir.remove();
});

describe('config files that are not regular files', () => {
  it('initObservability() rejects a FIFO as config with OBS_ERR_CONFIG_READ naming it, without waiting', async () => {
    const ended = await initWith(fifo, dir.path);
    assert.equal(ended.hung, false, 'the read blocked');
    assert.match(ended.stdout, /^OBS_ERR_CONFIG_READ: config file is a FIFO \(named pipe\), not a regular file/m);
    assert.ok(ended.stdout.includes(`file: ${fifo}`), ended.stdout);
  });

  it('--import register runs the service without telemetry and says why, for a FIFO in GREY_OBSERVABILITY_CONFIG', async () => {
    const ended = await runNode(
      ['--import', REGISTER_URL, '--input-type=module', '--eval', "process.stdout.write('service ran\\n')"],
      { GREY_OBSERVABILITY_CONFIG: fifo },
      dir.path,
    );
    assert.equal(ended.hung, false, 'the read blocked');
    assert.equal(ended.stdout, 'service ran\n');
    assert.match(ended.stderr, /OBS_ERR_CONFIG_READ: config file is a FIFO/);
    assert.ok(ended.stderr.includes(fifo), ended.stderr);
  });

  it('check-config exits 1 with OBS_ERR_CONFIG_READ for a FIFO, in text and with --json', async () => {
    const text = await runNode([CLI, 'check-config', fifo], {}, dir.path);
    assert.equal(text.hung, false, 'the read blocked');
    assert.equal(text.code, 1);
    assert.match(text.stderr, /OBS_ERR_CONFIG_READ: config file is a FIFO/);
    const json = await runNode([CLI, 'check-config', fifo, '--json'], {}, dir.path);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; code: string; message: string };
    assert.equal(parsed.valid, false);
    assert.equal(parsed.code, 'OBS_ERR_CONFIG_READ');
    assert.ok(parsed.message.includes(fifo));
  });

  it('refuses a symlink to a FIFO, naming the link', async () => {
    const link = join(dir.path, 'link.yaml');
    symlinkSync(fifo, link);
    const ended = await initWith(link, dir.path);
    assert.equal(ended.hung, false, 'the read blocked');
    assert.match(ended.stdout, /^OBS_ERR_CONFIG_READ: config file is a FIFO/m);
    assert.ok(ended.stdout.includes(`file: ${link}`), ended.stdout);
  });

  it('refuses a FIFO found as observability.yaml in the working directory', async () => {
    const cwd = join(dir.path, 'cwd-lookup');
    mkdirSync(cwd);
    assert.equal(spawnSync('mkfifo', [join(cwd, 'observability.yaml')]).status, 0);
    const ended = await initWith(undefined, cwd);
    assert.equal(ended.hung, false, 'the read blocked');
    assert.match(ended.stdout, /^OBS_ERR_CONFIG_READ: config file is a FIFO/m);
  });

  it('refuses a directory', async () => {
    const folder = join(dir.path, 'a-directory.yaml');
    mkdirSync(folder);
    const ended = await initWith(folder, dir.path);
    assert.match(ended.stdout, /^OBS_ERR_CONFIG_READ: config file is a directory, not a regular file/m);
  });

  for (const device of ['/dev/zero', '/dev/null']) {
    it(`refuses the character device ${device}`, async () => {
      assert.ok(existsSync(device));
      const ended = await initWith(device, dir.path);
      assert.equal(ended.hung, false, 'the read never ended');
      assert.match(ended.stdout, /^OBS_ERR_CONFIG_READ: config file is a character device, not a regular file/m);
    });
  }

  it('refuses a Unix socket', async () => {
    const socketPath = join(dir.path, 'config.sock');
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer?.listen(socketPath, resolve));
    const ended = await initWith(socketPath, dir.path);
    assert.equal(ended.hung, false, 'the read blocked');
    assert.match(ended.stdout, /^OBS_ERR_CONFIG_READ: config file (is a socket|could not be read)/m);
    assert.ok(ended.stdout.includes(socketPath), ended.stdout);
  });

  it('refuses a regular file larger than 8 MiB', () => {
    const big = join(dir.path, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, MAX_CONFIG_FILE_BYTES + 1);
    let caught: unknown;
    try {
      loadConfig({ cwd: dir.path, configFile: big, env: {} });
    } catch (error) {
      caught = error;
    }
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_READ'), String(caught));
    assert.match(caught.message, /config file is too large \(8388609 bytes\)/);
  });

  it('still reads a regular file, and one behind a symlink', async () => {
    const file = dir.write('regular.yaml', 'service:\n  name: regular\n');
    const link = join(dir.path, 'regular-link.yaml');
    symlinkSync(file, link);
    for (const path of [file, link]) {
      const ended = await initWith(path, dir.path);
      assert.equal(ended.stdout, 'started\n', ended.stderr);
    }
  });
});
