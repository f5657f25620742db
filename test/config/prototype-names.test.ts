// Issue 18 (12): a name the user writes (a ${NAME} reference, a variable, a map entry, a YAML or
// JSON key) is looked up among own properties only: `constructor`, `toString`, `__proto__` and
// friends are names like any other, never Object.prototype's members.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { isObservabilityError } from '../../src/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

let files = 0;
function fileWith(text: string, ext = '.yaml'): string {
  return dir.write(`proto-${files++}${ext}`, text);
}

function loadError(configFile: string, env: NodeJS.ProcessEnv = {}): unknown {
  try {
    loadConfig({ cwd: dir.path, configFile, env });
  } catch (error) {
    return error;
  }
  return undefined;
}

const MEMBERS = ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf'];

describe('names that are Object.prototype members', () => {
  for (const name of MEMBERS) {
    for (const [what, env] of [
      ['a plain object', {}],
      ['process.env', process.env],
    ] as const) {
      it(`reads \${${name}} from ${what} as unset (OBS_ERR_CONFIG_ENV_UNSET)`, () => {
        const caught = loadError(fileWith(`service:\n  version: "v\${${name}}"\n`), env);
        assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_ENV_UNSET'), String(caught));
        assert.match(caught.message, new RegExp(`environment variable ${name} is not set`));
        assert.equal(caught.key, 'service.version');
      });
    }

    it(`takes the default of \${${name}:-x}`, () => {
      const { config } = loadConfig({
        cwd: dir.path,
        configFile: fileWith(`service:\n  version: "\${${name}:-fallback}"\n`),
        env: process.env,
      });
      assert.equal(config.service.version, 'fallback');
    });
  }

  it('takes ${constructor} from the environment when it is set there', () => {
    const { config } = loadConfig({
      cwd: dir.path,
      configFile: fileWith('service:\n  version: "${constructor}"\n'),
      env: { constructor: '2.0' } as NodeJS.ProcessEnv,
    });
    assert.equal(config.service.version, '2.0');
  });

  it('reads no variable an env object only inherits', () => {
    const env = Object.create({ GREY_PROMETHEUS_PORT: '1234', OTEL_SERVICE_NAME: 'inherited', INHERITED: 'x' });
    const { config } = loadConfig({ cwd: dir.path, env });
    assert.equal(config.prometheus.port, 9090);
    assert.equal(config.service.name, 'grey-service');
    const caught = loadError(fileWith('service:\n  version: "${INHERITED}"\n'), env);
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_ENV_UNSET'), String(caught));
  });

  it('keeps OTEL_RESOURCE_ATTRIBUTES=__proto__=x as an attribute of that name', () => {
    const { config } = loadConfig({
      cwd: dir.path,
      env: { OTEL_RESOURCE_ATTRIBUTES: '__proto__=x,constructor=y,team=core' },
    });
    const resource = config.opentelemetry.resource;
    assert.equal(Object.getPrototypeOf(resource), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(resource, '__proto__')?.value, 'x');
    assert.equal(Object.getOwnPropertyDescriptor(resource, 'constructor')?.value, 'y');
    assert.equal(resource.team, 'core');
  });

  it('keeps OTEL_EXPORTER_OTLP_HEADERS=__proto__=v as a header of that name', () => {
    const { config } = loadConfig({ cwd: dir.path, env: { OTEL_EXPORTER_OTLP_HEADERS: '__proto__=v,x-team=core' } });
    const headers = config.opentelemetry.exporter.headers;
    assert.deepEqual(Object.keys(headers).sort(), ['__proto__', 'x-team']);
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
  });

  for (const sampler of ['toString', 'hasOwnProperty', '__proto__']) {
    it(`ignores OTEL_TRACES_SAMPLER=${sampler} with a warning`, () => {
      const { config, warnings } = loadConfig({ cwd: dir.path, env: { OTEL_TRACES_SAMPLER: sampler } });
      assert.equal(config.opentelemetry.sampling.strategy, 'parent_based_traceid_ratio');
      assert.deepEqual(
        warnings.map((w) => w.variable),
        ['OTEL_TRACES_SAMPLER'],
      );
    });
  }

  it('reports a __proto__ key of a YAML section as unknown, and pollutes nothing', () => {
    const caught = loadError(fileWith('prometheus:\n  __proto__:\n    port: 1\n    polluted: true\n'));
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_UNKNOWN_KEY'), String(caught));
    assert.equal(caught.key, 'prometheus.__proto__');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('reports a top-level __proto__ key of a JSON file as unknown', () => {
    const caught = loadError(fileWith('{"__proto__": {"service": {"name": "polluted"}}}', '.json'));
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_UNKNOWN_KEY'), String(caught));
    assert.equal(caught.key, '__proto__');
  });

  it('keeps __proto__ and constructor entries of a resource map in the file', () => {
    const { config } = loadConfig({
      cwd: dir.path,
      configFile: fileWith(
        'opentelemetry:\n  resource:\n    __proto__: x\n    constructor: "${C:-y}"\n    team: core\n',
      ),
      env: {},
    });
    const resource = config.opentelemetry.resource;
    assert.equal(Object.getOwnPropertyDescriptor(resource, '__proto__')?.value, 'x');
    assert.equal(Object.getOwnPropertyDescriptor(resource, 'constructor')?.value, 'y');
    assert.equal(resource.team, 'core');
  });
});
