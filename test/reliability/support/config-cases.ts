/**
 * Generates hostile config inputs for the config fuzz test: YAML and JSON documents (wrong types,
 * huge values, deep nesting, odd unicode, tags, anchors, aliases and alias bombs, unknown and
 * prototype keys, ${VAR} references) and environment combinations (GREY_* and OTEL_* variables).
 */
import { stringify as toYaml } from 'yaml';
import { envNameOf, listSchemaLeaves } from '../../../src/config/schema.js';
import type { Prng } from './prng.js';

/** One generated case: a config file (or none) and an environment. */
export interface ConfigCase {
  /** File extension of the document, or undefined for no file. */
  ext: '.yaml' | '.yml' | '.json' | undefined;
  text: string;
  env: Record<string, string>;
  /** What the generator did, to read a failure. */
  recipe: string[];
}

const LEAVES = listSchemaLeaves();
const OTEL_VARIABLES = [
  'OTEL_SERVICE_NAME',
  'OTEL_SDK_DISABLED',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_PROPAGATORS',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  'OTEL_EXPORTER_OTLP_CERTIFICATE',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
];

/** Strings that break parsers, escapers and validators. */
const ODD_STRINGS = [
  '',
  ' ',
  'null',
  'true',
  '0x1F',
  '1e309',
  '-0',
  'NaN',
  '${UNSET_VARIABLE_FOR_FUZZ}',
  '${FUZZ_SET:-fallback}',
  '$${LITERAL}',
  '${',
  '${}',
  '${1BAD}',
  'http://127.0.0.1:4318/v1/traces',
  'http://[::1]:4317',
  'grpc://127.0.0.1:4317',
  'http://user:s3cret@127.0.0.1:4318',
  'ftp://127.0.0.1',
  '://',
  '/metrics',
  'metrics',
  'stdout',
  'stderr',
  '/nonexistent-dir-for-fuzz/x.log',
  'always_on',
  'parent_based_traceid_ratio',
  'tracecontext,baggage',
  'b3,none',
  'grpc',
  'http/protobuf',
  'http/json',
  'xray',
  'jaeger',
  'tracecontext,xray',
  'gzip',
  'bucket',
  'other',
  'a=b,c=d',
  'a=%ZZ',
  '=x',
  '{"a":1}',
  '[1,2,3]',
  '[',
  'ünïcødé 租户 \u{1F600}',
  '\u200b\u200e\u202e\u2066reversed',
  '\ufeffbom',
  'nul\u0000byte',
  'ctl\u0001\u001f\u007f',
  'new\nline',
  'tab\tcr\r',
  'quote"back\\slash',
  "single'quote",
  '__proto__',
  'constructor',
  'toString',
  '${constructor}',
  '${toString:-x}',
  '${__proto__}',
  '__proto__=x',
  '\ud800lone',
  'trail\udfff',
];

function hugeString(prng: Prng): string {
  return prng.pick(['x', 'é', '\u{1F600}', '${A}', 'a,']).repeat(prng.pick([1_000, 1_000, 65_537]));
}

