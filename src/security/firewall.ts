/**
 * The firewall's pattern rules: shell, SQL and path-traversal shapes in the arguments of tools
 * that take commands, queries or paths, and instructions aimed at the model or credentials in
 * tool results. Every pattern is linear-time: no nested quantifiers, every gap bounded, because
 * arguments and results are untrusted text read on the event loop (test/security/redos.test.ts).
 */
import type { JsonObject } from "../backends/types.ts";
import type { Tool } from "../mcp/sdk.ts";
import { MAX_ARGUMENT_DEPTH } from "../meta/validate.ts";
import { CREDENTIAL_SHAPES } from "./credentials.ts";

export type ArgumentScan = "shell" | "sql" | "path";
export type ResultScan = "injection" | "credentials";
export type ScanKind = ArgumentScan | ResultScan;

export interface Finding {
  kind: ScanKind;
  /** The rule's name, e.g. `shell.substitution`: what a refusal and `/health` name. */
  rule: string;
  /** Where it was found: the argument's path (`command`, `files[0].path`) or `result`. */
  where: string;
  excerpt: string;
}

type Rule = readonly [name: string, pattern: RegExp];

const SHELL_RULES: readonly Rule[] = [
  ["shell.substitution", /\$\([^)\n]{0,200}\)|`[^`\n]{1,200}`/],
  [
    "shell.pipe-to-shell",
    /\|\s{0,8}(?:sudo\s{1,8})?(?:(?:ba|z|da|k|c)?sh|nc|ncat|netcat|curl|wget)\b/,
  ],
  [
    "shell.chained-command",
    /(?:;|&&|\|\||\n)\s{0,8}(?:sudo\s{1,8})?(?:rm\s{1,8}-[a-zA-Z]{0,4}[rf]|curl|wget|nc|ncat|netcat|mkfs|dd\s{1,8}if=|chmod\s{1,8}[0-7]{3,4}\s{1,8}\/|shutdown|reboot)\b/,
  ],
  [
    // Any flags, each its own word (`-r -f`, `--recursive --force`, `--`), then `/`, `~`,
    // `~/`, `$HOME`, quoted or not: `rm -rf ~/` and `rm -r -f /` are the same command.
    "shell.rm-root",
    /\brm(?:\s{1,8}-[a-zA-Z-]{1,30}){1,6}\s{1,8}["']?(?:\/|~\/?|\$HOME\/?|\$\{HOME\}\/?)["']?(?:\s|\*|;|&|\||$)/,
  ],
  ["shell.redirect-system", />{1,2}\s{0,8}\/(?:etc|proc|sys|boot)\//],
  [
    "shell.sensitive-file",
    /(?:^|[\s'"=<])(?:\/etc\/(?:shadow|sudoers|gshadow)|(?:~|\$HOME|\$\{HOME\}|\/root|\/home\/[^\s/]{1,64}|\/Users\/[^\s/]{1,64})\/(?:\.ssh\/|\.aws\/credentials)|\/proc\/self\/environ)/,
  ],
  ["shell.reverse-shell", /\/dev\/tcp\/|\bnc\s{1,8}(?:-[a-z]{1,4}\s{1,8}){0,4}-e\s/],
  [
    // `$IFS` glued to a word is a space the other rules do not see: `cat${IFS}/etc/shadow`.
    // `while IFS= read` sets it and `"$IFS"` quotes it alone: neither is glued.
    "shell.ifs-evasion",
    /(?<=[\w})\]]["']?)\$(?:\{IFS(?:[:%#][^}]{0,20})?\}|IFS\b)|\$(?:\{IFS(?:[:%#][^}]{0,20})?\}|IFS\b)(?=["']?[\w/.~-])/,
  ],
  [
    // ANSI-C quoting spells a command in escapes: `$'\x72\x6d' -rf /` runs rm.
    "shell.escaped-command",
    /\$'[^'\n]{0,200}?\\(?:x[0-9A-Fa-f]{1,2}|[0-7]{3}|u[0-9A-Fa-f]{4})/,
  ],
  [
    // Decoded, then run by a shell: the decoded text is what runs, and no rule can read it.
    "shell.decode-exec",
    /\b(?:base64\s{1,8}(?:-d|-D|--decode)|xxd\s{1,8}-r(?:\s{1,8}-p)?)\b[^\n]{0,200}?(?:;|&&|\|\||\n)\s{0,8}(?:sudo\s{1,8})?(?:ba|z|da|k)?sh\b/,
  ],
];

const SQL_RULES: readonly Rule[] = [
  [
    "sql.tautology",
    /['"]\s{0,8}(?:or|\|\|)(?:\s{1,8}|(?=['"]))['"]?(\w{1,20})['"]?\s{0,8}=\s{0,8}['"]?\1\b/i,
  ],
  ["sql.quote-comment", /'\s{0,8}(?:--|#)\s{0,8}$/],
  ["sql.quote-union", /['"]\s{0,8}\)?\s{0,8}union\s{1,8}(?:all\s{1,8})?select\b/i],
  [
    "sql.stacked-destructive",
    /;\s{0,8}(?:drop\s{1,8}(?:table|database|schema)|truncate\s{1,8}|delete\s{1,8}from\s{1,8}\w{1,64}\s{0,8}(?:;|--|$|where\s{1,8}(?:1\s{0,4}=\s{0,4}1|0\s{0,4}=\s{0,4}0|true)\b)|shutdown\b|exec(?:ute)?\s{1,8}xp_)/i,
  ],
  [
    // The database reading or writing the server's files, or running a program.
    "sql.file-access",
    /\b(?:load_file|pg_read_file|pg_read_binary_file|pg_ls_dir)\s{0,4}\(|\binto\s{1,8}(?:out|dump)file\b|\bfrom\s{1,8}program\s{0,8}'|\bxp_cmdshell\b/i,
  ],
  [
    "sql.time-based",
    /\b(?:sleep\s{0,4}\(\s{0,4}\d|pg_sleep\s{0,4}\(|benchmark\s{0,4}\(\s{0,4}\d{4,}|waitfor\s{1,8}delay\b)/i,
  ],
];

const PATH_RULES: readonly Rule[] = [
  ["path.encoded-traversal", /(?:%2e|\.){2}(?:%2f|%5c)|%2e%2e(?:[/\\]|$)|\.\.%c0%af|%252e%252e/i],
  ["path.null-byte", /\0|%00/],
  [
    // Dot folders of a home, wherever they are.
    "path.sensitive-file",
    /(?:^|[/\\])(?:\.ssh[/\\]|\.aws[/\\]credentials|\.gnupg[/\\]|\.docker[/\\]config\.json|\.kube[/\\]config|\.netrc$)/i,
  ],
];

/**
 * The system's own files, read in a path from its root (`fromRoot`): `/etc/passwd`,
 * `../../etc/passwd`, `file:///proc/self/environ`. A folder of that name inside a project
 * (`../shared/etc/passwd.md`) is not them.
 */
