import type { JsonObject } from "../backends/types.ts";

/** Progress notifications relayed per call and second (in bursts of as many); past that, the latest wins. */
export const PROGRESS_RATE = 20;
/** Log messages relayed per call and second (in bursts of as many); past that they are dropped and counted. */
export const LOG_RATE = 100;
/** Notifications of one call written and not yet sent on; past that they are dropped and counted. */
export const MAX_UNSENT = 1000;

type Send = (method: string, params: JsonObject | undefined) => Promise<void>;

/**
 * What one call relays to its client of a backend's notifications, bounded so that a backend
 * that floods cannot swamp the client, the gateway, or the other backends' calls:
 * progress past 20 a second is coalesced (the latest value wins, the last one always arrives),
 * log messages past 100 a second are dropped and counted (a note to the client says how many),
 * and anything else is dropped and counted while 1000 are still waiting to be sent.
 */
export class RelayQueue {
  private unsent = 0;
  private readonly pending = new Set<Promise<void>>();
  private progress?: JsonObject;
  private progressTimer?: ReturnType<typeof setTimeout>;
  private readonly progressBudget: TokenBucket;
  private readonly logBudget: TokenBucket;
  /** Dropped since the last note, by kind. */
  private dropped = { log: 0, other: 0 };
  private notedAt = 0;
  private noteTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly send: Send,
    private readonly now: () => number = Date.now,
  ) {
    this.progressBudget = new TokenBucket(PROGRESS_RATE, now);
    this.logBudget = new TokenBucket(LOG_RATE, now);
  }

  /** Relays one notification (progress goes through `sendProgress`). */
  notify(method: string, params: JsonObject | undefined): void {
    if (method === "notifications/message" && !this.logBudget.take()) {
      this.drop("log");
      return;
    }
    if (this.unsent >= MAX_UNSENT) {
      this.drop(method === "notifications/message" ? "log" : "other");
      return;
    }
    this.noteDropped();
    this.write(method, params);
  }

  /** Relays a progress notification, coalesced past PROGRESS_RATE. */
  sendProgress(params: JsonObject): void {
    if (!this.progressTimer && this.progressBudget.take()) {
      this.write("notifications/progress", params);
      return;
    }
    this.progress = params;
    this.progressTimer ??= setTimeout(() => this.sendLatestProgress(), 1000 / PROGRESS_RATE);
  }

  /** Counts a dropped notification; the note about it goes out within a second even if nothing else does. */
  private drop(kind: "log" | "other"): void {
    this.dropped[kind]++;
    if (this.noteTimer) return;
    this.noteTimer = setTimeout(() => {
      this.noteTimer = undefined;
      this.noteDropped(true);
    }, 1000);
    this.noteTimer.unref?.();
  }

  /** Sends what is held back (the latest progress, the count of what was dropped), then waits for every send. */
  async flush(): Promise<void> {
    this.sendLatestProgress();
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
    this.noteDropped(true);
    while (this.pending.size) await Promise.all(this.pending);
  }

  private sendLatestProgress(): void {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    if (!this.progress) return;
    const params = this.progress;
    this.progress = undefined;
    this.write("notifications/progress", params);
  }

  /**
   * Tells the client, in a log message of its own, what was dropped since the last note: at most
   * once a second while the flood lasts, and once more at the end of the call.
   */
  private noteDropped(now = false): void {
    const { log, other } = this.dropped;
    if (!log && !other) return;
    if (!now && this.now() - this.notedAt < 1000) return;
    this.notedAt = this.now();
    this.dropped = { log: 0, other: 0 };
    const parts = [
      log ? `${log} log message(s) (over ${LOG_RATE} a second)` : "",
      other ? `${other} other notification(s) (over ${MAX_UNSENT} waiting to be sent)` : "",
    ].filter(Boolean);
    this.write("notifications/message", {
      level: "warning",
      logger: "mcp-gateway",
      data: `mcp-gateway: the backend sent more than it relays; dropped ${parts.join(" and ")}`,
    });
  }

  private write(method: string, params: JsonObject | undefined): void {
    this.unsent++;
    const sent = this.send(method, params)
      .catch(() => {})
      .finally(() => {
        this.unsent--;
        this.pending.delete(sent);
      });
    this.pending.add(sent);
  }
}

/** `rate` tokens a second, at most `rate` saved up. */
class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly now: () => number,
  ) {
    this.tokens = rate;
    this.at = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
