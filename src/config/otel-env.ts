/**
 * The standard `OTEL_*` environment variables, read as the OpenTelemetry specification says: a
 * value that cannot be used is warned about and that one setting is ignored, never a start-up
 * failure ("Configuration", SDK environment variables: an unrecognised enum value MUST be warned
 * about and the setting gracefully ignored; invalid `OTEL_TRACES_SAMPLER_ARG` input MUST be logged
 * and otherwise ignored; opentelemetry-js#5476, PR #5494; specification PR #4856). Platforms inject
 * these variables (`OTEL_TRACES_SAMPLER=xray`, `OTEL_PROPAGATORS=xray`), and a service must not
 * stop over a setting meant for another SDK. The package's own `GREY_*` variables, the config file
 * and code overrides stay strict: their mistakes are errors.
 */
import { boundText } from '../errors.js';
import { OTEL_NODE_INSTRUMENTATION_NAMES } from '../tracing/instrumentation-catalog.js';
import { listSchemaLeaves, PROPAGATORS, RESOURCE_DETECTORS, type SchemaLeaf } from './schema.js';
import type { LayerEntry } from './layer.js';
import { parseText } from './coerce.js';
import { redactValue } from './redact.js';
import { readVariable } from './substitute.js';
import { rejection } from './validate.js';

/** A standard variable that was set but not used, as found by {@link readOtelEnv}. */
export interface IgnoredVariable {
  /** The variable, e.g. `OTEL_TRACES_SAMPLER`. */
  variable: string;
  /** The config key it feeds, e.g. `opentelemetry.sampling.strategy`. */
  key: string;
  /** Its text as it may be printed: `[REDACTED]` for a secret key, at most ~200 characters. */
  value: string;
  /** What the variable can take. */
  expected: string;
  /**
   * Only some items of a list were ignored (`OTEL_PROPAGATORS=tracecontext,xray`): the others
   * are used. These are the ignored ones.
   */
  ignoredItems?: string[];
}

/** What {@link readOtelEnv} found: the entries to apply and the variables ignored. */
export interface OtelEnvReading {
  entries: LayerEntry[];
  ignored: IgnoredVariable[];
}

/** Returned by a reader for a valid value that sets nothing (`OTEL_SDK_DISABLED=false`). */
const NO_EFFECT = Symbol('no effect');

/** Thrown by a reader for text the variable cannot take. */
class Unusable {
  constructor(readonly expected: string) {}
}

interface ReadContext {
  leaf: SchemaLeaf;
  /** The text cannot be used: `expected` says what could. */
  unusable(expected: string): never;
  /** Some items of a list cannot be used; the others are. */
  ignoreItems(items: string[], expected: string): void;
}

interface OtelVariable {
  /** Variables in increasing precedence (signal-specific last). */
  names: readonly string[];
  key: string;
  /** A note for the docs, after the names. */
  note?: string;
  /** Text to the key's value (default: read by the key's type); the key's format checks it after. */
  read?: (raw: string, context: ReadContext) => unknown;
}

const SAMPLER_NAMES = new Map([
  ['always_on', 'always_on'],
  ['always_off', 'always_off'],
  ['traceidratio', 'traceid_ratio'],
  ['parentbased_always_on', 'parent_based_always_on'],
  ['parentbased_always_off', 'parent_based_always_off'],
  ['parentbased_traceidratio', 'parent_based_traceid_ratio'],
]);

const PROPAGATORS_EXPECTED = `a comma-separated list of ${PROPAGATORS.join(', ')}; jaeger was removed with OpenTelemetry JS 3.x, xray and ottrace are not supported`;

const DETECTORS_EXPECTED = `a comma-separated list of ${RESOURCE_DETECTORS.join(', ')}; cloud detectors (aws, gcp, azure, alibaba) are not supported`;

/**
 * A comma list of known names, as opentelemetry-js reads its lists: unknown items are warned about
 * and the known ones used; with none known the setting is ignored. Duplicates count once.
 */