const SYSTEM_FILE =
  /^(?:etc[/\\](?:passwd|shadow|sudoers|gshadow|master\.passwd)|proc[/\\](?:self|\d{1,8})[/\\])/i;
/** A climb straight into one (`/srv/app/../../../etc/shadow`), wherever the climb starts. */
const CLIMB_TO_SYSTEM_FILE = new RegExp(
  `(?:^|[/\\\\])\\.\\.[/\\\\]{1,8}${SYSTEM_FILE.source.slice(1)}`,
  "i",
);

/** Instructions aimed at the model, as they come back in a web page, an issue or a file. */
const INJECTION_RULES: readonly Rule[] = [
  [
    "injection.ignore-instructions",
    /\b(?:ignore|disregard|forget|override)\s{1,4}(?:all\s{1,4}|any\s{1,4}|the\s{1,4}|your\s{1,4})?(?:previous|prior|above|earlier|preceding|system)\s{1,4}(?:instructions|prompts?|directions|rules|guidelines)\b/i,
  ],
  [
    "injection.role-hijack",
    /\b(?:new|updated|real)\s{1,4}system\s{1,4}prompt\s{0,4}:|(?:^|\n)\s{0,8}(?:system|assistant)\s{0,4}:\s{0,4}you\s{1,4}are\b|\byou\s{1,4}are\s{1,4}now\s{1,4}(?:DAN\b|in\s{1,4}developer\s{1,4}mode|an?\s{1,4}(?:unrestricted|jailbroken))/i,
  ],
  ["injection.hidden-tag", /<\/?(?:system|important|instructions?|assistant_instructions)>/i],
  [
    "injection.tool-directive",
    /\b(?:AI|assistant|model|LLM|agent|Claude|ChatGPT)s?\b[^.\n]{0,60}\b(?:must|should|now|immediately)\s{1,4}(?:call|invoke|run|execute|use)\s{1,4}(?:the\s{1,4})?(?:\w{1,40}\s{1,4})?(?:tool|function)\b/i,
  ],
  [
    "injection.exfiltration",
    /\b(?:send|post|upload|forward|exfiltrate|email|leak)\s{1,4}(?:(?:all|the|this|your|any|every)\s{1,4}){0,2}(?:conversation|chat\s{1,4}history|previous\s{1,4}messages|credentials|secrets|api\s{1,4}keys?|access\s{1,4}tokens?|passwords|ssh\s{1,4}keys?|environment\s{1,4}variables)\s{1,4}(?:to|at)\b/i,
  ],
  [
    "injection.conceal",
    /\b(?:do\s{1,4}not|don't|never)\s{1,4}(?:tell|mention\s{1,4}(?:this|it)\s{1,4}to|inform|reveal\s{1,4}(?:this\s{1,4})?to|show\s{1,4}(?:this\s{1,4})?to)\s{1,4}the\s{1,4}user\b/i,
  ],
  [
    "injection.prompt-extraction",
    /\b(?:reveal|print|repeat|output|show)\s{1,4}(?:me\s{1,4})?(?:your|the)\s{1,4}(?:full\s{1,4}|entire\s{1,4})?(?:system\s{1,4}prompt|hidden\s{1,4}instructions|initial\s{1,4}instructions)\b/i,
  ],
];

const RULES: Record<ArgumentScan, readonly Rule[]> = {
  shell: SHELL_RULES,
  sql: SQL_RULES,
  path: PATH_RULES,
};

/** Characters of one string that are scanned: a result past this is scanned in its head. */
export const MAX_SCANNED_CHARS = 256 * 1024;

const SHELL_KEY =
  /^(?:command|cmd|commands|script|shell|shell_command|command_line|commandline|exec|run|bash|code_to_run)$/i;
const SHELL_TOOL =
  /(?:^|[_\-.])(?:exec|execute|shell|bash|terminal|run_command|run_script|command|cmd|run)(?:$|[_\-.])/i;
const SQL_KEY = /^(?:sql|query|statement|sql_query|raw_sql)$/i;
const SQL_CONTEXT =
  /\b(?:sql|sqlite|postgres(?:ql)?|mysql|mariadb|mssql|database|duckdb|clickhouse|bigquery|snowflake)\b|_(?:query|sql)$|^(?:query|sql)_/i;
const PATH_KEY =
  /(?:^|_)(?:path|paths|file|files|filename|filepath|dir|directory|folder|source|destination|dest|target|root|cwd|repo_path|uri)$/i;

/**
 * Which argument scans apply to `key` of `tool`: shell for command-taking keys (or any string
 * key of a tool named for running commands), SQL for a query key of a tool that speaks SQL, path
 * for path-like keys. Free text (descriptions, messages, search queries) gets none.
 */
export function scansForKey(tool: Tool | undefined, key: string): ArgumentScan[] {
  const scans: ArgumentScan[] = [];
  const name = tool?.name ?? "";
  const property = (tool?.inputSchema?.properties as Record<string, { description?: unknown }>)?.[
    key
  ];
  const about = `${name} ${typeof tool?.description === "string" ? tool.description.slice(0, 500) : ""} ${typeof property?.description === "string" ? property.description.slice(0, 300) : ""}`;
  if (SHELL_KEY.test(key) && (SHELL_TOOL.test(name) || /\b(?:shell|command)\b/i.test(about))) {
    scans.push("shell");
  }
  if (SQL_KEY.test(key) && (key.toLowerCase() !== "query" || SQL_CONTEXT.test(about))) {
    scans.push("sql");
  }
  if (PATH_KEY.test(key)) scans.push("path");
  return scans;
}

/**
 * Findings in a call's arguments. `only` (a rule's `scan` list) applies those scans to every
 * string argument instead of choosing by key and schema.
 */
export function scanArguments(
  tool: Tool | undefined,
  args: JsonObject,
  only?: readonly ScanKind[],
): Finding[] {
  const findings: Finding[] = [];
  const explicit = only?.filter((kind): kind is ArgumentScan => kind in RULES);
  const visit = (value: unknown, where: string, scans: readonly ArgumentScan[], depth: number) => {
    // Every level the gateway accepts (deeper is refused before this): a cap of its own here
    // let a payload nested one level further through unscanned.
    if (depth > MAX_ARGUMENT_DEPTH) return;
    if (typeof value === "string") {
      for (const kind of scans) {
        if (kind === "path" && escapesRoot(value)) {
          findings.push({ kind, rule: "path.traversal", where, excerpt: excerpt(value, 0) });
        }
        const head = value.slice(0, MAX_SCANNED_CHARS);
        const finding =
          firstMatch(kind, RULES[kind], head, where) ??
          (kind === "path"
            ? (firstMatch(kind, RULES.path, normalizePath(head), where) ?? systemFile(head, where))
            : undefined) ??
          (kind === "sql" ? firstMatch(kind, RULES.sql, uncommentSql(head), where) : undefined) ??
          (kind === "shell" ? firstMatch(kind, RULES.shell, unquoteShell(head), where) : undefined);
        if (finding) findings.push(finding);
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, `${where}[${index}]`, scans, depth + 1);
      });
      return;
    }
    if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const next = explicit ?? [...new Set([...scans, ...scansForKey(tool, key)])];
        visit(child, where ? `${where}.${key}` : key, next, depth + 1);
      }
    }
  };
  visit(args, "", explicit ?? [], 0);
  return findings;
}

