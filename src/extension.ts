import * as vscode from 'vscode';
import { registerConnectionCommands } from './vscode/connections/connectionCommands';
import { ConnectionManager } from './vscode/connections/connectionManager';
import { copyEndpoints } from './vscode/copy/copyEndpoints';
import { registerCopyStoreCommand } from './vscode/copy/copyStoreCommand';
import { registerExperimentsView } from './vscode/experiments/experimentsView';
import { registerServerCommands } from './vscode/server/serverCommands';
import { ServerController } from './vscode/server/serverController';
import { registerTerminalEnvironment } from './vscode/server/terminalEnvironment';
import { ServerStatusBar } from './vscode/server/serverStatusBar';

/** What activate() hands to other extensions and to the extension-host tests. */
export interface RunlensApi {
  readonly connections: ConnectionManager;
}

/** Activation stays light: it wires views and commands; the tracking server starts on first need. */
export function activate(context: vscode.ExtensionContext): RunlensApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Runlens', { log: true });
  context.subscriptions.push(log);
  const server = new ServerController(context, log);
  context.subscriptions.push(server);
  const connections = new ConnectionManager(context, log, server);
  context.subscriptions.push(connections);
  context.subscriptions.push(new ServerStatusBar(server, connections));
  registerServerCommands(context, server, log);
  registerTerminalEnvironment(context, server, connections);
  const provider = registerExperimentsView(context, server, log, connections);
  registerConnectionCommands(context, connections, () => provider.refreshAll());
  registerCopyStoreCommand(context, () => copyEndpoints(connections), log);
  log.info(`Runlens activated in ${(performance.now() - started).toFixed(1)} ms`);
  return { connections };
}

export function deactivate(): void {
  // Disposables registered on the context (the server children among them) are released by VS Code.
}
