import assert from 'node:assert/strict';
import { MlflowError } from '../../src/core/errors';
import { decodeOffsetToken, encodeOffsetToken } from '../../src/core/search/pageToken';
import { parseRunOrderBy } from '../../src/core/search/runOrderBy';

function rejects(fn: () => unknown, message: string | RegExp, code = 'INVALID_PARAMETER_VALUE'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.errorCode, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const START_DESC = { entity: 'attribute', key: 'start_time', ascending: false };
const RUN_ID_ASC = { entity: 'attribute', key: 'run_id', ascending: true };

describe('search: run order_by (compat §3.2)', () => {
  it('defaults to start_time DESC then run_id ASC', () => {
    assert.deepEqual(parseRunOrderBy(undefined), [START_DESC, RUN_ID_ASC]);
    assert.deepEqual(parseRunOrderBy([]), [START_DESC, RUN_ID_ASC]);
  });

  it('parses entity, key and direction (any case, any whitespace, ASC by default)', () => {
    assert.deepEqual(parseRunOrderBy(['metrics.acc DESC', 'params.`my p` asc', "tags.t\t\n desc", 'status']), [
      { entity: 'metric', key: 'acc', ascending: false },
      { entity: 'param', key: 'my p', ascending: true },
      { entity: 'tag', key: 't', ascending: false },
      { entity: 'attribute', key: 'status', ascending: true },
      START_DESC,
      RUN_ID_ASC,
    ]);
  });

  it('resolves created to start_time and then adds no second start_time', () => {
    assert.deepEqual(parseRunOrderBy(['created ASC']), [{ entity: 'attribute', key: 'start_time', ascending: true }, RUN_ID_ASC]);
    assert.deepEqual(parseRunOrderBy(['attributes.start_time']), [{ entity: 'attribute', key: 'start_time', ascending: true }, RUN_ID_ASC]);
  });

  it('rejects what cannot be parsed', () => {
    const unparseable = (s: string) => `Invalid order_by clause '${s}'. Could not be parsed.`;
    for (const s of ['params.my_param ', ' params.a', 'metrics.a DESC ASC', 'metrics.a DESC NULLS LAST', 'metrics.a > 1', 'metrics.`a', '', 'metrics.a DESC ']) {
      rejects(() => parseRunOrderBy([s]), unparseable(s));
    }
  });

  it('rejects unknown directions as invalid ordering keys', () => {
    for (const s of ['metrics.a ACS', 'metrics.a decs', 'metrics.a ASCENDING']) {
      rejects(() => parseRunOrderBy([s]), `Invalid ordering key in order_by clause '${s}'.`);
    }
  });

  it('rejects invalid entities, non-orderable attributes and datasets', () => {
    rejects(() => parseRunOrderBy(['Metrics.a']), /^Invalid entity type 'Metrics'\./);
    rejects(() => parseRunOrderBy(['`run name`']), /^Invalid attribute key 'run name' specified\. Valid keys are '\{'run_id', /);
    rejects(() => parseRunOrderBy(['experiment_id']), /^Invalid attribute key 'experiment_id' specified/);
    rejects(() => parseRunOrderBy(['dataset.name']), "Invalid identifier type 'dataset'");
  });

  it('rejects duplicate fields as the SQL store does (an internal error), aliases and entity spellings included', () => {
    const sql = { rejectDuplicates: true };
    rejects(() => parseRunOrderBy(['metrics.a', 'metric.a DESC'], sql), "`order_by` contains duplicate fields: ['metrics.a', 'metric.a DESC']", 'INTERNAL_ERROR');
    rejects(() => parseRunOrderBy(['created', 'start_time DESC'], sql), /^`order_by` contains duplicate fields: /, 'INTERNAL_ERROR');
    // The duplicate is reported before a later element is parsed.
    rejects(() => parseRunOrderBy(['tags.t', 'tags.t', 'bogus'], sql), "`order_by` contains duplicate fields: ['tags.t', 'tags.t', 'bogus']", 'INTERNAL_ERROR');
    assert.equal(parseRunOrderBy(['metrics.a', 'params.a', 'tags.a'], sql).length, 5);
  });

  it('accepts duplicate fields where the file store does', () => {
    assert.deepEqual(parseRunOrderBy(['metrics.a', 'metrics.a DESC']), [
      { entity: 'metric', key: 'a', ascending: true },
      { entity: 'metric', key: 'a', ascending: false },
      START_DESC,
      RUN_ID_ASC,
    ]);
  });

  it('reads the direction after shell-style splitting, and only ASC / DESC', () => {
    assert.deepEqual(parseRunOrderBy(['metrics.`Mean Square Error` DESC'])[0], { entity: 'metric', key: 'Mean Square Error', ascending: false });
    assert.deepEqual(parseRunOrderBy(['params."a b"  asc'])[0], { entity: 'param', key: 'a b', ascending: true });
    rejects(() => parseRunOrderBy(['attribute.run_id ACS']), "Invalid ordering key in order_by clause 'attribute.run_id ACS'.");
    rejects(() => parseRunOrderBy(['params.my_param ']), "Invalid order_by clause 'params.my_param '. Could not be parsed.");
    rejects(() => parseRunOrderBy(['metrics.a DESC NULLS LAST']), "Invalid order_by clause 'metrics.a DESC NULLS LAST'. Could not be parsed.");
    rejects(() => parseRunOrderBy(['`metrics.A`']), "Invalid entity type '`metrics'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']");
  });
});

describe('search: page tokens (compat §3.3)', () => {
  it("encodes base64 of Python's json.dumps({'offset': N})", () => {
    assert.equal(encodeOffsetToken(1000), Buffer.from('{"offset": 1000}').toString('base64'));
    assert.equal(encodeOffsetToken(1000), 'eyJvZmZzZXQiOiAxMDAwfQ==');
  });

  it('round-trips and treats an absent or empty token as the first page', () => {
    assert.equal(decodeOffsetToken(encodeOffsetToken(25)), 25);
    assert.equal(decodeOffsetToken(undefined), 0);
    assert.equal(decodeOffsetToken(''), 0);
    assert.equal(decodeOffsetToken(Buffer.from('{"offset":"7"}').toString('base64')), 7);
  });

  it('rejects malformed tokens with MLflow messages', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    rejects(() => decodeOffsetToken('abc'), 'Invalid page token, could not base64-decode');
    rejects(() => decodeOffsetToken('é'), 'Invalid page token, could not base64-decode');
    rejects(() => decodeOffsetToken(b64('hello')), "Invalid page token, decoded value=b'hello'");
    rejects(() => decodeOffsetToken(b64('{"foo": 1}')), "Invalid page token, parsed value={'foo': 1}");
    rejects(() => decodeOffsetToken(b64('[1]')), 'Invalid page token, parsed value=[1]');
    rejects(() => decodeOffsetToken(b64('{"offset": "abc"}')), 'Invalid page token, not stringable abc');
  });

  it('rejects a zero offset like MLflow (a zero offset counts as missing)', () => {
    rejects(() => decodeOffsetToken(encodeOffsetToken(0)), "Invalid page token, parsed value={'offset': 0}");
  });
});
