import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { extname, resolve } from 'node:path';
import { boundText, ObservabilityError } from '../errors.js';
import { createRequire } from 'node:module';

/**
 * The `yaml` package, loaded on the first YAML file read (synchronously, its CommonJS build): a
 * service without a config file, or with a JSON one, does not load its ~70 modules at start-up.
 */
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** File names looked for in the working directory, in order, when no file is named. */
const DEFAULT_CONFIG_FILES = ['observability.yaml', 'observability.yml', 'observability.json'] as const;

/** Environment variable that names the config file. */
const CONFIG_FILE_ENV = 'GREY_OBSERVABILITY_CONFIG';

/** The config file that applies, and how it was found; undefined when there is none. */
export interface LocatedConfigFile {
  path: string;
  foundBy: 'option' | 'env' | 'cwd';
}

/**
 * Finds the ONE config file: `explicit` (options.configFile), else GREY_OBSERVABILITY_CONFIG, else
 * observability.yaml / .yml / .json in `cwd`, else none (the embedded defaults apply). A file that
 * was named explicitly but does not exist is an error; the cwd names are only looked for.
 */
export function locateConfigFile(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): LocatedConfigFile | undefined {
  if (explicit !== undefined && explicit !== '')
    return mustExist(resolve(cwd, explicit), 'option', 'the configFile option or the CLI file argument');
  const fromEnv = env[CONFIG_FILE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return mustExist(resolve(cwd, fromEnv), 'env', CONFIG_FILE_ENV);
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { path, foundBy: 'cwd' };
  }
  return undefined;
}

function mustExist(path: string, foundBy: LocatedConfigFile['foundBy'], namedBy: string): LocatedConfigFile {
  if (!existsSync(path)) {
    throw new ObservabilityError('OBS_ERR_CONFIG_FILE_NOT_FOUND', `config file named by ${namedBy} does not exist`, {
      file: path,
      expected: `an existing YAML or JSON file; name none to use observability.yaml in the working directory or the built-in defaults`,
    });
  }
  return { path, foundBy };
}

/** Size of a config file at most, in bytes (a config is a few kilobytes; this bounds memory and time). */
export const MAX_CONFIG_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Reads and parses a config file (JSON for .json, YAML otherwise). An empty file is `{}`.
 *
 * Only a regular file is read: a FIFO, socket, character or block device or a directory (also
 * behind a symlink) is `OBS_ERR_CONFIG_READ` naming the path and what it is, so that start-up
 * never waits on a pipe with no writer nor reads a device that never ends. The file is opened
 * with O_NONBLOCK (opening a FIFO then does not wait for a writer) and its type is read from the
 * open descriptor (fstat), so a file swapped for a FIFO between a check and the read cannot slip
 * through. A file larger than {@link MAX_CONFIG_FILE_BYTES} is refused too.
 */
export function readConfigFile(path: string): Record<string, unknown> {
  const text = readRegularFile(path);
  const parsed = extname(path).toLowerCase() === '.json' ? parseJson(text, path) : parseYamlText(text, path);
  if (parsed === null || parsed === undefined) return {};
  if (nestsDeeperThan(parsed, MAX_CONFIG_DEPTH)) {
    // Every later walk of the tree (substitution, validation) is recursive: refuse it here.
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', `config file nests deeper than ${MAX_CONFIG_DEPTH} levels`, {
      file: path,
      expected: `at most ${MAX_CONFIG_DEPTH} levels of mappings and lists (the deepest key of the schema has 4)`,
    });
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', 'config file does not hold a mapping at the top level', {
      file: path,
      expected: 'a mapping with sections such as prometheus: and opentelemetry:',
    });
  }
  return parsed as Record<string, unknown>;
}

/** Deepest nesting of mappings and lists a config file may hold. */
const MAX_CONFIG_DEPTH = 32;

/** True when `value` holds mappings or lists nested deeper than `max`; iterative, so any depth is safe. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

function readRegularFile(path: string): string {
  let fd: number | undefined;
  try {
    // O_NONBLOCK is 0 where the platform has none (Windows, where no FIFO can be opened this way).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(path, stats);
    if (stats.size > MAX_CONFIG_FILE_BYTES) throw tooLarge(path, stats.size);
    const text = readFileSync(fd, 'utf8');
    // A file that grew after fstat (or reports size 0, as /proc files do) is bounded here.
    if (Buffer.byteLength(text) > MAX_CONFIG_FILE_BYTES) throw tooLarge(path, Buffer.byteLength(text));
    return text;
  } catch (cause) {
    if (cause instanceof ObservabilityError) throw cause;
    throw new ObservabilityError(
      'OBS_ERR_CONFIG_READ',
      `config file could not be read (${boundText((cause as Error).message, 300)})`,
      { file: path, expected: 'a readable regular file', cause },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function notRegular(path: string, stats: Stats): ObservabilityError {
  const kind = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isSocket()
        ? 'a socket'
        : stats.isCharacterDevice()
          ? 'a character device'
          : stats.isBlockDevice()
            ? 'a block device'
            : 'not a regular file';
  return new ObservabilityError('OBS_ERR_CONFIG_READ', `config file is ${kind}, not a regular file`, {
    file: path,
    expected: 'a regular YAML or JSON file (a symlink to one is fine); a pipe, device or directory is never read',
  });
}

function tooLarge(path: string, bytes: number): ObservabilityError {
  return new ObservabilityError('OBS_ERR_CONFIG_READ', `config file is too large (${bytes} bytes)`, {
    file: path,
    expected: `a config file of at most ${MAX_CONFIG_FILE_BYTES} bytes`,
  });
}

function parseYamlText(text: string, path: string): unknown {
  try {
    // logLevel 'error': the yaml package's warnings (e.g. an unknown tag) would print the line,
    // secrets included, to stderr. JSON.stringify throws on a cycle (an alias inside the node it
    // names), which no config can use and every later walk of the tree would overflow on.
    const { parse: parseYaml } = yaml();
    const parsed: unknown = parseYaml(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
    JSON.stringify(parsed);
    return parsed;
  } catch (cause) {
    // The first line may quote an alias or tag name of any length: bounded.
    const reason = boundText(
      cause instanceof Error ? (cause.message.split('\n')[0] ?? '').replace(/:$/, '') : String(cause),
      300,
    );
    const where =
      cause instanceof yaml().YAMLParseError && cause.linePos && !reason.includes(' at line ')
        ? ` at line ${cause.linePos[0].line}, column ${cause.linePos[0].col}`
        : '';
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', `config file is not valid YAML: ${reason}${where}`, {
      file: path,
      expected: 'valid YAML',
      // A YAMLParseError's message quotes the source lines, secrets included: reason and position are above.
      cause: cause instanceof yaml().YAMLParseError ? undefined : cause,
    });
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch (cause) {
    // V8 quotes the source text in some messages ('Unexpected token ..., "{...}" is not valid JSON'),
    // secrets included: that part is cut, and the SyntaxError is not kept as the cause.
    const reason = boundText((cause as Error).message.replace(/, "[\s\S]*" is not valid JSON$/, ''), 300);
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', `config file is not valid JSON: ${reason}`, {
      file: path,
      expected: 'valid JSON',
    });
  }
}
