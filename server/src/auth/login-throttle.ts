/**
 * Counts failed logins per (account, client address) and per account. Successful attempts are not counted,
 * so a user who types the right password is never throttled; a guesser is stopped after a burst.
 */
export interface ThrottleLimits {
  perClientPerMinute: number;
  perAccountPer15Minutes: number;
}

const MINUTE = 60_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: ThrottleLimits = { perClientPerMinute: 20, perAccountPer15Minutes: 100 }) {}

  /** Returns a reason when the next attempt must be refused. */
  check(account: string, client: string, now = Date.now()): 'too_many_attempts' | 'account_locked' | null {
    if (this.recent(`c:${account}|${client}`, now, MINUTE) >= this.limits.perClientPerMinute) return 'too_many_attempts';
    if (this.recent(`a:${account}`, now, 15 * MINUTE) >= this.limits.perAccountPer15Minutes) return 'account_locked';
    return null;
  }

  recordFailure(account: string, client: string, now = Date.now()) {
    for (const key of [`c:${account}|${client}`, `a:${account}`]) {
      const list = this.failures.get(key) ?? [];
      list.push(now);
      this.failures.set(key, list);
    }
    if (this.failures.size > 50_000) this.prune(now);
  }

  private recent(key: string, now: number, window: number): number {
    const list = this.failures.get(key);
    if (!list) return 0;
    const kept = list.filter((t) => now - t < window);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept.length;
  }

  private prune(now: number) {
    for (const [key, list] of this.failures) if (list.every((t) => now - t >= 15 * MINUTE)) this.failures.delete(key);
  }
}
