/**
 * Validation: every value a layer sets is checked once, by its key's format from the convict
 * schema (src/config/schema.ts), and every problem of the layer is reported at once.
 */
import type { ObservabilityError } from '../errors.js';
import type { ConfigLayer } from './layer.js';
import { invalidEntry } from './problems.js';
import type { SchemaLeaf } from './schema.js';

/**
 * The problems of `layer`, in order: what flattening found (unknown keys, sections given as
 * values, unset `${VAR}` references), then each value its key's format rejects, naming the source.
 * A layer whose reader already checked every value (`validated`) has none to add.
 */
export function validateLayer(layer: ConfigLayer, leaves: ReadonlyMap<string, SchemaLeaf>): ObservabilityError[] {
  const problems = [...(layer.problems ?? [])];
  if (layer.validated === true) return problems;
  for (const entry of layer.entries) {
    const expected = rejection(leaves.get(entry.key) as SchemaLeaf, entry.value);
    if (expected !== undefined) problems.push(invalidEntry(layer, entry, expected));
  }
  return problems;
}

/** What `leaf`'s format expected when it rejects `value`, or undefined when the value is valid. */
export function rejection(leaf: Pick<SchemaLeaf, 'format'>, value: unknown): string | undefined {
  try {
    leaf.format(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
