import * as vscode from 'vscode';
import { runsUri } from '../../core/explorer/artifactLocation';
import { confirm, registerCommand, requireNode, requireWritable, type ExplorerServices } from './commandSupport';
import { Commands } from './ids';

async function copy(text: string, what: string): Promise<string> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`Copied ${what}: ${text}`, 3000);
  return text;
}

/** Rename, delete and restore runs; copy a run's ID and its `runs:/` URI. */
export function registerRunCommands(services: ExplorerServices): void {
  const { provider } = services;

  registerCommand(services, Commands.renameRun, 'Could not rename the run', async (target?: unknown, given?: unknown) => {
    const node = requireNode(services, target, 'run');
    requireWritable(node);
    const current = node.run.info.run_name;
    const name =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({ title: 'Rename Run', value: current, validateInput: (v) => (v.trim() ? undefined : 'Enter a name.') });
    if (!name?.trim() || name.trim() === current) return false;
    const client = await provider.clientFor(node);
    await client.updateRun(node.runId, { runName: name.trim() });
    provider.updateRun(node, await client.getRun(node.runId));
    return true;
  });

  registerCommand(services, Commands.deleteRun, 'Could not delete the run', async (target?: unknown) => {
    const node = requireNode(services, target, 'run');
    requireWritable(node);
    const name = node.run.info.run_name || node.runId;
    if (!(await confirm(`Delete run "${name}"?`, 'Deleted runs can be restored: turn on Show Deleted in the view’s menu.', 'Delete'))) return false;
    const client = await provider.clientFor(node);
    await client.deleteRun(node.runId);
    if (provider.options.showDeleted) provider.updateRun(node, await client.getRun(node.runId));
    else provider.removeRun(node);
    return true;
  });

  registerCommand(services, Commands.restoreRun, 'Could not restore the run', async (target?: unknown) => {
    const node = requireNode(services, target, 'run');
    requireWritable(node);
    const client = await provider.clientFor(node);
    await client.restoreRun(node.runId);
    provider.updateRun(node, await client.getRun(node.runId));
    return true;
  });

  registerCommand(services, Commands.copyRunId, 'Could not copy the run ID', (target?: unknown) => {
    const node = requireNode(services, target, 'run', 'artifact');
    return copy(node.runId, 'run ID');
  });

  // On an artifact, the URI names it inside the run (runs:/<id>/<path>), as model loaders take it.
  registerCommand(services, Commands.copyRunUri, 'Could not copy the run URI', (target?: unknown) => {
    const node = requireNode(services, target, 'run', 'artifact');
    return copy(node.kind === 'run' ? runsUri(node.runId) : runsUri(node.runId, node.file.path), 'URI');
  });
}
