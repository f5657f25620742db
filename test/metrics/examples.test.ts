import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

describe('examples/custom-metrics', () => {
  it('runs, prints the custom series from a real scrape and exits by itself', async () => {
    const script = fileURLToPath(new URL('../../examples/custom-metrics.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 20_000 });
    assert.match(stdout, /^grey_custom_operations_total\{tenant="tenant-123"\} 2$/m);
    assert.match(stdout, /^grey_custom_operations_total\{tenant="tenant-456"\} 1$/m);
    assert.match(stdout, /^grey_custom_operation_duration_seconds_count 3$/m);
  });
});
