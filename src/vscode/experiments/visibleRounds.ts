/**
 * Repeats an async round every few seconds while a view is visible and there is work: one round
 * at a time, the next scheduled when the previous one has finished.
 */
export class VisibleRounds {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private visible = true;
  private disposed = false;

  constructor(
    private readonly intervalMs: () => number,
    private readonly round: () => Promise<void>,
    private readonly hasWork: () => boolean = () => true,
  ) {}

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.schedule();
    else this.cancel();
  }

  /** Applies a new interval to the next round. */
  restart(): void {
    this.cancel();
    this.schedule();
  }

  /** Schedules the next round unless one is pending, running, hidden or without work. */
  schedule(): void {
    if (this.disposed || !this.visible || this.timer || this.running || !this.hasWork()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = true;
      void this.round().finally(() => {
        this.running = false;
        this.schedule();
      });
    }, this.intervalMs());
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}
