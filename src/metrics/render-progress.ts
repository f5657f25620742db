/**
 * What one rendering waits for: the metrics whose collection has not finished. The endpoint reads
 * it when a rendering runs past `prometheus.scrape_timeout_ms` (to name the slow metrics), then
 * abandons it, which drops every snapshot collected so far; `settled` tells when the last
 * collection ended, so that stuck renderings can be counted.
 */
export class RenderProgress {
  private readonly waiting = new Map<string, number>();
  private abandonedFlag = false;
  private started = false;
  private doneFlag = false;
  private readonly abandonListeners: Array<() => void> = [];
  private resolveSettled: () => void = () => undefined;
  /** Resolves once every collection this rendering started has ended (resolved or rejected). */
  readonly settled = new Promise<void>((resolve) => (this.resolveSettled = resolve));

  /** Names of the metrics still collecting, in registration order. */
  get pending(): string[] {
    return [...this.waiting.keys()];
  }

  /** True while no collection is pending: none began yet, or every one that began has ended. */
  get idle(): boolean {
    return !this.started || this.doneFlag;
  }

  /** Resolves when {@link idle} (at once when no collection began). */
  whenIdle(): Promise<void> {
    return this.started ? this.settled : Promise.resolve();
  }

  /** True once abandon() was called. */
  get abandoned(): boolean {
    return this.abandonedFlag;
  }

  /** The rendering's answer is no longer wanted: what it holds is dropped. */
  abandon(): void {
    if (this.abandonedFlag) return;
    this.abandonedFlag = true;
    for (const listener of this.abandonListeners.splice(0)) listener();
  }

  /** @param listener run once, at abandon(). */
  onAbandon(listener: () => void): void {
    if (this.abandonedFlag) listener();
    else this.abandonListeners.push(listener);
  }

  /** A collection of `name` began. */
  begin(name: string): void {
    this.started = true;
    this.waiting.set(name, (this.waiting.get(name) ?? 0) + 1);
  }

  /** A collection of `name` ended. */
  end(name: string): void {
    const left = (this.waiting.get(name) ?? 1) - 1;
    if (left > 0) this.waiting.set(name, left);
    else this.waiting.delete(name);
    this.settleIfDone();
  }

  /** Every collection has begun: settles at once when none is pending. */
  allBegun(): void {
    this.started = true;
    this.settleIfDone();
  }

  private settleIfDone(): void {
    if (this.doneFlag || !this.started || this.waiting.size > 0) return;
    this.doneFlag = true;
    this.resolveSettled();
  }
}
