import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  discoverConnections,
  EMBEDDED_ID,
  newRemoteId,
  normalizeServerUrl,
  persistable,
  remoteLabel,
  sortConnections,
  validateServerUrl,
  type AuthKind,
  type Connection,
} from '../../core/connections';
import type { ServerController } from '../server/serverController';
import type { TrackingClientSource } from '../trackingClientSource';
import { LocalConnectionSource, RemoteConnectionSource, type ConnectionSource } from './connectionSources';

/** globalState: the user's remote servers (no secrets). */
export const REMOTES_STATE_KEY = 'runlens.connections.remotes';
/** workspaceState: the id of the active connection. */
export const ACTIVE_STATE_KEY = 'runlens.connections.active';
const SECRET_PREFIX = 'runlens.connection.secret/';

/** What add/edit take (from the input flow or from a command's arguments). */
export interface RemoteInput {
  url: string;
  label?: string;
  auth?: AuthKind;
  username?: string;
  /** Basic auth password: goes to SecretStorage. */
  password?: string;
  /** Bearer token: goes to SecretStorage. */
  token?: string;
  caFile?: string;
  insecure?: boolean;
  timeoutMs?: number;
}

/**
 * Every connection of the window: the embedded store, stores found in the workspace folders and the
 * remote servers the user added; which one is active; and a client source per connection.
 */
