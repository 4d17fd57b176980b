import * as vscode from 'vscode';
import { EMBEDDED_ID, validateServerUrl, type AuthKind, type Connection } from '../../core/connections';
import type { ConnectionManager, RemoteInput } from './connectionManager';

export const ConnectionCommands = {
  add: 'runlens.connections.add',
  edit: 'runlens.connections.edit',
  remove: 'runlens.connections.remove',
  setActive: 'runlens.connections.setActive',
  refresh: 'runlens.connections.refresh',
} as const;

/** A connection id from a command argument: an id, a tree node holding a connection, or a connection. */
export function connectionIdOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (target && typeof target === 'object') {
    const t = target as { connection?: { id?: unknown }; id?: unknown; kind?: unknown };
    if (t.connection && typeof t.connection.id === 'string') return t.connection.id;
    if (typeof t.id === 'string' && t.kind !== undefined && typeof t.kind === 'string' && ['embedded', 'sqlite', 'mlruns', 'remote'].includes(t.kind)) return t.id;
  }
  return undefined;
}

function isInput(value: unknown): value is RemoteInput {
  return Boolean(value && typeof value === 'object' && typeof (value as RemoteInput).url === 'string');
}

const AUTH_ITEMS: Array<vscode.QuickPickItem & { auth: AuthKind }> = [
  { label: 'None', description: 'no credentials', auth: 'none' },
  { label: 'Basic', description: 'username and password (MLFLOW_TRACKING_USERNAME/PASSWORD)', auth: 'basic' },
  { label: 'Bearer token', description: 'MLFLOW_TRACKING_TOKEN', auth: 'bearer' },
];

/** The quick input flow of Add/Edit: URL, auth kind, credentials, CA file, TLS opt-out. Undefined when cancelled. */
async function askRemote(previous?: Connection, hasSecret = false): Promise<RemoteInput | undefined> {
  const title = previous ? `Edit ${previous.label}` : 'Add MLflow Tracking Server';
  const url = await vscode.window.showInputBox({
    title: `${title} (1/4)`,
    prompt: 'Tracking server URL',
    placeHolder: 'https://mlflow.example.com',
    value: previous?.uri,
    ignoreFocusOut: true,
    validateInput: (v) => validateServerUrl(v),
  });
  if (url === undefined) return undefined;
  const authPick = await vscode.window.showQuickPick(
    AUTH_ITEMS.map((i) => ({ ...i, picked: i.auth === (previous?.auth ?? 'none') })),
    { title: `${title} (2/4)`, placeHolder: 'Authentication' },
  );
  if (!authPick) return undefined;
  const input: RemoteInput = { url, auth: authPick.auth, label: previous?.uri === url ? previous.label : undefined, timeoutMs: previous?.timeoutMs };
  const keep = hasSecret && previous?.auth === authPick.auth ? ' (leave empty to keep the stored one)' : '';
  if (authPick.auth === 'basic') {
    input.username = await vscode.window.showInputBox({ title: `${title} (3/4)`, prompt: 'User name', value: previous?.username, ignoreFocusOut: true, validateInput: (v) => (v ? undefined : 'Enter a user name') });
    if (input.username === undefined) return undefined;
    const password = await vscode.window.showInputBox({ title: `${title} (3/4)`, prompt: `Password, kept in VS Code's secret storage${keep}`, password: true, ignoreFocusOut: true });
    if (password === undefined) return undefined;
    input.password = password || (keep ? undefined : '');
  } else if (authPick.auth === 'bearer') {
    const token = await vscode.window.showInputBox({ title: `${title} (3/4)`, prompt: `Token, kept in VS Code's secret storage${keep}`, password: true, ignoreFocusOut: true });
    if (token === undefined) return undefined;
    input.token = token || (keep ? undefined : '');
  }
  if (url.trim().toLowerCase().startsWith('https:')) {
    const tls = await vscode.window.showQuickPick(
      [
        { label: 'Verify with the system certificate authorities', id: 'default' },
        { label: 'Verify with a CA file…', description: previous?.caFile, id: 'ca' },
        { label: 'Do not verify TLS certificates', description: 'insecure: only for servers you trust', id: 'insecure' },
      ],
      { title: `${title} (4/4)`, placeHolder: 'TLS certificate verification' },
    );
    if (!tls) return undefined;
    if (tls.id === 'insecure') input.insecure = true;
    if (tls.id === 'ca') {
      const files = await vscode.window.showOpenDialog({ title: 'CA certificates (PEM)', canSelectMany: false, filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] } });
      if (!files?.length) return undefined;
      input.caFile = files[0].fsPath;
    }
  }
  return input;
}

/** Add, edit, remove and choose the active connection; each also takes its input as arguments. */
export function registerConnectionCommands(context: vscode.ExtensionContext, manager: ConnectionManager, afterChange: () => void): void {
  const register = (id: string, fn: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          const message = (e as Error).message ?? String(e);
          void vscode.window.showErrorMessage(message);
          throw e;
        }
      }),
    );

  register(ConnectionCommands.add, async (args?: unknown) => {
    const input = isInput(args) ? args : await askRemote();
    if (!input) return undefined;
    const connection = await manager.addRemote(input);
    return connection.id;
  });

  const pickConnection = async (placeHolder: string, filter: (c: Connection) => boolean): Promise<Connection | undefined> => {
    const items = manager.list().filter(filter).map((c) => ({ label: c.label, description: c.uri, detail: c.id === manager.active?.id ? 'active' : undefined, c }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No remote tracking servers yet: add one with "Runlens: Add Connection".');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { placeHolder }))?.c;
  };

  register(ConnectionCommands.edit, async (target?: unknown, args?: unknown) => {
    const id = connectionIdOf(target) ?? (await pickConnection('Connection to edit', (c) => c.id.startsWith('remote:')))?.id;
    if (!id) return undefined;
    const previous = manager.get(id);
    if (!previous || previous.kind !== 'remote' || !previous.id.startsWith('remote:')) throw new Error('Only remote servers you added can be edited.');
    const input = isInput(args) ? args : await askRemote(previous, await manager.hasSecret(id));
    if (!input) return undefined;
    return (await manager.editRemote(id, input)).id;
  });

  register(ConnectionCommands.remove, async (target?: unknown) => {
    const given = connectionIdOf(target);
    const id = given ?? (await pickConnection('Connection to remove', (c) => c.id.startsWith('remote:')))?.id;
    if (!id) return false;
    const c = manager.get(id);
    if (!c) throw new Error(`No connection ${id}.`);
    // An id string (tests, keybindings) removes without asking; the tree and palette ask.
    if (typeof target !== 'string') {
      const answer = await vscode.window.showWarningMessage(`Remove the connection ${c.label} (${c.uri})? Its stored credentials are deleted too.`, { modal: true }, 'Remove');
      if (answer !== 'Remove') return false;
    }
    await manager.removeRemote(id);
    return true;
  });

  register(ConnectionCommands.setActive, async (target?: unknown) => {
    const id = connectionIdOf(target) ?? (await pickConnection('Active connection (terminals and runs log to it)', () => true))?.id;
    if (!id) return undefined;
    return (await manager.setActive(id)).id;
  });

  register(ConnectionCommands.refresh, () => {
    manager.rediscover();
    afterChange();
    return manager.list().map((c) => c.id);
  });
}

export { EMBEDDED_ID };
