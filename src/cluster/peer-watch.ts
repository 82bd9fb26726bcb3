import { logger } from "../logger.ts";

/** How a probe of a peer went: it answered, refused the connection at once, or said nothing. */
export type ProbeOutcome = "answered" | "refused" | "silent";

/** Asks the instance at `peer` something small (its `/health`), giving up after `timeoutMs`. */
export type Probe = (peer: string, timeoutMs: number) => Promise<ProbeOutcome>;

/** Why a relay was given up: the peer it waited on said nothing for the peer timeout. */
export class PeerSilent extends Error {
  constructor(
    readonly peer: string,
    readonly afterMs: number,
  ) {
    super(`${peer} has not answered for ${Math.round(afterMs / 1000)} s`);
    this.name = "PeerSilent";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a peer stays known as silent without anyone relaying to it (then forgotten). */
const FORGET_SILENT_MS = 150_000;
/** Pause between probes of one peer. */
const PROBE_EVERY_MS = 1_000;

/**
 * Watches the peers that relays are waiting on. A peer that is stopped (SIGSTOP, a frozen VM)
 * or cut off (packets dropped) keeps a relay's connection open and never answers; the relay
 * cannot tell that from a long call. So while any relay to a peer is open, the peer is asked
 * for its `/health` each second: when it says nothing for `timeoutMs`, every relay to it is
 * aborted (their clients get an error naming it) and new ones skip it (the session is adopted
 * elsewhere) until it answers again. A refused connection is not silence: the peer is draining
 * or gone, and its connections close on their own.
 */
export class PeerWatch {
  /** Per peer: the relays waiting on it, and whether a probe loop runs. */
  private readonly waiting = new Map<string, Set<AbortController>>();
  /** Peers that went silent: when, and when a relay last asked. */
  private readonly silent = new Map<string, { since: number; asked: number }>();
  private closed = false;

  constructor(
    readonly timeoutMs: number,
    private readonly probe: Probe,
  ) {}

  /** Whether `peer` has said nothing for the timeout, and not answered since. */
  isSilent(peer: string): boolean {
    const entry = this.silent.get(peer);
    if (!entry) return false;
    entry.asked = Date.now();
    return true;
  }

  /**
   * Watches `peer` for one relay: its signal aborts (with a `PeerSilent` reason) when the peer
   * goes silent; call `done` once the relay's answer has ended.
   */
  watch(peer: string): { signal: AbortSignal; done(): void } {
    const controller = new AbortController();
    let relays = this.waiting.get(peer);
    const first = !relays;
    if (!relays) {
      relays = new Set();
      this.waiting.set(peer, relays);
    }
    relays.add(controller);
    if (first) void this.loop(peer, relays);
    const set = relays;
    return { signal: controller.signal, done: () => void set.delete(controller) };
  }

  close(): void {
    this.closed = true;
  }

  /** Probes `peer` while relays wait on it; aborts them all when it goes silent. */
  private async loop(peer: string, relays: Set<AbortController>): Promise<void> {
    try {
      while (relays.size && !this.closed) {
        const outcome = await this.probe(peer, this.timeoutMs);
        if (outcome === "silent" && relays.size) {
          const reason = new PeerSilent(peer, this.timeoutMs);
          logger
            .withTag("cluster")
            .warn(
              `${reason.message}: ${relays.size} relayed request(s) to it get an error, and its sessions are served by other instances until it answers again`,
            );
          for (const relay of relays) relay.abort(reason);
          relays.clear();
          this.markSilent(peer);
          return;
        }
        await sleep(PROBE_EVERY_MS);
      }
    } finally {
      if (this.waiting.get(peer) === relays) this.waiting.delete(peer);
    }
  }

  /** Remembers `peer` as silent, probing it each second until it answers (or nobody asks). */
  private markSilent(peer: string): void {
    if (this.silent.has(peer)) return;
    const entry = { since: Date.now(), asked: Date.now() };
    this.silent.set(peer, entry);
    void (async () => {
      while (!this.closed && Date.now() - entry.asked < FORGET_SILENT_MS) {
        await sleep(PROBE_EVERY_MS);
        if ((await this.probe(peer, this.timeoutMs)) === "answered") {
          logger.withTag("cluster").info(`${peer} answers again`);
          break;
        }
      }
      this.silent.delete(peer);
    })();
  }
}
