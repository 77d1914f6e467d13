/**
 * Runs `work` again and again: immediately when woken, otherwise after the delay the last run asked for.
 * Wakes that arrive during a run are folded into one follow-up run, so callers may wake freely.
 * The wait is re-decided after every run, so no single timer ever spans a long delay.
 */
export class Pump {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> = Promise.resolve();
  private wokenDuringRun = false;
  private active = false;

  constructor(
    /** Resolves to how long to sleep before the next run when nobody wakes the pump. */
    private readonly work: () => Promise<number>,
    private readonly onError: (error: unknown) => void,
    private readonly retryAfterErrorMs: number,
  ) {}

  start(): void {
    this.active = true;
    this.wake();
  }

  wake(): void {
    if (!this.active) return;
    if (this.running) {
      this.wokenDuringRun = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = true;
    this.current = this.run();
  }

  /** Stops scheduling and waits for the run in progress, if any. */
  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private async run(): Promise<void> {
    let sleepMs: number;
    try {
      sleepMs = await this.work();
    } catch (error) {
      this.onError(error);
      sleepMs = this.retryAfterErrorMs;
    }
    this.running = false;
    if (!this.active) return;
    if (this.wokenDuringRun) {
      this.wokenDuringRun = false;
      this.wake();
      return;
    }
    this.timer = setTimeout(() => this.wake(), Math.max(0, sleepMs));
  }
}
