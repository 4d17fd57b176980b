/**
 * Problems found while reading an mlruns/ folder, and the errors the file store answers with.
 *
 * Policy (compat §5; MLflow's FileStore skips malformed experiments and runs in listings with a
 * warning, and fails a direct read): an entity whose meta.yaml is unreadable, or whose metric file
 * has a malformed line, is left out of listings and searches (a run keeps its other metrics; only
 * the unreadable one is left out) and recorded here; reading that entity directly answers
 * INTERNAL_ERROR with a message naming the file. Problems disappear once the file is readable again.
 */
import { MlflowError } from '../../errors';

export interface StoreProblem {
  /** The file or folder that could not be read. */
  path: string;
  /** What kind of entity it belongs to. */
  entity: 'experiment' | 'run' | 'metric' | 'logged model' | 'registered model' | 'model version' | 'dataset';
  message: string;
}

export class ProblemLog {
  private readonly problems = new Map<string, StoreProblem>();

  constructor(private readonly onProblem?: (problem: StoreProblem) => void) {}

  report(problem: StoreProblem): void {
    const previous = this.problems.get(problem.path);
    this.problems.set(problem.path, problem);
    if (!previous || previous.message !== problem.message) this.onProblem?.(problem);
  }

  /** The path was read fine: forget an earlier problem with it. */
  resolved(path: string): void {
    this.problems.delete(path);
  }

  list(): StoreProblem[] {
    return [...this.problems.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** The error every write answers with. */
export function readOnlyError(operation: string): MlflowError {
  return new MlflowError(
    'PERMISSION_DENIED',
    `This store is opened read-only: cannot ${operation}. It is an MLflow file store (mlruns/ folder) shown for browsing; ` +
      'log to it with MLflow itself, or copy it into a writable store.',
  );
}

/** INTERNAL_ERROR for an entity whose files cannot be read. */
export function unreadable(what: string, detail: string): MlflowError {
  return new MlflowError('INTERNAL_ERROR', `${what} cannot be read: ${detail}`);
}
