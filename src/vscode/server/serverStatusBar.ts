import * as vscode from 'vscode';
import type { ConnectionManager } from '../connections/connectionManager';
import type { ServerController } from './serverController';

/** Shows the active connection (by default the embedded store and its server's URL); a click opens the server menu. */
export class ServerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runlens.server', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly server: ServerController,
    private readonly connections?: ConnectionManager,
  ) {
    this.item.name = 'Runlens tracking server';
    this.item.command = 'runlens.server.menu';
    this.subscriptions.push(server.onDidChangeState(() => this.update()));
    if (connections) this.subscriptions.push(connections.onDidChangeActive(() => this.update()), connections.onDidChangeConnections(() => this.update()));
    this.update();
    if (server.folder) this.item.show();
  }

  private update(): void {
    const active = this.connections?.active;
    if (active && active.kind !== 'embedded') {
      this.item.text = `$(${active.kind === 'remote' ? 'cloud' : 'database'}) Runlens: ${active.label}`;
      this.item.tooltip = new vscode.MarkdownString(
        `**Runlens** — active connection: ${active.label}\n\nTracking URI: \`${active.uri}\`${active.kind === 'remote' ? `\n\nAuthentication: ${active.auth}` : ''}\n\nClick for server actions; \`Runlens: Set Active Connection\` switches.`,
      );
      this.item.backgroundColor = undefined;
      return;
    }
    const { state, url } = this.server;
    const icon = state === 'running' ? '$(pulse)' : state === 'starting' ? '$(loading~spin)' : state === 'failed' ? '$(warning)' : '$(circle-slash)';
    this.item.text = `${icon} Runlens`;
    const store = this.server.storeDir ?? 'no folder open';
    this.item.tooltip = new vscode.MarkdownString(
      `**Runlens** — ${state}\n\nStore: \`${store}\`${url ? `\n\nTracking URI: \`${url}\`` : ''}\n\nClick for server actions.`,
    );
    this.item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
