/**
 * Tool poisoning: instructions aimed at the model, hidden in tool descriptions. The rules look for
 * intent (a hidden block, an order to read a credential file, to send data somewhere, to keep
 * the user unaware), not for single words, because real tools from published servers must come
 * out clean: bench/security/poisoning.ts measures both sides. Only HIGH findings quarantine.
 */

export interface Finding {
  severity: "high" | "low";
  rule: string;
  excerpt: string;
}

/** A finding in one tool: `where` is `description`, `inputSchema.properties.path.description`... */
export interface ToolFinding extends Finding {
  server: string;
  tool: string;
  where: string;
}

/** Zero-width, bidi and Unicode tag characters: text the user cannot see but the model reads. */
const INVISIBLE =
  /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC7F]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "g");

const CREDENTIAL_PATH =
  /(~\/\.ssh\b|\.ssh\/(id_|authorized_keys|known_hosts|config)|\bid_(rsa|dsa|ecdsa|ed25519)\b|\.aws\/credentials|~\/\.aws\b|\/etc\/(passwd|shadow|sudoers)\b|~\/\.netrc|\.git-credentials|~\/\.npmrc|~\/\.pypirc|~\/\.docker\/config\.json|~\/\.kube\/config|~\/\.cursor\/|~\/\.config\/gcloud|(^|[\s'"`(,])\.env\b(?!\.)|mcp\.json\b)/i;

/** A rule: a regular expression, or code where one would backtrack; `index` is where it matched. */
interface Matcher {
  exec(text: string): { index: number } | null;
}

/**
 * A rule that can only match where `needle` does: text without it skips the rule's bounded but
 * costly gaps (tens of steps per verb) altogether.
 */
function needs(needle: RegExp, rule: RegExp): Matcher {
  return { exec: (text) => (needle.test(text) ? rule.exec(text) : null) };
}

/**
 * `<!-- ... -->` holding a word: the first `<!--`, a run of three letters after it, and a `-->`
 * after that (what `<!--[\s\S]*?[A-Za-z]{3,}[\s\S]*?-->` matches), found in one pass each; that
 * regular expression takes cubic time on an unclosed comment ("<!--aaaa...": 22 s at 6,000).
 */
const HIDDEN_COMMENT: Matcher = {
  exec(text) {
    const open = text.indexOf("<!--");
    if (open < 0) return null;
    const word = /[A-Za-z]{3}/g;
    word.lastIndex = open + 4;
    const found = word.exec(text);
    if (!found || text.indexOf("-->", found.index + 3) < 0) return null;
    return { index: open };
  },
};

const HIGH: [string, Matcher][] = [
  [
    "hidden instruction block",
    /<\s*\/?\s*(important|system|instructions?|secret|hidden|admin|override)\s*>|\[\s*(SYSTEM|INST)\s*\]|<\|im_start\|>/i,
  ],
  ["hidden HTML comment", HIDDEN_COMMENT],
  [
    "overrides earlier instructions",
    /\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|other|system)\s+(instructions|prompts?|rules|directions)/i,
  ],
  [
    "claims a new system prompt",
    /\b(new|updated|real|actual)\s+system\s+prompt\b|\bfrom\s+now\s+on,?\s+you\s+(must|will|should|are)\b/i,
  ],
  [
    "keeps the user unaware",
    /\b(do\s+not|don'?t|never|must\s+not)\s+(tell|mention|inform|show|reveal|notify|alert|disclose)\b[^.\n]{0,30}\b(user|human|anyone)\b|\bwithout\s+(telling|informing|notifying|alerting|asking)\s+the\s+(user|human)\b|\bwithout\s+the\s+(user|human)('s)?\s+(knowledge|knowing|noticing|consent)\b|\b(silently|secretly|covertly|quietly)\s+(send|read|copy|forward|upload|include|attach|add|call|run|execute|exfiltrate)\b/i,
  ],
  [
    "names a credential file in an instruction",
    needs(
      CREDENTIAL_PATH,
      new RegExp(
        `\\b(read|open|cat|load|include|send|fetch|pass|attach|copy|upload|print|collect|extract|dump)(s|ed|ing)?\\b(?:[^.\\n]|\\.(?=\\S)){0,60}${CREDENTIAL_PATH.source}`,
        "i",
      ),
    ),
  ],
  [
    "sends data to a URL",
    needs(
      /https?:\/\//i,
      /\b(send|post|upload|forward|exfiltrate|transmit|leak|submit|beacon)(s|ed|ing)?\b(?:[^.\n]|\.(?=\S)){0,50}\b(contents?|data|keys?|secrets?|tokens?|credentials?|passwords?|files?|conversation|history|messages|everything|it|them)\b(?:[^.\n]|\.(?=\S)){0,40}\bto\s+(the\s+)?(url|endpoint|webhook|server)?\s*(at\s+)?["'`]?https?:\/\//i,
    ),
  ],
  // A flag's letters start right after its dashes: `-{1,2}[a-z-]+` splits "--a" two ways, and
  // "curl --a --a ..." in exponentially many (24 flags: a third of a second, 40: hours).
  ["runs curl or wget against a URL", /\b(curl|wget)\s+(-{1,2}[a-z][a-z-]*\s+)*["']?https?:\/\//i],
  [
    "redirects messages to a fixed address",
    /\b(send|forward|bcc|cc|copy|redirect)\b[^.\n]{0,40}\b(all|every|each|any)\b[^.\n]{0,40}\bto\s+[\w.+-]+@[\w-]+\.[\w.]+/i,
  ],
  ["invisible characters", INVISIBLE],
];

const LOW: [string, Matcher][] = [
  [
    "asks to call another tool first",
    /\b(before\s+(using|calling|invoking)\s+this\s+tool|always\s+call|you\s+must\s+(first\s+)?call|call\s+\S+\s+first)\b/i,
  ],
  ["mentions a credential file", CREDENTIAL_PATH],
  [
    "asks for the conversation",
    /\b(entire|full|whole|complete)\s+(conversation|chat)(\s+history)?\b|\bsystem\s+prompt\b/i,
  ],
  ["long run of whitespace", / {40,}|\n{8,}/],
  ["long encoded blob", /[A-Za-z0-9+/]{160,}={0,2}/],
];

/** A description longer than this is a low note: room to hide instructions below the fold. */
const LONG_DESCRIPTION = 2000;
/**
 * The most of one text the rules read (64 KiB). A longer one is a HIGH finding by itself: no
 * published tool needs that much, and what lies past the cap is not read.
 */
export const MAX_SCANNED = 65_536;

/** Scans one piece of text (a description, a title, a default value). */
export function scanDescription(whole: string): Finding[] {
  const findings: Finding[] = [];
  if (whole.length > MAX_SCANNED) {
    findings.push({
      severity: "high",
      rule: "too long to scan",
      excerpt: `${whole.length} characters, over ${MAX_SCANNED}: ${excerpt(whole, 0)}`,
    });
  }
  const text = whole.slice(0, MAX_SCANNED);
  for (const [severity, rules] of [
    ["high", HIGH],
    ["low", LOW],
  ] as const) {
    for (const [rule, pattern] of rules) {
      const match = pattern.exec(text);
      if (match) findings.push({ severity, rule, excerpt: excerpt(text, match.index) });
    }
  }
  if (whole.length > LONG_DESCRIPTION) {
    findings.push({
      severity: "low",
      rule: "very long description",
      excerpt: `${whole.length} characters: ${excerpt(text, 0)}`,
    });
  }
  return findings;
}

/** The parts of a tool definition the model reads. */
interface ToolLike {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: { title?: string } & Record<string, unknown>;
}

/**
 * Scans a tool: its name (for invisible characters), title, description, and every description,
 * title, default, example, enum and const string in its input and output schemas.
 */
export function scanTool(server: string, tool: ToolLike): ToolFinding[] {
  const out: ToolFinding[] = [];
  const add = (where: string, text: unknown) => {
    if (typeof text !== "string" || !text) return;
    for (const finding of scanDescription(text)) {
      out.push({ server, tool: tool.name, where, ...finding });
    }
  };
  if (INVISIBLE.test(tool.name)) {
    out.push({
      server,
      tool: tool.name,
      where: "name",
      severity: "high",
      rule: "invisible characters",
      excerpt: excerpt(tool.name, 0),
    });
  }
  add("title", tool.title);
  add("annotations.title", tool.annotations?.title);
  add("description", tool.description);
  walkSchema(tool.inputSchema, "inputSchema", add);
  walkSchema(tool.outputSchema, "outputSchema", add);
  return out;
}

const TEXT_KEYS = new Set(["description", "title", "default", "const", "examples", "enum"]);

function walkSchema(
  node: unknown,
  path: string,
  add: (where: string, text: unknown) => void,
  depth = 0,
): void {
  if (!node || typeof node !== "object" || depth > 32) return;
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries())
      walkSchema(item, `${path}[${index}]`, add, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const where = `${path}.${key}`;
    if (INVISIBLE.test(key)) add(`${path} (property name)`, key);
    if (TEXT_KEYS.has(key)) {
      if (typeof value === "string") add(where, value);
      else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          if (typeof item === "string") add(`${where}[${index}]`, item);
        });
      }
      if (key !== "description" && key !== "title" && typeof value === "object") {
        // `default` and `examples` may hold objects; their strings are read too.
        walkSchema(value, where, add, depth + 1);
      }
      continue;
    }
    walkSchema(value, where, add, depth + 1);
  }
}

/** Around 80 characters of context, with invisible characters made visible. */
function excerpt(text: string, at: number): string {
  return text
    .slice(Math.max(0, at - 20), at + 60)
    .replace(INVISIBLE_ALL, "\uFFFD")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The gateway's poisoning findings per server, kept current on every tool list. Tools are
 * rescanned only when their definition changed.
 */
export class PoisoningRegistry {
  private readonly byServer = new Map<string, Map<string, ToolFinding[]>>();
  private readonly memo = new Map<string, ToolFinding[]>();

  /** Replaces a server's findings from its current tool list; returns the new HIGH findings. */
  update(server: string, tools: ToolLike[]): ToolFinding[] {
    const before = this.byServer.get(server);
    const next = new Map<string, ToolFinding[]>();
    const fresh: ToolFinding[] = [];
    for (const tool of tools) {
      const key = `${server}\u0000${JSON.stringify(tool)}`;
      let findings = this.memo.get(key);
      if (!findings) {
        findings = scanTool(server, tool);
        this.memo.set(key, findings);
      }
      if (findings.length) next.set(tool.name, findings);
      const known = before?.get(tool.name);
      for (const finding of findings) {
        if (finding.severity !== "high") continue;
        if (!known?.some((k) => k.rule === finding.rule && k.where === finding.where)) {
          fresh.push(finding);
        }
      }
    }
    this.byServer.set(server, next);
    if (this.memo.size > 20_000) this.memo.clear();
    return fresh;
  }

  remove(server: string): void {
    this.byServer.delete(server);
  }

  /** The first HIGH finding of a tool, if any. */
  high(server: string, tool: string): ToolFinding | undefined {
    return this.byServer
      .get(server)
      ?.get(tool)
      ?.find((finding) => finding.severity === "high");
  }

  /** Every finding, HIGH first, then by server and tool. */
  all(): ToolFinding[] {
    const out: ToolFinding[] = [];
    for (const tools of this.byServer.values())
      for (const list of tools.values()) out.push(...list);
    const rank = (f: ToolFinding) => (f.severity === "high" ? 0 : 1);
    return out.sort(
      (a, b) =>
        rank(a) - rank(b) || a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool),
    );
  }
}
