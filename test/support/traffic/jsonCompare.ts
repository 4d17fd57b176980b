/**
 * Structural comparison of a recorded JSON body with ours (README section 4.4 and 4.5):
 * same field names at every level, same JSON types, same array lengths, literal values equal
 * (numbers numerically), placeholders bound/checked through the PlaceholderBinder.
 */
import { PlaceholderBinder, isEpochMillis, hasPlaceholder } from './placeholders';
import { Difference, Json, isJsonObject, jsonType, pointerChild, preview } from './types';

export interface JsonCompareOptions {
  /** Arrays held under these field names are compared as unordered collections. */
  unorderedKeys: ReadonlySet<string>;
  /**
   * The request had an `order_by`: a top-level result array (`/runs`, `/experiments`, `/metrics`, …)
   * is then compared in order even when its name is in `unorderedKeys`.
   */
  requestHadOrderBy: boolean;
  /** Pointers whose value is not compared, only its type (the error `message`). */
  typeOnlyPointers: ReadonlySet<string>;
  /** Prefix of binding origins, e.g. "seq 6". */
  origin: string;
}

/** tags, params and metrics (README 4.5), plus run.outputs.model_outputs. */
export const DEFAULT_UNORDERED_KEYS: ReadonlySet<string> = new Set(['tags', 'params', 'metrics', 'model_outputs']);

export function compareJson(
  expected: Json,
  actual: unknown,
  binder: PlaceholderBinder,
  options: JsonCompareOptions,
): Difference[] {
  const out: Difference[] = [];
  compareValue(expected, actual, '', binder, options, out);
  return out;
}

function diff(out: Difference[], pointer: string, message: string, expected?: unknown, actual?: unknown): void {
  out.push({ kind: 'body', pointer, message, expected, actual });
}

function compareValue(
  expected: Json,
  actual: unknown,
  pointer: string,
  binder: PlaceholderBinder,
  options: JsonCompareOptions,
  out: Difference[],
): void {
  if (typeof expected === 'string') return compareString(expected, actual, pointer, binder, options, out);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return diff(out, pointer, `type: expected array, got ${jsonType(actual)}`, expected, actual);
    const key = pointer.slice(pointer.lastIndexOf('/') + 1);
    const topLevel = pointer.lastIndexOf('/') === 0;
    const unordered = options.unorderedKeys.has(key) && !(topLevel && options.requestHadOrderBy);
    return unordered
      ? compareUnordered(expected, actual, pointer, binder, options, out)
      : compareOrdered(expected, actual, pointer, binder, options, out);
  }
  if (isJsonObject(expected)) {
    if (!isJsonObject(actual)) return diff(out, pointer, `type: expected object, got ${jsonType(actual)}`, expected, actual);
    for (const [key, value] of Object.entries(expected)) {
      const child = pointerChild(pointer, key);
      if (!Object.prototype.hasOwnProperty.call(actual, key)) diff(out, child, 'missing field', value, undefined);
      else compareValue(value, actual[key], child, binder, options, out);
    }
    for (const key of Object.keys(actual)) {
      if (!Object.prototype.hasOwnProperty.call(expected, key)) {
        diff(out, pointerChild(pointer, key), 'unexpected field', undefined, actual[key]);
      }
    }
    return;
  }
  // number, boolean, null
  if (jsonType(expected) !== jsonType(actual)) {
    return diff(out, pointer, `type: expected ${jsonType(expected)}, got ${jsonType(actual)}`, expected, actual);
  }
  if (expected !== actual) diff(out, pointer, 'value differs', expected, actual);
}

function compareString(
  expected: string,
  actual: unknown,
  pointer: string,
  binder: PlaceholderBinder,
  options: JsonCompareOptions,
  out: Difference[],
): void {
  if (expected === '<ts>') {
    // A whole "<ts>" replaced a JSON integer of epoch milliseconds.
    if (!isEpochMillis(actual)) {
      diff(out, pointer, `expected an epoch-milliseconds integer (placeholder <ts>), got ${jsonType(actual)} ${preview(actual)}`, '<ts>', actual);
    }
    return;
  }
  if (typeof actual !== 'string') {
    return diff(out, pointer, `type: expected string, got ${jsonType(actual)}`, expected, actual);
  }
  if (options.typeOnlyPointers.has(pointer)) return;
  if (!hasPlaceholder(expected)) {
    if (expected !== actual) diff(out, pointer, 'value differs', expected, actual);
    return;
  }
  const result = binder.matchText(expected, actual, `${options.origin} ${pointer || '/'}`);
  if (!result.ok) diff(out, pointer, `value ${result.reason}`, result.expected, actual);
}