export class ConnectionManager implements vscode.Disposable {
  private discovered: Connection[] = [];
  private readonly sources = new Map<string, ConnectionSource>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly activeChanged = new vscode.EventEmitter<Connection | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The list changed (discovered, added, edited, removed). */
  readonly onDidChangeConnections = this.changed.event;
  readonly onDidChangeActive = this.activeChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    readonly embedded: ServerController,
  ) {
    this.discovered = this.discover();
    const watcher = vscode.workspace.createFileSystemWatcher('**/{mlflow.db,.env,meta.yaml}');
    let timer: NodeJS.Timeout | undefined;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.rediscover(), 1000);
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(later),
      watcher.onDidDelete(later),
      watcher.onDidChange((uri) => uri.path.endsWith('.env') && later()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rediscover()),
      { dispose: () => clearTimeout(timer) },
    );
  }

  private get folders(): readonly vscode.WorkspaceFolder[] {
    return vscode.workspace.workspaceFolders ?? [];
  }

  /** The embedded store's connection (only with a folder open). */
  get embeddedConnection(): Connection | undefined {
    const dir = this.embedded.storeDir;
    if (!dir) return undefined;
    return { id: EMBEDDED_ID, kind: 'embedded', label: 'Runlens store (.runlens)', uri: `sqlite:///${path.join(dir, 'mlflow.db')}`, auth: 'none' };
  }

  private discover(): Connection[] {
    const all: Connection[] = [];
    for (const folder of this.folders) {
      for (const c of discoverConnections(folder.uri.fsPath)) {
        if (all.some((x) => x.id === c.id)) continue;
        all.push(this.folders.length > 1 && c.kind !== 'remote' ? { ...c, label: `${folder.name}/${c.label}` } : c);
      }
    }
    return all;
  }

  private get remotes(): Connection[] {
    return this.context.globalState.get<Connection[]>(REMOTES_STATE_KEY, []);
  }

  /** Embedded first, then discovered, then remotes. */
  list(): Connection[] {
    const embedded = this.embeddedConnection;
    return sortConnections([...(embedded ? [embedded] : []), ...this.discovered, ...this.remotes]);
  }

  get(id: string): Connection | undefined {
    return this.list().find((c) => c.id === id);
  }

  /** The active connection (the one terminals and runs log to); default the embedded store. */
  get active(): Connection | undefined {
    const id = this.context.workspaceState.get<string>(ACTIVE_STATE_KEY);
    return (id ? this.get(id) : undefined) ?? this.embeddedConnection ?? this.list()[0];
  }

  /** Searches the workspace folders again; fires only when the list changed. */
  rediscover(): boolean {
    const next = this.discover();
    if (JSON.stringify(next) === JSON.stringify(this.discovered)) return false;
    const gone = this.discovered.filter((c) => !next.some((n) => n.id === c.id));
    this.discovered = next;
    for (const c of gone) this.dropSource(c.id);
    this.log.info(`Connections: found ${next.length} workspace store(s)${next.length ? `: ${next.map((c) => c.label).join(', ')}` : ''}`);
    this.changed.fire();
    return true;
  }

  /** The client source of a connection (the embedded server controller for the embedded store). */
  sourceFor(id: string): TrackingClientSource & { readonly url?: string } {
    if (id === EMBEDDED_ID) return this.embedded;
    let source = this.sources.get(id);
    if (!source) {
      const c = this.get(id);
      if (!c) throw new Error(`No connection ${id}.`);
      source =
        c.kind === 'remote'
          ? new RemoteConnectionSource(c, () => this.context.secrets.get(SECRET_PREFIX + c.id), this.log)
          : new LocalConnectionSource(c, this.context.asAbsolutePath(path.join('dist', 'cli.js')), this.context.globalStorageUri.fsPath, this.log);
      this.sources.set(id, source);
    }
    return source;
  }

  /** Forgets a connection's client so the next request builds it anew (after a failure). */
  resetSource(id: string): void {
    this.sources.get(id)?.reset();
  }

  private dropSource(id: string): void {
    this.sources.get(id)?.dispose();
    this.sources.delete(id);
  }

  /** Whether a secret (password or token) is stored for a connection. */
  /** The stored password or token of a remote connection (for copying with its credentials). */
  secret(id: string): Thenable<string | undefined> {
    return this.context.secrets.get(SECRET_PREFIX + id);
  }

  async hasSecret(id: string): Promise<boolean> {
    return Boolean(await this.context.secrets.get(SECRET_PREFIX + id));
  }

  private async saveRemotes(list: Connection[]): Promise<void> {
    await this.context.globalState.update(REMOTES_STATE_KEY, list.map(persistable));
  }

  private async storeSecret(id: string, input: RemoteInput, auth: AuthKind): Promise<void> {
    const secret = auth === 'basic' ? input.password : auth === 'bearer' ? input.token : undefined;
    if (auth === 'none') await this.context.secrets.delete(SECRET_PREFIX + id);
    else if (secret !== undefined) await this.context.secrets.store(SECRET_PREFIX + id, secret);
  }

  private build(id: string, input: RemoteInput, previous?: Connection): Connection {
    const problem = validateServerUrl(input.url);
    if (problem) throw new Error(problem);
    const uri = normalizeServerUrl(input.url);
    const auth = input.auth ?? 'none';
    if (auth === 'basic' && !input.username) throw new Error('Basic authentication needs a user name.');
    return persistable({
      id,
      kind: 'remote',
      label: input.label?.trim() || (previous && previous.uri === uri ? previous.label : remoteLabel(uri)),
      uri,
      auth,
      username: auth === 'basic' ? input.username : undefined,
      caFile: input.caFile || undefined,
      insecure: input.insecure === true || undefined,
      timeoutMs: input.timeoutMs,
    });
  }

  /** Adds a remote server; the password or token goes to SecretStorage. */
  async addRemote(input: RemoteInput): Promise<Connection> {
    const connection = this.build(newRemoteId(), input);
    await this.storeSecret(connection.id, input, connection.auth);
    await this.saveRemotes([...this.remotes, connection]);
    this.log.info(`Connections: added ${connection.label} (${connection.uri}, auth ${connection.auth})`);
    this.changed.fire();
    return connection;
  }

  /** Changes a remote server; a secret left undefined keeps the stored one. */
  async editRemote(id: string, input: RemoteInput): Promise<Connection> {
    const previous = this.remotes.find((c) => c.id === id);
    if (!previous) throw new Error('Only remote servers you added can be edited.');
    const connection = this.build(id, input, previous);
    await this.storeSecret(id, input, connection.auth);
    await this.saveRemotes(this.remotes.map((c) => (c.id === id ? connection : c)));
    this.dropSource(id);
    this.log.info(`Connections: changed ${connection.label} (${connection.uri}, auth ${connection.auth})`);
    this.changed.fire();
    if (this.active?.id === id) this.activeChanged.fire(this.active);
    return connection;
  }

  async removeRemote(id: string): Promise<void> {
    const wasActive = this.active?.id === id;
    if (!this.remotes.some((c) => c.id === id)) throw new Error('Only remote servers you added can be removed.');
    await this.saveRemotes(this.remotes.filter((c) => c.id !== id));
    await this.context.secrets.delete(SECRET_PREFIX + id);
    this.dropSource(id);
    if (wasActive) await this.context.workspaceState.update(ACTIVE_STATE_KEY, undefined);
    this.changed.fire();
    if (wasActive) this.activeChanged.fire(this.active);
  }

  async setActive(id: string): Promise<Connection> {
    const c = this.get(id);
    if (!c) throw new Error(`No connection ${id}.`);
    await this.context.workspaceState.update(ACTIVE_STATE_KEY, c.id === EMBEDDED_ID ? undefined : c.id);
    this.log.info(`Connections: active is now ${c.label} (${c.uri})`);
    this.activeChanged.fire(c);
    return c;
  }

  dispose(): void {
    for (const s of this.sources.values()) s.dispose();
    this.sources.clear();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.activeChanged.dispose();
  }
}
