import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerController } from './serverController';

/** Commands of the embedded server: copy the tracking URI, show the log, restart, stop, menu. */
export function registerServerCommands(context: vscode.ExtensionContext, server: ServerController, log: vscode.LogOutputChannel): void {
  const register = (id: string, fn: () => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  register('runlens.showLog', () => log.show());

  register('runlens.server.copyTrackingUri', async () => {
    await server.getClient();
    const url = server.url!;
    await vscode.env.clipboard.writeText(url);
    const exportLine = `export MLFLOW_TRACKING_URI=${url}`;
    void vscode.window
      .showInformationMessage(`Copied ${url}. In shells outside VS Code run: ${exportLine}`, 'Copy export line')
      .then((choice) => choice && vscode.env.clipboard.writeText(exportLine));
    return url;
  });

  register('runlens.server.restart', async () => {
    await server.restart();
    void vscode.window.showInformationMessage(`Runlens server restarted at ${server.url}`);
  });

  register('runlens.server.stop', () => server.stop());

  register('runlens.server.menu', async () => {
    const items: Array<vscode.QuickPickItem & { command: string }> = [
      { label: '$(copy) Copy Tracking URI', description: server.url, command: 'runlens.server.copyTrackingUri' },
      { label: '$(output) Open Log', command: 'runlens.showLog' },
      { label: '$(debug-restart) Restart Server', command: 'runlens.server.restart' },
      { label: '$(debug-stop) Stop Server', command: 'runlens.server.stop' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Runlens — ${server.state}`, placeHolder: server.storeDir });
    if (pick) await vscode.commands.executeCommand(pick.command);
  });

  // Offer once per folder to keep the store out of version control.
  context.subscriptions.push(
    server.onDidChangeState((state) => {
      if (state === 'running') void offerGitignore(context, server);
    }),
  );
}

async function offerGitignore(context: vscode.ExtensionContext, server: ServerController): Promise<void> {
  const folder = server.folder;
  if (!folder || !fs.existsSync(path.join(folder.uri.fsPath, '.git'))) return;
  const key = `runlens.gitignoreOffered:${folder.uri.fsPath}`;
  if (context.workspaceState.get(key)) return;
  const file = path.join(folder.uri.fsPath, '.gitignore');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (/^\/?\.runlens\/?$/m.test(current)) return;
  await context.workspaceState.update(key, true);
  const answer = await vscode.window.showInformationMessage('Add the Runlens store (.runlens/) to .gitignore?', 'Add', 'Not now');
  if (answer === 'Add') fs.writeFileSync(file, `${current}${current && !current.endsWith('\n') ? '\n' : ''}.runlens/\n`);
}