function scalar(prng: Prng): unknown {
  switch (prng.int(12)) {
    case 0:
      return prng.pick([0, -1, 1, 0.5, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-308, 4317, 65_536, 99_999]);
    case 1:
      return prng.chance(0.5);
    case 2:
      return null;
    case 3:
      return hugeString(prng);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return Array.from({ length: prng.int(5) }, () => prng.pick(ODD_STRINGS));
    case 7:
      return { [prng.pick(ODD_STRINGS)]: prng.pick(ODD_STRINGS), 'service.name': prng.pick(ODD_STRINGS) };
    case 8:
      return [{ name: prng.pick(ODD_STRINGS), ratio: prng.pick([0, 1, -1, 2, 'x']) }];
    default:
      return prng.pick(ODD_STRINGS);
  }
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

/** A plain object tree with schema keys (mostly) and hostile values. */
function documentTree(prng: Prng, recipe: string[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const count = prng.int(8);
  for (let i = 0; i < count; i++) {
    const { key } = prng.pick(LEAVES);
    const parts = key.split('.');
    if (prng.chance(0.1)) parts[parts.length - 1] = prng.pick(['unknown_key', '__proto__', 'constructor', 'x.y']);
    if (prng.chance(0.05)) parts.length = Math.max(1, parts.length - 1); // a section given a value
    let node = tree;
    for (const part of parts.slice(0, -1)) {
      const child = node[part];
      if (child === null || typeof child !== 'object' || Array.isArray(child)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const value = prng.chance(0.05) ? nested(prng.pick([5, 50, 200]), 'deep', prng.chance(0.5)) : scalar(prng);
    node[parts[parts.length - 1] as string] = value;
    recipe.push(`${parts.join('.')}=${describe(value)}`);
  }
  return tree;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value !== null && typeof value === 'object') return 'object';
  return String(value);
}

/** Raw YAML documents the tree generator cannot produce: tags, anchors, aliases, bombs. */
function rawYaml(prng: Prng, recipe: string[]): string {
  const kind = prng.int(12);
  recipe.push(`raw-yaml#${kind}`);
  switch (kind) {
    case 0: {
      // Billion laughs: each level refers to the previous one 9 times.
      const levels = prng.pick([5, 10, 20]);
      let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
      for (let i = 1; i < levels; i++) {
        const prev = String.fromCharCode(97 + ((i - 1) % 26)) + (i > 25 ? i : '');
        const name = String.fromCharCode(97 + (i % 26)) + (i >= 25 ? i + 1 : '');
        text += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      }
      return `${text}service:\n  name: x\n`;
    }
    case 1:
      return 'base: &base\n  port: 9464\n  host: 127.0.0.1\nprometheus:\n  <<: *base\n  path: /m\n';
    case 2:
      return 'prometheus:\n  port: &p 9464\nopentelemetry:\n  batch:\n    max_queue_size: *p\n';
    case 3:
      return 'prometheus: &loop\n  nested: *loop\n';
    case 4:
      return `service:\n  name: !!binary aGVsbG8=\n  version: !!timestamp 2001-12-14t21:59:43.10-05:00\n`;
    case 5:
      return 'tenancy:\n  allowlist: !!set {a, b}\nopentelemetry:\n  resource: !!omap [a: 1, b: 2]\n';
    case 6:
      return 'service:\n  name: !custom-tag value\n  version: !!js/function "function(){}"\n';
    case 7:
      return 'prometheus:\n  port: 1\nprometheus:\n  port: 2\n';
    case 8:
      return `${'- '.repeat(prng.chance(0.1) ? 5_000 : 100)}x\n`;
    case 9: {
      const depth = prng.chance(0.1) ? 5_000 : 100;
      return `service:\n  name: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
    }
    case 10:
      return `service:\n  name: "${'\\u'.repeat(3)}zz"\n\t- bad indent\n`;
    default:
      return `---\nservice: {name: a}\n---\nservice: {name: b}\n`;
  }
}

function rawJson(prng: Prng, recipe: string[]): string {
  const kind = prng.int(6);
  recipe.push(`raw-json#${kind}`);
  switch (kind) {
    case 0: {
      const depth = prng.chance(0.1) ? 100_000 : 1_000;
      return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    }
    case 1:
      return '{"__proto__": {"polluted": true}, "service": {"name": "x"}}';
    case 2:
      return '{"prometheus": {"port": 1e999}}';
    case 3:
      return '{"service": {"name": "\\ud800"}}';
    case 4:
      return '[1, 2, 3]';
    default:
      return '{"service": {"name": "a"}, "service": {"name": "b"}}';
  }
}

function environment(prng: Prng, recipe: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  if (prng.chance(0.3)) env.FUZZ_SET = prng.pick(ODD_STRINGS);
  const count = prng.chance(0.5) ? 0 : 1 + prng.int(3);
  for (let i = 0; i < count; i++) {
    const name = prng.chance(0.6) ? envNameOf(prng.pick(LEAVES).key) : prng.pick(OTEL_VARIABLES);
    const value = prng.chance(0.05) ? hugeString(prng) : String(prng.pick([...ODD_STRINGS, 0, 1, -5, '1e400', 0.25]));
    // Environment values cannot hold NUL.
    env[name] = value.split('\u0000').join('');
    recipe.push(`env ${name}=${describe(value)}`);
  }
  return env;
}

/** One case from the PRNG stream. */
export function generateCase(prng: Prng): ConfigCase {
  const recipe: string[] = [];
  const env = environment(prng, recipe);
  const roll = prng.int(10);
  if (roll === 0) return { ext: undefined, text: '', env, recipe };
  if (roll <= 2) return { ext: '.yaml', text: rawYaml(prng, recipe), env, recipe };
  if (roll === 3) return { ext: '.json', text: rawJson(prng, recipe), env, recipe };
  const tree = documentTree(prng, recipe);
  if (roll <= 5) {
    try {
      return { ext: '.json', text: JSON.stringify(tree), env, recipe };
    } catch {
      recipe.push('(too deep for JSON.stringify: written as YAML)');
    }
  }
  let text: string;
  try {
    text = toYaml(tree, { aliasDuplicateObjects: true });
  } catch {
    text = JSON.stringify({ service: { name: 'unwritable' } });
  }
  return { ext: prng.chance(0.5) ? '.yaml' : '.yml', text, env, recipe };
}
