import assert from 'node:assert/strict';
import type { Run } from '../../src/core/entities';
import { compareCodePoints, likeRegExp, matchString } from '../../src/core/search/predicates';
import { parseRunFilter } from '../../src/core/search/runFilter';
import { SearchableRun, runMatchesClauses, searchRunsInMemory, searchableRunFromEntity } from '../../src/core/search/runEvaluator';
import { likeToGlob } from '../../src/core/search/sqlPredicates';

function run(id: string, start: number | null, metrics: Record<string, number> = {}, tags: Record<string, string> = {}): SearchableRun {
  return { info: { run_id: id, start_time: start }, metrics, params: {}, tags };
}

describe('search: LIKE, ILIKE and string order helpers', () => {
  it('translates LIKE to GLOB, escaping GLOB metacharacters as classes', () => {
    assert.equal(likeToGlob('a%b_c'), 'a*b?c');
    assert.equal(likeToGlob('*?[]'), '[*][?][[]]');
    assert.equal(likeToGlob('100%'), '100*');
  });

  it('matches LIKE on the whole value, case-sensitively, with regex characters literal', () => {
    assert.ok(likeRegExp('a.c').test('a.c'));
    assert.ok(!likeRegExp('a.c').test('abc'));
    assert.ok(likeRegExp('%(x)%').test('f(x)=1'));
    assert.ok(likeRegExp('_é_').test('xéy'));
    assert.ok(likeRegExp('_').test('😀'));
    assert.ok(!likeRegExp('abc').test('xabcx'));
    assert.ok(!likeRegExp('A%').test('abc'));
    assert.ok(likeRegExp('a\nb%').test('a\nbc'));
  });

  it('folds only ASCII letters for ILIKE, like SQLite lower()', () => {
    assert.ok(matchString('ABC', { op: 'ILIKE', value: 'a%' }));
    assert.ok(!matchString('É', { op: 'ILIKE', value: 'é' }));
    assert.ok(!matchString(undefined, { op: '!=', value: 'x' }));
    assert.ok(matchString('b', { op: 'NOT IN', value: ['a'] }));
  });

  it('compares by code point (astral characters after U+FFFF)', () => {
    assert.ok(compareCodePoints('Abc', 'Default') < 0);
    assert.ok(compareCodePoints('Default', 'a') < 0);
    assert.ok(compareCodePoints('a', 'ab') < 0);
    assert.ok(compareCodePoints('\uffff', '😀') < 0); // UTF-16 order would say the opposite
    assert.equal(compareCodePoints('x', 'x'), 0);
  });
});

describe('search: in-memory run evaluator', () => {
  it('compares NaN metrics as 0 by default (SQL store) or as NaN on request (FileStore)', () => {
    const r = run('a', 1, { m: NaN });
    assert.ok(runMatchesClauses(r, parseRunFilter('metrics.m = 0')));
    assert.ok(!runMatchesClauses(r, parseRunFilter('metrics.m = 0'), { metricNaN: 'nan' }));
    assert.ok(runMatchesClauses(r, parseRunFilter('metrics.m != 0'), { metricNaN: 'nan' }));
    assert.ok(!runMatchesClauses(r, parseRunFilter('metrics.m > -1'), { metricNaN: 'nan' }));
  });

  it('sorts NaN after numbers and before missing, in both directions', () => {
    const runs = [run('nan', 1, { m: NaN }), run('none', 1), run('lo', 1, { m: -Infinity }), run('hi', 1, { m: 3 })];
    const ids = (orderBy: string[]) => searchRunsInMemory(runs, { orderBy }).map((r) => r.info.run_id);
    assert.deepEqual(ids(['metrics.m ASC']), ['lo', 'hi', 'nan', 'none']);
    assert.deepEqual(ids(['metrics.m DESC']), ['hi', 'lo', 'nan', 'none']);
  });

  it('treats a missing lifecycle stage as active and leaves scoping out without experiment ids', () => {
    const runs = [run('b', 5), run('a', 5), { ...run('d', 9), info: { run_id: 'd', start_time: 9, lifecycle_stage: 'deleted' } }];
    assert.deepEqual(searchRunsInMemory(runs).map((r) => r.info.run_id), ['a', 'b']);
    assert.deepEqual(searchRunsInMemory(runs, { viewType: 'ALL', offset: 1, limit: 1 }).map((r) => r.info.run_id), ['a']);
    assert.deepEqual(searchRunsInMemory(runs, { experimentIds: ['0'] }), []);
  });

  it('adapts REST-shaped runs', () => {
    const entity: Run = {
      info: {
        run_id: 'r1', run_uuid: 'r1', run_name: 'n', experiment_id: '0', user_id: 'u', status: 'FINISHED',
        start_time: 1, artifact_uri: 'x', lifecycle_stage: 'active',
      },
      data: { metrics: [{ key: 'acc', value: 0.5, timestamp: 1, step: 0 }], params: [{ key: 'p', value: 'v' }], tags: [{ key: 'mlflow.runName', value: 'n' }] },
      inputs: { dataset_inputs: [{ dataset: { name: 'd', digest: 'g', source_type: 's', source: 's' }, tags: [{ key: 'mlflow.data.context', value: 'train' }] }] },
    };
    const r = searchableRunFromEntity(entity);
    assert.ok(runMatchesClauses(r, parseRunFilter("metrics.acc = 0.5 AND params.p = 'v' AND run_name = 'n' AND dataset.context = 'train'")));
    assert.deepEqual(searchRunsInMemory([r], { experimentIds: ['0'], filter: "dataset.digest = 'g'" }).length, 1);
  });
});
