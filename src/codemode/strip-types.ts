/** The wrapper the script body is transpiled in; its exact text comes back around the body. */
const OPEN = "__gateway_main = async () => {";
const CLOSE = "};";

type Transpiler = { transformSync(code: string): string };
let transpiler: Transpiler | null | undefined;

/**
 * TypeScript to JavaScript for a script body, types removed. An edge of the core: it uses Bun's
 * own transpiler (in the binary and under `bun`); on a runtime without it (Deno) the body is
 * returned as it is, so scripts there must be plain JavaScript (docs/security.md says so).
 */
export function stripTypes(body: string): string {
  transpiler ??= createTranspiler();
  if (!transpiler) return body;
  let out: string;
  try {
    out = transpiler.transformSync(`${OPEN}${body}\n};`).trim();
  } catch {
    return body; // QuickJS reports the syntax error, with its line
  }
  if (!out.startsWith(OPEN) || !out.endsWith(CLOSE)) return body;
  return out.slice(OPEN.length, -CLOSE.length);
}

function createTranspiler(): Transpiler | null {
  const bun = (globalThis as { Bun?: { Transpiler: new (options: object) => Transpiler } }).Bun;
  return bun ? new bun.Transpiler({ loader: "ts" }) : null;
}
