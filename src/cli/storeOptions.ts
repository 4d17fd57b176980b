import * as path from 'node:path';
import { sqlitePathFromUri } from '../core/storeUri';

export const DEFAULT_STORE_URI = 'sqlite:///.runlens/mlflow.db';
export const DEFAULT_ARTIFACTS_DESTINATION = '.runlens/artifacts';

/** The options every command that opens a local store shares, as `mlflow server` spells them. */
export const STORE_OPTIONS = {
  'backend-store-uri': { type: 'string', default: DEFAULT_STORE_URI },
  'artifacts-destination': { type: 'string', default: DEFAULT_ARTIFACTS_DESTINATION },
} as const;

export class UsageError extends Error {}

export function resolveStore(values: { 'backend-store-uri'?: string; 'artifacts-destination'?: string }): { dbPath: string; artifactsDestination: string } {
  const uri = values['backend-store-uri'] ?? DEFAULT_STORE_URI;
  const dbPath = sqlitePathFromUri(uri);
  if (!dbPath) throw new UsageError(`unsupported --backend-store-uri '${uri}'; use sqlite:///path/to/mlflow.db`);
  return { dbPath, artifactsDestination: path.resolve(values['artifacts-destination'] ?? DEFAULT_ARTIFACTS_DESTINATION) };
}
