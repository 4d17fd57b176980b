/**
 * A value loaded once on first need and kept until reset. Concurrent gets share one load; a load
 * that finishes after a reset is handed to its callers but not kept, and a failed load is not kept.
 */
export class CachedValue<T> {
  private current: { value: T } | undefined;
  private pending: Promise<T> | undefined;
  private generation = 0;

  get value(): T | undefined {
    return this.current?.value;
  }

  get(load: () => Promise<T>): Promise<T> {
    if (this.current) return Promise.resolve(this.current.value);
    if (!this.pending) {
      const generation = this.generation;
      const pending = load().then(
        (value) => {
          if (generation === this.generation) {
            this.current = { value };
            this.pending = undefined;
          }
          return value;
        },
        (error: unknown) => {
          if (generation === this.generation) this.pending = undefined;
          throw error;
        },
      );
      this.pending = pending;
    }
    return this.pending;
  }

  /** Replaces the kept value (after a mutation whose result is known). */
  set(value: T): void {
    this.generation++;
    this.pending = undefined;
    this.current = { value };
  }

  reset(): void {
    this.generation++;
    this.pending = undefined;
    this.current = undefined;
  }
}
