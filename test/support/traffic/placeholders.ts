/**
 * Placeholders of the recorded traffic (README section 3) and their binding to our server's values.
 *
 * - `<run_id:N>`, `<exp_id:N>`, `<model_id:N>`, `<run_name:N>` are bound from OUR responses, at the
 *   JSON position where the placeholder first appears in a recorded response; every later
 *   occurrence (requests and responses) then expects that same value.
 * - `<user>` and `<path>` are values we choose and send; the server must echo them back.
 * - `<ts>` is a wall-clock time: in requests, a whole `"<ts>"` value becomes the current time in ms
 *   (a JSON integer) and an embedded one a `YYYY-MM-DD HH:MM:SS.ffffff` date-time; in responses it
 *   matches any epoch-milliseconds integer (whole value) or any non-empty text (embedded).
 */
import { Json, isJsonObject } from './types';

/** Matches every placeholder token. Group 1/2: kind and number of an id placeholder; group 3: ts/user/path. */
const TOKEN_SOURCE = '<(run_id|exp_id|model_id|run_name):(\\d+)>|<(ts|user|path)>';

export function placeholderRegExp(): RegExp {
  return new RegExp(TOKEN_SOURCE, 'g');
}

export function hasPlaceholder(text: string): boolean {
  return new RegExp(TOKEN_SOURCE).test(text);
}

/** True for the tokens that are bound from responses (ids and generated run names). */
export function isBindable(token: string): boolean {
  return /^<(run_id|exp_id|model_id|run_name):\d+>$/.test(token);
}

