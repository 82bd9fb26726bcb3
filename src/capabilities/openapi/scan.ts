/**
 * A small scanner for instructions aimed at the model hidden in tool descriptions (tool
 * poisoning). One function, so the security work can swap in the shared scanner later.
 * Only HIGH findings block an operation; LOW ones are notes. Real descriptions from published
 * APIs must come out clean, so the rules look for intent, not for single words.
 */

export interface Finding {
  severity: "high" | "low";
  rule: string;
  excerpt: string;
}

const HIGH: [string, RegExp][] = [
  ["hidden instruction tag", /<\s*\/?\s*(important|system|instructions?|secret)\s*>/i],
  [
    "overrides earlier instructions",
    /\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|other)\s+(instructions|prompts?|rules)/i,
  ],
  [
    "hides itself from the user",
    /\b(do\s+not|don'?t|never)\s+(tell|mention|inform|show|reveal\s+to|notify)\s+(this\s+to\s+)?the\s+user/i,
  ],
  [
    "names a credential file",
    /(~\/\.ssh|\bid_rsa\b|\bid_ed25519\b|~\/\.aws|\.aws\/credentials|\/etc\/passwd|\/etc\/shadow|~\/\.cursor|~\/\.netrc|(^|[\s'"`(])\.env\b)/i,
  ],
  [
    "sends data to a URL",
    /\b(send|post|upload|forward|exfiltrate|transmit|leak)\b[^.]{0,60}\b(contents?|data|keys?|secrets?|tokens?|credentials?|passwords?|files?|conversation|history)\b[^.]{0,40}\bto\s+https?:\/\//i,
  ],
  ["runs curl against a URL", /\bcurl\s+(-[a-z]+\s+)*["']?https?:\/\//i],
  [
    "invisible characters",
    /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC7F]/,
  ],
];

const LOW: [string, RegExp][] = [
  [
    "asks to call a tool first",
    /\b(before\s+(using|calling)\s+this\s+tool|always\s+call|call\s+\S+\s+first)\b/i,
  ],
  ["long run of spaces", / {40,}/],
];

/** Scans one description. */
export function scanDescription(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const [severity, rules] of [
    ["high", HIGH],
    ["low", LOW],
  ] as const) {
    for (const [rule, pattern] of rules) {
      const match = pattern.exec(text);
      if (match) findings.push({ severity, rule, excerpt: excerpt(text, match.index) });
    }
  }
  if (text.length > 2000) {
    findings.push({
      severity: "low",
      rule: `very long (${text.length} characters)`,
      excerpt: text.slice(0, 40),
    });
  }
  return findings;
}

function excerpt(text: string, at: number): string {
  return text
    .slice(Math.max(0, at - 20), at + 60)
    .replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g, "�")
    .trim();
}