/** Findings in a result's text: instructions aimed at the model, credentials. */
export function scanText(text: string, scans: readonly ResultScan[]): Finding[] {
  const head = text.slice(0, MAX_SCANNED_CHARS);
  const findings: Finding[] = [];
  if (scans.includes("injection")) {
    const finding = firstMatch("injection", INJECTION_RULES, head, "result");
    if (finding) findings.push(finding);
  }
  if (scans.includes("credentials")) {
    for (const [kind, pattern] of CREDENTIAL_SHAPES) {
      const at = head.search(pattern);
      if (at < 0) continue;
      findings.push({
        kind: "credentials",
        rule: `credentials.${kind}`,
        where: "result",
        excerpt: `[${kind}]`,
      });
      break;
    }
  }
  return findings;
}

function firstMatch(kind: ScanKind, rules: readonly Rule[], text: string, where: string) {
  for (const [rule, pattern] of rules) {
    const match = pattern.exec(text);
    if (match) return { kind, rule, where, excerpt: excerpt(text, match.index) } as Finding;
  }
  return undefined;
}

/**
 * A path whose `..` segments climb three or more levels above where it starts
 * (`../../../etc`), or above the root of an absolute path (`/srv/../../x`). One or two levels up
 * (`../shared/x` in a monorepo) is ordinary.
 */
