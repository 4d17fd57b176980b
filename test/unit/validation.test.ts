import * as assert from 'node:assert/strict';
import { MlflowError } from '../../src/core/errors';
import { pyFloat } from '../../src/core/search/pythonRepr';
import { posixNormpath, truncateValue, validateMetricPoint, validateName, validateParamKey, validateRunId, validateTagKey } from '../../src/core/validation';
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

  it('rejects bad characters with the JSON-encoded name, naming the parameter', () => {
    for (const name of ['a*b', 'a#b', 'a,b', 'a=b', 'a@b', 'a\\b', 'a\tb', 'e\u0301']) {
      rejects(() => validateName(name, 'metrics[3].name'), /for parameter 'metrics\[3\]\.name' supplied: Names may only contain alphanumerics/);
    }
    assert.throws(() => validateName('a\\b', 'key'), {
      message: `Invalid value "a\\\\b" for parameter 'key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    });
    assert.throws(() => validateName('é*', 'key'), { message: /^Invalid value "\\u00e9\*" for parameter 'key'/ });
  });

  it('rejects names that resolve to another path, saying what they resolve to', () => {
    const resolves = (norm: string) =>
      `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`;
    const cases: Array<[string, string]> = [['', '.'], ['.', '.'], ['/a', '/a'], ['..a', '..a'], ['a/', 'a'], ['a//b', 'a/b'], ['a/./b', 'a/b'], ['a/../b', 'b'], ['./a', 'a']];
    for (const [name, norm] of cases) {
      assert.throws(() => validateName(name, 'key'), { message: `Invalid value ${JSON.stringify(name)} for parameter 'key' supplied: ${resolves(norm)}` }, name);
    }
  });

  it('normalises paths like posixpath.normpath', () => {
    assert.equal(posixNormpath(''), '.');
    assert.equal(posixNormpath('//a/./b/'), '//a/b');
    assert.equal(posixNormpath('///a'), '/a');
    assert.equal(posixNormpath('../a/../..'), '../..');
    assert.equal(posixNormpath('/..'), '/');
  });

  it("checks metrics, params and tags in MLflow's order and words", () => {
    assert.throws(() => validateMetricPoint({ key: 'm', value: 1e16, timestamp: -1 }, 'metrics[0]'), {
      message: "Invalid value -1 for parameter 'metrics[0].timestamp' supplied: metric 'm' (value=1e+16). Timestamp must be a nonnegative long (64-bit integer) ",
    });
    assert.throws(() => validateMetricPoint({ key: 'k'.repeat(251), value: 1, timestamp: 1 }, ''), { message: "'Metric name' exceeds the maximum length of 250 characters" });
    assert.throws(() => validateParamKey('p'.repeat(251), 'params[1]'), { message: "'Param key' exceeds the maximum length of 250 characters" });
    assert.throws(() => validateTagKey('t'.repeat(251), 'tags[2]'), { message: "'tags[2].key' exceeds the maximum length of 250 characters" });
    assert.throws(() => validateTagKey('a/', ''), { message: /^Invalid value "a\/" for parameter 'key' supplied: Names may be treated as files/ });
  });

  it("prints floats like Python's repr", () => {
    assert.deepEqual([1, 0.5, 1e16, 1.5e-5, 0.0001, 123456789012345680000, -2, NaN, -Infinity].map(pyFloat), [
      '1.0', '0.5', '1e+16', '1.5e-05', '0.0001', '1.2345678901234568e+20', '-2.0', 'nan', '-inf',
    ]);
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
