import * as vscode from 'vscode';
import type { FileInfo, MlflowClient } from '../../core/client/mlflowClient';
import { EMBEDDED_ID, type Connection } from '../../core/connections/connection';
import type { Experiment, Run } from '../../core/entities';
import { CachedValue } from '../../core/explorer/cachedValue';
import { appendPage, runPageRequest } from '../../core/explorer/runPaging';
import type { TrackingClientSource } from '../trackingClientSource';
import { errorMessage } from './commandSupport';
import { artifactChildren, entryChildren } from './groupChildren';
import { Commands } from './ids';
import { ArtifactNode, ConnectionNode, ExperimentNode, GroupNode, MessageNode, RunNode, type Node, type RunPageState } from './nodes';
import { toTreeItem } from './treeItems';

export interface ViewOptions {
  /** MLflow search syntax applied to every experiment's runs. */
  filter?: string;
  /** ALL view type: deleted experiments and runs are listed and marked. */
  showDeleted: boolean;
}

export type ViewState = 'loading' | 'ready' | 'empty' | 'error' | 'noFolder';

/** Remembers artifact listings so the file system provider can stat without asking again. */
export interface ArtifactListingSink {
  remember(runId: string, files: readonly FileInfo[], connectionId?: string): void;
}

/** The connections the tree lists as roots (the ConnectionManager). */
export interface ConnectionRoots {
  list(): Connection[];
  get(id: string): Connection | undefined;
  readonly active: Connection | undefined;
  sourceFor(id: string): TrackingClientSource;
  resetSource(id: string): void;
  /** Searches the workspace for stores again (on Refresh). */
  rediscover?(): boolean;
}

/**
 * [Connections →] experiments → runs (newest first, 50 a page) → params, metrics, tags, artifacts. Loads lazily,
 * keeps what it loaded until a refresh, and shows load failures as an error item with Retry.
 */
