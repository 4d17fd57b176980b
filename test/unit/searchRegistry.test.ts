import assert from 'node:assert/strict';
import initSqlJs from 'sql.js';
import type { Database } from 'sql.js';
import { MlflowError } from '../../src/core/errors';
import {
  buildModelVersionSearchQuery,
  parseModelVersionFilter,
  parseModelVersionFilterComparisons,
  parseModelVersionOrderBy,
} from '../../src/core/search/modelVersionSearch';
import {
  buildRegisteredModelSearchQuery,
  parseRegisteredModelFilter,
  parseRegisteredModelFilterComparisons,
  parseRegisteredModelOrderBy,
} from '../../src/core/search/registeredModelSearch';

function rejects(fn: () => unknown, message: string | RegExp, code = 'INVALID_PARAMETER_VALUE'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.errorCode, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const MV_ORDER_KEYS = "{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}";

describe('search: registered-model filter and order_by (compat §3.6)', () => {
  it('parses name and tag clauses with upper-cased comparators', () => {
    assert.deepEqual(parseRegisteredModelFilterComparisons("name like 'a%' AND tags.`k 1` ilike \"v\""), [
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'a%' },
      { type: 'tag', key: 'k 1', comparator: 'ILIKE', value: 'v' },
    ]);
    assert.deepEqual(parseRegisteredModelFilter("attribute.name != 'x' AND tag.t = 'y'"), {
      clauses: [
        { entity: 'attribute', key: 'name', op: '!=', value: 'x' },
        { entity: 'tag', key: 't', op: '=', value: 'y' },
      ],
      queryingPrompts: false,
    });
  });

  it('rejects other attributes, entities, unquoted values and bare keywords', () => {
    rejects(() => parseRegisteredModelFilter("run_id = 'x'"), "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'");
    rejects(() => parseRegisteredModelFilter("source_path = 'x'"), /^Invalid attribute key 'source_path' specified/);
    rejects(() => parseRegisteredModelFilter("\"name\" = 'x'"), `Invalid attribute key '"name"' specified. Valid keys are '{'name'}'`);
    rejects(() => parseRegisteredModelFilter("params.name = 'x'"), "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')");
    rejects(() => parseRegisteredModelFilter('name!=something'), /^Parameter value is either not quoted or unidentified quote types used for string value something\./);
    rejects(() => parseRegisteredModelFilter('evilhax = true'), 'Invalid clause(s) in filter string: evilhax, =, true');
    rejects(() => parseRegisteredModelFilter('name = 5'), 'Expected a quoted string value or a list of quoted string values for attributes. Got value 5');
    rejects(() => parseRegisteredModelFilter("name IN ('a')"), "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  });

  it('rejects comparators other than =, !=, LIKE, ILIKE', () => {
    rejects(() => parseRegisteredModelFilter("name > 'a'"), 'Invalid comparator for attribute: >');
    rejects(() => parseRegisteredModelFilter("name not like 'a'"), 'Invalid comparator for attribute: NOT LIKE');
    rejects(() => parseRegisteredModelFilter("tags.t <= 'a'"), 'Invalid comparator for tag: <=');
  });

  it('asks for prompts only via the first prompt-tag clause = true or != false', () => {
    const prompts = (f: string) => parseRegisteredModelFilter(f).queryingPrompts;
    assert.equal(prompts("tags.`mlflow.prompt.is_prompt` = 'true'"), true);
    assert.equal(prompts("tags.`mlflow.prompt.is_prompt` = 'TRUE'"), true);
    assert.equal(prompts("tags.`mlflow.prompt.is_prompt` != 'false'"), true);
    assert.equal(prompts("tags.`mlflow.prompt.is_prompt` = 'false'"), false);
    assert.equal(prompts("tags.`mlflow.prompt.is_prompt` = 'false' AND tags.`mlflow.prompt.is_prompt` = 'true'"), false);
    assert.equal(prompts("name = 'x'"), false);
  });

  it('orders by name, timestamp or last_updated_timestamp, then name ASC', () => {
    assert.deepEqual(parseRegisteredModelOrderBy(undefined), [{ column: 'name', ascending: true }]);
    assert.deepEqual(parseRegisteredModelOrderBy(['timestamp DESC']), [
      { column: 'last_updated_time', ascending: false },
      { column: 'name', ascending: true },
    ]);
    assert.deepEqual(parseRegisteredModelOrderBy(['name DESC', 'last_updated_timestamp']), [
      { column: 'name', ascending: false },
      { column: 'last_updated_time', ascending: true },
    ]);
  });

  it('rejects other order keys and duplicate fields', () => {
    rejects(() => parseRegisteredModelOrderBy(['creation_timestamp']), "Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'");
    rejects(() => parseRegisteredModelOrderBy(['attribute.name']), /^Invalid order by key 'attribute\.name'/);
    rejects(() => parseRegisteredModelOrderBy(['TIMESTAMP']), "Invalid order_by clause 'TIMESTAMP'. Could not be parsed.");
    rejects(() => parseRegisteredModelOrderBy(['name aCs']), "Invalid ordering key in order_by clause 'name aCs'.");
    rejects(() => parseRegisteredModelOrderBy(['timestamp ACS']), "Invalid order_by clause 'timestamp ACS'. Could not be parsed.");
    rejects(
      () => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp DESC'], { rejectDuplicates: true }),
      "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp DESC']",
      'INTERNAL_ERROR',
    );
  });

  it('checks order_by before the comparators of the filter, as the SQL store does', () => {
    rejects(
      () => buildRegisteredModelSearchQuery({ filter: "name > 'x'", orderBy: ['name', 'name'], offset: 0, limit: 10 }),
      "`order_by` contains duplicate fields: ['name', 'name']",
      'INTERNAL_ERROR',
    );
    rejects(() => buildRegisteredModelSearchQuery({ filter: "name > 'x'", offset: 0, limit: 10 }), 'Invalid comparator for attribute: >');
  });
});

describe('search: model-version filter and order_by (compat §3.7)', () => {
  it('parses string, numeric, list and tag clauses', () => {
    assert.deepEqual(
      parseModelVersionFilterComparisons("name = 'm' AND version_number >= 2 AND run_id in ('ab', 'CD') AND source_path LIKE 's3://%' AND tags.t = 'x'"),
      [
        { type: 'attribute', key: 'name', comparator: '=', value: 'm' },
        { type: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
        { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['ab'] },
        { type: 'attribute', key: 'source_path', comparator: 'LIKE', value: 's3://%' },
        { type: 'tag', key: 't', comparator: '=', value: 'x' },
      ],
    );
    assert.deepEqual(parseModelVersionFilter('version_number = 1.5e1').clauses, [
      { entity: 'numericAttribute', key: 'version_number', op: '=', value: 15 },
    ]);
  });

  it('rejects MLflow edge cases with its messages', () => {
    rejects(() => parseModelVersionFilter("name IN ('a')"), "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    rejects(() => parseModelVersionFilter("run_id NOT IN ('a')"), 'Invalid comparator for attribute: NOT IN');
    rejects(() => parseModelVersionFilter("source_path > 'a'"), 'Invalid comparator for attribute: >');
    rejects(() => parseModelVersionFilter('version_number LIKE 1'), 'Invalid comparator for attribute version_number: LIKE');
    rejects(
      () => parseModelVersionFilter('name = 5'),
      "Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.",
    );
    rejects(() => parseModelVersionFilter("creation_timestamp > 5"), /^Invalid attribute key 'creation_timestamp' specified/);
    rejects(() => parseModelVersionFilter("tags.t IN ('a')"), "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')");
  });

  it('orders by default last_updated_timestamp DESC, name ASC, version_number DESC and appends tie-breakers', () => {
    assert.deepEqual(parseModelVersionOrderBy([]), [
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ]);
    assert.deepEqual(parseModelVersionOrderBy(['creation_timestamp']), [
      { key: 'creation_timestamp', ascending: true },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ]);
    assert.deepEqual(parseModelVersionOrderBy(['version_number ASC', 'name DESC']), [
      { key: 'version_number', ascending: true },
      { key: 'name', ascending: false },
    ]);
  });

  it('rejects unknown and duplicate order keys', () => {
    rejects(() => parseModelVersionOrderBy(['run_id']), /^Invalid attribute key 'run_id' specified\. Valid keys are '\{'name', /);
    rejects(() => parseModelVersionOrderBy(['tags.x']), `Invalid order by key 'x' specified. Valid keys are ${MV_ORDER_KEYS}`);
    rejects(() => parseModelVersionOrderBy(['name', 'name DESC'], { rejectDuplicates: true }), "`order_by` contains duplicate fields: ['name', 'name DESC']", 'INTERNAL_ERROR');
    rejects(
      () => buildModelVersionSearchQuery({ filter: "tags.t > 'x'", orderBy: ['version_number', 'version_number DESC'], offset: 0, limit: 10 }),
      "`order_by` contains duplicate fields: ['version_number', 'version_number DESC']",
      'INTERNAL_ERROR',
    );
    assert.equal(parseModelVersionOrderBy(['name', 'name DESC']).length, 3);
  });
});

describe('search: registry SQL on sql.js', () => {
  let db: Database;

  before(async () => {
    const SQL = await initSqlJs();
    db = new SQL.Database();
    db.run(`
      CREATE TABLE registered_models (name VARCHAR(256) NOT NULL PRIMARY KEY, creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000));
      CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL, PRIMARY KEY (key, name));
      CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT, last_updated_time BIGINT,
        description VARCHAR(5000), user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500), run_id VARCHAR(32),
        status VARCHAR(20), status_message VARCHAR(500), run_link VARCHAR(500), storage_location VARCHAR(500), PRIMARY KEY (name, version));
      CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value TEXT, name VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
        PRIMARY KEY (key, name, version));

      INSERT INTO registered_models VALUES ('alpha', 1, 300, NULL), ('Beta', 2, 100, NULL), ('gamma', 3, 200, NULL),
        ('prompt1', 4, 400, NULL), ('delta', 5, 200, NULL);
      INSERT INTO registered_model_tags VALUES ('team', 'ml', 'gamma'), ('mlflow.prompt.is_prompt', 'true', 'prompt1'),
        ('mlflow.prompt.is_prompt', 'false', 'delta');

      INSERT INTO model_versions (name, version, creation_time, last_updated_time, current_stage, source, run_id) VALUES
        ('alpha', 1, 10, 100, 'None', 's3://a/1', 'r1'),
        ('alpha', 2, 20, 300, 'Production', 's3://a/2', 'r2'),
        ('alpha', 3, 30, 300, 'Deleted_Internal', 'REDACTED-SOURCE-PATH', 'REDACTED-RUN-ID'),
        ('Beta', 1, 5, 300, 'None', 'file:///b', 'r1'),
        ('prompt1', 1, 40, 500, 'None', 's3://p/1', NULL);
      INSERT INTO model_version_tags VALUES ('env', 'prod', 'alpha', 2), ('mlflow.prompt.is_prompt', 'true', 'prompt1', 1);
    `);
  });

  after(() => db.close());

  function models(filter?: string, orderBy?: string[]): string[] {
    const { sql, params } = buildRegisteredModelSearchQuery({ filter, orderBy, offset: 0, limit: 100 });
    assert.match(sql, /^SELECT rm\.name FROM registered_models rm WHERE .* LIMIT \? OFFSET \?$/);
    const result = db.exec(sql, params);
    return result.length ? result[0].values.map((row) => String(row[0])) : [];
  }

  function versions(filter?: string, orderBy?: string[], offset = 0, limit = 100): string[] {
    const { sql, params } = buildModelVersionSearchQuery({ filter, orderBy, offset, limit });
    const result = db.exec(sql, params);
    return result.length ? result[0].values.map((row) => `${row[0]}/${row[1]}`) : [];
  }

  it('lists registered models by name (code point order), prompts hidden', () => {
    assert.deepEqual(models(), ['Beta', 'alpha', 'delta', 'gamma']);
    assert.deepEqual(models(undefined, ['timestamp DESC']), ['alpha', 'delta', 'gamma', 'Beta']);
    assert.deepEqual(models(undefined, ['name DESC']), ['gamma', 'delta', 'alpha', 'Beta']);
  });

  it('filters registered models by name and tags', () => {
    assert.deepEqual(models("name LIKE 'a%'"), ['alpha']);
    assert.deepEqual(models("name LIKE 'A%'"), []);
    assert.deepEqual(models("name ILIKE 'A%'"), ['alpha']);
    assert.deepEqual(models("name != 'alpha'"), ['Beta', 'delta', 'gamma']);
    assert.deepEqual(models("tags.team = 'ml'"), ['gamma']);
    assert.deepEqual(models("tags.team != 'x'"), ['gamma']);
    assert.deepEqual(models("tags.team LIKE 'm%' AND tags.team ILIKE '%L'"), ['gamma']);
  });

  it('returns prompts only when the filter asks for them', () => {
    assert.deepEqual(models("tags.`mlflow.prompt.is_prompt` = 'true'"), ['prompt1']);
    assert.deepEqual(models("tags.`mlflow.prompt.is_prompt` != 'false'"), ['prompt1']);
    assert.deepEqual(models("tags.`mlflow.prompt.is_prompt` = 'false'"), ['Beta', 'alpha', 'delta', 'gamma']);
    assert.deepEqual(models("tags.`mlflow.prompt.is_prompt` = 'TRUE'"), []);
  });

  it('lists model versions newest first, deleted versions and prompts excluded', () => {
    assert.deepEqual(versions(), ['Beta/1', 'alpha/2', 'alpha/1']);
    assert.deepEqual(versions(undefined, undefined, 1, 1), ['alpha/2']);
    assert.deepEqual(versions(undefined, ['version_number ASC']), ['Beta/1', 'alpha/1', 'alpha/2']);
    assert.deepEqual(versions(undefined, ['creation_timestamp DESC']), ['alpha/2', 'alpha/1', 'Beta/1']);
    assert.deepEqual(versions("tags.`mlflow.prompt.is_prompt` = 'true'"), ['prompt1/1']);
  });

  it('filters model versions by attributes and tags', () => {
    assert.deepEqual(versions("name = 'alpha'"), ['alpha/2', 'alpha/1']);
    assert.deepEqual(versions('version_number > 1'), ['alpha/2']);
    assert.deepEqual(versions("version_number = '2'"), ['alpha/2']);
    assert.deepEqual(versions("run_id IN ('r1', 'R2')"), ['Beta/1', 'alpha/1']);
    assert.deepEqual(versions("run_id IN ('R2')"), []);
    assert.deepEqual(versions("source_path LIKE 's3://%'"), ['alpha/2', 'alpha/1']);
    assert.deepEqual(versions("source_path = 'REDACTED-SOURCE-PATH'"), []);
    assert.deepEqual(versions("tags.env = 'prod'"), ['alpha/2']);
    assert.deepEqual(versions("tags.env != 'dev'"), ['alpha/2']);
  });
});
