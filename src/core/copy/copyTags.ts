import { createHash } from 'node:crypto';
import type { KeyValue } from '../entities';

/**
 * Tags that make a copy resumable and safe to repeat:
 *
 * - `runlens.copy.source` = `<source store id>/<source id>` on every copied experiment, run,
 *   logged model and model version (`<name>/<version>` for versions). A later copy finds what is
 *   already there by this tag and skips or finishes it instead of copying it again.
 * - `runlens.copy.complete` = time of completion, set last on a run (and logged model): a run
 *   without it was interrupted and is finished on the next copy without duplicating anything.
 */
export const COPY_SOURCE_TAG = 'runlens.copy.source';
export const COPY_COMPLETE_TAG = 'runlens.copy.complete';
const COPY_TAG_PREFIX = 'runlens.copy.';

/** A short, stable id of a store for the copy tags: `<kind>-<10 hex digits of a hash of its location>`. */
export function storeIdFor(kind: string, location: string): string {
  return `${kind}-${createHash('sha256').update(location).digest('hex').slice(0, 10)}`;
}

export function sourceRef(sourceId: string, id: string): string {
  return `${sourceId}/${id}`;
}

/**
 * The source id inside a `runlens.copy.source` value (what follows the store id). Matching
 * uses this part only: run ids and logged-model ids are globally unique, so a store that moved
 * (another path, another URL) is still recognized.
 */
export function sourceIdOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const slash = value.indexOf('/');
  return slash >= 0 ? value.slice(slash + 1) : undefined;
}

export function tagValue(tags: readonly KeyValue[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

/** The tags to copy: the source's own copy tags are replaced, not carried along. */
export function copyableTags(tags: readonly KeyValue[] | undefined): KeyValue[] {
  return (tags ?? []).filter((t) => !t.key.startsWith(COPY_TAG_PREFIX));
}

/** Tags of `wanted` that `present` lacks or has with another value. */
export function missingTags(wanted: readonly KeyValue[], present: readonly KeyValue[] | undefined): KeyValue[] {
  const have = new Map((present ?? []).map((t) => [t.key, t.value]));
  return wanted.filter((t) => have.get(t.key) !== t.value);
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
