/**
 * Shapes of well-known credentials, wherever they appear: one table for the two places that look
 * for them. `redactText` (./redact.ts) masks each match as `[REDACTED:<kind>]` in logs, exports
 * and results; `setup` (../setup/secrets.ts) moves a value that has one into a `${VARIABLE}`.
 * Each pattern is specific enough that ordinary text never matches.
 */
export const CREDENTIAL_SHAPES: readonly [kind: string, pattern: RegExp][] = [
  [
    "private-key",
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  ],
  ["jwt", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ["aws-key", /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g],
  ["github-token", /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g],
  ["gitlab-token", /\bglpat-[A-Za-z0-9_-]{20,}/g],
  ["slack-token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/g],
  ["slack-webhook", /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g],
  ["api-key", /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g],
  ["stripe-key", /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{10,}/g],
  ["google-api-key", /\bAIza[0-9A-Za-z_-]{35}/g],
  ["npm-token", /\bnpm_[A-Za-z0-9]{36}\b/g],
  // Notion, Linear, Tavily, Perplexity, Firecrawl, Sentry and Apify keys.
  ["api-key", /\b(?:ntn|secret|lin_api|tvly|pplx|fc|sntrys|apify_api)[-_][A-Za-z0-9_-]{20,}/g],
  ["gateway-key", /\bmgw_[A-Za-z0-9_-]{43}/g],
];

/** True when `text` holds something shaped like a known credential. */
export function hasCredentialShape(text: string): boolean {
  // `search` ignores the patterns' global state, unlike `test`.
  return CREDENTIAL_SHAPES.some(([, pattern]) => text.search(pattern) >= 0);
}
