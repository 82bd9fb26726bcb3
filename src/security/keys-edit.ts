import { extname } from "node:path";
import { applyEdits, modify, type ParseError, parse as parseJsonc } from "jsonc-parser";
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { blockEnd, column, endOfLine, lineStart, sameTree } from "../config/edit.ts";
import { GatewayError } from "../errors.ts";

/** One `auth.api_keys` entry as `keys create` writes it. */
export interface KeyEntry {
  name: string;
  key: string;
  admin?: boolean;
  description?: string;
  allowed_tools?: string[];
  denied_tools?: string[];
  rate_limit?: number;
}

// Edits of `auth` in a config's text, pure text in and out. Like `add` and `remove`, a YAML edit
// splices only the lines it owns and checks that the result parses to what was intended; should
// the layout not allow it (flow maps), the document model makes the edit instead.

/** Adds an `auth.api_keys` entry. */
export function addKeyEntry(text: string, file: string, entry: KeyEntry): string {
  if (isJson(file)) {
    return jsonEdit(text, ["auth", "api_keys"], [...jsonKeys(text, file), entry]);
  }
  const doc = parseYaml(text, file);
  const expected = treeOf(doc, file);
  const auth = expected.auth as { api_keys?: unknown };
  auth.api_keys = [...(Array.isArray(auth.api_keys) ? auth.api_keys : []), entry];
  return yamlEdit(expected, spliceAddKey(text, entry), () => {
    const list = doc.getIn(["auth", "api_keys"], true);
    const node = keyNode(doc, entry);
    if (isSeq(list)) {
      list.flow = false;
      list.add(node);
    } else {
      const section = doc.get("auth", true);
      if (isMap(section)) section.flow = false;
      doc.setIn(["auth", "api_keys"], doc.createNode([]));
      (doc.getIn(["auth", "api_keys"], true) as YAMLSeq).add(node);
    }
    return doc;
  });
}

/** Removes the key named `name`; undefined when there is none. */
export function removeKeyEntry(text: string, file: string, name: string): string | undefined {
  if (isJson(file)) {
    const keys = jsonKeys(text, file);
    const kept = keys.filter((key) => key.name !== name);
    return kept.length === keys.length ? undefined : jsonEdit(text, ["auth", "api_keys"], kept);
  }
  const doc = parseYaml(text, file);
  const list = doc.getIn(["auth", "api_keys"], true);
  if (!isSeq(list)) return undefined;
  const index = list.items.findIndex((item) => isMap(item) && item.get("name") === name);
  if (index === -1) return undefined;
  const expected = treeOf(doc, file);
  (expected.auth as { api_keys: unknown[] }).api_keys.splice(index, 1);
  return yamlEdit(expected, spliceRemoveItem(text, doc, index), () => {
    list.delete(index);
    return doc;
  });
}

/** Sets `auth.enabled: true`. */
export function enableAuth(text: string, file: string): string {
  if (isJson(file)) return jsonEdit(text, ["auth", "enabled"], true);
  const doc = parseYaml(text, file);
  const expected = treeOf(doc, file);
  (expected.auth as { enabled?: boolean }).enabled = true;
  return yamlEdit(expected, spliceEnable(text), () => {
    doc.setIn(["auth", "enabled"], true);
    return doc;
  });
}

/** The splice if it yields `expected`, else the document model's edit (checked all the same). */
function yamlEdit(
  expected: Record<string, unknown>,
  spliced: string | undefined,
  viaDocument: () => Document,
): string {
  if (spliced !== undefined && sameTree(spliced, expected)) return spliced;
  const out = viaDocument().toString({ lineWidth: 0, flowCollectionPadding: false });
  if (!sameTree(out, expected)) {
    throw new GatewayError("INTERNAL", "could not edit the config without changing other values");
  }
  return out;
}

/** The parsed tree with an `auth` mapping (created when absent). */
function treeOf(doc: Document, file: string): Record<string, unknown> {
  const tree = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (tree.auth === undefined || tree.auth === null) tree.auth = {};
  if (typeof tree.auth !== "object" || Array.isArray(tree.auth)) {
    throw new GatewayError("CONFIG_INVALID", `${file}: auth: expected a mapping`);
  }
  return tree;
}