export function escapesRoot(path: string): boolean {
  if (path.length > 4096 || !path.includes("..")) return false;
  const absolute = /^(?:[/\\]|[A-Za-z]:[/\\])/.test(path);
  let depth = 0;
  for (const segment of path.split(/[/\\]/)) {
    if (segment === "..") {
      depth--;
      if (depth <= -3 || (absolute && depth < 0)) return true;
    } else if (segment && segment !== "." && !/^[A-Za-z]:$/.test(segment)) depth++;
  }
  return false;
}

/**
 * The path the operating system opens for `path`, as far as text can tell: repeated separators
 * as one, `.` segments dropped, `name/..` pairs removed. `/etc//passwd`, `/etc/./shadow` and
 * `/etc/ssl/../shadow` name the file the sensitive-file rule looks for, in a form it did not
 * read; it reads this one too.
 */
export function normalizePath(path: string): string {
  if (!/[/\\]{2}|(?:^|[/\\])\.{1,2}(?:[/\\]|$)/.test(path)) return path;
  const absolute = /^[/\\]/.test(path);
  const kept: string[] = [];
  for (const segment of path.split(/[/\\]+/)) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && kept.length && kept[kept.length - 1] !== "..") kept.pop();
    else if (segment !== ".." || !absolute) kept.push(segment);
  }
  return `${absolute ? "/" : ""}${kept.join("/")}`;
}

