import type { ServerResponse } from 'node:http';

/**
 * The bodies held for responses not yet handed to the OS in full, with the bytes they pin (each
 * body once, however many responses share it). Holding a body past `maxBytes` cuts the oldest
 * unfinished responses until the others fit: clients that stop reading cannot pile up memory.
 */
export function createBodyLedger(maxBytes: number) {
  const open = new Map<ServerResponse, Buffer>();
  const holders = new Map<Buffer, number>();
  let bytes = 0;
  const release = (response: ServerResponse): void => {
    const body = open.get(response);
    if (body === undefined) return;
    open.delete(response);
    const left = (holders.get(body) ?? 1) - 1;
    if (left > 0) holders.set(body, left);
    else {
      holders.delete(body);
      bytes -= body.length;
    }
  };
  return {
    bytes: (): number => bytes,
    hold(response: ServerResponse, body: Buffer): void {
      const holding = holders.get(body) ?? 0;
      if (holding === 0) bytes += body.length;
      holders.set(body, holding + 1);
      open.set(response, body);
      response.once('finish', () => release(response));
      response.once('close', () => release(response));
      // The Map keeps insertion order: the first entries are the oldest unfinished responses.
      for (const [oldest] of open) {
        if (bytes <= maxBytes) break;
        if (oldest === response) continue;
        release(oldest);
        oldest.destroy();
      }
    },
  };
}
