import { ObservabilityError, type ObservabilityProblem } from '../errors.js';

/** What one decorator option must be. */
type OptionKind = 'name' | 'string' | 'function' | 'strings' | 'attributes' | 'expectedErrors' | 'logs';

const EXPECTED: Record<OptionKind, string> = {
  name: 'a non-empty string',
  string: 'a string',
  function: 'a function (args) => value',
  strings: 'an array of strings',
  attributes: 'an object of attributes, or a function (args) => attributes',
  expectedErrors: 'an array of error classes, or a function (error) => boolean',
  logs: "'all', 'errors' or 'none'",
};

/** The options of `@Task` (its `type` is checked first, on its own) and their kinds. */
export const TASK_OPTIONS: Readonly<Record<string, OptionKind>> = {
  type: 'name',
  name: 'name',
  priority: 'string',
  taskId: 'function',
  tenantId: 'function',
  expectedErrors: 'expectedErrors',
  attributes: 'attributes',
  logs: 'logs',
  attempt: 'function',
};

/** The options of `@Instrument` and their kinds. */
export const INSTRUMENT_OPTIONS: Readonly<Record<string, OptionKind>> = {
  name: 'name',
  skip: 'strings',
  fields: 'strings',
  attributes: 'attributes',
  expectedErrors: 'expectedErrors',
};

function fits(kind: OptionKind, value: unknown): boolean {
  switch (kind) {
    case 'name':
      return typeof value === 'string' && value.trim() !== '';
    case 'string':
      return typeof value === 'string';
    case 'function':
      return typeof value === 'function';
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'attributes':
      return typeof value === 'function' || (value !== null && typeof value === 'object' && !Array.isArray(value));
    case 'expectedErrors':
      return typeof value === 'function' || (Array.isArray(value) && value.every((item) => typeof item === 'function'));
    case 'logs':
      return value === 'all' || value === 'errors' || value === 'none';
  }
}

/**
 * Checks a decorator's options at decoration, so that a typo (`logs: 'error'`, `tenantId: 'acme'`,
 * `tenantID`) is not silently ignored at every call. Every problem is named in one
 * OBS_ERR_DECORATOR_OPTIONS error, unknown options first; an option set to undefined is left out.
 */
export function checkDecoratorOptions(
  decorator: 'Task' | 'Instrument',
  options: unknown,
  kinds: Readonly<Record<string, OptionKind>>,
): void {
  if (options === undefined && decorator === 'Instrument') return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ObservabilityError('OBS_ERR_DECORATOR_OPTIONS', `@${decorator} takes an options object.`, {
      value: options,
      expected: `an object with the options ${Object.keys(kinds).join(', ')}`,
    });
  }
  const unknown: ObservabilityProblem[] = [];
  const invalid: ObservabilityProblem[] = [];
  for (const [key, value] of Object.entries(options)) {
    const kind = Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    if (kind === undefined) {
      unknown.push({
        message: `@${decorator} has no option "${key}"`,
        key,
        expected: `one of ${Object.keys(kinds).join(', ')}`,
      });
    } else if (value !== undefined && !fits(kind, value)) {
      invalid.push({
        message: `@${decorator} option ${key} is invalid`,
        key,
        value: typeof value === 'function' ? '[function]' : value,
        expected: EXPECTED[kind],
      });
    }
  }
  const [first, ...others] = [...unknown, ...invalid];
  if (first === undefined) return;
  throw new ObservabilityError('OBS_ERR_DECORATOR_OPTIONS', `${first.message}.`, {
    key: first.key,
    value: first.value,
    expected: first.expected,
    others,
  });
}
