import type { JsonObject } from "../backends/types.ts";

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X"
          ? Number.parseInt(name.slice(2), 16)
          : Number(name.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** `gesmes:Envelope` -> `Envelope`: namespaces prefixes are dropped, as the original does. */
function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

function addChild(parent: JsonObject, name: string, value: unknown): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = value as JsonObject;
  else if (Array.isArray(existing)) existing.push(value as JsonObject);
  else parent[name] = [existing, value] as JsonObject[];
}

/** An element with only text becomes that text; otherwise attributes are `@name`, text `#text`. */
function finish(node: JsonObject): unknown {
  const keys = Object.keys(node);
  return keys.length === 1 && keys[0] === "#text" ? node["#text"] : node;
}

/**
 * Turns an XML document into JSON for `response_format: xml`: elements become keys (repeated
 * ones an array), attributes `@name`, mixed text `#text`. The root element is unwrapped, so
 * `<Envelope><Cube/></Envelope>` is `{ Cube: ... }`. Throws on mismatched tags.
 */
export function xmlToJson(xml: string): unknown {
  const stack: { name: string; node: JsonObject }[] = [{ name: "", node: {} }];
  const token =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gi;
  for (const match of xml.matchAll(token)) {
    const [, cdata, closing, rawName, attrs, selfClosing, text] = match;
    const top = stack.at(-1)!;
    if (cdata !== undefined || text !== undefined) {
      const value = cdata ?? decode(text!);
      if (value.trim())
        top.node["#text"] = `${(top.node["#text"] as string | undefined) ?? ""}${value.trim()}`;
      continue;
    }
    if (!rawName) continue;
    const name = localName(rawName);
    if (closing) {
      if (stack.length < 2 || top.name !== name) {
        throw new Error(`unexpected </${rawName}>`);
      }
      stack.pop();
      addChild(stack.at(-1)!.node, name, finish(top.node));
      continue;
    }
    const node: JsonObject = {};
    for (const attr of (attrs ?? "").matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (attr[1]!.startsWith("xmlns")) continue;
      node[`@${localName(attr[1]!)}`] = decode(attr[2] ?? attr[3] ?? "");
    }
    if (selfClosing) addChild(top.node, name, finish(node));
    else stack.push({ name, node });
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  const root = stack[0]!.node;
  const keys = Object.keys(root).filter((key) => key !== "#text");
  return keys.length === 1 ? root[keys[0]!] : root;
}
