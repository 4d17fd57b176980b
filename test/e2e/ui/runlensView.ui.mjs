import { describe, it } from './harness.mjs';

describe('Runlens view', () => {
  it('shows the Runlens container in the activity bar and opens the Experiments view', async ({ workbench }) => {
    await workbench.openViewContainer('Runlens');
    await workbench.waitForView('Experiments');
    await workbench.screenshot('experiments view');
  });

  it('runs "Runlens: Show Log" from the command palette', async ({ workbench, page }) => {
    await workbench.runCommand('Runlens: Show Log');
    await page.locator('.part.panel .composite.title', { hasText: 'Output' }).waitFor();
    await workbench.screenshot('show log');
  });
});
