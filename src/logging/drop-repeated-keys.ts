/**
 * The line rewrite behind "one key per field": a finished pino line with a top-level key written
 * twice keeps only the last member of that key, where pino wrote it. pino writes a line in the
 * order level, time, bindings (service identity, then each child's, outer to inner), the log
 * call's fields, msg (test/logging/pino-contract.test.ts holds it to that), so the last member is
 * the most specific value: the one `JSON.parse` already picked.
 *
 * Only lines the logMethod hook marks are scanned (one-key-per-field.ts): a line that repeats no
 * key is written as pino made it.
 */

// Per member: where its key starts, where the key ends, where the member ends (the comma or brace
// after it). Reused by every call: the rewrite runs synchronously, one line at a time.
let bounds = new Int32Array(3 * 64);

/** `line` (one JSON object, optionally followed by a newline) with each top-level key once: its last member. */
export function dropRepeatedKeys(line: string): string {
  if (line.charCodeAt(0) !== 0x7b /* { */) return line;
  const count = scanMembers(line);
  if (count < 2) return line;
  let text = '';
  let from = 0;
  for (let m = 0; m < count - 1; m++) {
    if (!isRepeatedLater(line, m, count)) continue;
    // Cut the member and the comma after it (a repeated member is never the last one).
    text += line.slice(from, bounds[m * 3]);
    from = bounds[(m + 1) * 3] as number;
  }
  return from === 0 ? line : text + line.slice(from);
}

/** Fills {@link bounds} with the top-level members of the object `line` opens; returns their count. */
function scanMembers(line: string): number {
  const n = line.length;
  let depth = 0;
  let count = 0;
  let inString = false;
  let keyNext = true;
  for (let i = 1; i < n; i++) {
    const char = line.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) {
        inString = false;
        if (keyNext) {
          bounds[count * 3 - 2] = i + 1;
          keyNext = false;
        }
      }
      continue;
    }
    if (char === 0x22 /* " */) {
      inString = true;
      if (keyNext) {
        if ((count + 1) * 3 > bounds.length) {
          const larger = new Int32Array(bounds.length * 2);
          larger.set(bounds);
          bounds = larger;
        }
        bounds[count * 3] = i;
        count++;
      }
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) depth++;
    else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      if (depth === 0) {
        if (count > 0) bounds[count * 3 - 1] = i;
        return count;
      }
      depth--;
    } else if (char === 0x2c /* , */ && depth === 0) {
      bounds[count * 3 - 1] = i;
      keyNext = true;
    }
  }
  if (count > 0) bounds[count * 3 - 1] = n;
  return count;
}

/** True when a member after member `m` has the same key text. */
function isRepeatedLater(line: string, m: number, count: number): boolean {
  const start = bounds[m * 3] as number;
  const length = (bounds[m * 3 + 1] as number) - start;
  let key: string | undefined;
  for (let later = m + 1; later < count; later++) {
    const laterStart = bounds[later * 3] as number;
    if ((bounds[later * 3 + 1] as number) - laterStart !== length) continue;
    key ??= line.slice(start, start + length);
    if (line.startsWith(key, laterStart)) return true;
  }
  return false;
}
