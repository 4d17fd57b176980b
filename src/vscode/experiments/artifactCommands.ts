import * as vscode from 'vscode';
import { decideArtifactPreview } from '../../core/explorer/artifactPreview';
import { registerCommand, requireNode, type ExplorerServices } from './commandSupport';
import { Commands } from './ids';
import { maxPreviewMB, Settings } from './settings';
import { artifactResourceUri } from './treeItems';

/** Opens an artifact file in an editor tab through the read-only artifact file system. */
export function registerArtifactCommands(services: ExplorerServices): void {
  registerCommand(services, Commands.openArtifact, 'Could not open the artifact', async (target?: unknown) => {
    const node = requireNode(services, target, 'artifact');
    if (node.file.is_dir) return false;
    const decision = decideArtifactPreview(node.file.path, node.file.file_size, maxPreviewMB());
    if (decision.confirm) {
      const choice = await vscode.window.showWarningMessage(
        'Open this large artifact?',
        { modal: true, detail: `${decision.reason} The limit is the setting ${Settings.maxPreviewMB}.` },
        'Open',
      );
      if (choice !== 'Open') return false;
    }
    // Text, JSON, YAML, CSV and Markdown open in the text editor, images in the image preview.
    await vscode.commands.executeCommand('vscode.open', artifactResourceUri(node.runId, node.file.path, node.run.parent.connectionId), { preview: true });
    return true;
  });
}
