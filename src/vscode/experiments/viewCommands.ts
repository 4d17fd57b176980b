import * as vscode from 'vscode';
import { MlflowApiError } from '../../core/client/mlflowClient';
import { runPageRequest } from '../../core/explorer/runPaging';
import { registerCommand, requireNode, type ExplorerServices } from './commandSupport';
import { Commands } from './ids';

const FILTER_EXAMPLE = "metrics.accuracy > 0.9 and params.optimizer = 'adam'";

/**
 * Asks a server whether `filter` is valid MLflow search syntax: the error message it answers, or
 * undefined when the filter is accepted. The syntax is the same on every connection, so one server
 * checks it (the embedded store's when shown, see filterValidationTarget); a connection that still
 * refuses it shows the error under its experiments.
 */
async function validateFilter(services: ExplorerServices, filter: string): Promise<string | undefined> {
  const target = services.provider.filterValidationTarget();
  const client = await target.client;
  const request = runPageRequest({ experimentId: target.experimentId, filter, showDeleted: services.provider.options.showDeleted });
  try {
    await client.searchRuns({ ...request, maxResults: 1 });
    return undefined;
  } catch (e) {
    if (e instanceof MlflowApiError && e.status >= 400 && e.status < 500) return e.message || e.errorCode;
    throw e;
  }
}

/** An input box that keeps the server's validation error visible until the filter is valid or dismissed. */
function askFilter(services: ExplorerServices): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = 'Filter Runs';
    box.prompt = 'MLflow search syntax over metrics., params., tags. and attributes. Leave empty to clear the filter.';
    box.placeholder = FILTER_EXAMPLE;
    box.value = services.provider.options.filter ?? '';
    box.ignoreFocusOut = true;
    let accepted: string | undefined;
    const subscriptions = [
      box.onDidChangeValue(() => (box.validationMessage = undefined)),
      box.onDidAccept(async () => {
        const value = box.value.trim();
        box.busy = true;
        box.enabled = false;
        try {
          const problem = value ? await validateFilter(services, value) : undefined;
          if (problem) {
            box.validationMessage = { message: problem, severity: vscode.InputBoxValidationSeverity.Error };
            return;
          }
          accepted = value;
          box.hide();
        } catch (e) {
          box.validationMessage = { message: e instanceof Error ? e.message : String(e), severity: vscode.InputBoxValidationSeverity.Error };
        } finally {
          box.busy = false;
          box.enabled = true;
        }
      }),
      box.onDidHide(() => {
        for (const s of subscriptions) s.dispose();
        box.dispose();
        resolve(accepted);
      }),
    ];
    box.show();
  });
}

/** Refresh, filter (set, clear), show or hide deleted, load more runs, retry a failed level. */
export function registerViewCommands(services: ExplorerServices): void {
  const { provider } = services;

  registerCommand(services, Commands.refresh, 'Could not refresh the Experiments view', () => provider.refreshAll());

  // With a string argument (tests, keybindings) no input box shows; answers whether the filter applies.
  registerCommand(services, Commands.filterRuns, 'Could not filter runs', async (given?: unknown) => {
    let filter: string | undefined;
    if (typeof given === 'string') {
      const problem = given.trim() ? await validateFilter(services, given.trim()) : undefined;
      if (problem) {
        void vscode.window.showErrorMessage(`Invalid run filter: ${problem}`);
        return false;
      }
      filter = given;
    } else {
      filter = await askFilter(services);
      if (filter === undefined) return false;
    }
    provider.setFilter(filter);
    return true;
  });

  registerCommand(services, Commands.clearFilter, 'Could not clear the filter', () => provider.setFilter(undefined));
  registerCommand(services, Commands.showDeleted, 'Could not show deleted items', () => provider.setShowDeleted(true));
  registerCommand(services, Commands.hideDeleted, 'Could not hide deleted items', () => provider.setShowDeleted(false));

  registerCommand(services, Commands.loadMore, 'Could not load more runs', (target?: unknown) => {
    const node = requireNode(services, target, 'loadMore', 'experiment');
    return provider.loadMore(node.kind === 'loadMore' ? node.parent : node);
  });

  registerCommand(services, Commands.retry, 'Could not retry', (target?: unknown) => {
    const node = provider.resolve(target);
    if (node?.kind === 'message') provider.retry(node);
    else provider.refreshAll();
  });
}
