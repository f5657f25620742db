import type { ExpositionFormat } from './exposition.js';
import { RenderProgress } from './render-progress.js';

/**
 * Produces the exposition body for one scrape; `progress` names what the rendering waits for (the
 * endpoint reads it when the rendering runs past `prometheus.scrape_timeout_ms`, then abandons it).
 */
export type ExpositionRenderer = (
  format: ExpositionFormat,
  progress: RenderProgress,
) => Promise<{ body: string; format: ExpositionFormat }>;

/** A rendering that did not end within its bound, or could not start: answered 503. */
export class RenderUnavailable extends Error {
  constructor(
    message: string,
    readonly metrics: readonly string[],
  ) {
    super(message);
  }
}

/**
 * The renderings of one endpoint: each bounded by `timeoutMs` (past it, 503 naming the metrics
 * still collecting, and the rendering is abandoned: it holds no snapshot any more), and counted
 * while a collector of an answered rendering still runs. While `maxStuck` are stuck, no rendering
 * starts (each would call the stuck collector again): the scrape is answered 503 at once, until
 * one of them ends.
 */
export function createRenderings(render: ExpositionRenderer, timeoutMs: number, maxStuck: number) {
  const stuck = new Set<RenderProgress>();
  // Until the renderer's promise settled and every collection it began ended.
  const holdIfStuck = (progress: RenderProgress, finished: Promise<void>, isFinished: () => boolean): void => {
    if (isFinished() || stuck.has(progress)) return;
    stuck.add(progress);
    void finished.then(() => stuck.delete(progress));
  };
  return {
    stuck: (): number => stuck.size,
    render(format: ExpositionFormat): Promise<{ body: string; format: ExpositionFormat }> {
      if (stuck.size >= maxStuck) {
        const names = [...new Set([...stuck].flatMap((p) => p.pending))];
        return Promise.reject(
          new RenderUnavailable(
            `${stuck.size} earlier renderings are still waiting for ${describe(names)}; no new one is started`,
            names,
          ),
        );
      }
      const progress = new RenderProgress();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const names = progress.pending;
          progress.abandon();
          holdIfStuck(progress, finished, isFinished);
          reject(
            new RenderUnavailable(
              `${describe(names)} still collecting after ${timeoutMs} ms (prometheus.scrape_timeout_ms)`,
              names,
            ),
          );
        }, timeoutMs);
        timer.unref();
        let rendering: Promise<{ body: string; format: ExpositionFormat }>;
        try {
          rendering = render(format, progress);
        } catch (error) {
          rendering = Promise.reject(error);
        }
        let renderSettled = false;
        const finished = rendering
          .then(
            () => undefined,
            () => undefined,
          )
          .then(() => {
            renderSettled = true;
            return progress.whenIdle();
          });
        const isFinished = (): boolean => renderSettled && progress.idle;
        rendering.then(
          (rendered) => {
            clearTimeout(timer);
            resolve(rendered);
          },
          (error: unknown) => {
            clearTimeout(timer);
            progress.abandon();
            holdIfStuck(progress, finished, isFinished);
            reject(error);
          },
        );
      });
    },
  };
}

/** `metric grey_x`, `metrics a, b`, or the renderer's own names (at most five, then a count). */
function describe(names: readonly string[]): string {
  if (names.length === 0) return 'the renderer';
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  if (!names.every((name) => METRIC_NAME.test(name))) return shown;
  return `${names.length > 1 ? 'metrics' : 'metric'} ${shown}`;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
