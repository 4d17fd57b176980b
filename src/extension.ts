import * as vscode from 'vscode';

/** Activation stays light: it wires views and commands; the tracking server starts on first need. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Runlens', { log: true });
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand('runlens.showLog', () => log.show()));
  log.info('Runlens activated');
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
