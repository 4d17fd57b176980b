import * as vscode from 'vscode';
import { registerExperimentsView } from './vscode/experiments/experimentsView';
import { registerServerCommands } from './vscode/server/serverCommands';
import { ServerController } from './vscode/server/serverController';
import { registerTerminalEnvironment } from './vscode/server/terminalEnvironment';
import { ServerStatusBar } from './vscode/server/serverStatusBar';

/** Activation stays light: it wires views and commands; the tracking server starts on first need. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Runlens', { log: true });
  context.subscriptions.push(log);
  const server = new ServerController(context, log);
  context.subscriptions.push(server);
  context.subscriptions.push(new ServerStatusBar(server));
  registerServerCommands(context, server, log);
  registerTerminalEnvironment(context, server);
  registerExperimentsView(context, server, log);
  log.info(`Runlens activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Disposables registered on the context (the server child among them) are released by VS Code.
}
