import { createHmac, timingSafeEqual } from "node:crypto";

/** Signature schemes of the senders this gateway knows; `hmac` is GitHub's without the prefix. */
export type WebhookProvider = "github" | "stripe" | "linear" | "hmac";

/** The header each scheme signs in (lower case, as `Headers` reads them). */
export const SIGNATURE_HEADERS: Record<WebhookProvider, string> = {
  github: "x-hub-signature-256",
  stripe: "stripe-signature",
  linear: "linear-signature",
  hmac: "x-signature",
};

/** The scheme a `signature_header` names, when `provider` is not given. */
export function providerOf(header: string | undefined): WebhookProvider {
  const name = header?.toLowerCase();
  for (const [provider, known] of Object.entries(SIGNATURE_HEADERS)) {
    if (known === name) return provider as WebhookProvider;
  }
  return header ? "hmac" : "github";
}

export type Verdict =
  | {
      ok: true;
      /** What identifies this delivery against a replay: the signature, or the sender's id. */
      replayKey: string;
    }
  | { ok: false; reason: string };

export interface VerifyInput {
  provider: WebhookProvider;
  secret: string;
  /** The body exactly as received: the signature covers these bytes. */
  raw: Uint8Array;
  headers: Headers;
  /** The header to read (default: the provider's). */
  header?: string;
  /** Milliseconds a signed timestamp may be off from now. */
  window: number;
  now?: number;
}

/** Checks a delivery's signature over its raw body, and its timestamp where the scheme has one. */
export function verifySignature(input: VerifyInput): Verdict {
  const header = (input.header ?? SIGNATURE_HEADERS[input.provider]).toLowerCase();
  const value = input.headers.get(header)?.trim();
  if (!value) return { ok: false, reason: `missing ${header} header` };
  const now = input.now ?? Date.now();
  switch (input.provider) {
    case "github":
    case "hmac": {
      const hex = input.provider === "github" ? value.replace(/^sha256=/, "") : value;
      if (input.provider === "github" && !value.startsWith("sha256=")) {
        return { ok: false, reason: `${header} must be sha256=<hex>` };
      }
      return sameHex(hmac(input.secret, input.raw), hex)
        ? { ok: true, replayKey: hex }
        : { ok: false, reason: "signature does not match" };
    }
    case "linear": {
      if (!sameHex(hmac(input.secret, input.raw), value)) {
        return { ok: false, reason: "signature does not match" };
      }
      let stamp: unknown;
      try {
        stamp = (JSON.parse(new TextDecoder().decode(input.raw)) as { webhookTimestamp?: unknown })
          .webhookTimestamp;
      } catch {
        return { ok: false, reason: "body is not JSON" };
      }
      if (typeof stamp !== "number") return { ok: false, reason: "webhookTimestamp missing" };
      if (Math.abs(now - stamp) > input.window) {
        return { ok: false, reason: "webhookTimestamp outside the replay window" };
      }
      return { ok: true, replayKey: value };
    }
    case "stripe": {
      const parts = value.split(",").map((part) => part.trim().split("="));
      const t = parts.find(([key]) => key === "t")?.[1];
      const signatures = parts.filter(([key]) => key === "v1").map(([, sig]) => sig ?? "");
      if (!t || !/^\d+$/.test(t) || !signatures.length) {
        return { ok: false, reason: `${header} must be t=<seconds>,v1=<hex>` };
      }
      if (Math.abs(now - Number(t) * 1000) > input.window) {
        return { ok: false, reason: "timestamp outside the replay window" };
      }
      const prefix = new TextEncoder().encode(`${t}.`);
      const signed = new Uint8Array(prefix.length + input.raw.length);
      signed.set(prefix);
      signed.set(input.raw, prefix.length);
      const expected = hmac(input.secret, signed);
      const match = signatures.find((sig) => sameHex(expected, sig));
      return match
        ? { ok: true, replayKey: match }
        : { ok: false, reason: "signature does not match" };
    }
  }
}

function hmac(secret: string, data: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

/** Constant-time comparison of a digest with a hex string (any case). */
function sameHex(expected: Buffer, hex: string): boolean {
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== expected.length * 2) return false;
  return timingSafeEqual(expected, Buffer.from(hex, "hex"));
}