/** A YAML node for a key entry: scope lists as `["a:*"]`. */
function keyNode(doc: Document, entry: KeyEntry): Node {
  const node = doc.createNode(entry) as YAMLMap;
  for (const pair of node.items as Pair<unknown, unknown>[]) {
    if (!isSeq(pair.value)) continue;
    pair.value.flow = true;
    for (const item of pair.value.items) {
      if (isScalar(item) && typeof item.value === "string") item.type = Scalar.QUOTE_DOUBLE;
    }
  }
  return node;
}

/** `value` (a key entry, or a map or list leading to one) as block lines indented by `indent`. */
function render(value: unknown, entry: KeyEntry, indent: number, step: number): string {
  const doc = parseDocument("{}");
  doc.contents = doc.createNode(value) as never;
  const holder = [doc.contents as Node, ...findSeqs(doc.contents as Node)];
  for (const node of holder) {
    if (isSeq(node)) node.items = node.items.map(() => keyNode(doc, entry));
  }
  const body = doc.toString({ indent: step, lineWidth: 0, flowCollectionPadding: false });
  return body
    .split("\n")
    .map((line) => (line ? " ".repeat(indent) + line : line))
    .join("\n");
}

/** Lists under maps (the `api_keys` list under `auth`), not inside an entry. */
function findSeqs(node: Node): Node[] {
  if (isMap(node)) return node.items.flatMap((pair) => findSeqs(pair.value as Node));
  return isSeq(node) ? [node] : [];
}

const isNull = (node: unknown) => node === null || (isScalar(node) && node.value === null);

interface Located {
  root: YAMLMap<Scalar, unknown> | null;
  auth?: Pair<Scalar, unknown>;
}

function locate(text: string): Located | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  const root = doc.contents as YAMLMap<Scalar, unknown> | null;
  if (root !== null && (!isMap(root) || root.flow)) return undefined;
  const auth = root?.items.find((item) => isScalar(item.key) && item.key.value === "auth");
  return { root, auth };
}

/** Appends `block` (lines ending in a newline) at the end of the file, a blank line before it. */
function appendSection(text: string, block: string): string {
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${base}${base.trim() ? "\n" : ""}${block}`;
}

/** Inserts `block` at `at`, starting a line. */
function insertAt(text: string, at: number, block: string): string {
  const prefix = at === text.length && text !== "" && !text.endsWith("\n") ? "\n" : "";
  return text.slice(0, at) + prefix + block + text.slice(at);
}

/** The column of a block map's keys. */
function keyColumn(text: string, map: YAMLMap<Scalar, unknown>): number | undefined {
  const range = map.items[0]?.key.range;
  return range ? column(text, range[0]) : undefined;
}

function spliceAddKey(text: string, entry: KeyEntry): string | undefined {
  const found = locate(text);
  if (!found) return undefined;
  const { auth } = found;
  if (!auth) return appendSection(text, render({ auth: { api_keys: [entry] } }, entry, 0, 2));
  const authKey = auth.key.range;
  if (!authKey) return undefined;
  const authColumn = column(text, authKey[0]);
  if (isNull(auth.value)) {
    const block = render({ api_keys: [entry] }, entry, authColumn + 2, 2);
    return insertAt(text, endOfLine(text, authKey[1]), block);
  }
  if (!isMap(auth.value) || auth.value.flow) return undefined;
  const section = auth.value as YAMLMap<Scalar, unknown>;
  const indent = keyColumn(text, section);
  if (indent === undefined) return undefined;
  const step = indent - authColumn;
  const keys = section.items.find((item) => isScalar(item.key) && item.key.value === "api_keys");
  if (!keys?.key.range) {
    const end = blockEnd(text, authColumn, section.range?.[1] ?? authKey[1]);
    return insertAt(text, end, render({ api_keys: [entry] }, entry, indent, step));
  }
  const list = keys.value;
  const keyEnd = keys.key.range[1];
  if (isNull(list)) {
    return insertAt(text, endOfLine(text, keyEnd), render([entry], entry, indent + step, step));
  }
  if (!isSeq(list) || !list.range) return undefined;
  if (list.flow) {
    if (list.items.length > 0) return undefined;
    // `api_keys: [] # none yet` becomes `api_keys: # none yet` and the item below it.
    let start = list.range[0];
    while (text[start - 1] === " " || text[start - 1] === "\t") start--;
    const lineEnd = endOfLine(text, list.range[1]);
    const rest = text.slice(list.range[1], lineEnd).trim();
    const head = `${text.slice(0, start)}${rest ? ` ${rest}` : ""}\n`;
    return head + render([entry], entry, indent + step, step) + text.slice(lineEnd);
  }
  const last = list.items.at(-1) as { range?: [number, number, number] } | undefined;
  if (!last?.range) return undefined;
  const dash = text.lastIndexOf("-", last.range[0]);
  const dashColumn = column(text, dash);
  return insertAt(
    text,
    blockEnd(text, dashColumn, last.range[1]),
    render([entry], entry, dashColumn, step),
  );
}

