import type * as vscode from 'vscode';
import { runPageRequest } from '../../core/explorer/runPaging';
import { errorMessage } from './commandSupport';
import type { ExperimentsTreeProvider } from './experimentsTreeProvider';

/**
 * Notices runs that start while the view is open: for each experiment whose runs are shown, one
 * runs/search of a single run (the newest) per round; when it is not the newest one shown, that
 * experiment's first page is loaded again. Finished runs' data is never fetched by this.
 */
export class NewRunWatcher implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private visible = true;
  private disposed = false;
  private warned = false;

  constructor(
    private readonly provider: ExperimentsTreeProvider,
    private readonly log: vscode.LogOutputChannel,
    private readonly intervalMs: () => number,
  ) {}

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.schedule();
    else this.cancel();
  }

  restart(): void {
    this.cancel();
    this.schedule();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.disposed || !this.visible || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkOnce().finally(() => this.schedule());
    }, this.intervalMs());
  }

  /** One round over the experiments whose runs are loaded. */
  async checkOnce(): Promise<void> {
    const experiments = this.provider.loadedExperiments();
    if (experiments.length === 0) return;
    const { filter, showDeleted } = this.provider.options;
    let failure: unknown;
    // Each experiment through its own connection's client; one connection failing does not stop the others.
    for (const experiment of experiments) {
      try {
        const client = await this.provider.clientFor(experiment);
        const shown = experiment.runs.value?.runs[0]?.runId;
        const page = await client.searchRuns({ ...runPageRequest({ experimentId: experiment.experimentId, filter, showDeleted }), maxResults: 1 });
        const newest = page.items[0]?.info.run_id;
        if (newest !== undefined && newest !== shown && this.provider.isCurrent(experiment)) this.provider.reloadExperimentRuns(experiment);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure === undefined) {
      this.warned = false;
      return;
    }
    if (!this.warned) this.log.warn(`Experiments view: checking for new runs failed: ${errorMessage(failure)}`);
    this.warned = true;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}
