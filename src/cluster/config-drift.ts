import { createHash } from "node:crypto";
import type { ResolvedConfig } from "../config/load.ts";
import { logger } from "../logger.ts";
import type { ClusterLink } from "./link.ts";

/** Where each instance says which config it runs (at start, after each reload, each minute). */
const CONFIG_CHANNEL = "config";
const ANNOUNCE_EVERY_MS = 60_000;
/** An instance not heard from for this long is forgotten (gone). */
const FORGET_MS = 150_000;

/**
 * A digest of what an instance runs: its resolved config without `cluster:` (each instance's
 * own id and address) and where its file lies. Two instances with the same file have the same
 * one.
 */
export function configFingerprint(config: ResolvedConfig): string {
  const { cluster: _own, file: _where, warnings: _said, ...shared } = config;
  return createHash("sha256").update(JSON.stringify(shared)).digest("hex").slice(0, 12);
}

/**
 * Instances running different configs: every instance is meant to read the same file (a
 * ConfigMap), but a file edited on one machine and reloaded there (or a ConfigMap that reached
 * some pods first) leaves them apart, and nothing said so: a key added on one is refused by the
 * others (and counted there as a wrong key, toward the lockout), a backend exists on some. Each
 * instance announces its config's digest; one that hears another digest logs which instance
 * differs, and `/health` lists them (`cluster.configDrift`).
 */
export class ConfigDrift {
  private readonly heard = new Map<string, { fingerprint: string; at: number }>();
  private readonly warned = new Set<string>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly link: ClusterLink,
    private readonly own: () => string,
  ) {
    // Once the subscription stands (the others answer a newcomer's announcement at once), and
    // again after each outage: an instance whose Redis was away at its start, or that missed
    // announcements while it was, waited up to a minute to learn who runs what.
    void link
      .subscribe(CONFIG_CHANNEL, (text) => this.hear(text))
      .then(() => this.announce(true))
      .catch(() => {});
    link.onReconnect(() => this.announce(true));
    this.timer = setInterval(() => this.announce(), ANNOUNCE_EVERY_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Tells the others which config this instance runs now (with `ask`, they answer theirs). */
  announce(ask = false): void {
    const message = {
      from: this.link.instanceId,
      fingerprint: this.own(),
      ...(ask ? { ask } : {}),
    };
    void this.link.publish(CONFIG_CHANNEL, JSON.stringify(message));
  }

  /** The instances heard running another config than this one, with theirs. */
  differing(): { instance: string; config: string }[] {
    const mine = this.own();
    const now = Date.now();
    const out: { instance: string; config: string }[] = [];
    for (const [instance, { fingerprint, at }] of this.heard) {
      if (now - at > FORGET_MS) this.heard.delete(instance);
      else if (fingerprint !== mine) out.push({ instance, config: fingerprint });
    }
    return out;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private hear(text: string): void {
    let message: { from?: unknown; fingerprint?: unknown; ask?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const { from, fingerprint } = message;
    if (typeof from !== "string" || typeof fingerprint !== "string") return;
    if (from === this.link.instanceId) return;
    const before = this.heard.get(from)?.fingerprint;
    this.heard.set(from, { fingerprint, at: Date.now() });
    // A newcomer, or one that changed: it hears this one's too, so each side knows the other.
    if (before !== fingerprint || message.ask === true) this.announce();
    const mine = this.own();
    const key = `${from}\n${fingerprint}\n${mine}`;
    if (fingerprint === mine || this.warned.has(key)) return;
    this.warned.add(key);
    logger
      .withTag("cluster")
      .warn(
        `instance ${from} runs another config (${fingerprint}) than this one, ${this.link.instanceId} (${mine}): give every instance the same config file (a reload applies a file only where it changed), or keys, backends and limits differ with the instance a request lands on`,
      );
  }
}
