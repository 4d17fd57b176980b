// Test runner loaded by VS Code's extension host (extensionTestsPath = out/test/e2e/suite/index).
// It runs every *.e2e.js file under this folder with mocha (bdd). To add tests, add a
// `something.e2e.ts` file next to this one: the name must not end in .test.ts, because the root
// mocha run (out/test/**/*.test.js) runs outside VS Code, where require('vscode') fails.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function findTestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTestFiles(path.join(dir, e.name)) : e.name.endsWith('.e2e.js') ? [path.join(dir, e.name)] : []))
    .sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000 });
  if (process.env.RUNLENS_E2E_GREP) mocha.grep(process.env.RUNLENS_E2E_GREP);
  for (const file of findTestFiles(__dirname)) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const { passes = 0, pending = 0 } = runner.stats ?? {};
        // The plain closing line that scripts/test-all.mjs adds up.
        console.log(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else resolve();
      });
    } catch (e) {
      console.log('0 passed, 1 failed');
      reject(e);
    }
  });
}