function knownItems(raw: string, allowed: readonly string[], expected: string, context: ReadContext): string[] {
  const items = [...new Set((parseText(raw, 'string-list', context.unusable) as string[]).map((i) => i.trim()))];
  const known = items.filter((item) => allowed.includes(item));
  if (known.length === 0) return context.unusable(expected);
  const unknown = items.filter((item) => !known.includes(item));
  if (unknown.length > 0) context.ignoreItems(unknown, expected);
  return known;
}

/**
 * `OTEL_EXPORTER_OTLP_<SUFFIX>` and its traces-specific form `OTEL_EXPORTER_OTLP_TRACES_<SUFFIX>`
 * (which wins), for the key `opentelemetry.exporter.<field>` (OTLP exporter configuration spec).
 */
function otlpExporterVariable(suffix: string, field: string): OtelVariable {
  return {
    names: [`OTEL_EXPORTER_OTLP_${suffix}`, `OTEL_EXPORTER_OTLP_TRACES_${suffix}`],
    key: `opentelemetry.exporter.${field}`,
  };
}

const OTEL_VARIABLES: readonly OtelVariable[] = [
  {
    names: ['OTEL_SDK_DISABLED'],
    key: 'opentelemetry.enabled',
    note: '(true disables)',
    read: (raw, { unusable }) => {
      // Specification, "Boolean value": only "true" (any case) is true; other text than "false"
      // is warned about and read as false, which here means no effect.
      const text = raw.trim().toLowerCase();
      if (text === 'true') return false;
      if (text === 'false') return NO_EFFECT;
      return unusable('true or false (any case); other text leaves the SDK enabled');
    },
  },
  { names: ['OTEL_SERVICE_NAME'], key: 'service.name' },
  {
    names: ['OTEL_RESOURCE_ATTRIBUTES'],
    key: 'opentelemetry.resource',
    read: (raw, { unusable }) => {
      // Specification (Resource SDK): on a decoding error the whole value is discarded.
      const map = parseText(raw, 'string-map', unusable) as Record<string, unknown>;
      if (Object.hasOwn(map, 'service.name') && String(map['service.name']).trim() === '')
        return unusable('key=value pairs with valid percent-encoding, service.name not empty');
      return map;
    },
  },
  otlpExporterVariable('ENDPOINT', 'endpoint'),
  otlpExporterVariable('PROTOCOL', 'protocol'),
  otlpExporterVariable('HEADERS', 'headers'),
  otlpExporterVariable('TIMEOUT', 'timeout_ms'),
  otlpExporterVariable('COMPRESSION', 'compression'),
  otlpExporterVariable('CERTIFICATE', 'certificate'),
  otlpExporterVariable('CLIENT_KEY', 'client_key'),
  otlpExporterVariable('CLIENT_CERTIFICATE', 'client_certificate'),
  {
    names: ['OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT'],
    key: 'opentelemetry.limits.attribute_count',
  },
  {
    names: ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
    key: 'opentelemetry.limits.attribute_value_length',
  },
  { names: ['OTEL_SPAN_EVENT_COUNT_LIMIT'], key: 'opentelemetry.limits.event_count' },
  { names: ['OTEL_SPAN_LINK_COUNT_LIMIT'], key: 'opentelemetry.limits.link_count' },
  { names: ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'], key: 'opentelemetry.limits.attributes_per_event' },
  { names: ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'], key: 'opentelemetry.limits.attributes_per_link' },
  { names: ['OTEL_BSP_MAX_QUEUE_SIZE'], key: 'opentelemetry.batch.max_queue_size' },
  { names: ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], key: 'opentelemetry.batch.max_export_batch_size' },
  { names: ['OTEL_BSP_SCHEDULE_DELAY'], key: 'opentelemetry.batch.scheduled_delay_ms' },
  {
    names: ['OTEL_TRACES_SAMPLER'],
    key: 'opentelemetry.sampling.strategy',
    read: (raw, { unusable }) =>
      SAMPLER_NAMES.get(raw.trim().toLowerCase()) ??
      unusable(
        `one of ${[...SAMPLER_NAMES.keys()].join(', ')}; jaeger_remote, xray and other samplers are not supported`,
      ),
  },
  { names: ['OTEL_TRACES_SAMPLER_ARG'], key: 'opentelemetry.sampling.ratio' },
  {
    names: ['OTEL_PROPAGATORS'],
    key: 'opentelemetry.propagation',
    // As opentelemetry-js does: an unknown propagator is warned about and the known ones are
    // used; with none known the setting is ignored. Duplicates count once (specification).
    read: (raw, context) => knownItems(raw, PROPAGATORS, PROPAGATORS_EXPECTED, context),
  },
  {
    names: ['OTEL_NODE_RESOURCE_DETECTORS'],
    key: 'opentelemetry.resource_detectors',
    // As @opentelemetry/sdk-node reads it: an unknown detector is reported, the others are used.
    read: (raw, context) => knownItems(raw, RESOURCE_DETECTORS, DETECTORS_EXPECTED, context),
  },
];

/** The section the `OTEL_NODE_*_INSTRUMENTATIONS` lists set, key by key. */
const INSTRUMENTATIONS_SECTION = 'opentelemetry.instrumentations';

const INSTRUMENTATIONS_EXPECTED = `a comma-separated list of ${[...OTEL_NODE_INSTRUMENTATION_NAMES.keys()].join(', ')} (auto-instrumentations-node's names; undici is fetch)`;

/**
 * `OTEL_NODE_ENABLED_INSTRUMENTATIONS` and `OTEL_NODE_DISABLED_INSTRUMENTATIONS`, read as
 * auto-instrumentations-node reads them: when the enabled list is set, the instrumentations it
 * names are on and every other one is off (http and fetch too, unless listed); the disabled list
 * then turns off the ones it names. An unknown name is warned about and ignored. Keys set by their
 * `GREY_OTEL_INSTRUMENT_*` variable are not touched.
 */
function readInstrumentationLists(env: NodeJS.ProcessEnv, shadowed: ReadonlySet<string>, out: OtelEnvReading): void {
  const allowed = [...OTEL_NODE_INSTRUMENTATION_NAMES.keys()];
  const decided = new Map<string, { value: boolean; origin: string }>();
  for (const [name, value] of [
    ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', true],
    ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', false],
  ] as const) {
    const raw = readVariable(env, name);
    if (raw === undefined || raw.trim() === '') continue;
    const ignored: IgnoredVariable[] = [];
    const context: ReadContext = {
      leaf: { doc: '', format: Object.assign(() => undefined, { kind: 'string-list' as const }), default: [] },
      unusable: (expected) => {
        throw new Unusable(expected);
      },
      ignoreItems: (items) =>
        ignored.push({
          variable: name,
          key: INSTRUMENTATIONS_SECTION,
          value: boundText(raw),
          expected: INSTRUMENTATIONS_EXPECTED,
          ignoredItems: items.map((item) => boundText(item, 60)),
        }),
    };
    let names: string[];
    try {
      names = knownItems(raw, allowed, INSTRUMENTATIONS_EXPECTED, context);
    } catch (error) {
      if (!(error instanceof Unusable)) throw error;
      out.ignored.push({
        variable: name,
        key: INSTRUMENTATIONS_SECTION,
        value: boundText(raw),
        expected: error.expected,
      });
      continue;
    }
    out.ignored.push(...ignored);
    const listed = new Set(names.map((item) => OTEL_NODE_INSTRUMENTATION_NAMES.get(item) as string));
    for (const key of OTEL_NODE_INSTRUMENTATION_NAMES.values()) {
      if (listed.has(key)) decided.set(key, { value, origin: name });
      else if (value) decided.set(key, { value: false, origin: name });
    }
  }
  for (const [key, { value, origin }] of decided) {
    const full = `${INSTRUMENTATIONS_SECTION}.${key}`;
    if (!shadowed.has(full)) out.entries.push({ key: full, value, origin });
  }
}

/** The standard OTEL_* variables read for each key, for the docs and `check-config`. */
export function describeOtelVariables(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { key, names, note } of OTEL_VARIABLES)
    out.set(key, note === undefined ? [...names] : names.map((name) => `${name} ${note}`));
  for (const [name, key] of OTEL_NODE_INSTRUMENTATION_NAMES) {
    out.set(`${INSTRUMENTATIONS_SECTION}.${key}`, [
      `OTEL_NODE_ENABLED_INSTRUMENTATIONS (lists ${name})`,
      `OTEL_NODE_DISABLED_INSTRUMENTATIONS (lists ${name})`,
    ]);
  }
  return out;
}

