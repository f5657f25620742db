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

/** `line` (one JSON object, optionally followed by a newline) with each top-level key once: its last member. */
export function dropRepeatedKeys(line: string): string {
  if (line.charCodeAt(0) !== 0x7b /* { */) return line;
  const starts: number[] = [];
  const ends: number[] = [];
  const keys: string[] = [];
  const last = new Map<string, number>();
  let i = 1;
  while (line.charCodeAt(i) === 0x22 /* " */) {
    const keyEnd = endOfString(line, i);
    const valueEnd = endOfValue(line, keyEnd + 1);
    last.set(line.slice(i, keyEnd), keys.length);
    keys.push(line.slice(i, keyEnd));
    starts.push(i);
    ends.push(valueEnd);
    if (line.charCodeAt(valueEnd) !== 0x2c /* , */) {
      i = valueEnd;
      break;
    }
    i = valueEnd + 1;
  }
  if (last.size === keys.length) return line;
  let text = '{';
  for (let m = 0; m < keys.length; m++) {
    if (last.get(keys[m] as string) !== m) continue;
    if (text.length > 1) text += ',';
    text += line.slice(starts[m], ends[m]);
  }
  return text + line.slice(i);
}

/** Index just past the JSON string starting at `start` (which holds its opening quote). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Index just past the JSON value starting at `start`: the next comma or closing brace at depth 0. */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      i = endOfString(text, i);
      continue;
    }
    if (char === 0x7b /* { */ || char === 0x5b /* [ */) depth++;
    else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      if (depth === 0) return i;
      depth--;
    } else if (char === 0x2c /* , */ && depth === 0) return i;
    i++;
  }
  return i;
}
