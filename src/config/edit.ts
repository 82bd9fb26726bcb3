import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { applyEdits, modify, parse as parseJsonc } from "jsonc-parser";
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  type Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  type YAMLSeq,
} from "yaml";
import { GatewayError } from "../errors.ts";
import type { Env } from "./env.ts";
import { expandHome, parseConfigText, type ResolvedConfig, resolveConfig } from "./load.ts";
import { duplicateKey } from "./locate.ts";

/** One backend as written into gateway.yaml (before `${VAR}` expansion). */
export interface BackendEntry {
  description?: string;
  enabled?: boolean;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  transport?: string;
  timeout?: string;
  [key: string]: unknown;
}

// Its home moved to locate.ts (no yaml or zod there: `keys list` reads through it).
export { resolveEditablePath } from "./locate.ts";

type EditFormat = "yaml" | "json";

function formatOf(file: string): EditFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".json" || ext === ".jsonc" || ext === ".json5") return "json";
  if (ext === ".toml") {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: TOML configs cannot be edited by this command; convert it to YAML or edit it by hand`,
    );
  }
  return "yaml";
}

/**
 * A gateway config opened for editing. Edits change only the text they must: comments, blank
 * lines and the layout of everything else stay as they were.
 */
export class ConfigEditor {
  readonly file: string;
  readonly existed: boolean;
  /** The text as read (empty for a new file). */
  readonly original: string;
  text: string;
  private readonly format: EditFormat;

  constructor(file: string, text?: string) {
    this.file = file;
    this.format = formatOf(file);
    this.existed = text === undefined && existsSync(file);
    this.original = text ?? (this.existed ? readFileSync(file, "utf8") : "");
    this.text = this.original;
  }

  /** Opens `file`; a YAML file that does not exist yet starts from `initialText` (YAML). */
  static open(file: string, initialText = ""): ConfigEditor {
    const editor = new ConfigEditor(file);
    if (!editor.existed) editor.text = editor.format === "json" ? "{}\n" : initialText;
    return editor;
  }

  /** The parsed tree (variables not expanded). */
  tree(): Record<string, unknown> {
    const value = parseTree(this.text, this.format, this.file);
    return value;
  }

  /** Backends as written, by name. */
  backends(): Record<string, BackendEntry> {
    const backends = this.tree().backends;
    if (!backends || typeof backends !== "object" || Array.isArray(backends)) return {};
    return backends as Record<string, BackendEntry>;
  }

  /** Adds a backend, or replaces one of the same name where it stands. */
  setBackend(name: string, entry: BackendEntry): void {
    const expected = this.tree();
    const backends = { ...((expected.backends as Record<string, unknown> | null) ?? {}) };
    backends[name] = entry;
    expected.backends = backends;
    this.text =
      this.format === "json"
        ? jsonEdit(this.text, ["backends", name], entry)
        : yamlEdit(
            this.text,
            expected,
            (text) => spliceSetBackend(text, name, entry),
            (doc) => {
              const map = doc.get("backends", true);
              if (isMap(map) && map.flow && map.items.length === 0) map.flow = false;
              doc.setIn(["backends", name], entryNode(doc, entry));
            },
          );
  }

  /** Removes a backend; false when there was none of that name. */
  removeBackend(name: string): boolean {
    const expected = this.tree();
    const backends = { ...((expected.backends as Record<string, unknown> | null) ?? {}) };
    if (!(name in backends)) return false;
    delete backends[name];
    expected.backends = backends;
    this.text =
      this.format === "json"
        ? jsonEdit(this.text, ["backends", name], undefined)
        : yamlEdit(
            this.text,
            expected,
            (text) => {
              const out = spliceRemoveBackend(text, name);
              // The last one gone with examples still commented under it: `backends:` stays bare.
              if (out !== undefined && parseDocument(out).toJS()?.backends === null) {
                expected.backends = null;
              }
              return out;
            },
            (doc) => {
              doc.deleteIn(["backends", name]);
              if (Object.keys(backends).length === 0) doc.set("backends", new YAMLMap());
            },
          );
    return true;
  }

  /**
   * Appends `entry` to the top-level `env_files` list (creating it), unless an entry there
   * already names the same file. Returns whether the text changed.
   */
  addEnvFile(entry: string, env: Env): boolean {
    const expected = this.tree();
    const current = Array.isArray(expected.env_files) ? (expected.env_files as unknown[]) : [];
    const base = dirname(this.file);
    const target = resolve(base, expandHome(entry, env));
    const same = (item: unknown) =>
      typeof item === "string" && resolve(base, expandHome(item, env)) === target;
    if (current.some(same)) return false;
    expected.env_files = [...current, entry];
    this.text =
      this.format === "json"
        ? jsonEdit(this.text, ["env_files"], expected.env_files)
        : yamlEdit(
            this.text,
            expected,
            (text) => spliceAppendEnvFile(text, entry),
            (doc) => {
              const list = doc.get("env_files", true);
              if (isSeq(list)) list.add(doc.createNode(entry));
              else doc.set("env_files", doc.createNode([entry], { flow: true }));
            },
          );
    return true;
  }

  /** Validates the current text as a gateway config; throws the loader's one-line error. */
  validate(env: Env): ResolvedConfig {
    const raw = this.text.trim() ? parseConfigText(this.text, this.file) : {};
    return resolveConfig(raw, { env, baseDir: dirname(this.file), file: this.file });
  }

  /** Writes the text in place (keeping a symlinked file a symlink), creating folders as needed. */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, this.text);
  }
}

function parseTree(text: string, format: EditFormat, file: string): Record<string, unknown> {
  if (!text.trim()) return {};
  let value: unknown;
  if (format === "json") {
    value = parseConfigText(text, file);
  } else {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      const error = doc.errors[0]!;
      const duplicate =
        error.code === "DUPLICATE_KEY" && error.linePos
          ? duplicateKey(text, error.linePos[0].line)
          : undefined;
      throw new GatewayError(
        "CONFIG_INVALID",
        `${file}: cannot parse: ${duplicate ?? error.message.split("\n")[0]}`,
      );
    }
    value = doc.toJS();
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError("CONFIG_INVALID", `${file}: expected a mapping at the top level`);
  }
  return value as Record<string, unknown>;
}

function jsonEdit(text: string, path: string[], value: unknown): string {
  const source = text.trim() ? text : "{}\n";
  const indent = /^([ \t]+)\S/m.exec(source)?.[1] ?? "  ";
  const edits = modify(source, path, value, {
    formattingOptions: {
      insertSpaces: !indent.startsWith("\t"),
      tabSize: indent.startsWith("\t") ? 1 : indent.length,
      eol: source.includes("\r\n") ? "\r\n" : "\n",
    },
  });
  const out = applyEdits(source, edits);
  parseJsonc(out);
  return out;
}

/**
 * Applies a YAML edit by splicing text, and checks the result parses to `expected`. Should the
 * splice not fit the file's layout (flow maps, odd indentation), the edit is made through the
 * document model instead: still correct and comment-keeping, only less faithful to spacing.
 */
function yamlEdit(
  text: string,
  expected: Record<string, unknown>,
  splice: (text: string) => string | undefined,
  viaDocument: (doc: Document) => void,
): string {
  const spliced = splice(text);
  if (spliced !== undefined && sameTree(spliced, expected)) return spliced;
  const doc = parseDocument(text);
  viaDocument(doc);
  const out = doc.toString({ lineWidth: 0 });
  if (!sameTree(out, expected)) {
    throw new GatewayError("INTERNAL", "could not edit the config without changing other values");
  }
  return out;
}

/** Whether YAML `text` parses without errors to `expected`. */
export function sameTree(text: string, expected: Record<string, unknown>): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  return isDeepStrictEqual(doc.toJS() ?? {}, expected);
}

/** A YAML node for a backend: `args` as a flow list, strings in args/env/headers quoted. */
function entryNode(doc: Document, entry: BackendEntry) {
  const node = doc.createNode(entry) as YAMLMap;
  for (const pair of node.items as Pair<Scalar, unknown>[]) {
    const key = String(pair.key.value);
    const value = pair.value;
    if (key === "args") {
      (value as YAMLSeq).flow = true;
      for (const item of (value as YAMLSeq).items) quote(item);
    }
    if ((key === "env" || key === "headers") && isMap(value)) {
      for (const inner of value.items) quote(inner.value);
    }
  }
  return node;
}

function quote(node: unknown): void {
  if (isScalar(node) && typeof node.value === "string") node.type = Scalar.QUOTE_DOUBLE;
}

/** `name:` and its block, indented by `indent`, one level being `step` spaces. */
function renderEntry(name: string, entry: BackendEntry, indent: number, step: number): string {
  const doc = new Document({});
  doc.contents = new YAMLMap();
  (doc.contents as YAMLMap).add(doc.createPair(name, entryNode(doc, entry)));
  const body = doc.toString({ indent: step, flowCollectionPadding: false, lineWidth: 0 });
  const pad = " ".repeat(indent);
  return body
    .split("\n")
    .map((line) => (line ? pad + line : line))
    .join("\n");
}

interface BackendsLocation {
  doc: Document;
  pair?: Pair<Scalar, unknown>;
  map?: YAMLMap<Scalar, unknown>;
}

function locateBackends(text: string): BackendsLocation | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  if (doc.contents !== null && !isMap(doc.contents)) return undefined;
  const root = doc.contents as YAMLMap<Scalar, unknown> | null;
  const pair = root?.items.find((item) => isScalar(item.key) && item.key.value === "backends");
  if (!pair) return { doc };
  return {
    doc,
    pair,
    map: isMap(pair.value) ? (pair.value as YAMLMap<Scalar, unknown>) : undefined,
  };
}

/** Where the line holding `pos` starts. */
export const lineStart = (text: string, pos: number) => text.lastIndexOf("\n", pos - 1) + 1;
/** The column of `pos` in its line. */
export const column = (text: string, pos: number) => pos - lineStart(text, pos);

/** Just past the end of the line holding `pos` (its newline included). */
export function endOfLine(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const next = text.indexOf("\n", pos);
  return next === -1 ? text.length : next + 1;
}

/**
 * Where one block-map entry's text ends: its value, then every following line indented deeper
 * than its key (nested comments included), but not the blank lines or comments before the next key.
 */
export function blockEnd(text: string, keyIndent: number, valueEnd: number): number {
  let end = endOfLine(text, valueEnd);
  let cursor = end;
  while (cursor < text.length) {
    const next = endOfLine(text, cursor + 1);
    const line = text.slice(cursor, next).replace(/\r?\n$/, "");
    if (line.trim() === "") {
      cursor = next;
      continue;
    }
    if (line.length - line.trimStart().length <= keyIndent) break;
    end = next;
    cursor = next;
  }
  return end;
}

function itemSpan(text: string, item: Pair<Scalar, unknown>): [number, number, number] | undefined {
  const keyRange = item.key.range;
  const valueRange = (item.value as { range?: [number, number, number] } | null)?.range;
  if (!keyRange) return undefined;
  const start = lineStart(text, keyRange[0]);
  const indent = keyRange[0] - start;
  if (text.slice(start, keyRange[0]).trim() !== "") return undefined;
  return [start, blockEnd(text, indent, valueRange?.[1] ?? keyRange[1]), indent];
}

function spliceSetBackend(text: string, name: string, entry: BackendEntry): string | undefined {
  const found = locateBackends(text);
  if (!found) return undefined;
  const { pair, map } = found;
  if (!pair) {
    const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
    const gap = base.trim() ? "\n" : "";
    return `${base}${gap}backends:\n${renderEntry(name, entry, 2, 2)}`;
  }
  if (!map) {
    // `backends:` with no value: the block goes right under the key.
    if (pair.value !== null && !(isScalar(pair.value) && pair.value.value === null))
      return undefined;
    const keyRange = pair.key.range;
    if (!keyRange) return undefined;
    const at = endOfLine(text, keyRange[1]);
    const indent = column(text, keyRange[0]) + 2;
    const prefix = at === text.length && !text.endsWith("\n") ? "\n" : "";
    return text.slice(0, at) + prefix + renderEntry(name, entry, indent, 2) + text.slice(at);
  }
  if (map.flow) {
    if (map.items.length > 0 || !map.range || !pair.key.range) return undefined;
    // `backends: {}` becomes a block map.
    let start = map.range[0];
    while (text[start - 1] === " " || text[start - 1] === "\t") start--;
    const lineEnd = endOfLine(text, map.range[1]);
    const after = text.slice(map.range[1], lineEnd).trimStart();
    const head = text.slice(0, start) + (after.startsWith("#") ? ` ${after}` : after);
    const indent = column(text, pair.key.range[0]) + 2;
    const lineBreak = head.endsWith("\n") ? "" : "\n";
    return head + lineBreak + renderEntry(name, entry, indent, 2) + text.slice(lineEnd);
  }
  const items = map.items;
  const existing = items.find((item) => isScalar(item.key) && item.key.value === name);
  const reference = existing ?? items.at(-1);
  if (!reference) return undefined;
  const span = itemSpan(text, reference);
  if (!span) return undefined;
  const [start, end, indent] = span;
  const step = childStep(text, items, indent);
  const rendered = renderEntry(name, entry, indent, step);
  if (existing) return text.slice(0, start) + rendered + text.slice(end);
  const prefix = text.slice(0, end).endsWith("\n") ? "" : "\n";
  return text.slice(0, end) + prefix + rendered + text.slice(end);
}

/** The indentation step the file uses inside its backends (2 when it cannot tell). */
function childStep(text: string, items: Pair<Scalar, unknown>[], indent: number): number {
  for (const item of items) {
    const value = item.value;
    if (isMap(value) && !value.flow && value.items[0]?.key) {
      const key = value.items[0].key as Scalar;
      if (key.range) {
        const step = column(text, key.range[0]) - indent;
        if (step > 0) return step;
      }
    }
  }
  return 2;
}

function spliceRemoveBackend(text: string, name: string): string | undefined {
  const found = locateBackends(text);
  if (!found?.map || found.map.flow || !found.pair?.key.range) return undefined;
  const item = found.map.items.find((entry) => isScalar(entry.key) && entry.key.value === name);
  if (!item) return undefined;
  const span = itemSpan(text, item);
  if (!span) return undefined;
  let out = text.slice(0, span[0]) + text.slice(span[1]);
  if (found.map.items.length === 1) {
    // The last backend went. Commented lines left under the key (examples to uncomment) keep
    // it bare, which loads as no backends: `backends: {}` would turn them into bad indentation.
    const colon = text.indexOf(":", found.pair.key.range[1]);
    if (colon === -1 || colon > span[0]) return undefined;
    const below = out.slice(endOfLine(out, colon + 1)).split("\n");
    const comments = below.slice(
      0,
      below.findIndex((line) => !/^(?:[ \t]+#.*)?\s*$/.test(line)),
    );
    if (comments.some((line) => /^[ \t]+#\s?[a-z0-9_-]+:\s*$/.test(line))) return out;
    out = `${out.slice(0, colon + 1)} {}${out.slice(colon + 1)}`;
  }
  return out;
}

/** `env_files: [a]` becomes `[a, "entry"]`; a block list gets a `- "entry"` line; none: one is added. */
function spliceAppendEnvFile(text: string, entry: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) return undefined;
  const root = doc.contents as YAMLMap<Scalar, unknown> | null;
  const pair = root?.items.find((item) => isScalar(item.key) && item.key.value === "env_files");
  const quoted = JSON.stringify(entry);
  if (!pair) {
    const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
    return `${base}${base.trim() ? "\n" : ""}env_files: [${quoted}]\n`;
  }
  const list = pair.value;
  if (list === null || (isScalar(list) && list.value === null)) {
    const at = pair.key.range?.[1];
    if (at === undefined || text[at] !== ":") return undefined;
    return `${text.slice(0, at + 1)} [${quoted}]${text.slice(at + 1)}`;
  }
  if (!isSeq(list) || !list.range) return undefined;
  if (list.flow) {
    const close = text.lastIndexOf("]", list.range[1]);
    if (close < list.range[0]) return undefined;
    const separator = list.items.length > 0 ? ", " : "";
    return text.slice(0, close) + separator + quoted + text.slice(close);
  }
  const last = list.items.at(-1) as { range?: [number, number, number] } | undefined;
  if (!last?.range) return undefined;
  const dash = text.lastIndexOf("-", last.range[0]);
  const indent = column(text, dash);
  const at = endOfLine(text, last.range[1]);
  const prefix = at === text.length && !text.endsWith("\n") ? "\n" : "";
  return `${text.slice(0, at)}${prefix}${" ".repeat(indent)}- ${quoted}\n${text.slice(at)}`;
}