/**
 * Reads the standard variables into layer entries (see the module comment). Each key takes its
 * signal-specific variable when that one is usable, else the generic one
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, then `OTEL_EXPORTER_OTLP_ENDPOINT`), else none: the key
 * keeps its value from the config file or the default. Every value entered passed its key's
 * format. Keys in `shadowed` (set by a `GREY_*` variable) are not read at all.
 */
export function readOtelEnv(env: NodeJS.ProcessEnv, shadowed: ReadonlySet<string>): OtelEnvReading {
  const leaves = new Map(listSchemaLeaves().map(({ key, leaf }) => [key, leaf]));
  const entries: LayerEntry[] = [];
  const ignored: IgnoredVariable[] = [];
  for (const variable of OTEL_VARIABLES) {
    if (shadowed.has(variable.key)) continue;
    const leaf = leaves.get(variable.key) as SchemaLeaf;
    for (const name of [...variable.names].reverse()) {
      const raw = readVariable(env, name);
      if (raw === undefined || raw === '') continue;
      const outcome = readOne(variable, leaf, name, raw);
      ignored.push(...outcome.ignored);
      if (outcome.usable) {
        if (outcome.value !== NO_EFFECT) entries.push({ key: variable.key, value: outcome.value, origin: name });
        break;
      }
    }
  }
  const reading = { entries, ignored };
  readInstrumentationLists(env, shadowed, reading);
  return reading;
}

