/** The seed of case `index` of a run with `seed`: every case reproduces on its own. */
export function caseSeed(seed: number, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
}
