import * as assert from 'node:assert/strict';
import { MlflowError } from '../../src/core/errors';
import { truncateValue, validateName, validateRunId } from '../../src/core/validation';
import { hostName, isHostAllowed, isOriginAllowed } from '../../src/core/server/hostCheck';
import { sqlitePathFromUri } from '../../src/core/storeUri';

function rejects(fn: () => void, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof MlflowError && e.errorCode === 'INVALID_PARAMETER_VALUE' && pattern.test(e.message));
}

describe('validation', () => {
  it('accepts the names MLflow accepts', () => {
    for (const name of ['a', 'Ab-5_', 'a/b/c', 'a.b.c', '.a', 'b.', 'a..a/._./o_O/.e.', 'a b/c d', 'é', '日本', 'x:y']) {
      assert.doesNotThrow(() => validateName(name, 'key'), name);
    }
  });

  it('rejects the names MLflow rejects, naming the parameter', () => {
    for (const name of ['', '.', '/a', '..a', 'a/', 'a//b', 'a/./b', 'a/../b', 'a*b', 'a#b', 'a,b', 'a=b', 'a@b', 'a\\b', 'a\tb']) {
      rejects(() => validateName(name, 'metrics[3].name'), /for parameter 'metrics\[3\]\.name' supplied: Names may only contain/);
    }
  });

  it('truncates by characters, not bytes', () => {
    assert.equal(truncateValue('ééé', 2), 'éé');
    assert.equal(truncateValue('abc', 5), 'abc');
  });

  it('checks run ids', () => {
    assert.doesNotThrow(() => validateRunId('0123456789abcdef0123456789abcdef'));
    rejects(() => validateRunId('-bad'), /Invalid value "-bad" for parameter 'run_id'/);
  });
});

describe('host checks', () => {
  it('parses Host headers', () => {
    assert.equal(hostName('LocalHost:5000'), 'localhost');
    assert.equal(hostName('[::1]:80'), '::1');
    assert.equal(hostName('example.com'), 'example.com');
  });

  it('allows loopback names and the bound host, refuses others unless allowed', () => {
    assert.ok(isHostAllowed('localhost:5000', '127.0.0.1', []));
    assert.ok(isHostAllowed('127.0.0.1:5000', '127.0.0.1', []));
    assert.ok(isHostAllowed('[::1]:5000', '127.0.0.1', []));
    assert.equal(isHostAllowed('evil.com', '127.0.0.1', []), false);
    assert.equal(isHostAllowed('192.168.1.5:5000', '127.0.0.1', []), false);
    assert.ok(isHostAllowed('192.168.1.5:5000', '0.0.0.0', []), 'private addresses when bound to all interfaces');
    assert.ok(isHostAllowed('ml.example.com', '127.0.0.1', ['*.example.com']));
    assert.ok(isHostAllowed('anything', '127.0.0.1', ['*']));
    assert.equal(isHostAllowed(undefined, '127.0.0.1', []), false);
  });

  it('allows same-machine origins only', () => {
    assert.ok(isOriginAllowed(undefined, []));
    assert.ok(isOriginAllowed('http://localhost:3000', []));
    assert.equal(isOriginAllowed('https://evil.com', []), false);
    assert.equal(isOriginAllowed('vscode-webview://abc', []), false);
  });
});

describe('store URIs', () => {
  it('reads SQLAlchemy sqlite URIs', () => {
    assert.equal(sqlitePathFromUri('sqlite:////abs/mlflow.db'), '/abs/mlflow.db');
    assert.equal(sqlitePathFromUri('sqlite:///rel/mlflow.db', '/work'), '/work/rel/mlflow.db');
    assert.equal(sqlitePathFromUri('sqlite:///:memory:'), undefined);
    assert.equal(sqlitePathFromUri('./mlruns'), undefined);
  });
});
