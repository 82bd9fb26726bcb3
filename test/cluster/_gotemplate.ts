/**
 * Renders the Helm chart in deploy/helm without helm (not installable here): a small Go
 * text/template evaluator for the subset the chart uses — `{{- -}}` trimming, `define`,
 * `include`, `if`/`else`, fields (`.Values.a.b`, `.Release.Name`), parentheses, pipelines, and
 * the Sprig functions `toYaml`, `indent`, `nindent`, `quote`, `default`, `required`, `fail`,
 * `and`, `or`, `not`, `dict`, `merge`, `sha256sum`. Anything else throws, so a template that
 * starts using more fails this test instead of being rendered wrong.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; expr: string }
  | { kind: "if"; cond: string; yes: Node[]; no: Node[] }
  | { kind: "define"; name: string; body: Node[] };

/** Splits the source into text and actions, applying `{{-` and `-}}` whitespace trimming. */
function lex(source: string): { kind: "text" | "action"; value: string }[] {
  const out: { kind: "text" | "action"; value: string }[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf("{{", at);
    if (open < 0) {
      out.push({ kind: "text", value: source.slice(at) });
      break;
    }
    let text = source.slice(at, open);
    const close = source.indexOf("}}", open);
    if (close < 0) throw new Error("unclosed action");
    let inner = source.slice(open + 2, close);
    if (inner.startsWith("-")) {
      text = text.replace(/\s+$/, "");
      inner = inner.slice(1);
    }
    let trimAfter = false;
    if (inner.endsWith("-")) {
      trimAfter = true;
      inner = inner.slice(0, -1);
    }
    out.push({ kind: "text", value: text });
    out.push({ kind: "action", value: inner.trim() });
    at = close + 2;
    if (trimAfter) while (at < source.length && /\s/.test(source[at]!)) at++;
  }
  return out;
}

function parse(source: string): Node[] {
  const tokens = lex(source);
  let index = 0;
  function block(stopAt: string[]): { nodes: Node[]; stop?: string } {
    const nodes: Node[] = [];
    while (index < tokens.length) {
      const token = tokens[index++]!;
      if (token.kind === "text") {
        if (token.value) nodes.push({ kind: "text", text: token.value });
        continue;
      }
      const word = token.value.split(/\s+/)[0]!;
      if (stopAt.includes(word)) return { nodes, stop: word };
      if (word === "if") {
        const then = block(["else", "end"]);
        const otherwise = then.stop === "else" ? block(["end"]).nodes : [];
        nodes.push({
          kind: "if",
          cond: token.value.slice(2).trim(),
          yes: then.nodes,
          no: otherwise,
        });
      } else if (word === "define") {
        const name = JSON.parse(token.value.slice(6).trim()) as string;
        nodes.push({ kind: "define", name, body: block(["end"]).nodes });
      } else if (["range", "with", "template", "block"].includes(word)) {
        throw new Error(`unsupported action: ${token.value}`);
      } else {
        nodes.push({ kind: "action", expr: token.value });
      }
    }
    if (stopAt.length) throw new Error(`missing {{ end }} (wanted ${stopAt.join("/")})`);
    return { nodes };
  }
  return block([]).nodes;
}

export interface RenderContext {
  Values: Record<string, unknown>;
  Release: { Name: string; Namespace?: string };
}

const truthy = (value: unknown) =>
  !(
    value === undefined ||
    value === null ||
    value === false ||
    value === 0 ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && Object.keys(value as object).length === 0)
  );

/** Helm's toYaml: block style, no trailing newline. */
const toYaml = (value: unknown) => stringify(value ?? {}, { lineWidth: 0 }).replace(/\n$/, "");

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>) {
  for (const [key, value] of Object.entries(source)) {
    const have = target[key];
    if (have === undefined) target[key] = structuredClone(value);
    else if (isMap(have) && isMap(value)) mergeInto(have, value);
  }
  return target;
}
const isMap = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === "object" && !Array.isArray(value);

export class ChartRenderer {
  private readonly defines = new Map<string, Node[]>();

  constructor(templates: string[]) {
    for (const source of templates) this.collect(parse(source));
  }

  private collect(nodes: Node[]) {
    for (const node of nodes) if (node.kind === "define") this.defines.set(node.name, node.body);
  }

