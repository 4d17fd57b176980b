import * as vscode from 'vscode';
import { createSampleExperiment, SAMPLE_EXPERIMENT_NAME } from '../../core/explorer/sampleExperiment';
import { EMBEDDED_ID } from '../../core/connections/connection';
import { confirm, registerCommand, requireNode, requireWritable, type ExplorerServices } from './commandSupport';
import { Commands, VIEW_ID } from './ids';

function validateName(value: string): string | undefined {
  return value.trim() ? undefined : 'Enter a name.';
}

/** Shows an experiment after the list was reloaded: selected, and expanded when asked. */
async function revealExperiment(services: ExplorerServices, experimentId: string, expand = false, connectionId = EMBEDDED_ID): Promise<void> {
  await services.provider.getChildren(undefined);
  const connection = services.provider.connectionNode(connectionId);
  if (connection) await services.provider.getChildren(connection);
  const node = services.provider.experimentNode(experimentId, connectionId);
  if (node) await services.view.reveal(node, { select: true, focus: false, expand });
}

/** Create, rename, delete and restore experiments; create the sample experiment. */
export function registerExperimentCommands(services: ExplorerServices): void {
  const { provider, source, log } = services;

  // On a connection root (or given one, then the name second) it creates there; else in the embedded store.
  registerCommand(services, Commands.createExperiment, 'Could not create the experiment', async (given?: unknown, givenName?: unknown) => {
    const target = typeof given === 'string' && !given.startsWith('connection/') ? undefined : provider.resolve(given);
    const connection = target?.kind === 'connection' ? target : undefined;
    if (connection) requireWritable(connection);
    const named = connection ? givenName : given;
    const name =
      typeof named === 'string'
        ? named
        : await vscode.window.showInputBox({ title: 'Create Experiment', prompt: `Name of the new experiment${connection ? ` in ${connection.connection.label}` : ''}`, validateInput: validateName });
    if (!name?.trim()) return undefined;
    const client = connection ? await provider.clientFor(connection) : await source.getClient();
    const experimentId = await client.createExperiment(name.trim());
    provider.reloadExperiments();
    await revealExperiment(services, experimentId, false, connection?.connection.id);
    return experimentId;
  });

  registerCommand(services, Commands.renameExperiment, 'Could not rename the experiment', async (target?: unknown, given?: unknown) => {
    const node = requireNode(services, target, 'experiment');
    requireWritable(node);
    const name =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({ title: 'Rename Experiment', value: node.experiment.name, validateInput: validateName });
    if (!name?.trim() || name.trim() === node.experiment.name) return false;
    const client = await provider.clientFor(node);
    await client.renameExperiment(node.experimentId, name.trim());
    provider.reloadExperiments();
    return true;
  });

  registerCommand(services, Commands.deleteExperiment, 'Could not delete the experiment', async (target?: unknown) => {
    const node = requireNode(services, target, 'experiment');
    requireWritable(node);
    const ok = await confirm(`Delete experiment "${node.experiment.name}"?`, 'Its runs are deleted with it. Deleted experiments can be restored: turn on Show Deleted in the view’s menu.', 'Delete');
    if (!ok) return false;
    const client = await provider.clientFor(node);
    await client.deleteExperiment(node.experimentId);
    provider.reloadExperiments();
    return true;
  });

  registerCommand(services, Commands.restoreExperiment, 'Could not restore the experiment', async (target?: unknown) => {
    const node = requireNode(services, target, 'experiment');
    requireWritable(node);
    const client = await provider.clientFor(node);
    await client.restoreExperiment(node.experimentId);
    provider.reloadExperiments();
    return true;
  });

  registerCommand(services, Commands.createSample, 'Could not create the sample experiment', async () => {
    const client = await source.getClient();
    const existing = (await client.searchExperiments({ filter: `name = '${SAMPLE_EXPERIMENT_NAME}'`, viewType: 'ALL' })).items[0];
    if (existing?.lifecycle_stage === 'active') {
      provider.reloadExperiments();
      await revealExperiment(services, existing.experiment_id, true);
      void vscode.window.showInformationMessage(`"${SAMPLE_EXPERIMENT_NAME}" already exists.`);
      return existing.experiment_id;
    }
    if (existing) {
      const restore = await vscode.window.showWarningMessage(`A deleted experiment named "${SAMPLE_EXPERIMENT_NAME}" exists.`, 'Restore It');
      if (!restore) return undefined;
      await client.restoreExperiment(existing.experiment_id);
      provider.reloadExperiments();
      await revealExperiment(services, existing.experiment_id, true);
      return existing.experiment_id;
    }
    const result = await vscode.window.withProgress({ location: { viewId: VIEW_ID }, title: 'Creating the sample experiment' }, () => createSampleExperiment(client));
    for (const warning of result.warnings) log.warn(`Sample experiment: ${warning}`);
    provider.reloadExperiments();
    await revealExperiment(services, result.experimentId, true);
    return result.experimentId;
  });
}
