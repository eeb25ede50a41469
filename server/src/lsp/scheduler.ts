/**
 * Runs one project's analysis: debounced, one run at a time, latest request
 * wins. Every request bumps a generation; a run that finishes after a newer
 * request is dropped instead of delivered, so stale results never reach the
 * editor.
 */
import { letPendingMessagesIn } from '../core/eventLoop';

export interface Outcome<T> {
  generation: number;
  value?: T;
  error?: unknown;
}

export interface SchedulerHooks<T> {
  /** The analysis itself; `isCancelled` turns true once a newer request arrived. Returns undefined when it gave up. */
  run(isCancelled: () => boolean): Promise<T | undefined>;
  /** Called with each result that is still current. */
  deliver(value: T): void;
  /** Called when a current run threw. */
  fail(error: unknown): void;
  /** Called when the scheduler starts or stops being busy (for a status display). */
  busyChanged?(busy: boolean): void;
}

export class AnalysisScheduler<T> {
  private generation = 0;
  private timer: { cancel(): void } | undefined;
  private running: Promise<void> | undefined;
  private last: Outcome<T> | undefined;
  private disposed = false;

  constructor(
    private readonly hooks: SchedulerHooks<T>,
    private readonly defaultDelayMs: number,
  ) {}

  get busy(): boolean {
    return this.timer !== undefined || this.running !== undefined;
  }

  /** Something changed: analyse again after the delay (a newer call restarts the wait). */
  schedule(delayMs: number = this.defaultDelayMs): void {
    if (this.disposed) return;
    this.generation++;
    const wasBusy = this.busy;
    this.timer?.cancel();
    const fire = (): void => {
      this.timer = undefined;
      this.kick();
    };
    // No wait asked: an immediate, not a 1 ms timer. A timer lets the process sleep in the poll phase, and on a
    // busy machine a sleeping process waits for a CPU again before it can start the analysis.
    if (delayMs <= 0) {
      const immediate = setImmediate(fire);
      this.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(fire, delayMs);
      this.timer = { cancel: () => clearTimeout(timeout) };
    }
    if (!wasBusy) this.hooks.busyChanged?.(true);
  }

  /** The outcome for the latest request: waits for (or starts) a run that saw every change made so far. */
  async current(): Promise<Outcome<T>> {
    if (this.timer) {
      this.timer.cancel();
      this.timer = undefined;
    }
    for (;;) {
      if (this.disposed) return { generation: this.generation, error: new Error('the project is no longer watched') };
      if (this.running) {
        await this.running;
        continue;
      }
      if (this.last && this.last.generation === this.generation) return this.last;
      this.kick();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private kick(): void {
    if (this.running || this.disposed) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (!this.busy) this.hooks.busyChanged?.(false);
    });
  }

  private async loop(): Promise<void> {
    // A request that arrives during a run (and whose timer fired) is served right after it.
    while (!this.disposed && (!this.last || this.last.generation !== this.generation) && this.timer === undefined) {
      const generation = this.generation;
      const isCancelled = (): boolean => this.disposed || this.generation !== generation;
      let outcome: Outcome<T>;
      try {
        const value = await this.hooks.run(isCancelled);
        if (value === undefined) {
          if (isCancelled()) continue;
          outcome = { generation, error: new Error('the analysis gave no result') };
        } else {
          outcome = { generation, value };
        }
      } catch (error) {
        outcome = { generation, error };
      }
      if (!isCancelled()) await letPendingMessagesIn();
      if (isCancelled()) continue;
      this.last = outcome;
      try {
        if (outcome.value !== undefined) this.hooks.deliver(outcome.value);
        else this.hooks.fail(outcome.error);
      } catch (error) {
        // A failing delivery must not stop later runs; the hooks log their own problems.
        this.last = { generation, error };
      }
    }
  }
}
