import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * initObservability() options that read no config file and no GREY_* variable: an empty working
 * directory and an empty environment, so only the bench's overrides and the defaults apply.
 */
export function isolatedConfigSource(): { cwd: string; env: NodeJS.ProcessEnv } {
  return { cwd: mkdtempSync(join(tmpdir(), 'grey-bench-')), env: {} };
}