export class ExperimentsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | Node[] | undefined>();
  private readonly runsLoaded = new vscode.EventEmitter<RunNode[]>();
  private readonly stateChanged = new vscode.EventEmitter<ViewState>();
  private readonly optionsChanged = new vscode.EventEmitter<ViewOptions>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Runs that entered the tree (the poller watches the live ones). */
  readonly onDidLoadRuns = this.runsLoaded.event;
  readonly onDidChangeState = this.stateChanged.event;
  readonly onDidChangeOptions = this.optionsChanged.event;

  private readonly roots = new CachedValue<Node[]>();
  /** Experiments of the embedded store (the poller, the new-run watcher and commands work on them). */
  private experiments = new Map<string, ExperimentNode>();
  /** The connection roots shown (when there is more than the embedded store). */
  private connectionNodes = new Map<string, ConnectionNode>();
  /** The latest node of each id, for commands given an id and for telling stale nodes apart. */
  private readonly byId = new Map<string, Node>();
  private currentState: ViewState = 'loading';

  constructor(
    private readonly source: TrackingClientSource,
    private readonly log: vscode.LogOutputChannel,
    private readonly artifacts: ArtifactListingSink,
    private opts: ViewOptions,
    private readonly connections?: ConnectionRoots,
  ) {}

  /** Connections are roots unless the embedded store is the only one (the single-store tree). */
  private get multiRoot(): boolean {
    const list = this.connections?.list() ?? [];
    return list.length > 1 || (list.length === 1 && list[0].id !== EMBEDDED_ID);
  }

  private sourceOf(connection: ConnectionNode | undefined): TrackingClientSource {
    if (!connection || connection.embedded || !this.connections) return this.source;
    return this.connections.sourceFor(connection.connection.id);
  }

  private experimentOf(node: Node): ExperimentNode | undefined {
    let n: Node | undefined = node;
    while (n && n.kind !== 'experiment') n = n.parent;
    return n;
  }

  /** The client of the connection a node belongs to (the embedded store's for a node of none). */
  clientFor(node: Node): Promise<MlflowClient> {
    const connection = node.kind === 'connection' ? node : this.experimentOf(node)?.parent;
    return this.sourceOf(connection).getClient();
  }

  get options(): Readonly<ViewOptions> {
    return this.opts;
  }

  get state(): ViewState {
    return this.currentState;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return toTreeItem(node);
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    try {
      const children = await this.loadChildren(node);
      for (const child of children) this.byId.set(child.id, child);
      return children;
    } catch (e) {
      const message = errorMessage(e);
      this.log.warn(`Experiments view: could not load ${node ? node.id : 'experiments'}: ${message}`);
      if (!node) this.setState('error');
      const error = new MessageNode(node, message, 'error', { command: Commands.retry, title: 'Retry' });
      this.byId.set(error.id, error);
      return [error];
    }
  }

  private async loadChildren(node: Node | undefined): Promise<Node[]> {
    if (!node) return this.roots.get(() => (this.multiRoot ? this.loadConnections() : this.loadExperiments()));
    switch (node.kind) {
      case 'connection':
        return node.experiments.get(() => this.loadConnectionExperiments(node));
      case 'experiment':
        return this.runChildren(node, await node.runs.get(() => this.loadRunPage(node)));
      case 'run':
        return [...node.groups];
      case 'group':
        if (node.group !== 'artifacts') return entryChildren(node);
        return node.listing.get(() => this.loadArtifacts(node, node.parent.runId, undefined));
      case 'artifact':
        return node.file.is_dir ? node.listing.get(() => this.loadArtifacts(node, node.runId, node.file.path)) : [];
      default:
        return [];
    }
  }

  private async loadConnections(): Promise<Node[]> {
    const activeId = this.connections?.active?.id;
    const nodes = (this.connections?.list() ?? []).map((c) => {
      const existing = this.connectionNodes.get(c.id);
      if (!existing) return new ConnectionNode(c, c.id === activeId);
      existing.connection = c;
      existing.active = c.id === activeId;
      return existing;
    });
    this.connectionNodes = new Map(nodes.map((n) => [n.connection.id, n]));
    this.setState('ready');
    return nodes;
  }

  private async searchAll(client: MlflowClient): Promise<Experiment[]> {
    const viewType = this.opts.showDeleted ? 'ALL' : 'ACTIVE_ONLY';
    const found: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.searchExperiments({ viewType, pageToken });
      found.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return found;
  }

  /** A connection root's experiments; an empty store says so in an info line. */
  private async loadConnectionExperiments(connection: ConnectionNode): Promise<Node[]> {
    const client = await this.sourceOf(connection).getClient();
    const found = await this.searchAll(client);
    if (found.length === 0) return [new MessageNode(connection, 'No experiments', 'info')];
    const nodes = found.map((e) => {
      const existing = connection.experimentNodes.get(e.experiment_id);
      if (!existing) return new ExperimentNode(e, connection);
      existing.experiment = e;
      return existing;
    });
    connection.experimentNodes.clear();
    for (const n of nodes) connection.experimentNodes.set(n.experimentId, n);
    if (connection.embedded) this.experiments = new Map(connection.experimentNodes);
    return nodes;
  }

  private async loadExperiments(): Promise<Node[]> {
    let client: MlflowClient;
    try {
      client = await this.source.getClient();
    } catch (e) {
      // Without a folder there is no embedded store: the welcome content says what to do.
      if (!vscode.workspace.workspaceFolders?.length) {
        this.setState('noFolder');
        return [];
      }
      throw e;
    }
    const found = await this.searchAll(client);
    if (await this.looksEmpty(client, found)) {
      this.setState('empty');
      return [];
    }
    const nodes = found.map((e) => {
      const existing = this.experiments.get(e.experiment_id);
      if (!existing) return new ExperimentNode(e);
      existing.experiment = e;
      return existing;
    });
    this.experiments = new Map(nodes.map((n) => [n.experimentId, n]));
    this.setState('ready');
    return nodes;
  }

  /** Nothing yet: no experiment but an empty Default one (then the welcome content shows). */
  private async looksEmpty(client: MlflowClient, found: Experiment[]): Promise<boolean> {
    if (this.opts.showDeleted || this.opts.filter) return false;
    if (found.length === 0) return true;
    if (found.length > 1 || found[0].experiment_id !== '0') return false;
    const runs = await client.searchRuns({ experimentIds: ['0'], maxResults: 1, viewType: 'ALL' });
    return runs.items.length === 0;
  }

  private async loadRunPage(experiment: ExperimentNode, pageToken?: string): Promise<RunPageState> {
    const client = await this.clientFor(experiment);
    const page = await client.searchRuns(runPageRequest({ experimentId: experiment.experimentId, filter: this.opts.filter, showDeleted: this.opts.showDeleted, pageToken }));
    const runs = page.items.map((r) => new RunNode(experiment, r));
    for (const run of runs) this.byId.set(run.id, run);
    // Live runs of every connection are polled, each through its own connection's client.
    this.runsLoaded.fire(runs);
    return { runs, nextPageToken: page.nextPageToken };
  }

  private runChildren(experiment: ExperimentNode, state: RunPageState): Node[] {
    if (state.runs.length === 0) {
      const message = this.opts.filter
        ? new MessageNode(experiment, 'No runs match the filter', 'info', { command: Commands.clearFilter, title: 'Clear Filter', arguments: [] })
        : new MessageNode(experiment, 'No runs yet', 'info');
      return [message];
    }
    return state.nextPageToken ? [...state.runs, experiment.loadMore] : [...state.runs];
  }

  private async loadArtifacts(parent: GroupNode | ArtifactNode, runId: string, path: string | undefined): Promise<Node[]> {
    const client = await this.clientFor(parent);
    const { files } = await client.listArtifacts(runId, path);
    this.artifacts.remember(runId, files, this.experimentOf(parent)?.connectionId);
    if (files.length === 0) return [new MessageNode(parent, path ? 'Empty folder' : 'No artifacts', 'info')];
    return artifactChildren(parent, runId, files);
  }

  /** Appends the next page of an experiment's runs (one request of 50). */
  loadMore(experiment: ExperimentNode): Promise<void> {
    const state = experiment.runs.value;
    if (!state?.nextPageToken) return Promise.resolve();
    experiment.loadingMore ??= (async () => {
      this.changed.fire(experiment.loadMore);
      try {
        const next = await this.loadRunPage(experiment, state.nextPageToken);
        state.runs = appendPage(state.runs, next.runs, (r) => r.runId);
        state.nextPageToken = next.nextPageToken;
      } finally {
        experiment.loadingMore = undefined;
        this.changed.fire(experiment);
      }
    })();
    return experiment.loadingMore;
  }

  /** Everything again from the server (the user's Refresh, a restarted server). */
  refreshAll(): void {
    this.connections?.rediscover?.();
    this.roots.reset();
    this.experiments.clear();
    this.connectionNodes.clear();
    this.byId.clear();
    this.setState('loading');
    this.changed.fire(undefined);
  }

  /** The root level again (the active connection changed); loaded experiments and runs are kept. */
  refreshRoots(): void {
    this.roots.reset();
    this.changed.fire(undefined);
  }

  /** The experiment list again (after our own experiment mutations); loaded runs are kept. */
  reloadExperiments(): void {
    this.roots.reset();
    for (const c of this.connectionNodes.values()) c.experiments.reset();
    this.changed.fire(undefined);
  }

  /** First pages of every experiment again, e.g. after the filter changed. */
  private reloadRuns(): void {
    for (const experiment of this.experiments.values()) experiment.runs.reset();
    for (const c of this.connectionNodes.values()) for (const experiment of c.experimentNodes.values()) experiment.runs.reset();
    this.changed.fire(undefined);
  }

  setFilter(filter: string | undefined): void {
    this.opts = { ...this.opts, filter: filter?.trim() || undefined };
    this.optionsChanged.fire(this.opts);
    this.reloadRuns();
  }

  setShowDeleted(showDeleted: boolean): void {
    this.opts = { ...this.opts, showDeleted };
    this.optionsChanged.fire(this.opts);
    this.roots.reset();
    for (const c of this.connectionNodes.values()) c.experiments.reset();
    this.reloadRuns();
  }

  /** A run changed (renamed, restored, deleted while deleted ones show, polled): show its new data. */
  updateRun(node: RunNode, run: Run, artifactsChanged = false): void {
    node.run = run;
    if (artifactsChanged) node.artifacts.listing.reset();
    this.changed.fire(node);
  }

  /** Applies polled runs in one tree update. */
  updateRuns(updates: ReadonlyArray<{ node: RunNode; run: Run; finished: boolean }>): void {
    for (const u of updates) {
      u.node.run = u.run;
      // The last artifacts are usually logged at the end: list them again once the run is over.
      if (u.finished) u.node.artifacts.listing.reset();
    }
    if (updates.length > 0) this.changed.fire(updates.map((u) => u.node));
  }

  /** A run left the view (deleted while deleted runs are hidden). */
  removeRun(node: RunNode): void {
    const state = node.parent.runs.value;
    if (state) state.runs = state.runs.filter((r) => r !== node);
    this.byId.delete(node.id);
    this.changed.fire(node.parent);
  }

  /** Re-renders from what is loaded (relative times age), without new requests. */
  rerender(): void {
    this.changed.fire(undefined);
  }

  /** Shows a failed level again: failures are not kept, so this loads it anew. */
  retry(node: MessageNode): void {
    if (!node.parent) this.setState('loading');
    if (node.parent?.kind === 'connection' && !node.parent.embedded) this.connections?.resetSource(node.parent.connection.id);
    this.changed.fire(node.parent);
  }

  /** Whether a node is the one the tree shows for its id (not replaced by a reload). */
  isCurrent(node: Node): boolean {
    return this.byId.get(node.id) === node;
  }

  /** A node given to a command: the node itself, or its id (as tests and keybindings pass). */
  resolve(target: unknown): Node | undefined {
    if (typeof target === 'string') return this.byId.get(target) ?? this.byId.get(`run/${target}`) ?? this.byId.get(`experiment/${target}`);
    if (target && typeof target === 'object' && 'kind' in target && 'id' in target) return target as Node;
    return undefined;
  }

  /** Experiments of every connection whose runs are loaded (expanded at some point since the last refresh). */
  loadedExperiments(): ExperimentNode[] {
    const all = new Set([...this.experiments.values()]);
    for (const c of this.connectionNodes.values()) for (const e of c.experimentNodes.values()) all.add(e);
    return [...all].filter((e) => e.runs.value !== undefined);
  }

  /** Loads an experiment's first page of runs again (a new run started). */
  reloadExperimentRuns(experiment: ExperimentNode): void {
    experiment.runs.reset();
    this.changed.fire(experiment);
  }

  /** An experiment of a connection (the embedded store's by default). */
  experimentNode(experimentId: string, connectionId = EMBEDDED_ID): ExperimentNode | undefined {
    if (connectionId === EMBEDDED_ID) return this.experiments.get(experimentId);
    return this.connectionNodes.get(connectionId)?.experimentNodes.get(experimentId);
  }

  /** The connection root of an id, when the tree shows it. */
  connectionNode(connectionId: string): ConnectionNode | undefined {
    return this.connectionNodes.get(connectionId);
  }

  /**
   * Where a run filter is checked (MLflow's search syntax is the same everywhere): the embedded store
   * when the view has it, else the first connection with loaded experiments; and some experiment it knows.
   */
  filterValidationTarget(): { client: Promise<MlflowClient>; experimentId: string } {
    const embeddedShown = !this.multiRoot || this.connections?.list().some((c) => c.id === EMBEDDED_ID);
    if (!embeddedShown) {
      for (const c of this.connectionNodes.values()) {
        const experimentId = c.experimentNodes.keys().next().value;
        if (experimentId !== undefined) return { client: this.sourceOf(c).getClient(), experimentId };
      }
    }
    return { client: this.source.getClient(), experimentId: this.experiments.keys().next().value ?? '0' };
  }

  private setState(state: ViewState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateChanged.fire(state);
  }

  dispose(): void {
    this.changed.dispose();
    this.runsLoaded.dispose();
    this.stateChanged.dispose();
    this.optionsChanged.dispose();
  }
}
