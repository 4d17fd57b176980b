/**
 * The sample experiment behind the Experiments view's welcome button: a few finished runs with
 * params, tags, a 20-step history of two metrics and small artifacts, written through the REST client
 * so it works against the embedded server and any MLflow server.
 */
import type { MlflowClient } from '../client/mlflowClient';
import type { MetricPoint } from '../entities';
import { PRIMARY_METRIC_TAG } from './runSummary';

export const SAMPLE_EXPERIMENT_NAME = 'sample-experiment';
export const SAMPLE_STEPS = 20;

interface SampleRun {
  name: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Accuracy approached by the end of training, and how fast. */
  ceiling: number;
  rate: number;
  hoursAgo: number;
}

const RUNS: readonly SampleRun[] = [
  { name: 'baseline', params: { learning_rate: '0.1', batch_size: '32', optimizer: 'sgd', epochs: '20' }, tags: { model_type: 'logistic-regression', stage: 'baseline' }, ceiling: 0.84, rate: 0.18, hoursAgo: 26 },
  { name: 'tuned-lr', params: { learning_rate: '0.01', batch_size: '32', optimizer: 'adam', epochs: '20' }, tags: { model_type: 'mlp', stage: 'tuning' }, ceiling: 0.93, rate: 0.25, hoursAgo: 5 },
  { name: 'big-batch', params: { learning_rate: '0.01', batch_size: '256', optimizer: 'adam', epochs: '20' }, tags: { model_type: 'mlp', stage: 'tuning' }, ceiling: 0.9, rate: 0.15, hoursAgo: 1 },
];

export interface SampleResult {
  experimentId: string;
  runIds: string[];
  /** Steps that failed without spoiling the sample (artifact uploads a server may refuse). */
  warnings: string[];
}

/** Accuracy and loss of step `step`: smooth curves with a little deterministic wiggle. */
export function sampleMetrics(run: Pick<SampleRun, 'ceiling' | 'rate'>, step: number, timestamp: number): MetricPoint[] {
  const progress = 1 - Math.exp(-run.rate * (step + 1));
  const wiggle = 0.01 * Math.sin(step * 1.7 + run.ceiling * 10);
  const accuracy = Math.min(0.999, 0.5 + (run.ceiling - 0.5) * progress + wiggle);
  const loss = Math.max(0.01, 1.2 * (1 - progress) + 0.15 * (1 - run.ceiling) + wiggle / 2);
  return [
    { key: 'accuracy', value: Number(accuracy.toFixed(4)), timestamp, step },
    { key: 'loss', value: Number(loss.toFixed(4)), timestamp, step },
  ];
}

async function uploadArtifact(client: MlflowClient, runId: string, path: string, content: string): Promise<void> {
  const query = new URLSearchParams({ run_uuid: runId, path }).toString();
  const res = await client.transport.send('POST', `/ajax-api/2.0/mlflow/upload-artifact?${query}`, Buffer.from(content, 'utf8'), { 'Content-Type': 'application/octet-stream' });
  if (res.status !== 200) throw new Error(`upload of ${path} answered HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
}

function artifactsOf(run: SampleRun, finalAccuracy: number, finalLoss: number): Record<string, string> {
  const csv = ['step,accuracy,loss', ...Array.from({ length: SAMPLE_STEPS }, (_, step) => {
    const [acc, loss] = sampleMetrics(run, step, 0);
    return `${step},${acc.value},${loss.value}`;
  })].join('\n');
  return {
    'summary.json': `${JSON.stringify({ run: run.name, accuracy: finalAccuracy, loss: finalLoss, params: run.params }, null, 2)}\n`,
    'notes.md': `# ${run.name}\n\nA sample run created by Runlens. Model: **${run.tags.model_type}**, optimizer \`${run.params.optimizer}\`.\n`,
    'history/metrics.csv': `${csv}\n`,
    'config/params.yaml': `${Object.entries(run.params).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`,
  };
}

/** Creates the sample experiment and its runs; fails (RESOURCE_ALREADY_EXISTS) if the name is taken. */
export async function createSampleExperiment(client: MlflowClient, now = Date.now()): Promise<SampleResult> {
  const experimentId = await client.createExperiment(SAMPLE_EXPERIMENT_NAME, [
    { key: PRIMARY_METRIC_TAG, value: 'accuracy' },
    { key: 'mlflow.note.content', value: 'A sample experiment created by Runlens: three training runs with params, tags, metric histories and artifacts.' },
  ]);
  const runIds: string[] = [];
  const warnings: string[] = [];
  for (const sample of RUNS) {
    const start = now - sample.hoursAgo * 3_600_000;
    const tags = Object.entries(sample.tags).map(([key, value]) => ({ key, value }));
    const run = await client.createRun(experimentId, { runName: sample.name, startTime: start, tags: [...tags, { key: 'mlflow.source.name', value: 'runlens-sample' }, { key: 'mlflow.source.type', value: 'LOCAL' }] });
    const runId = run.info.run_id;
    runIds.push(runId);
    const metrics = Array.from({ length: SAMPLE_STEPS }, (_, step) => sampleMetrics(sample, step, start + (step + 1) * 30_000)).flat();
    await client.logBatch(runId, { params: Object.entries(sample.params).map(([key, value]) => ({ key, value })), metrics });
    const last = metrics.slice(-2);
    for (const [path, content] of Object.entries(artifactsOf(sample, last[0].value, last[1].value))) {
      try {
        await uploadArtifact(client, runId, path, content);
      } catch (e) {
        warnings.push(`${sample.name}/${path}: ${(e as Error).message}`);
      }
    }
    await client.updateRun(runId, { status: 'FINISHED', endTime: start + (SAMPLE_STEPS + 1) * 30_000 });
  }
  return { experimentId, runIds, warnings };
}
