// Issue 18 (8): whatever the input, a config error stays small: identical problems are listed once,
// at most MAX_LISTED_PROBLEMS are listed ("and N more not listed"), and every value, key or name
// quoted into the message is cut to about 200 characters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import type { ObservabilityError } from '../../src/errors.js';
import { isObservabilityError, MAX_LISTED_PROBLEMS, quoteText, type ErrorCode } from '../../src/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

function loadError(name: string, text: string | undefined, env: NodeJS.ProcessEnv = {}): ObservabilityError {
  const configFile = text === undefined ? undefined : dir.write(name, text);
  try {
    loadConfig({ cwd: dir.path, configFile, env });
  } catch (error) {
    assert.ok(isObservabilityError(error), String(error));
    return error;
  }
  assert.fail(`${name}: loadConfig did not throw`);
}

/** Every way the error is shown: its message, its JSON (check-config --json prints these fields). */
function sizes(error: ObservabilityError): { message: number; json: number } {
  const json = JSON.stringify({ message: error.message, value: error.value, others: error.others });
  return { message: error.message.length, json: json.length };
}

const HUGE: Array<{ name: string; file?: string; env?: Record<string, string>; code: ErrorCode; bound: number }> = [
  {
    name: 'a value holding ${A} 50,000 times, A unset',
    file: `service:\n  name: "${'${A}'.repeat(50_000)}"\n`,
    code: 'OBS_ERR_CONFIG_ENV_UNSET',
    bound: 10_000,
  },
  {
    name: '50,000 distinct unset variables in one value',
    file: `service:\n  name: "${Array.from({ length: 50_000 }, (_, i) => `\${A${i}}`).join('')}"\n`,
    code: 'OBS_ERR_CONFIG_ENV_UNSET',
    bound: 10_000,
  },
  {
    name: 'an unset variable whose name is 100,000 characters long',
    file: `service:\n  name: "\${${'A'.repeat(100_000)}}"\n`,
    code: 'OBS_ERR_CONFIG_ENV_UNSET',
    bound: 10_000,
  },
  {
    name: '5,000 unknown keys each holding an unset ${A}',
    file: Array.from({ length: 5_000 }, (_, i) => `unknown_${i}: "\${A}"`).join('\n'),
    code: 'OBS_ERR_CONFIG_UNKNOWN_KEY',
    bound: 10_000,
  },
  {
    name: 'an unknown key whose name is 100,000 characters long (JSON)',
    file: JSON.stringify({ ['k'.repeat(100_000)]: 1 }),
    code: 'OBS_ERR_CONFIG_UNKNOWN_KEY',
    bound: 10_000,
  },
  {
    name: 'a 300,000-character invalid value',
    file: `prometheus:\n  path: "${'x'.repeat(300_000)}"\n`,
    code: 'OBS_ERR_CONFIG_INVALID',
    bound: 10_000,
  },
  {
    name: 'a 300,000-character value of control characters (escaped in JSON)',
    file: JSON.stringify({ prometheus: { path: '\u0001'.repeat(300_000) } }),
    code: 'OBS_ERR_CONFIG_INVALID',
    bound: 10_000,
  },
  {
    name: 'a list of 100,000 bucket bounds that do not increase',
    file: `prometheus:\n  latency_buckets: [${Array(100_000).fill(1).join(',')}]\n`,
    code: 'OBS_ERR_CONFIG_INVALID',
    bound: 10_000,
  },
  {
    name: 'a YAML alias to a 100,000-character anchor name that is not defined',
    file: `service:\n  name: *${'x'.repeat(100_000)}\n`,
    code: 'OBS_ERR_CONFIG_PARSE',
    bound: 10_000,
  },
  {
    name: 'a GREY_* variable holding 300,000 characters',
    env: { GREY_PROMETHEUS_PORT: '9'.repeat(300_000) },
    code: 'OBS_ERR_CONFIG_ENV_INVALID',
    bound: 10_000,
  },
];

describe('config errors stay bounded', () => {
  for (const c of HUGE) {
    it(`reports ${c.name} as ${c.code} in under ${c.bound} characters`, () => {
      const error = loadError(
        `${c.code}-${HUGE.indexOf(c)}${c.file?.startsWith('{') ? '.json' : '.yaml'}`,
        c.file,
        c.env,
      );
      assert.equal(error.code, c.code, error.message);
      const { message, json } = sizes(error);
      assert.ok(message < c.bound, `message of ${message} characters`);
      assert.ok(json < c.bound, `JSON of ${json} characters`);
      assert.ok(error.others.length < MAX_LISTED_PROBLEMS);
    });
  }

  it('lists the 50,000 identical ${A} problems once', () => {
    const error = loadError('identical.yaml', `service:\n  name: "${'${A}'.repeat(50_000)}"\n`);
    assert.deepEqual(error.others, []);
    assert.equal(error.omitted, 0);
    assert.equal(error.key, 'service.name');
    assert.doesNotMatch(error.message, /more problem/);
  });

  it('lists at most a few dozen distinct problems, and counts the rest', () => {
    const error = loadError(
      'distinct.yaml',
      `service:\n  name: "${Array.from({ length: 50_000 }, (_, i) => `\${A${i}}`).join('')}"\n`,
    );
    assert.equal(error.others.length, MAX_LISTED_PROBLEMS - 1);
    assert.equal(error.omitted, 50_000 - MAX_LISTED_PROBLEMS);
    assert.match(error.message, /and 49999 more problems:/);
    assert.match(error.message, /- and 49980 more not listed/);
  });

  it('counts the problems of every layer, the file and the environment, when it cuts the list', () => {
    const error = loadError('layers.yaml', Array.from({ length: 100 }, (_, i) => `unknown_${i}: 1`).join('\n'), {
      GREY_PROMETHEUS_PORT: 'x',
      GREY_OTEL_SAMPLING_RATIO: '9',
    });
    assert.equal(error.others.length + error.omitted, 101);
  });

  it('cuts a quoted value to about 200 characters and says how long it was', () => {
    const error = loadError('long.yaml', `prometheus:\n  path: "${'x'.repeat(300_000)}"\n`);
    assert.match(error.message, /value: "x{200}… \(300000 characters\)"/);
    assert.equal(typeof error.value, 'string');
    assert.ok((error.value as string).length < 230);
  });

  it('never cuts inside a surrogate pair or an escape', () => {
    const quoted = quoteText('😀'.repeat(500));
    assert.doesNotThrow(() => JSON.parse(quoted.slice(0, quoted.lastIndexOf('"') + 1)));
    assert.ok(!/[\ud800-\udbff]…/.test(quoted));
    const escaped = quoteText('"\\'.repeat(500));
    assert.doesNotThrow(() => JSON.parse(escaped.slice(0, escaped.lastIndexOf('"') + 1)));
  });

  it('keeps a short value as it is', () => {
    const error = loadError('short.yaml', 'prometheus:\n  port: 99999\n');
    assert.equal(error.value, 99999);
    assert.match(error.message, /value: 99999$/m);
  });
});
