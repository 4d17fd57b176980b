import type * as vscode from 'vscode';
import { MlflowApiError, type MlflowClient } from '../../core/client/mlflowClient';
import type { Run } from '../../core/entities';
import { isLiveStatus } from '../../core/explorer/runSummary';
import { errorMessage } from './commandSupport';
import type { RunNode } from './nodes';
import { VisibleRounds } from './visibleRounds';

export interface PolledRun {
  node: RunNode;
  run: Run;
  finished: boolean;
}

export interface RunPollerOptions {
  /** The client of the run's own connection. */
  clientFor: (node: RunNode) => Promise<MlflowClient>;
  log: vscode.LogOutputChannel;
  intervalMs: () => number;
  /** False for nodes a reload replaced: they are dropped. */
  isCurrent: (node: RunNode) => boolean;
  onUpdated: (updates: PolledRun[]) => void;
}

const CONCURRENCY = 8;
const MAX_FAILED_ROUNDS = 5;

/**
 * Refreshes the live (RUNNING, SCHEDULED) runs shown in the tree with runs/get, one round every
 * few seconds while the view is visible, and stops when none is left. Finished runs are never polled.
 */
export class RunPoller implements vscode.Disposable {
  /** Live runs by connection and run id (run ids of different stores may repeat). */
  private readonly live = new Map<string, RunNode>();
  private readonly rounds: VisibleRounds;
  private failedRounds = 0;
  private disposed = false;

  constructor(private readonly options: RunPollerOptions) {
    this.rounds = new VisibleRounds(options.intervalMs, () => this.pollOnce(), () => this.live.size > 0);
  }

  /** Number of runs being polled. */
  get size(): number {
    return this.live.size;
  }

  /** Watches the live ones among `nodes` (newer nodes of a run replace older ones). */
  track(nodes: readonly RunNode[]): void {
    for (const node of nodes) {
      const key = keyOf(node);
      if (isLiveStatus(node.run.info.status)) this.live.set(key, node);
      else if (this.live.get(key) === node) this.live.delete(key);
    }
    this.rounds.schedule();
  }

  setVisible(visible: boolean): void {
    this.rounds.setVisible(visible);
  }

  /** Applies a new interval to the next round. */
  restart(): void {
    this.rounds.restart();
  }

  /** One round: runs/get for each live run still shown, then one tree update. */
  async pollOnce(): Promise<void> {
    const nodes = [...this.live.values()].filter((node) => {
      if (this.options.isCurrent(node)) return true;
      this.live.delete(keyOf(node));
      return false;
    });
    if (nodes.length === 0) return;
    const updates: PolledRun[] = [];
    const errors: unknown[] = [];
    try {
      let next = 0;
      const worker = async () => {
        while (next < nodes.length) {
          const node = nodes[next++];
          const key = keyOf(node);
          try {
            const client = await this.options.clientFor(node);
            const run = await client.getRun(node.runId);
            if (this.live.get(key) !== node) continue;
            const finished = !isLiveStatus(run.info.status);
            if (finished) this.live.delete(key);
            updates.push({ node, run, finished });
          } catch (e) {
            if (e instanceof MlflowApiError && e.status === 404) this.live.delete(key);
            else errors.push(e);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, nodes.length) }, worker));
    } catch (e) {
      errors.push(e);
    }
    if (updates.length > 0 && !this.disposed) this.options.onUpdated(updates);
    this.noteFailures(errors);
  }

  private noteFailures(errors: unknown[]): void {
    if (errors.length === 0) {
      this.failedRounds = 0;
      return;
    }
    this.failedRounds++;
    if (this.failedRounds === 1) this.options.log.warn(`Experiments view: polling running runs failed: ${errorMessage(errors[0])}`);
    if (this.failedRounds >= MAX_FAILED_ROUNDS) {
      this.options.log.warn(`Experiments view: stopped polling ${this.live.size} running run(s) after ${MAX_FAILED_ROUNDS} failed rounds; Refresh resumes it.`);
      this.live.clear();
      this.failedRounds = 0;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.rounds.dispose();
    this.live.clear();
  }
}

function keyOf(node: RunNode): string {
  return `${node.parent.connectionId}\n${node.runId}`;
}