/**
 * A system file (`SYSTEM_FILE`) named by any word of `text` (a path, or a command holding one:
 * `cat /etc/passwd`, `--file=/etc/passwd`), as its root-relative path: the word as written and
 * as `normalizePath` reads it (`/srv/www/../../etc/passwd`), with `file://`, a drive, leading
 * separators and leading `.`/`..` segments taken off.
 */
function systemFile(text: string, where: string): Finding | undefined {
  if (!/etc|proc/i.test(text)) return undefined;
  let at = 0;
  for (const word of text.split(/[\s'"=<>|;&,()`]/)) {
    const start = text.indexOf(word, at);
    at = start + word.length;
    if (!word || word.length > 4096) continue;
    for (const form of [word, normalizePath(word)]) {
      if (SYSTEM_FILE.test(fromRoot(form)) || CLIMB_TO_SYSTEM_FILE.test(form)) {
        return { kind: "path", rule: "path.sensitive-file", where, excerpt: excerpt(text, start) };
      }
    }
  }
  return undefined;
}

/** A path with what leads to the root taken off: `file://`, `C:`, separators, `.` and `..`. */
function fromRoot(path: string): string {
  return path
    .replace(/^file:\/\/(?:localhost)?/i, "")
    .replace(/^[A-Za-z]:(?=[/\\])/, "")
    .replace(/^(?:[/\\]|\.{1,2}(?=[/\\]|$))+/, "");
}

/**
 * A shell command as the shell reads its words: `r''m`, `"r"m` and `r\m` are `rm`, `{rm,-rf,/}` is
 * `rm -rf /`, and `$IFS` is a space. The rules read this form too.
 */
export function unquoteShell(text: string): string {
  if (!/['"\\{$]/.test(text)) return text;
  return (
    text
      // A quoted part of a word is that part: `"r"m`, `r''m`, `c'ur'l` are rm and curl.
      .replace(/(["'])([^\s'"]{0,50})\1(?=[\w/~-])/g, "$2")
      .replace(/(?<=[\w/~-])(["'])([^\s'"]{0,50})\1/g, "$2")
      .replace(/\\(?=[A-Za-z0-9/_.-])/g, "")
      .replace(/\$(?:\{IFS(?:[:%#][^}]{0,20})?\}|IFS\b)/g, " ")
      .replace(/\{([^\s{},]{1,100}(?:,[^\s{},]{0,100}){1,20})\}/g, (_, words: string) =>
        words.replaceAll(",", " "),
      )
  );
}

/**
 * SQL with its inline comments read as the spaces they are to the database: `UNION`, `OR` and
 * `DROP` with an empty comment on each side are the statements the rules look for.
 */
export function uncommentSql(text: string): string {
  if (!text.includes("/*") && !/(?:--|#)[^\n]{0,200}\n/.test(text)) return text;
  // MySQL runs what a `/*!` comment holds: it is read, not dropped. A line comment ends at its
  // line: `1; --\nDROP TABLE users` is a stacked statement after it.
  return text
    .replace(/\/\*(!\d{0,6})?([^*]{0,200})\*\//g, (_, bang, body: string) =>
      bang ? ` ${body} ` : " ",
    )
    .replace(/(?:--|#)[^\n]{0,200}\n/g, " ");
}

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - 10);
  return text
    .slice(start, start + 60)
    .replace(/\s+/g, " ")
    .trim();
}
