import { MlflowError } from '../errors';
import { pyJsonDumps } from '../search/pythonRepr';

type Source = Record<string, unknown>;

/** Python's name for a JSON value's type, as MLflow's type hints print it. */
export function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

export function invalidValue(field: string, value: unknown): MlflowError {
  return MlflowError.invalidParameter(
    `Invalid value ${pyJsonDumps(value)} for parameter '${field}' supplied:  Hint: Value was of type '${pythonType(value)}'. ` +
      'See the API docs for more information about request parameters.',
  );
}

export function missingValue(field: string): MlflowError {
  return MlflowError.invalidParameter(
    `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`,
  );
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * Typed access to a request's fields with protobuf-JSON leniency (numeric strings for numbers,
 * "NaN"/"Infinity" for doubles) and MLflow's error messages. Query-string values arrive as
 * arrays of strings; a single occurrence of a repeated field is a one-element list.
 */
export class RequestFields {
  constructor(
    private readonly source: Source,
    private readonly fromQuery = false,
    private readonly prefix = '',
  ) {}

  /** The value as sent (the first one of a repeated query parameter). */
  raw(name: string): unknown {
    const value = this.source[name];
    if (this.fromQuery && Array.isArray(value)) return value[0];
    return value;
  }

  /** The field's path for messages, e.g. `metrics[2].key`. */
  path(name: string): string {
    return this.prefix + name;
  }

  has(name: string): boolean {
    const value = this.source[name];
    return value !== undefined && value !== null;
  }

  string(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (name.endsWith('experiment_id') && typeof value === 'number' && Number.isInteger(value)) return String(value);
    throw invalidValue(this.path(name), value);
  }

  /** A required string: absent, null or empty is MLflow's "missing value" error. */
  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingValue(this.path(name));
    return value;
  }

  int(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
    throw invalidValue(this.path(name), value);
  }

  requiredInt(name: string): number {
    const value = this.int(name);
    if (value === undefined) throw missingValue(this.path(name));
    return value;
  }

  double(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number') return value;
    // Protobuf's JSON reader converts a boolean given for a double with float(): true is 1.0.
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'string') {
      if (value in NON_FINITE) return NON_FINITE[value];
      if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    }
    throw invalidValue(this.path(name), value);
  }

  requiredDouble(name: string): number {
    if (this.raw(name) === '') throw missingValue(this.path(name));
    const value = this.double(name);
    if (value === undefined) throw missingValue(this.path(name));
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    if (this.fromQuery) throw MlflowError.invalidParameter(`Invalid boolean value: ${String(value)}, must be 'true' or 'false'.`);
    throw invalidValue(this.path(name), value);
  }

  /** An enum given by name (or by its number, as protobuf JSON allows). */
  enumValue<T extends string>(name: string, names: readonly T[], numbers?: Record<number, T>): T | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
    if (typeof value === 'number' && numbers?.[value]) return numbers[value];
    throw invalidValue(this.path(name), value);
  }

  stringList(name: string): string[] {
    const value = this.source[name];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : this.fromQuery ? [value] : undefined;
    if (!list) throw invalidValue(this.path(name), value);
    return list.map((item) => {
      if (typeof item === 'string') return item;
      if (name.startsWith('experiment_id') && typeof item === 'number') return String(item);
      throw invalidValue(this.path(name), value);
    });
  }

  /** A repeated message field, each element wrapped for typed access with its path. */
  objectList(name: string): RequestFields[] {
    const value = this.source[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidValue(this.path(name), value);
    return value.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw invalidValue(`${this.path(name)}[${i}]`, item);
      return new RequestFields(item as Source, false, `${this.path(name)}[${i}].`);
    });
  }

  object(name: string): RequestFields | undefined {
    const value = this.source[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(this.path(name), value);
    return new RequestFields(value as Source, false, `${this.path(name)}.`);
  }
}