function spliceRemoveItem(text: string, doc: Document, index: number): string | undefined {
  const keys = (doc.get("auth", true) as YAMLMap<Scalar, unknown> | undefined)?.items.find(
    (item) => isScalar(item.key) && item.key.value === "api_keys",
  );
  const list = keys?.value;
  if (!keys?.key.range || !isSeq(list) || list.flow) return undefined;
  const item = list.items[index] as { range?: [number, number, number] } | undefined;
  if (!item?.range) return undefined;
  const dash = text.lastIndexOf("-", item.range[0]);
  const start = lineStart(text, dash);
  if (text.slice(start, dash).trim() !== "") return undefined;
  const out = text.slice(0, start) + text.slice(blockEnd(text, dash - start, item.range[1]));
  if (list.items.length > 1) return out;
  // The last key went: the list stays a list.
  const colon = out.indexOf(":", keys.key.range[1]);
  return colon === -1 ? undefined : `${out.slice(0, colon + 1)} []${out.slice(colon + 1)}`;
}

function spliceEnable(text: string): string | undefined {
  const found = locate(text);
  if (!found) return undefined;
  const { auth } = found;
  if (!auth) return appendSection(text, "auth:\n  enabled: true\n");
  const authKey = auth.key.range;
  if (!authKey) return undefined;
  const authColumn = column(text, authKey[0]);
  if (isNull(auth.value)) {
    return insertAt(
      text,
      endOfLine(text, authKey[1]),
      `${" ".repeat(authColumn + 2)}enabled: true\n`,
    );
  }
  if (!isMap(auth.value)) return undefined;
  const section = auth.value as YAMLMap<Scalar, unknown>;
  const enabled = section.items.find((item) => isScalar(item.key) && item.key.value === "enabled");
  const value = enabled?.value;
  // `enabled: false # why` keeps its comment: only the value changes.
  if (isScalar(value) && value.range) {
    return `${text.slice(0, value.range[0])}true${text.slice(value.range[1])}`;
  }
  if (enabled || section.flow) return undefined;
  const indent = keyColumn(text, section);
  if (indent === undefined) return undefined;
  return insertAt(text, endOfLine(text, authKey[1]), `${" ".repeat(indent)}enabled: true\n`);
}

function isJson(file: string): boolean {
  const ext = extname(file).toLowerCase();
  if (ext === ".toml") {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: TOML configs cannot be edited by this command; edit auth by hand`,
    );
  }
  return ext === ".json" || ext === ".jsonc" || ext === ".json5";
}

function parseYaml(text: string, file: string): Document {
  const doc = parseDocument(text.trim() ? text : "{}\n");
  if (doc.errors.length) {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: cannot parse: ${doc.errors[0]!.message.split("\n")[0]}`,
    );
  }
  if (doc.contents && !isMap(doc.contents)) {
    throw new GatewayError("CONFIG_INVALID", `${file}: expected a mapping at the top level`);
  }
  return doc;
}

function jsonKeys(text: string, file: string): KeyEntry[] {
  const errors: ParseError[] = [];
  const tree = parseJsonc(text.trim() ? text : "{}", errors, { allowTrailingComma: true });
  if (errors.length) throw new GatewayError("CONFIG_INVALID", `${file}: cannot parse as JSON`);
  const keys = (tree as { auth?: { api_keys?: unknown } } | null)?.auth?.api_keys;
  return Array.isArray(keys) ? (keys as KeyEntry[]) : [];
}

function jsonEdit(text: string, path: string[], value: unknown): string {
  const source = text.trim() ? text : "{}\n";
  const edits = modify(source, path, value, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" },
  });
  return applyEdits(source, edits);
}
