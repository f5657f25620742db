import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ObservabilityError } from '../errors.js';

/** File names looked for in the working directory, in order, when no file is named. */
export const DEFAULT_CONFIG_FILES = ['observability.yaml', 'observability.yml', 'observability.json'] as const;

/** Environment variable that names the config file. */
export const CONFIG_FILE_ENV = 'GREY_OBSERVABILITY_CONFIG';

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

/** Reads and parses a config file (JSON for .json, YAML otherwise). An empty file is `{}`. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ObservabilityError('OBS_ERR_CONFIG_READ', `config file could not be read (${(cause as Error).message})`, {
      file: path,
      expected: 'a readable file',
      cause,
    });
  }
  const parsed = extname(path).toLowerCase() === '.json' ? parseJson(text, path) : parseYamlText(text, path);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', 'config file does not hold a mapping at the top level', {
      file: path,
      expected: 'a mapping with sections such as prometheus: and opentelemetry:',
    });
  }
  return parsed as Record<string, unknown>;
}

function parseYamlText(text: string, path: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (cause) {
    const reason = cause instanceof Error ? (cause.message.split('\n')[0] ?? '').replace(/:$/, '') : String(cause);
    const where =
      cause instanceof YAMLParseError && cause.linePos && !reason.includes(' at line ')
        ? ` at line ${cause.linePos[0].line}, column ${cause.linePos[0].col}`
        : '';
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', `config file is not valid YAML: ${reason}${where}`, {
      file: path,
      expected: 'valid YAML',
      cause,
    });
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new ObservabilityError('OBS_ERR_CONFIG_PARSE', `config file is not valid JSON: ${(cause as Error).message}`, {
      file: path,
      expected: 'valid JSON',
      cause,
    });
  }
}