function readOne(
  variable: OtelVariable,
  leaf: SchemaLeaf,
  name: string,
  raw: string,
): { usable: boolean; value?: unknown; ignored: IgnoredVariable[] } {
  const ignored: IgnoredVariable[] = [];
  const value = printable(variable.key, raw);
  const unusable = (expected: string): never => {
    throw new Unusable(expected);
  };
  const context: ReadContext = {
    leaf,
    unusable,
    ignoreItems: (items, expected) =>
      ignored.push({
        variable: name,
        key: variable.key,
        value,
        expected,
        ignoredItems: items.map((item) => boundText(item, 60)),
      }),
  };
  try {
    // For a number, the key's own expectation ("a number from 0 to 1") says more than the
    // parser's ("a number"); for a list or map the parser's ("valid percent-encoding") does.
    const numeric = leaf.format.kind === 'integer' || leaf.format.kind === 'number';
    const byKey = (expected: string): never => unusable((numeric ? rejection(leaf, raw) : undefined) ?? expected);
    const read = variable.read ?? ((text: string) => parseText(text, leaf.format.kind, byKey));
    const result = read(raw, context);
    if (result === NO_EFFECT) return { usable: true, value: result, ignored };
    const rejected = rejection(leaf, result);
    if (rejected !== undefined) unusable(rejected);
    return { usable: true, value: result, ignored };
  } catch (error) {
    if (!(error instanceof Unusable)) throw error;
    return { usable: false, ignored: [{ variable: name, key: variable.key, value, expected: error.expected }] };
  }
}

/** The variable's text as it may be printed: redacted for a secret key, URL passwords hidden, bounded. */
function printable(key: string, raw: string): string {
  return boundText(String(redactValue(key, raw)));
}
