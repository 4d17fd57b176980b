/** The Experiments view's contributed identifiers, in one place (package.json names the same). */

export const VIEW_ID = 'runlens.experiments';

export const Commands = {
  refresh: 'runlens.experiments.refresh',
  createExperiment: 'runlens.experiments.create',
  createSample: 'runlens.experiments.createSample',
  renameExperiment: 'runlens.experiments.rename',
  deleteExperiment: 'runlens.experiments.delete',
  restoreExperiment: 'runlens.experiments.restore',
  filterRuns: 'runlens.experiments.filterRuns',
  clearFilter: 'runlens.experiments.clearFilter',
  showDeleted: 'runlens.experiments.showDeleted',
  hideDeleted: 'runlens.experiments.hideDeleted',
  loadMore: 'runlens.experiments.loadMore',
  retry: 'runlens.experiments.retry',
  renameRun: 'runlens.runs.rename',
  deleteRun: 'runlens.runs.delete',
  restoreRun: 'runlens.runs.restore',
  copyRunId: 'runlens.runs.copyId',
  copyRunUri: 'runlens.runs.copyUri',
  openArtifact: 'runlens.artifacts.open',
  /** Not contributed: answers the rendered tree for extension-host tests. */
  inspectTree: 'runlens.experiments.inspectTree',
} as const;

/** Context keys read by `when` clauses of menus and welcome content. */
export const ContextKeys = {
  /** 'loading' | 'ready' | 'empty' | 'error' | 'noFolder' */
  state: 'runlens.experiments.state',
  filtered: 'runlens.experiments.filtered',
  showDeleted: 'runlens.experiments.showDeleted',
} as const;

/** Workspace-state key of the filter and show-deleted toggle, kept across reloads. */
export const VIEW_OPTIONS_STATE_KEY = 'runlens.experiments.viewOptions';
