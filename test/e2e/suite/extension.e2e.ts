import * as assert from 'assert';
import * as vscode from 'vscode';

describe('Runlens extension (extension host)', () => {
  it('is installed as runlens.runlens and activates', async () => {
    const ext = vscode.extensions.getExtension('runlens.runlens');
    assert.ok(ext, 'extension runlens.runlens not found');
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers the runlens.showLog command', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('runlens.showLog'), 'runlens.showLog is not registered');
    await vscode.commands.executeCommand('runlens.showLog');
  });
});
