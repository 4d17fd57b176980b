import type { FileInfo } from '../../core/client/mlflowClient';
import { EMBEDDED_ID, type Connection } from '../../core/connections/connection';
import type { Experiment, Run } from '../../core/entities';
import { CachedValue } from '../../core/explorer/cachedValue';

/** The elements of the Experiments tree. Ids are stable across reloads so VS Code keeps expansion. */
export type Node = ConnectionNode | ExperimentNode | RunNode | GroupNode | EntryNode | ArtifactNode | LoadMoreNode | MessageNode;

/** A tracking connection at the root (shown when there is more than the embedded store). */
export class ConnectionNode {
  readonly kind = 'connection';
  readonly parent = undefined;
  /** Its experiments (or an info/error line), loaded on first expansion. */
  readonly experiments = new CachedValue<Node[]>();
  /** Experiment nodes by id, reused across reloads so loaded runs are kept. */
  readonly experimentNodes = new Map<string, ExperimentNode>();

  constructor(
    public connection: Connection,
    public active: boolean,
  ) {}

  get id(): string {
    return `connection/${this.connection.id}`;
  }

  get embedded(): boolean {
    return this.connection.id === EMBEDDED_ID;
  }

  /** Stores found in the workspace (mlflow.db written by MLflow, mlruns/) are served read-only. */
  get readOnly(): boolean {
    return this.connection.kind === 'sqlite' || this.connection.kind === 'mlruns';
  }
}

export interface RunPageState {
  runs: RunNode[];
  nextPageToken?: string;
}

export class ExperimentNode {
  readonly kind = 'experiment';
  /** The runs shown so far (pages of 50) and the token of the next page. */
  readonly runs = new CachedValue<RunPageState>();
  readonly loadMore: LoadMoreNode;
  loadingMore: Promise<void> | undefined;

  constructor(
    public experiment: Experiment,
    /** The connection root it is listed under (none in the single-store tree). */
    readonly parent?: ConnectionNode,
  ) {
    this.loadMore = new LoadMoreNode(this);
  }

  /** Ids of nodes below another connection than the embedded store are prefixed with it. */
  get idPrefix(): string {
    return this.parent && !this.parent.embedded ? `${this.parent.id}/` : '';
  }

  /** Whether it comes from the embedded store. */
  get embedded(): boolean {
    return !this.parent || this.parent.embedded;
  }

  /** The id of its connection (the embedded store's in the single-store tree). */
  get connectionId(): string {
    return this.parent?.connection.id ?? EMBEDDED_ID;
  }

  /** Whether its connection accepts changes (the embedded store and remote servers do). */
  get writable(): boolean {
    return !this.parent?.readOnly;
  }

  get id(): string {
    return `${this.idPrefix}experiment/${this.experiment.experiment_id}`;
  }

  get experimentId(): string {
    return this.experiment.experiment_id;
  }

  get deleted(): boolean {
    return this.experiment.lifecycle_stage === 'deleted';
  }
}

export class RunNode {
  readonly kind = 'run';
  readonly groups: readonly GroupNode[];

  constructor(
    readonly parent: ExperimentNode,
    public run: Run,
  ) {
    this.groups = (['params', 'metrics', 'tags', 'artifacts'] as const).map((g) => new GroupNode(this, g));
  }

  get id(): string {
    return `${this.parent.idPrefix}run/${this.runId}`;
  }

  get runId(): string {
    return this.run.info.run_id;
  }

  get deleted(): boolean {
    return this.run.info.lifecycle_stage === 'deleted';
  }

  get artifacts(): GroupNode {
    return this.groups[3];
  }
}

export type GroupKind = 'params' | 'metrics' | 'tags' | 'artifacts';

export class GroupNode {
  readonly kind = 'group';
  /** The top level of the run's artifacts (the Artifacts group only). */
  readonly listing = new CachedValue<Node[]>();

  constructor(
    readonly parent: RunNode,
    readonly group: GroupKind,
  ) {}

  get id(): string {
    return `${this.parent.id}/${this.group}`;
  }
}

/** A param, metric (latest value) or tag of a run. */
export class EntryNode {
  readonly kind = 'entry';

  constructor(
    readonly parent: GroupNode,
    readonly key: string,
    readonly value: string,
    /** Extra tooltip line (a metric's step and time). */
    readonly detail?: string,
  ) {}

  get id(): string {
    return `${this.parent.id}/${this.key}`;
  }
}

export class ArtifactNode {
  readonly kind = 'artifact';
  /** A folder's entries, listed on first expansion. */
  readonly listing = new CachedValue<Node[]>();

  constructor(
    readonly parent: GroupNode | ArtifactNode,
    readonly runId: string,
    readonly file: FileInfo,
  ) {}

  get id(): string {
    return `${this.run.id}/artifacts/${this.file.path}`;
  }

  get run(): RunNode {
    return this.parent.kind === 'group' ? this.parent.parent : this.parent.run;
  }

  get name(): string {
    return this.file.path.slice(this.file.path.lastIndexOf('/') + 1);
  }
}

export class LoadMoreNode {
  readonly kind = 'loadMore';

  constructor(readonly parent: ExperimentNode) {}

  get id(): string {
    return `${this.parent.id}/load-more`;
  }
}

/** An informational or error line in place of children; errors carry a Retry action. */
export class MessageNode {
  readonly kind = 'message';

  constructor(
    readonly parent: Node | undefined,
    readonly text: string,
    readonly severity: 'error' | 'info',
    readonly action?: { command: string; title: string; arguments?: unknown[] },
  ) {}

  get id(): string {
    return `${this.parent?.id ?? 'root'}/message`;
  }
}
