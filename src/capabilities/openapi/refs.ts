import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCapped } from "../../security/body.ts";
import { type Fetch, fetchPinned, type Lookup } from "../ssrf.ts";

/** The most a spec or one `$ref`'d document may weigh. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 30_000;

export interface RefOptions {
  /** `--allow-file-refs`: `$ref`s may read local files other than the spec itself. */
  allowFileRefs?: boolean;
  /** Test seams, as for capability requests. */
  lookup?: Lookup;
  fetch?: Fetch;
}

interface RefFile {
  url: string;
}

/**
 * The `$ref` resolvers `cap import` gives swagger-parser. A spec is untrusted text whose
 * `$ref`s would otherwise read any local file (`file:///home/me/.ssh/id_rsa`) into a tool
 * description, or fetch from the importer's network. So: local files other than the spec itself
 * only with `--allow-file-refs`; http(s) through the SSRF guard, pinned to the checked address,
 * every redirect checked again. The spec's own server (a URL the operator typed) may be private.
 */
export function refResolvers(spec: string, options: RefOptions = {}) {
  const remote = /^https?:\/\//i.test(spec);
  const rootFile = remote ? undefined : resolve(spec);
  const rootOrigin = remote ? new URL(spec).origin : undefined;
  return {
    external: true,
    file: {
      order: 100,
      canRead: (file: RefFile) => !/^https?:\/\//i.test(file.url),
      async read(file: RefFile): Promise<Buffer> {
        const path = toPath(file.url);
        if (path !== rootFile && !options.allowFileRefs) {
          throw new Error(
            `$ref to the local file ${path} refused: a spec may not read other files unless you pass --allow-file-refs`,
          );
        }
        return readFile(path);
      },
    },
    http: {
      order: 200,
      canRead: (file: RefFile) => /^https?:\/\//i.test(file.url),
      read: (file: RefFile) => download(new URL(file.url), rootOrigin, options),
    },
  };
}

function toPath(url: string): string {
  if (/^file:/i.test(url)) return fileURLToPath(url);
  try {
    return resolve(decodeURI(url));
  } catch {
    return resolve(url);
  }
}

async function download(
  first: URL,
  rootOrigin: string | undefined,
  options: RefOptions,
): Promise<Buffer> {
  let url = first;
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await fetchPinned(
      url,
      { signal, headers: { accept: "application/json, application/yaml, */*;q=0.5" } },
      {
        allowPrivateNetworks: url.origin === rootOrigin,
        lookup: options.lookup,
        fetch: options.fetch,
      },
    );
    if (!(response instanceof Response)) {
      throw new Error(`$ref to ${url} refused: ${response.refused.replace(/; set .*$/, "")}`);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => {});
      url = new URL(location, url);
      continue;
    }
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const { bytes, complete } = await readCapped(response, MAX_DOCUMENT_BYTES);
    if (!complete) throw new Error(`${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    return Buffer.from(bytes);
  }
  throw new Error(`${first} redirected more than ${MAX_REDIRECTS} times`);
}