function compareOrdered(
  expected: Json[],
  actual: unknown[],
  pointer: string,
  binder: PlaceholderBinder,
  options: JsonCompareOptions,
  out: Difference[],
): void {
  if (expected.length !== actual.length) {
    diff(out, pointer, `array length: expected ${expected.length}, got ${actual.length}`, expected.length, actual.length);
  }
  const common = Math.min(expected.length, actual.length);
  for (let i = 0; i < common; i++) compareValue(expected[i], actual[i], pointerChild(pointer, i), binder, options, out);
  for (let i = common; i < expected.length; i++) diff(out, pointerChild(pointer, i), 'missing array element', expected[i], undefined);
  for (let i = common; i < actual.length; i++) diff(out, pointerChild(pointer, i), 'unexpected array element', undefined, actual[i]);
}

/** Dry-run comparison: the differences, and the binder holding any new bindings. */
function tryMatch(
  expected: Json,
  actual: unknown,
  pointer: string,
  binder: PlaceholderBinder,
  options: JsonCompareOptions,
): { differences: Difference[]; fork: PlaceholderBinder } {
  const fork = binder.fork();
  const differences: Difference[] = [];
  compareValue(expected, actual, pointer, fork, options, differences);
  return { differences, fork };
}

/** The `key` of a tag/param/metric element, used to pick the closest candidate. */
function elementKey(value: unknown): string | undefined {
  return isJsonObject(value) && typeof value.key === 'string' ? value.key : undefined;
}

/**
 * Unordered collection: each recorded element is paired with an equal element of ours; the ones left
 * over are paired with their closest candidate (same `key` first, then fewest differences), whose
 * differences are reported under OUR element's pointer.
 */
function compareUnordered(
  expected: Json[],
  actual: unknown[],
  pointer: string,
  binder: PlaceholderBinder,
  options: JsonCompareOptions,
  out: Difference[],
): void {
  if (expected.length !== actual.length) {
    diff(out, pointer, `array length (unordered): expected ${expected.length}, got ${actual.length}`, expected.length, actual.length);
  }
  const used = new Set<number>();
  const leftovers: number[] = [];
  expected.forEach((item, i) => {
    for (let j = 0; j < actual.length; j++) {
      if (used.has(j)) continue;
      const attempt = tryMatch(item, actual[j], pointerChild(pointer, j), binder, options);
      if (attempt.differences.length === 0) {
        binder.adopt(attempt.fork);
        used.add(j);
        return;
      }
    }
    leftovers.push(i);
  });
  for (const i of leftovers) {
    const item = expected[i];
    let best: { index: number; differences: Difference[]; fork: PlaceholderBinder; sameKey: boolean } | undefined;
    for (let j = 0; j < actual.length; j++) {
      if (used.has(j)) continue;
      const attempt = tryMatch(item, actual[j], pointerChild(pointer, j), binder, options);
      const sameKey = elementKey(item) !== undefined && elementKey(item) === elementKey(actual[j]);
      const better =
        !best ||
        (sameKey && !best.sameKey) ||
        (sameKey === best.sameKey && attempt.differences.length < best.differences.length);
      if (better) best = { index: j, ...attempt, sameKey };
    }
    const label = `recorded element ${i} ${preview(item, 120)}`;
    if (!best || (!best.sameKey && elementKey(item) !== undefined)) {
      diff(out, pointer, `missing element (unordered): ${label}`, item, undefined);
      continue;
    }
    used.add(best.index);
    binder.adopt(best.fork);
    for (const d of best.differences) out.push({ ...d, message: `${d.message} (unordered; ${label})` });
  }
  for (let j = 0; j < actual.length; j++) {
    if (!used.has(j)) diff(out, pointerChild(pointer, j), 'unexpected element (unordered)', undefined, actual[j]);
  }
}