  render(source: string, context: RenderContext): string {
    return this.run(parse(source), context);
  }

  private run(nodes: Node[], dot: unknown): string {
    let out = "";
    for (const node of nodes) {
      if (node.kind === "text") out += node.text;
      else if (node.kind === "action") out += stringOf(this.pipeline(node.expr, dot));
      else if (node.kind === "if")
        out += this.run(truthy(this.pipeline(node.cond, dot)) ? node.yes : node.no, dot);
    }
    return out;
  }

  private pipeline(expr: string, dot: unknown): unknown {
    const stages = split(expr, "|");
    let value: unknown;
    stages.forEach((stage, i) => {
      const words = words_(stage);
      value = this.command(words, dot, i === 0 ? undefined : { value });
    });
    return value;
  }

  private command(words: string[], dot: unknown, piped?: { value: unknown }): unknown {
    const [head, ...rest] = words;
    if (head === undefined) throw new Error("empty command");
    const args = rest.map((word) => this.operand(word, dot));
    if (piped) args.push(piped.value);
    if (!FUNCTIONS.has(head) && head !== "include") {
      if (args.length) throw new Error(`not a function: ${head}`);
      return this.operand(head, dot);
    }
    switch (head) {
      case "include": {
        const body = this.defines.get(args[0] as string);
        if (!body) throw new Error(`no template named ${String(args[0])}`);
        return this.run(body, args[1]);
      }
      case "toYaml":
        return toYaml(args[0]);
      case "indent":
        return indent(Number(args[0]), stringOf(args[1]));
      case "nindent":
        return `\n${indent(Number(args[0]), stringOf(args[1]))}`;
      case "quote":
        return JSON.stringify(stringOf(args[0]));
      case "default":
        return truthy(args[1]) ? args[1] : args[0];
      case "required":
        if (!truthy(args[1])) throw new Error(`required: ${String(args[0])}`);
        return args[1];
      case "fail":
        throw new Error(`fail: ${String(args[0])}`);
      case "and":
        return args.find((arg) => !truthy(arg)) ?? args[args.length - 1];
      case "or":
        return args.find((arg) => truthy(arg)) ?? args[args.length - 1];
      case "not":
        return !truthy(args[0]);
      case "dict": {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < args.length; i += 2) out[String(args[i])] = args[i + 1];
        return out;
      }
      case "merge":
        return args
          .slice(1)
          .reduce<Record<string, unknown>>(
            (into, from) => mergeInto(into, (from ?? {}) as Record<string, unknown>),
            args[0] as Record<string, unknown>,
          );
      case "sha256sum":
        return createHash("sha256").update(stringOf(args[0])).digest("hex");
    }
    throw new Error(`unsupported function ${head}`);
  }

  private operand(word: string, dot: unknown): unknown {
    if (word.startsWith("(")) return this.pipeline(word.slice(1, -1), dot);
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    if (word === "true" || word === "false") return word === "true";
    if (word === ".") return dot;
    if (word.startsWith(".")) {
      let value: unknown = dot;
      for (const key of word.slice(1).split(".")) {
        value =
          value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
      }
      return value;
    }
    if (FUNCTIONS.has(word)) return this.command([word], dot);
    throw new Error(`cannot read ${word}`);
  }
}

const FUNCTIONS = new Set([
  "toYaml",
  "indent",
  "nindent",
  "quote",
  "default",
  "required",
  "fail",
  "and",
  "or",
  "not",
  "dict",
  "merge",
  "sha256sum",
]);

const stringOf = (value: unknown) =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : String(value);

const indent = (by: number, text: string) =>
  text
    .split("\n")
    .map((line) => " ".repeat(by) + line)
    .join("\n");

/** Splits on `separator` outside quotes and parentheses. */
function split(expr: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (const char of expr) {
    if (char === '"') quoted = !quoted;
    if (!quoted && char === "(") depth++;
    if (!quoted && char === ")") depth--;
    if (!quoted && depth === 0 && char === separator) {
      out.push(current.trim());
      current = "";
    } else current += char;
  }
  out.push(current.trim());
  return out;
}

/** The words of one command: fields, literals, and parenthesised pipelines kept whole. */
function words_(command: string): string[] {
  return split(command.replace(/\s+/g, " "), " ").filter(Boolean);
}
