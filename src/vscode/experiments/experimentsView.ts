import * as vscode from 'vscode';
import { EMBEDDED_ID } from '../../core/connections/connection';
import { ARTIFACT_SCHEME } from '../../core/explorer/artifactLocation';
import { ArtifactFileSystemProvider } from '../artifacts/artifactFileSystemProvider';
import type { TrackingClientSource } from '../trackingClientSource';
import { registerArtifactCommands } from './artifactCommands';
import type { ExplorerServices } from './commandSupport';
import { registerExperimentCommands } from './experimentCommands';
import { ExperimentsTreeProvider, type ConnectionRoots, type ViewOptions } from './experimentsTreeProvider';
import { ContextKeys, VIEW_ID, VIEW_OPTIONS_STATE_KEY } from './ids';
import { registerInspectTree } from './inspectTree';
import type { Node } from './nodes';
import { NewRunWatcher } from './newRunWatcher';
import { RunPoller } from './runPoller';
import { registerRunCommands } from './runCommands';
import { pollIntervalMs, Settings } from './settings';
import { registerViewCommands } from './viewCommands';

/** Relative start times ("5 min ago") are re-rendered this often while the view is visible. */
const RERENDER_MS = 60_000;

function setContext(key: string, value: unknown): void {
  void vscode.commands.executeCommand('setContext', key, value);
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The view's description and message tell which filter and view type are active. */
function showOptions(view: vscode.TreeView<Node>, options: ViewOptions): void {
  const parts = [options.filter ? `filter: ${shorten(options.filter, 40)}` : undefined, options.showDeleted ? 'incl. deleted' : undefined];
  view.description = parts.filter(Boolean).join(' · ') || undefined;
  // The title bar's Clear Run Filter button (shown while filtered) removes it.
  view.message = options.filter ? `Runs matching: ${options.filter}` : undefined;
  setContext(ContextKeys.filtered, Boolean(options.filter));
  setContext(ContextKeys.showDeleted, options.showDeleted);
}

/** The Experiments view (experiments → runs → params, metrics, tags, artifacts) and its commands. */
export function registerExperimentsView(
  context: vscode.ExtensionContext,
  source: TrackingClientSource,
  log: vscode.LogOutputChannel,
  connections?: ConnectionRoots & { onDidChangeConnections: vscode.Event<void>; onDidChangeActive: vscode.Event<unknown> },
): ExperimentsTreeProvider {
  const subscriptions = context.subscriptions;
  const artifacts = new ArtifactFileSystemProvider(source, connections);
  subscriptions.push(artifacts, vscode.workspace.registerFileSystemProvider(ARTIFACT_SCHEME, artifacts, { isCaseSensitive: true, isReadonly: true }));

  const saved = context.workspaceState.get<ViewOptions>(VIEW_OPTIONS_STATE_KEY);
  const provider = new ExperimentsTreeProvider(source, log, artifacts, { filter: saved?.filter, showDeleted: saved?.showDeleted === true }, connections);
  const view = vscode.window.createTreeView<Node>(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  subscriptions.push(provider, view);

  const poller = new RunPoller({
    clientFor: (node) => provider.clientFor(node),
    log,
    intervalMs: pollIntervalMs,
    isCurrent: (node) => provider.isCurrent(node),
    onUpdated: (updates) => provider.updateRuns(updates),
  });
  const watcher = new NewRunWatcher(provider, log, pollIntervalMs);
  subscriptions.push(poller, watcher, provider.onDidLoadRuns((runs) => poller.track(runs)));

  // Options: shown in the view, kept in workspace state; state drives the welcome content.
  showOptions(view, provider.options);
  setContext(ContextKeys.state, provider.state);
  subscriptions.push(
    provider.onDidChangeState((state) => setContext(ContextKeys.state, state)),
    provider.onDidChangeOptions((options) => {
      showOptions(view, options);
      void context.workspaceState.update(VIEW_OPTIONS_STATE_KEY, options);
    }),
  );

  // Work only while visible: no polling or re-rendering for a hidden view.
  poller.setVisible(view.visible);
  let rerender: ReturnType<typeof setInterval> | undefined;
  const onVisibility = (visible: boolean) => {
    poller.setVisible(visible);
    watcher.setVisible(visible);
    if (rerender) clearInterval(rerender);
    rerender = visible ? setInterval(() => provider.rerender(), RERENDER_MS) : undefined;
  };
  onVisibility(view.visible);
  subscriptions.push(
    view.onDidChangeVisibility((e) => onVisibility(e.visible)),
    { dispose: () => rerender && clearInterval(rerender) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(Settings.pollIntervalSeconds)) return;
      poller.restart();
      watcher.restart();
    }),
    // Another server or store: everything shown is stale. The first start also reports a new
    // client, while the first load is under way and waiting for it: nothing is stale then.
    source.onDidChangeClient(() => {
      artifacts.clear(EMBEDDED_ID);
      if (provider.state !== 'loading') provider.refreshAll();
    }),
  );

  if (connections) {
    subscriptions.push(
      connections.onDidChangeConnections(() => {
        artifacts.clear();
        provider.refreshAll();
      }),
      connections.onDidChangeActive(() => provider.refreshRoots()),
    );
  }

  const services: ExplorerServices = { context, source, log, provider, view };
  registerViewCommands(services);
  registerExperimentCommands(services);
  registerRunCommands(services);
  registerArtifactCommands(services);
  registerInspectTree(services);
  return provider;
}
