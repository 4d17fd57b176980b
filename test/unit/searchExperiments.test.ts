import assert from 'node:assert/strict';
import initSqlJs from 'sql.js';
import type { Database } from 'sql.js';
import { MlflowError } from '../../src/core/errors';
import { parseExperimentFilter, parseExperimentFilterComparisons, parseExperimentOrderBy } from '../../src/core/search/experimentFilter';
import { ExperimentSearchQueryOptions, buildExperimentSearchQuery } from '../../src/core/search/experimentSearchSql';

function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.errorCode, 'INVALID_PARAMETER_VALUE');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const STRING_COMPARATORS = "{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}";

describe('search: experiment filter and order_by (compat §3.5)', () => {
  it('parses attributes and tags into MLflow-shaped and typed clauses', () => {
    const filter = "name LIKE 'exp%' AND attribute.creation_time >= 10 AND tags.team = 'Core' AND tag.`a b` != \"x\"";
    assert.deepEqual(parseExperimentFilterComparisons(filter), [
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'exp%' },
      { type: 'attribute', key: 'creation_time', comparator: '>=', value: '10' },
      { type: 'tag', key: 'team', comparator: '=', value: 'Core' },
      { type: 'tag', key: 'a b', comparator: '!=', value: 'x' },
    ]);
    assert.deepEqual(parseExperimentFilter(filter), [
      { entity: 'stringAttribute', key: 'name', op: 'LIKE', value: 'exp%' },
      { entity: 'numericAttribute', key: 'creation_time', op: '>=', value: 10 },
      { entity: 'tag', key: 'team', op: '=', value: 'Core' },
      { entity: 'tag', key: 'a b', op: '!=', value: 'x' },
    ]);
  });

  it('allows only attribute / tag / tags prefixes', () => {
    for (const e of ['metrics', 'params', 'attr', 'attributes', 'Tags', '`tag`']) {
      rejects(() => parseExperimentFilter(`${e}.x = 'a'`), `Invalid entity type '${e}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
  });

  it('checks attribute keys and value types', () => {
    rejects(() => parseExperimentFilter("lifecycle_stage = 'active'"), /^Invalid attribute key 'lifecycle_stage' specified\. Valid keys are '\{'name', /);
    rejects(() => parseExperimentFilter("experiment_id = '1'"), /^Invalid attribute key 'experiment_id'/);
    rejects(() => parseExperimentFilter("creation_time > '5'"), "Expected numeric value type for numeric attribute: creation_time. Found '5'");
    rejects(() => parseExperimentFilter('name = x'), /^Parameter value is either not quoted/);
    rejects(() => parseExperimentFilter('tags.t = 5'), "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5");
    rejects(() => parseExperimentFilter("name IN ('a')"), "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    rejects(() => parseExperimentFilter("name = 'a' OR name = 'b'"), 'Invalid clause(s) in filter string: OR');
  });

  it('matches comparators as typed, like the SQL store', () => {
    rejects(() => parseExperimentFilter("name like 'a%'"), `Invalid comparator 'like' not one of '${STRING_COMPARATORS}'`);
    rejects(() => parseExperimentFilter("name < 'a'"), `Invalid comparator '<' not one of '${STRING_COMPARATORS}'`);
    rejects(() => parseExperimentFilter('creation_time LIKE 5'), `Invalid comparator 'LIKE' not one of '${STRING_COMPARATORS}`);
    rejects(() => parseExperimentFilter("tags.t > 'a'"), 'Invalid comparator for tag: >');
    rejects(() => parseExperimentFilter("tags.t ilike 'a'"), 'Invalid comparator for tag: ilike');
  });

  it('orders by default on creation_time DESC, experiment_id ASC, and appends experiment_id DESC otherwise', () => {
    assert.deepEqual(parseExperimentOrderBy(undefined), [
      { key: 'creation_time', ascending: false },
      { key: 'experiment_id', ascending: true },
    ]);
    assert.deepEqual(parseExperimentOrderBy(['name']), [
      { key: 'name', ascending: true },
      { key: 'experiment_id', ascending: false },
    ]);
    assert.deepEqual(parseExperimentOrderBy(['attribute.experiment_id DESC']), [{ key: 'experiment_id', ascending: false }]);
  });

  it('rejects tag and unknown order_by keys', () => {
    rejects(() => parseExperimentOrderBy(['tags.x']), 'Invalid order_by entity: tag');
    rejects(() => parseExperimentOrderBy(['artifact_location']), /^Invalid attribute key 'artifact_location' specified/);
    rejects(() => parseExperimentOrderBy(['name DESCENDING']), "Invalid ordering key in order_by clause 'name DESCENDING'.");
  });
});

describe('search: experiment SQL on sql.js', () => {
  let db: Database;

  before(async () => {
    const SQL = await initSqlJs();
    db = new SQL.Database();
    db.run(`
      CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL UNIQUE,
        artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT);
      CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), experiment_id INTEGER NOT NULL,
        PRIMARY KEY (key, experiment_id));
      INSERT INTO experiments VALUES (0, 'Default', 'a/0', 'active', 10, 10);
      INSERT INTO experiments VALUES (1, 'exp-a', 'a/1', 'active', 30, 40);
      INSERT INTO experiments VALUES (2, 'Exp-B', 'a/2', 'deleted', 20, 50);
      INSERT INTO experiments VALUES (3, 'exp_c', 'a/3', 'active', NULL, NULL);
      INSERT INTO experiments VALUES (4, 'exp-d', 'a/4', 'active', 30, 35);
      INSERT INTO experiments VALUES (5, '😀', 'a/5', 'deleted', 1, 1);
      INSERT INTO experiments VALUES (6, '\uffff', 'a/6', 'deleted', 1, 1);
      INSERT INTO experiment_tags VALUES ('team', 'Core', 1);
      INSERT INTO experiment_tags VALUES ('team', 'core', 3);
      INSERT INTO experiment_tags VALUES ('note', NULL, 4);
    `);
  });

  after(() => db.close());

  function ids(opts: Partial<ExperimentSearchQueryOptions>): number[] {
    const { sql, params } = buildExperimentSearchQuery({ viewType: 'ACTIVE_ONLY', offset: 0, limit: 100, ...opts });
    assert.match(sql, /^SELECT e\.experiment_id FROM experiments e WHERE .* LIMIT \? OFFSET \?$/);
    const result = db.exec(sql, params);
    return result.length ? result[0].values.map((row) => Number(row[0])) : [];
  }

  it('orders by creation_time DESC, experiment_id ASC by default', () => {
    assert.deepEqual(ids({}), [1, 4, 0, 3]);
    assert.deepEqual(ids({ viewType: 'DELETED_ONLY' }), [2, 5, 6]);
    assert.deepEqual(ids({ limit: 2, offset: 1 }), [4, 0]);
  });

  it('appends experiment_id DESC to a given order, strings by code point', () => {
    assert.deepEqual(ids({ orderBy: ['name'] }), [0, 1, 4, 3]);
    assert.deepEqual(ids({ orderBy: ['creation_time DESC'] }), [4, 1, 0, 3]);
    assert.deepEqual(ids({ orderBy: ['name DESC'], viewType: 'DELETED_ONLY' }), [5, 6, 2]);
  });

  it('filters on name with case-sensitive LIKE and case-insensitive ILIKE', () => {
    assert.deepEqual(ids({ filter: "name LIKE 'exp%'" }), [1, 4, 3]);
    assert.deepEqual(ids({ filter: "name LIKE 'exp_a'" }), [1]);
    assert.deepEqual(ids({ filter: "name ILIKE 'EXP%'", viewType: 'ALL' }), [1, 4, 2, 3]);
    assert.deepEqual(ids({ filter: "name != 'exp-a'" }), [4, 0, 3]);
  });

  it('filters on numeric attributes', () => {
    assert.deepEqual(ids({ filter: 'creation_time > 15' }), [1, 4]);
    assert.deepEqual(ids({ filter: 'last_update_time <= 35 AND creation_time >= 10' }), [4, 0]);
  });

  it('filters on tags; experiments without the tag (or with a NULL value) never match', () => {
    assert.deepEqual(ids({ filter: "tags.team = 'Core'" }), [1]);
    assert.deepEqual(ids({ filter: "tags.team ILIKE 'core'" }), [1, 3]);
    assert.deepEqual(ids({ filter: "tags.team != 'Core'" }), [3]);
    assert.deepEqual(ids({ filter: "tags.note != 'x'" }), []);
    assert.deepEqual(ids({ filter: "tags.Team = 'Core'" }), []);
  });
});
