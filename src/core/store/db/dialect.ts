/**
 * What differs between the databases MLflow's schema lives on, in one place. The tables' code
 * asks the dialect instead of naming an engine.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgresql';
  /** The largest number of bound parameters one statement may carry. */
  readonly maxParams: number;
}

export const SQLITE_DIALECT: Dialect = { name: 'sqlite', maxParams: 32_766 };
