import * as vscode from 'vscode';
import { MlflowApiError, type FileInfo } from '../../core/client/mlflowClient';
import { parentArtifactPath, parseArtifactUriPath, type ArtifactLocation } from '../../core/explorer/artifactLocation';
import { EMBEDDED_ID } from '../../core/connections/connection';
import type { TrackingClientSource } from '../trackingClientSource';

/** The client source of each connection (the ConnectionManager); without it, the embedded store only. */
export interface ArtifactSources {
  sourceFor(id: string): TrackingClientSource;
  get(id: string): unknown;
}

const MAX_REMEMBERED = 20_000;

/**
 * A read-only file system over run artifacts, `runlens-artifact:/<run_id>/<path>` (embedded store) or
 * `runlens-artifact:/<connection id>/<run_id>/<path>`: files download through the tracking client of
 * the connection, folders list with artifacts/list. Editors and image previews open
 * artifacts through it without writing them to disk.
 */
export class ArtifactFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  /** Entries seen in listings (the tree's among them), so stat needs no request. */
  private readonly known = new Map<string, FileInfo>();

  constructor(
    private readonly source: TrackingClientSource,
    private readonly connections?: ArtifactSources,
  ) {}

  remember(runId: string, files: readonly FileInfo[], connectionId = EMBEDDED_ID): void {
    for (const file of files) {
      const key = this.key({ connectionId, runId, path: file.path });
      this.known.delete(key);
      this.known.set(key, file);
    }
    // Oldest first in a Map: forget those beyond the cap.
    for (const key of this.known.keys()) {
      if (this.known.size <= MAX_REMEMBERED) break;
      this.known.delete(key);
    }
  }

  /** Forgets listings (another server or store): all, or one connection's. */
  clear(connectionId?: string): void {
    if (connectionId === undefined) return this.known.clear();
    const prefix = `${connectionId}\n`;
    for (const key of [...this.known.keys()]) if (key.startsWith(prefix)) this.known.delete(key);
  }

  private key({ connectionId, runId, path }: ArtifactLocation): string {
    return `${connectionId ?? EMBEDDED_ID}\n${runId}/${path}`;
  }

  private sourceOf(location: ArtifactLocation): TrackingClientSource {
    const id = location.connectionId;
    if (!id || id === EMBEDDED_ID || !this.connections) return this.source;
    return this.connections.sourceFor(id);
  }

  watch(): vscode.Disposable {
    // Artifacts of a run are written once; there is nothing to watch.
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const location = this.locate(uri);
    const stat = (type: vscode.FileType, size = 0): vscode.FileStat => ({ type, size, ctime: 0, mtime: 0, permissions: vscode.FilePermission.Readonly });
    if (!location.path) return stat(vscode.FileType.Directory);
    const info = this.known.get(this.key(location)) ?? (await this.lookUp(uri, location));
    return info.is_dir ? stat(vscode.FileType.Directory) : stat(vscode.FileType.File, info.file_size ?? 0);
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const location = this.locate(uri);
    const files = await this.list(uri, location);
    return files.map((f) => [f.path.slice(f.path.lastIndexOf('/') + 1), f.is_dir ? vscode.FileType.Directory : vscode.FileType.File]);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const location = this.locate(uri);
    if (!location.path) throw vscode.FileSystemError.FileIsADirectory(uri);
    try {
      const client = await this.sourceOf(location).getClient();
      return await client.downloadArtifact(location.runId, location.path);
    } catch (e) {
      throw this.toFileSystemError(uri, e);
    }
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(oldUri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(oldUri);
  }

  private locate(uri: vscode.Uri): ArtifactLocation {
    const location = parseArtifactUriPath(uri.path, (id) => id === EMBEDDED_ID || this.connections?.get(id) !== undefined);
    if (!location) throw vscode.FileSystemError.FileNotFound(uri);
    if (location.connectionId && this.connections?.get(location.connectionId) === undefined) throw vscode.FileSystemError.Unavailable(`No connection ${location.connectionId}.`);
    return location;
  }

  private async lookUp(uri: vscode.Uri, location: ArtifactLocation): Promise<FileInfo> {
    await this.list(uri, { ...location, path: parentArtifactPath(location.path) });
    const info = this.known.get(this.key(location));
    if (!info) throw vscode.FileSystemError.FileNotFound(uri);
    return info;
  }

  private async list(uri: vscode.Uri, location: ArtifactLocation): Promise<FileInfo[]> {
    try {
      const client = await this.sourceOf(location).getClient();
      const { files } = await client.listArtifacts(location.runId, location.path || undefined);
      this.remember(location.runId, files, location.connectionId);
      return files;
    } catch (e) {
      throw this.toFileSystemError(uri, e);
    }
  }

  private toFileSystemError(uri: vscode.Uri, e: unknown): vscode.FileSystemError {
    if (e instanceof vscode.FileSystemError) return e;
    if (e instanceof MlflowApiError && (e.status === 404 || e.errorCode === 'RESOURCE_DOES_NOT_EXIST')) return vscode.FileSystemError.FileNotFound(uri);
    return vscode.FileSystemError.Unavailable(e instanceof Error ? e.message : String(e));
  }

  dispose(): void {
    this.changed.dispose();
    this.known.clear();
  }
}
