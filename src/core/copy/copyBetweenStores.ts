import type { CallLogEntry } from '../client/httpTransport';
import type { Environment } from '../client/mlflowEnvironment';
import type { CopyOptions, CopySummary } from './copyTypes';
import { copyStore } from './storeCopier';
import { openStoreEndpoint, type StoreEndpoint } from './storeEndpoint';

export interface CopyBetweenOptions extends Omit<CopyOptions, 'sourceId'> {
  /** Overrides the source id derived from the source's location. */
  sourceId?: string;
  cliPath?: string;
  fromArtifacts?: string;
  toArtifacts?: string;
  /** Write into a destination database MLflow made. */
  writeForeign?: boolean;
  env?: Environment;
  onCall?: (side: 'source' | 'destination', entry: CallLogEntry) => void;
  /** Told which stores are about to be copied (for a first progress line). */
  onOpened?: (source: StoreEndpoint, destination: StoreEndpoint) => void;
}

export interface CopyBetweenResult extends CopySummary {
  source: string;
  destination: string;
}

/**
 * Copies one store into another, each given by URI (`sqlite:///…`, `http(s)://…`, an mlruns
 * folder): opens both (serving local ones with `runlens server` children), copies, closes both.
 */
export async function copyBetweenStores(from: string, to: string, options: CopyBetweenOptions = {}): Promise<CopyBetweenResult> {
  const transport = (side: 'source' | 'destination') => ({
    signal: options.signal,
    ...(options.onCall ? { onCall: (e: CallLogEntry) => options.onCall!(side, e) } : {}),
  });
  const source = await openStoreEndpoint(from, { role: 'source', cliPath: options.cliPath, artifactsDestination: options.fromArtifacts, env: options.env, transport: transport('source') });
  let destination: StoreEndpoint | undefined;
  try {
    destination = await openStoreEndpoint(to, {
      role: 'destination',
      cliPath: options.cliPath,
      artifactsDestination: options.toArtifacts,
      writeForeign: options.writeForeign,
      env: options.env,
      transport: transport('destination'),
    });
    if (destination.storeId === source.storeId) throw new Error(`--from and --to name the same store (${source.description})`);
    if (destination.readOnly) {
      throw new Error(`the destination ${destination.description} is a database MLflow wrote, which Runlens opens read-only; copy into a new store, or allow writing it (--to-read-write)`);
    }
    options.onOpened?.(source, destination);
    const summary = await copyStore(source.client, destination.client, { localSource: source.kind !== 'http', ...options, sourceId: options.sourceId ?? source.storeId });
    return { ...summary, source: source.description, destination: destination.description };
  } finally {
    await Promise.allSettled([source.close(), destination?.close()]);
  }
}
