import type * as vscode from 'vscode';
import { runPageRequest } from '../../core/explorer/runPaging';
import { errorMessage } from './commandSupport';
import type { ExperimentsTreeProvider } from './experimentsTreeProvider';
import { VisibleRounds } from './visibleRounds';

/**
 * Notices runs that start while the view is open: for each experiment whose runs are shown, one
 * runs/search of a single run (the newest) per round; when it is not the newest one shown, that
 * experiment's first page is loaded again. Finished runs' data is never fetched by this.
 */
export class NewRunWatcher implements vscode.Disposable {
  private readonly rounds: VisibleRounds;
  private warned = false;

  constructor(
    private readonly provider: ExperimentsTreeProvider,
    private readonly log: vscode.LogOutputChannel,
    intervalMs: () => number,
  ) {
    this.rounds = new VisibleRounds(intervalMs, () => this.checkOnce());
  }

  setVisible(visible: boolean): void {
    this.rounds.setVisible(visible);
  }

  restart(): void {
    this.rounds.restart();
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
    this.rounds.dispose();
  }
}
