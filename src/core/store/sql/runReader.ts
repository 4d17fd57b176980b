import type { DatasetInput, KeyValue, Metric, Run, RunInputs, RunOutputs } from '../../entities';
import { MlflowError } from '../../errors';
import type { SqlDatabase, SqlReader } from '../db/database';
import { placeholders, RUN_COLUMNS, RunRow, toRunInfo } from './rows';

/** Reads whole runs (info, latest metrics, params, tags, inputs) for a list of run ids at once. */
export class RunReader {
  constructor(private readonly db: SqlDatabase) {}

  row(runId: string, s: SqlReader = this.db): Promise<RunRow | undefined> {
    return s.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ?`, [runId]);
  }

  async require(runId: string, s: SqlReader = this.db): Promise<RunRow> {
    const row = await this.row(runId, s);
    if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`);
    return row;
  }

  /** The run row, or MLflow's error when it is missing or deleted. */
  async requireActive(runId: string, s: SqlReader = this.db): Promise<RunRow> {
    const row = await this.require(runId, s);
    if (row.lifecycle_stage !== 'active') {
      throw MlflowError.invalidParameter(
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  /** Runs for the given ids, in the order given; ids that do not exist are skipped. */
  async runs(runIds: string[], withOutputs = false): Promise<Run[]> {
    if (runIds.length === 0) return [];
    const list = placeholders(runIds.length);
    const rows = await this.db.all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid IN (${list})`, runIds);
    const byId = new Map(rows.map((r) => [r.run_uuid, r]));
    const tags = await this.keyValues(`SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (${list}) ORDER BY rowid`, runIds);
    const params = await this.keyValues(`SELECT run_uuid, key, value FROM params WHERE run_uuid IN (${list}) ORDER BY rowid`, runIds);
    const metrics = await this.latestMetrics(runIds, list);
    const inputs = await this.inputs(runIds, list);
    const runs: Run[] = [];
    for (const id of runIds) {
      const row = byId.get(id);
      if (!row) continue;
      const data: Run['data'] = {};
      const m = metrics.get(id);
      const p = params.get(id);
      const t = tags.get(id);
      if (m) data.metrics = m;
      if (p) data.params = p;
      if (t) data.tags = t;
      const run: Run = { info: toRunInfo(row), data, inputs: inputs.get(id) ?? {} };
      if (withOutputs) run.outputs = await this.outputs(id);
      runs.push(run);
    }
    return runs;
  }

  async get(runId: string): Promise<Run> {
    await this.require(runId);
    return (await this.runs([runId], true))[0];
  }

  private async outputs(runId: string): Promise<RunOutputs> {
    const rows = await this.db.all<{ model_id: string; step: number }>(
      "SELECT destination_id AS model_id, step FROM inputs WHERE source_type = 'RUN_OUTPUT' AND source_id = ? AND destination_type = 'MODEL_OUTPUT' ORDER BY rowid",
      [runId],
    );
    return rows.length ? { model_outputs: rows.map(({ model_id, step }) => ({ model_id, step })) } : {};
  }

  private async keyValues(sql: string, runIds: string[]): Promise<Map<string, KeyValue[]>> {
    const byRun = new Map<string, KeyValue[]>();
    for (const { run_uuid: runId, key, value } of await this.db.all<{ run_uuid: string; key: string; value: string | null }>(sql, runIds)) {
      let list = byRun.get(runId);
      if (!list) byRun.set(runId, (list = []));
      list.push({ key, value: value ?? '' });
    }
    return byRun;
  }

  private async latestMetrics(runIds: string[], list: string): Promise<Map<string, Metric[]>> {
    const byRun = new Map<string, Metric[]>();
    const rows = await this.db.all<{ run_uuid: string; key: string; value: number; timestamp: number | null; step: number; is_nan: number }>(
      `SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN (${list}) ORDER BY rowid`,
      runIds,
    );
    for (const { run_uuid: runId, key, value, timestamp, step, is_nan: isNan } of rows) {
      let metrics = byRun.get(runId);
      if (!metrics) byRun.set(runId, (metrics = []));
      metrics.push({ key, value: isNan ? NaN : value, timestamp: timestamp ?? 0, step });
    }
    return byRun;
  }

  private async inputs(runIds: string[], list: string): Promise<Map<string, RunInputs>> {
    const byRun = new Map<string, RunInputs>();
    const datasetRows = await this.db.all<{
      run_uuid: string;
      input_uuid: string;
      name: string;
      digest: string;
      dataset_source_type: string;
      dataset_source: string;
      dataset_schema: string | null;
      dataset_profile: string | null;
    }>(
      `SELECT i.destination_id AS run_uuid, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile
       FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
       WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id IN (${list}) ORDER BY i.rowid`,
      runIds,
    );
    const inputTags = new Map<string, KeyValue[]>();
    if (datasetRows.length > 0) {
      const ids = datasetRows.map((r) => r.input_uuid);
      for (const t of await this.db.all<{ input_uuid: string; name: string; value: string }>(
        `SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN (${placeholders(ids.length)}) ORDER BY rowid`,
        ids,
      )) {
        const l = inputTags.get(t.input_uuid) ?? [];
        l.push({ key: t.name, value: t.value });
        inputTags.set(t.input_uuid, l);
      }
    }
    for (const r of datasetRows) {
      const input: DatasetInput = {
        dataset: { name: r.name, digest: r.digest, source_type: r.dataset_source_type, source: r.dataset_source },
      };
      if (r.dataset_schema !== null) input.dataset.schema = r.dataset_schema;
      if (r.dataset_profile !== null) input.dataset.profile = r.dataset_profile;
      const tags = inputTags.get(r.input_uuid);
      if (tags) input.tags = tags;
      const inputs = byRun.get(r.run_uuid) ?? {};
      (inputs.dataset_inputs ??= []).push(input);
      byRun.set(r.run_uuid, inputs);
    }
    for (const r of await this.db.all<{ run_uuid: string; model_id: string }>(
      `SELECT source_id AS run_uuid, destination_id AS model_id FROM inputs
       WHERE source_type = 'RUN_INPUT' AND destination_type = 'MODEL_INPUT' AND source_id IN (${list}) ORDER BY rowid`,
      runIds,
    )) {
      const inputs = byRun.get(r.run_uuid) ?? {};
      (inputs.model_inputs ??= []).push({ model_id: r.model_id });
      byRun.set(r.run_uuid, inputs);
    }
    return byRun;
  }
}
