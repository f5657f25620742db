import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line, parsed, in memory. */
export interface CapturedLines extends DestinationStream {
  /** Parsed JSON lines in order. */
  lines: Array<Record<string, unknown>>;
  /** The raw text written, for searches over the whole output. */
  raw: string[];
}

/** A destination capturing JSON lines in memory. */
export function captureLines(): CapturedLines {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  return {
    lines,
    raw,
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}