/** Epoch milliseconds: an integer between 2001-09-09 and 5138-11-16. */
export function isEpochMillis(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1e12 && value < 1e14;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, the format of MLmodel `utc_time_created`. */
export function pythonUtcDateTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export interface BinderOptions {
  /** Sent for `<user>` and expected back. Keep it free of quotes and backslashes (it goes inside JSON strings). */
  user: string;
  /** Sent for `<path>` and expected back. Same restriction. */
  sourcePath: string;
  /** Clock for `<ts>` in requests. */
  now: () => number;
}

export const DEFAULT_BINDER_OPTIONS: BinderOptions = {
  user: 'runlens-replay',
  sourcePath: '/tmp/runlens-replay/train.py',
  now: () => Date.now(),
};

interface Binding {
  value: string;
  /** Where it was bound, for messages, e.g. "seq 6 /run/info/run_uuid". */
  origin: string;
}

export type MatchResult = { ok: true } | { ok: false; expected: string; reason: string };

export class PlaceholderBinder {
  readonly options: BinderOptions;
  private readonly bound: Map<string, Binding>;

  constructor(options: Partial<BinderOptions> = {}, bound?: Map<string, Binding>) {
    this.options = { ...DEFAULT_BINDER_OPTIONS, ...options };
    this.bound = new Map(bound ?? []);
  }

  get(token: string): string | undefined {
    return this.bound.get(token)?.value;
  }

  /** Binds a token directly (tests, or a caller that knows the value). Throws if already bound differently. */
  bind(token: string, value: string, origin = 'explicit'): void {
    const previous = this.bound.get(token);
    if (previous && previous.value !== value) {
      throw new Error(`${token} is already bound to ${JSON.stringify(previous.value)}`);
    }
    this.bound.set(token, { value, origin });
  }

  bindings(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [token, binding] of this.bound) result[token] = binding.value;
    return result;
  }

  /** A copy for a dry-run comparison; `adopt` it to keep its new bindings. */
  fork(): PlaceholderBinder {
    return new PlaceholderBinder(this.options, this.bound);
  }

  adopt(fork: PlaceholderBinder): void {
    for (const [token, binding] of fork.bound) this.bound.set(token, binding);
  }

  // ---------------------------------------------------------------- request side

  /**
   * Replaces the placeholders inside a text (path, query value, string in a body, `$text` body).
   * Unbound id placeholders are left as they are and reported through `unbound`.
   */
  substituteText(text: string, unbound: Set<string>, wholeTs: 'millis' | 'datetime' = 'datetime'): string {
    if (text === '<ts>' && wholeTs === 'millis') return String(this.options.now());
    return text.replace(placeholderRegExp(), (token: string) => {
      if (token === '<ts>') return pythonUtcDateTime(this.options.now());
      if (token === '<user>') return this.options.user;
      if (token === '<path>') return this.options.sourcePath;
      const value = this.get(token);
      if (value === undefined) {
        unbound.add(token);
        return token;
      }
      return value;
    });
  }

  /** Substitutes inside a JSON request body. A whole `"<ts>"` becomes the current time as a JSON integer. */
  substituteJson(value: Json, unbound: Set<string>): Json {
    if (typeof value === 'string') {
      if (value === '<ts>') return this.options.now();
      return this.substituteText(value, unbound);
    }
    if (Array.isArray(value)) return value.map((item) => this.substituteJson(item, unbound));
    if (isJsonObject(value)) {
      const result: { [key: string]: Json } = {};
      for (const [key, item] of Object.entries(value)) result[key] = this.substituteJson(item, unbound);
      return result;
    }
    return value;
  }

  // ---------------------------------------------------------------- response side

  /** The template with every known value filled in (unbound ids and `<ts>` stay as tokens). */
  render(template: string): string {
    return template.replace(placeholderRegExp(), (token: string) => {
      if (token === '<user>') return this.options.user;
      if (token === '<path>') return this.options.sourcePath;
      return this.get(token) ?? token;
    });
  }

  /**
   * Matches our string against a recorded string that contains placeholders. Bound placeholders must
   * equal their value; an unbound one is bound here to what stands at its place (first appearance).
   */
  matchText(template: string, actual: string, origin: string): MatchResult {
    const groups: string[] = [];
    let source = '';
    let last = 0;
    for (const match of template.matchAll(placeholderRegExp())) {
      const token = match[0];
      source += escapeRegExp(template.slice(last, match.index));
      last = (match.index ?? 0) + token.length;
      if (token === '<ts>') source += '[\\s\\S]+?';
      else if (token === '<user>') source += escapeRegExp(this.options.user);
      else if (token === '<path>') source += escapeRegExp(this.options.sourcePath);
      else {
        const value = this.get(token);
        if (value !== undefined) source += escapeRegExp(value);
        else {
          const index = groups.indexOf(token);
          if (index >= 0) source += `\\k<g${index}>`;
          else {
            groups.push(token);
            const body = token.startsWith('<run_name:') ? '[\\s\\S]+?' : '[^/\\s]+?';
            source += `(?<g${groups.length - 1}>${body})`;
          }
        }
      }
    }
    source += escapeRegExp(template.slice(last));
    const expected = this.render(template);
    const found = new RegExp(`^${source}$`).exec(actual);
    if (!found) return { ok: false, expected, reason: this.explainMismatch(template) };
    for (let i = 0; i < groups.length; i++) {
      const token = groups[i];
      const value = found.groups?.[`g${i}`] ?? '';
      const clash = [...this.bound].find(([other, binding]) => other !== token && binding.value === value);
      if (clash) {
        return {
          ok: false,
          expected,
          reason: `${token} would bind ${JSON.stringify(value)}, the value already bound to ${clash[0]} (${clash[1].origin}); distinct placeholders stand for distinct values`,
        };
      }
      this.bound.set(token, { value, origin });
    }
    return { ok: true };
  }

  private explainMismatch(template: string): string {
    const used = [...new Set(template.match(placeholderRegExp()) ?? [])].filter(isBindable);
    const notes = used
      .filter((token) => this.bound.has(token))
      .map((token) => {
        const binding = this.bound.get(token) as Binding;
        return `${token} = ${JSON.stringify(binding.value)} (bound at ${binding.origin})`;
      });
    const recorded = template === this.render(template) ? '' : ` (recorded ${JSON.stringify(template)})`;
    return notes.length ? `does not match${recorded}; ${notes.join(', ')}` : `does not match${recorded}`;
  }
}
