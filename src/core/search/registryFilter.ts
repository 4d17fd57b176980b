/**
 * What registered-model and model-version searches share (compat §3.6, §3.7): identifiers
 * (`[attribute.|tag.|tags.]key`, attribute keys checked before their quotes are stripped),
 * values, upper-cased comparators, and the rule that hides prompts.
 */
import { MlflowError } from '../errors';
import { ValueToken } from './filterLexer';
import { isRejected, splitFilter } from './filterParser';
import { isStringLike, parseLowerCaseList, splitIdentifier, stripQuotes, unquoteKey } from './filterValues';
import { pySet } from './pythonRepr';
import { SqlFragment, stringPredicateSql } from './sqlPredicates';

/** A registry filter clause in MLflow's shape; the comparator is upper-cased. */
export interface RegistryComparison {
  type: 'attribute' | 'tag';
  key: string;
  comparator: string;
  value: string | number | string[];
}

export const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt';

export interface RegistryFilterRules {
  attributeKeys: readonly string[];
  /** Attributes that accept unquoted numbers (model versions only). */
  numericKeys?: readonly string[];
}

function parseRegistryIdentifier(identifier: string, validAttributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
  const parts = splitIdentifier(identifier);
  let type: 'attribute' | 'tag' = 'attribute';
  if (parts.entity !== undefined) {
    if (!['attribute', 'tag', 'tags'].includes(parts.entity)) {
      throw MlflowError.invalidParameter(
        `Invalid entity type '${parts.entity}'. Valid entity types are ('attribute', 'tag', 'tags')`,
      );
    }
    type = parts.entity === 'attribute' ? 'attribute' : 'tag';
  }
  if (type === 'attribute' && !validAttributes.includes(parts.key)) {
    throw MlflowError.invalidParameter(`Invalid attribute key '${parts.key}' specified. Valid keys are '${pySet(validAttributes)}'`);
  }
  return { type, key: unquoteKey(parts.key) };
}

function registryValue(type: 'attribute' | 'tag', key: string, token: ValueToken, rules: RegistryFilterRules): string | number | string[] {
  if (type === 'tag') {
    if (isStringLike(token)) return stripQuotes(token.text, true);
    throw MlflowError.invalidParameter(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${token.text}`);
  }
  if (isStringLike(token)) return stripQuotes(token.text, true);
  if (token.kind === 'list') {
    if (key !== 'run_id') {
      throw MlflowError.invalidParameter("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    }
    return parseLowerCaseList(token.text);
  }
  if (token.kind === 'number' && rules.numericKeys) {
    if (!rules.numericKeys.includes(key)) {
      throw MlflowError.invalidParameter(`Only the '${pySet(rules.numericKeys)}' attributes support comparison with numeric values.`);
    }
    return Number(token.text);
  }
  throw MlflowError.invalidParameter(
    `Expected a quoted string value or a list of quoted string values for attributes. Got value ${token.text}`,
  );
}

export function parseRegistryFilterComparisons(filter: string | undefined | null, rules: RegistryFilterRules): RegistryComparison[] {
  return splitFilter(filter, 'plain').map((item) => {
    if (isRejected(item)) throw MlflowError.invalidParameter(item.error);
    const { type, key } = parseRegistryIdentifier(item.identifier, rules.attributeKeys);
    return { type, key, comparator: item.comparator.toUpperCase(), value: registryValue(type, key, item.value, rules) };
  });
}

/**
 * Whether the filter asks for prompts: decided by the first clause on the prompt tag
 * (`= 'true'` or `!= 'false'`, value case-insensitive). Otherwise prompts are excluded and
 * clauses on that tag are ignored, as in MLflow.
 */
export function isQueryingPrompts(comparisons: readonly RegistryComparison[]): boolean {
  const first = comparisons.find((c) => c.type === 'tag' && c.key === IS_PROMPT_TAG);
  if (!first || typeof first.value !== 'string') return false;
  const value = first.value.toLowerCase();
  return (first.comparator === '=' && value === 'true') || (first.comparator === '!=' && value === 'false');
}

/** `NOT EXISTS` a prompt tag on any row of `tagTable` with the same model name. */
export function excludePromptsSql(tagTable: string, nameColumn: string): SqlFragment {
  return {
    sql: `NOT EXISTS (SELECT 1 FROM ${tagTable} pt WHERE pt.name = ${nameColumn} AND pt.key = ? AND pt.value = 'true')`,
    params: [IS_PROMPT_TAG],
  };
}

/** EXISTS a tag row for the entity matching the predicate. */
export function tagExistsSql(tagTable: string, owner: string, key: string, pred: Parameters<typeof stringPredicateSql>[1]): SqlFragment {
  const p = stringPredicateSql('t.value', pred);
  return { sql: `EXISTS (SELECT 1 FROM ${tagTable} t WHERE ${owner} AND t.key = ? AND ${p.sql})`, params: [key, ...p.params] };
}
