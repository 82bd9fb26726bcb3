/** A call that found every slot busy and the queue full. */
export class SlotsFullError extends Error {
  constructor() {
    super("every call slot is busy and the queue is full");
    this.name = "SlotsFullError";
  }
}

/** A call that gave up waiting for a slot (its signal aborted). */
export class SlotWaitAbortedError extends Error {
  constructor() {
    super("gave up waiting for a call slot");
    this.name = "SlotWaitAbortedError";
  }
}

/**
 * A backend's call slots: at most `limit` calls run at once, at most `queue` more wait, first
 * come first served. Unlike cockatiel's bulkhead the limit can change while calls run (a
 * reload): calls holding slots keep them, and the next ones are admitted only while fewer than
 * the new limit run, so a smaller limit takes hold as calls end and a larger one admits waiting
 * calls at once.
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private limit: number,
    private queue: number,
  ) {}

  /** How many calls may run at once. */
  get size(): number {
    return this.limit;
  }

  /** Whether a call would start at once. */
  get free(): boolean {
    return this.running < this.limit && this.waiting.length === 0;
  }

  resize(limit: number, queue: number): void {
    this.limit = limit;
    this.queue = queue;
    this.pump();
  }

  /** Runs `task` in a slot, waiting for one unless `signal` aborts first. */
  async execute<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new SlotWaitAbortedError());
    if (this.free) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queue) return Promise.reject(new SlotsFullError());
    return new Promise((resolve, reject) => {
      const admitted = () => {
        signal?.removeEventListener("abort", gaveUp);
        resolve();
      };
      const gaveUp = () => {
        const index = this.waiting.indexOf(admitted);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new SlotWaitAbortedError());
      };
      signal?.addEventListener("abort", gaveUp, { once: true });
      this.waiting.push(admitted);
    });
  }

  /** Admits waiting calls while slots are free (`running` counts them before they resume). */
  private pump(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!();
    }
  }
}
