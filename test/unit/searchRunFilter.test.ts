import assert from 'node:assert/strict';
import { MlflowError } from '../../src/core/errors';
import { parseRunFilter, parseRunFilterComparisons } from '../../src/core/search/runFilter';

function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.errorCode, 'INVALID_PARAMETER_VALUE');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const raw = parseRunFilterComparisons;

describe('search: run filter grammar (compat §3.1)', () => {
  describe('conjunction', () => {
    it('parses clauses joined by AND in any case', () => {
      assert.deepEqual(raw("metrics.acc > 0.9 and params.lr = '0.1' AnD tags.t != 'x'"), [
        { type: 'metric', key: 'acc', comparator: '>', value: '0.9' },
        { type: 'parameter', key: 'lr', comparator: '=', value: '0.1' },
        { type: 'tag', key: 't', comparator: '!=', value: 'x' },
      ]);
    });

    it('tolerates stray ANDs', () => {
      const one = [{ type: 'metric', key: 'a', comparator: '>', value: '1' }];
      assert.deepEqual(raw('AND metrics.a > 1'), one);
      assert.deepEqual(raw('metrics.a > 1 AND'), one);
      assert.deepEqual(raw('AND AND metrics.a > 1 AND AND'), one);
      assert.equal(raw('metrics.a > 1 AND AND metrics.b < 2').length, 2);
    });

    it('treats an empty or absent filter as no clauses, and rejects a whitespace-only one', () => {
      assert.deepEqual(raw(''), []);
      assert.deepEqual(raw(undefined), []);
      assert.deepEqual(raw(null), []);
      rejects(() => raw('   \t\n'), "Invalid filter '   \t\n'. Could not be parsed.");
    });

    it('accepts no whitespace around comparators and newlines between clauses', () => {
      assert.deepEqual(raw("metrics.a>=1\nAND\tparams.p='x'"), [
        { type: 'metric', key: 'a', comparator: '>=', value: '1' },
        { type: 'parameter', key: 'p', comparator: '=', value: 'x' },
      ]);
    });

    it('rejects OR, NOT, parentheses, IS NULL, BETWEEN, && and comments', () => {
      rejects(() => raw('metrics.a > 1 OR metrics.b < 2'), "Invalid clause(s) in filter string: 'OR'");
      rejects(() => raw('(metrics.a > 1)'), "Invalid clause(s) in filter string: '(metrics.a > 1)'");
      rejects(() => raw('metrics.a IS NULL'), "Invalid clause(s) in filter string: 'metrics.a', 'IS', 'NULL'");
      rejects(() => raw('metrics.a BETWEEN 1 AND 2'), /^Invalid clause\(s\) in filter string: 'metrics\.a', 'BETWEEN'/);
      rejects(() => raw("NOT params.a = 'x'"), /^Invalid clause\(s\) in filter string: 'NOT'/);
      rejects(() => raw('metrics.a > 1 && metrics.b > 2'), "Invalid comparison clause. Expected 'Identifier' found 'metrics.a > 1 && metrics.b'");
      rejects(() => raw('metrics.a > 1 || metrics.b > 2'), "Invalid comparison clause. Expected 'Identifier' found 'metrics.a > 1 || metrics.b'");
      rejects(() => raw('metrics.a > 1 -- note'), "Invalid clause(s) in filter string: '-- note'");
      rejects(() => raw('metrics.a > 1 /* c */'), "Invalid clause(s) in filter string: '/* c */'");
      rejects(() => raw('metrics.a >'), "Invalid clause(s) in filter string: 'metrics.a', '>'");
    });

    it('rejects a second statement after a semicolon, and a trailing semicolon as a clause', () => {
      rejects(
        () => raw('metrics.a > 1; metrics.b < 2'),
        "Search filter contained multiple expression 'metrics.a > 1; metrics.b < 2'. Provide AND-ed expression list.",
      );
      rejects(() => raw('metrics.a > 1;'), "Invalid clause(s) in filter string: ';'");
    });

    it('rejects a comparison whose left side is a literal', () => {
      rejects(() => raw("'a' = 'b'"), "Invalid comparison clause. Expected 'Identifier' found ''a''");
    });
  });

  describe('entities and keys', () => {
    it('maps every entity spelling', () => {
      const types = ['metric.a > 1', 'metrics.a > 1'].map((f) => raw(f)[0].type);
      assert.deepEqual(types, ['metric', 'metric']);
      for (const p of ['param', 'params', 'parameter', 'parameters']) assert.equal(raw(`${p}.a = 'x'`)[0].type, 'parameter');
      for (const p of ['tag', 'tags']) assert.equal(raw(`${p}.a = 'x'`)[0].type, 'tag');
      for (const p of ['attribute', 'attributes', 'attr', 'run']) assert.equal(raw(`${p}.status = 'x'`)[0].type, 'attribute');
      for (const p of ['dataset', 'datasets']) assert.equal(raw(`${p}.name = 'x'`)[0].type, 'dataset');
      assert.deepEqual(raw("status = 'FINISHED'"), [{ type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' }]);
    });

    it('accepts a backtick-quoted entity', () => {
      assert.deepEqual(raw('`metric`.a > 1'), [{ type: 'metric', key: 'a', comparator: '>', value: '1' }]);
    });

    it('rejects entity prefixes that are not lower-case spellings', () => {
      const msg = (e: string) => `Invalid entity type '${e}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`;
      rejects(() => raw('Metrics.a > 1'), msg('Metrics'));
      rejects(() => raw('METRICS.a > 1'), msg('METRICS'));
      rejects(() => raw('m.a > 1'), msg('m'));
      rejects(() => raw("p.a = 'x'"), msg('p'));
    });

    it('reads dotted bare keys and quoted keys without unescaping', () => {
      assert.equal(raw("tags.mlflow.runName = 'x'")[0].key, 'mlflow.runName');
      assert.equal(raw('metrics."X-Y-Z" > 1')[0].key, 'X-Y-Z');
      assert.equal(raw('metrics.`spacey name` > 1')[0].key, 'spacey name');
      assert.equal(raw(`params."p.a.r.a.m" = 'x'`)[0].key, 'p.a.r.a.m');
      assert.equal(raw('metrics."a""b" > 1')[0].key, 'a""b');
      assert.equal(raw('metrics.1abc > 1')[0].key, '1abc');
      assert.equal(raw('metrics.précision > 1')[0].key, 'précision');
      assert.equal(raw("params.select = 'x'")[0].key, 'select');
      assert.equal(raw("tags.`mlflow.prompt.is_prompt` = 'x'")[0].key, 'mlflow.prompt.is_prompt');
    });

    it('breaks on keys that need quoting, with MLflow messages', () => {
      rejects(() => raw("params.in = 'x'"), "Invalid clause(s) in filter string: 'params.', 'in', '=', ''x''");
      rejects(() => raw("in = 'x'"), "Invalid clause(s) in filter string: 'in', '=', ''x''");
      rejects(() => raw("params.a-b = 'x'"), "Invalid comparison clause. Expected 'Identifier' found 'params.a-b'");
      rejects(() => raw('metrics.a/b > 1'), "Invalid comparison clause. Expected 'Identifier' found 'metrics.a/b'");
      rejects(() => raw('metrics.a-1 > 2'), "Invalid clause(s) in filter string: 'metrics.a'");
      rejects(() => raw("params.a b = 'x'"), "Invalid clause(s) in filter string: 'params.a'");
      rejects(() => raw("params.a$b = 'x'"), "Invalid clause(s) in filter string: 'params.a', '$'");
    });

    it('reads spaces around the dot as part of the entity or key', () => {
      const entity = "Invalid entity type 'metrics '. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']";
      rejects(() => raw('metrics . a > 1'), entity);
      rejects(() => raw('metrics .a > 1'), entity);
      assert.deepEqual(raw('metrics. a > 1'), [{ type: 'metric', key: ' a', comparator: '>', value: '1' }]);
    });

    it('rejects a value or literal on the left of a comparison', () => {
      rejects(() => raw("'x' = metrics.a"), "Invalid comparison clause. Expected 'Identifier' found ''x''");
      rejects(() => raw('1 = metrics.a'), "Invalid comparison clause. Expected 'Identifier' found '1'");
      rejects(() => raw('metrics.a = metrics.b'), 'Expected numeric value type for metric. Found metrics.b');
    });

    it('checks attribute keys, including the aliases', () => {
      assert.equal(raw('created > 1')[0].key, 'created');
      assert.equal(raw('Created > 1')[0].key, 'Created');
      assert.equal(raw("`run name` = 'x'")[0].key, 'run name');
      assert.equal(raw("attributes.`Run Name` = 'x'")[0].key, 'Run Name');
      for (const bad of ['experiment_id', 'lifecycle_stage', 'name', 'Status']) {
        rejects(() => raw(`${bad} = 'x'`), new RegExp(`^Invalid attribute key '${bad}' specified\\. Valid keys are '\\{'run_id', `));
      }
    });

    it('checks dataset keys', () => {
      rejects(() => raw("dataset.source = 'x'"), "Invalid dataset key 'source' specified. Valid keys are '{'name', 'digest', 'context'}'");
    });
  });

  describe('values', () => {
    it('keeps number literals as text for metrics and numeric attributes', () => {
      const values = ['5', '-1', '0.94', '.5', '5.', '1e3', '1.5E-3', '-1e-3'].map((v) => raw(`metrics.a > ${v}`)[0].value);
      assert.deepEqual(values, ['5', '-1', '0.94', '.5', '5.', '1e3', '1.5E-3', '-1e-3']);
      assert.equal(raw('start_time >= 1700000000000')[0].value, '1700000000000');
    });

    it('rejects non-numbers for metrics and numeric attributes', () => {
      for (const v of ['1E+3', "'1'", '"1"', 'abc']) {
        rejects(() => raw(`metrics.a > ${v}`), `Expected numeric value type for metric. Found ${v}`);
      }
      // A sign apart from its digits, a plus sign or a hex number is no value token at all.
      rejects(() => raw('metrics.a > +1'), "Invalid clause(s) in filter string: 'metrics.a', '>', '+', '1'");
      rejects(() => raw('metrics.a > - 1'), "Invalid clause(s) in filter string: 'metrics.a', '>', '-', '1'");
      rejects(() => raw('metrics.a > 0x1F'), "Invalid clause(s) in filter string: 'metrics.a', '>', '0x1F'");
      assert.equal(raw('metrics.a>-1.5e-3')[0].value, '-1.5e-3');
      rejects(() => raw("created > '5'"), "Expected numeric value type for numeric attribute: created. Found '5'");
    });

    it('strips outer quotes of strings and changes nothing else', () => {
      assert.equal(raw("params.a = 'it''s'")[0].value, "it''s");
      assert.equal(raw(`params.a = "L'Hosp"`)[0].value, "L'Hosp");
      assert.equal(raw("params.a = 'a\\'b'")[0].value, "a\\'b");
      assert.equal(raw("params.a = ''")[0].value, '');
      assert.equal(raw("params.a='x'AND params.b='y'").length, 2);
    });

    it('rejects unquoted, backtick-quoted and numeric string values', () => {
      const notQuoted = (v: string) =>
        `Parameter value is either not quoted or unidentified quote types used for string value ${v}. Use either single or double quotes.`;
      rejects(() => raw('params.a = abc'), notQuoted('abc'));
      rejects(() => raw('tags.a = `abc`'), notQuoted('`abc`'));
      rejects(() => raw('status = RUNNING'), notQuoted('RUNNING'));
      rejects(() => raw('dataset.name = mnist'), notQuoted('mnist'));
      rejects(() => raw('params.a = 5'), "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 5");
      rejects(() => raw('tags.a = 5'), "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5");
      rejects(() => raw('status = 5'), 'Expected a quoted string value for attributes. Got value 5');
      rejects(() => raw('dataset.name = 5'), 'Expected a quoted string value for dataset attributes. Got value 5');
      rejects(() => raw('params.a = true'), "Invalid clause(s) in filter string: 'params.a', '=', 'true'");
    });

    it('reads IN / NOT IN lists for run_id and datasets, dropping run ids with upper-case letters', () => {
      assert.deepEqual(raw("run_id IN ('abc', \"d1\", 'DEF', 'aB1')"), [
        { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['abc', 'd1'] },
      ]);
      assert.deepEqual(raw("run_id in ('abc')")[0].comparator, 'in');
      assert.deepEqual(raw("run_id not in ('abc',)"), [{ type: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['abc'] }]);
      assert.deepEqual(raw("dataset.digest IN('x1','y2')")[0].value, ['x1', 'y2']);
    });

    it('rejects malformed lists and lists on other keys', () => {
      rejects(() => raw('run_id IN ()'), 'While parsing a list in the query, expected a non-empty list of string values, but got empty list');
      rejects(
        () => raw('run_id IN (1, 2)'),
        'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (1, 2)',
      );
      rejects(() => raw("run_id IN ('a',, 'b')"), 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.');
      rejects(() => raw("status IN ('a')"), "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
      rejects(() => raw("params.a IN ('a')"), "Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('a')");
      rejects(() => raw("run_id IN 'a'"), /^Invalid clause\(s\) in filter string: 'run_id', 'IN'/);
    });
  });

  describe('comparators', () => {
    it('keeps the comparator as typed in the raw form and upper-cases it in typed clauses', () => {
      assert.equal(raw("params.a like 'x%'")[0].comparator, 'like');
      assert.deepEqual(parseRunFilter("params.a like 'x%' AND tags.t IlIkE 'Y'"), [
        { entity: 'param', key: 'a', op: 'LIKE', value: 'x%' },
        { entity: 'tag', key: 't', op: 'ILIKE', value: 'Y' },
      ]);
    });

    it('builds typed clauses with aliases resolved and numbers converted', () => {
      assert.deepEqual(
        parseRunFilter("metrics.acc >= 0.5 AND created < 1e3 AND `Run name` = 'r' AND run_id NOT IN ('ab') AND dataset.context = 'eval'"),
        [
          { entity: 'metric', key: 'acc', op: '>=', value: 0.5 },
          { entity: 'numericAttribute', key: 'start_time', op: '<', value: 1000 },
          { entity: 'stringAttribute', key: 'run_name', op: '=', value: 'r' },
          { entity: 'stringAttribute', key: 'run_id', op: 'NOT IN', value: ['ab'] },
          { entity: 'dataset', key: 'context', op: '=', value: 'eval' },
        ],
      );
    });

    it('rejects comparators an entity does not allow, with MLflow messages', () => {
      rejects(() => parseRunFilter('metrics.a == 1'), "Invalid comparator '==' not one of '{'>', '>=', '!=', '=', '<', '<='}");
      rejects(() => parseRunFilter('metrics.a <> 1'), "Invalid comparator '<>' not one of '{'>', '>=', '!=', '=', '<', '<='}");
      rejects(() => parseRunFilter('metrics.a LIKE 1'), "Invalid comparator 'LIKE' not one of '{'>', '>=', '!=', '=', '<', '<='}");
      rejects(() => parseRunFilter("params.a NOT LIKE 'x'"), "Invalid comparator 'NOT LIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE'}'");
      rejects(() => parseRunFilter("params.a > 'x'"), "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE'}'");
      rejects(() => parseRunFilter("tags.a rlike 'x'"), "Invalid comparator 'RLIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE'}");
      rejects(() => parseRunFilter("tags.a REGEXP 'x'"), "Invalid comparator 'REGEXP' not one of '{'!=', '=', 'LIKE', 'ILIKE'}");
      rejects(() => parseRunFilter("status < 'x'"), "Invalid comparator '<' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'");
      rejects(() => parseRunFilter('end_time ~ 5'), "Invalid comparator '~' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}");
      rejects(() => parseRunFilter("dataset.name >= 'x'"), "Invalid comparator '>=' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}");
    });

    it('reports parse errors before comparator errors', () => {
      rejects(() => parseRunFilter("metrics.a == 1 AND params.b = c"), /^Parameter value is either not quoted/);
    });
  });
});
