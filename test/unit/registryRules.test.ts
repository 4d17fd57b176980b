/** Registry rules without a server: validation, sources, the mlflow.modelVersions JSON, latest_versions. */
import * as assert from 'node:assert/strict';
import { MlflowError } from '../../src/core/errors';
import { pythonJsonDumps } from '../../src/core/store/sql/registryModelVersionsTag';
import { latestPerStage, type ModelVersionRow } from '../../src/core/store/sql/registryRows';
import { isLocalUri, urlParts, validateNoRelativeReferences } from '../../src/core/store/sql/registrySources';
import {
  canonicalStage,
  dedupeTags,
  parseVersion,
  validateAliasName,
  validateAliasNotReserved,
  validateModelVersionTag,
  validateRegisteredModelTag,
} from '../../src/core/store/sql/registryValidation';

function rejects(fn: () => unknown, message: string | RegExp, code = 'INVALID_PARAMETER_VALUE'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MlflowError, String(e));
    assert.equal(e.errorCode, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

function row(version: number, stage: string): ModelVersionRow {
  return {
    name: 'm',
    version,
    creation_time: 1,
    last_updated_time: 1,
    description: '',
    user_id: null,
    current_stage: stage,
    source: 's',
    run_id: '',
    status: 'READY',
    status_message: null,
    run_link: '',
    storage_location: 's',
  };
}

describe('registry rules', () => {
  it('parses versions as Python int() does', () => {
    assert.equal(parseVersion('1'), 1);
    assert.equal(parseVersion(' 12 '), 12);
    assert.equal(parseVersion('+3'), 3);
    assert.equal(parseVersion('1_0'), 10);
    rejects(() => parseVersion('abc'), "Parameter 'version' must be an integer, got 'abc'.");
    rejects(() => parseVersion('1.0'), "Parameter 'version' must be an integer, got '1.0'.");
    rejects(() => parseVersion(''), "Parameter 'version' must be an integer, got ''.");
  });

  it('checks alias characters, length and reserved names', () => {
    for (const ok of ['champion', 'a-b_c', 'V1x', 'vä', '日本']) validateAliasName(ok);
    rejects(() => validateAliasName(''), 'Registered model alias name cannot be empty.');
    rejects(() => validateAliasName('a.b'), "Invalid alias name: 'a.b'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
    rejects(() => validateAliasName('x'.repeat(256)), "'Registered model alias name' exceeds the maximum length of 255 characters");
    validateAliasName('x'.repeat(255));
    rejects(() => validateAliasNotReserved('Latest'), "'latest' alias name (case insensitive) is reserved.");
    rejects(() => validateAliasNotReserved('v0'), "Version alias name 'v0' is reserved.");
    validateAliasNotReserved('latest1');
    validateAliasNotReserved('v');
  });

  it('canonicalises stages', () => {
    assert.equal(canonicalStage('nOnE'), 'None');
    assert.equal(canonicalStage('archived'), 'Archived');
    rejects(() => canonicalStage('prod'), 'Invalid Model Version stage: prod. Value must be one of None, Staging, Production, Archived.');
  });

  it('applies the 3.x registry tag limits', () => {
    validateRegisteredModelTag('k', 'v'.repeat(100000));
    rejects(() => validateRegisteredModelTag('k', 'v'.repeat(100001)), "'value' exceeds the maximum length of 100000 characters");
    rejects(() => validateModelVersionTag('k'.repeat(251), 'v'), "'key' exceeds the maximum length of 250 characters");
    rejects(() => validateModelVersionTag('mlflow.prompt.text', 'v'.repeat(100001)), 'Prompt text exceeds max length of 100000 characters.');
    rejects(() => validateModelVersionTag('a//b', 'v'), /^Invalid value "a\/\/b" for parameter 'key' supplied/);
    assert.deepEqual(dedupeTags([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: '3' }]), [
      { key: 'a', value: '3' },
      { key: 'b', value: '2' },
    ]);
  });

  it('splits URIs like urllib.parse.urlparse', () => {
    assert.deepEqual(urlParts('s3://bucket/a/b?x=1#f'), { scheme: 's3', netloc: 'bucket', path: '/a/b' });
    assert.deepEqual(urlParts('runs:/abc/model'), { scheme: 'runs', netloc: '', path: '/abc/model' });
    assert.deepEqual(urlParts('/local/path'), { scheme: '', netloc: '', path: '/local/path' });
    assert.deepEqual(urlParts('http://h/a/b;params'), { scheme: 'http', netloc: 'h', path: '/a/b' });
    assert.equal(isLocalUri('/tmp/x'), true);
    assert.equal(isLocalUri('file:///tmp/x'), true);
    assert.equal(isLocalUri('relative/dir'), true);
    assert.equal(isLocalUri('models:/m-1'), false);
    assert.equal(isLocalUri('mlflow-artifacts:/1/x'), false);
  });

  it('rejects remote sources with relative references, however encoded', () => {
    for (const ok of ['s3://b/x/y', 'models:/m-0123', 'models:/name/3', 'runs:/r/model/sub', 'http://h/a..b', 'dbfs:/a/b/']) {
      validateNoRelativeReferences(ok);
    }
    for (const bad of ['s3://b/../x', 'http://h/%2E%2E/x', 'http://h/a/%25252e%25252e/x', 's3://b/a/./c', 'http://h/a%00b', 's3://bucket', 'runs:model']) {
      rejects(() => validateNoRelativeReferences(bad), /^Invalid model version source: '.*'\. If supplying a source as an http/);
    }
  });

  it('writes the mlflow.modelVersions tag as Python json.dumps would', () => {
    assert.equal(pythonJsonDumps([{ name: 'm', version: 1 }]), '[{"name": "m", "version": 1}]');
    assert.equal(pythonJsonDumps({ name: 'é"\n', version: '1' }), '{"name": "\\u00e9\\"\\n", "version": "1"}');
    assert.equal(pythonJsonDumps([null, true, 1.5, []]), '[null, true, 1.5, []]');
  });

  it('picks the highest version per stage, stages in order of first appearance', () => {
    const rows = [row(1, 'Production'), row(2, 'None'), row(3, 'Deleted_Internal'), row(4, 'Production'), row(5, 'Staging'), row(6, 'None')];
    assert.deepEqual(
      latestPerStage(rows).map((r) => [r.version, r.current_stage]),
      [
        [4, 'Production'],
        [6, 'None'],
        [5, 'Staging'],
      ],
    );
    assert.deepEqual(latestPerStage([row(1, 'Deleted_Internal')]), []);
  });
});
