import { inflateRawSync } from "node:zlib";
import { SKILL_LIMITS } from "./files.ts";

/** The most an archive may unpack to, all its files together (a zip bomb stops here). */
export const ZIP_LIMITS = {
  archiveBytes: 16 * 1024 * 1024,
  unpackedBytes: 32 * 1024 * 1024,
  entries: 2000,
};

export interface ZipEntry {
  /** The path inside the archive, `/`-separated, checked to stay inside it. */
  path: string;
  bytes: Uint8Array;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * The files of a zip archive (stored or deflated), for importing skills. An entry whose path
 * would land outside the folder it is unpacked into (`..`, an absolute path, a drive letter: "zip
 * slip") fails the whole archive; links and folders are left out (`skipped`), and so is a file
 * over SKILL_LIMITS.fileBytes; encrypted and zip64 archives are refused.
 */
export function readZip(data: Uint8Array, name: string): { files: ZipEntry[]; skipped: string[] } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const fail = (why: string) => new Error(`${name}: ${why}`);
  if (data.byteLength > ZIP_LIMITS.archiveBytes) {
    throw fail(`over ${ZIP_LIMITS.archiveBytes} bytes`);
  }
  let end = -1;
  for (let at = data.byteLength - 22; at >= Math.max(0, data.byteLength - 22 - 65535); at--) {
    if (view.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) throw fail("not a zip archive (no end of central directory)");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw fail("zip64 archives are not supported");
  if (count > ZIP_LIMITS.entries) throw fail(`more than ${ZIP_LIMITS.entries} entries`);
  const files: ZipEntry[] = [];
  const skipped: string[] = [];
  let unpacked = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > data.byteLength || view.getUint32(at, true) !== CENTRAL) {
      throw fail("a damaged central directory");
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const mode = view.getUint32(at + 38, true) >>> 16;
    const offset = view.getUint32(at + 42, true);
    const raw = new TextDecoder().decode(data.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    const path = checkedPath(raw, fail);
    if (raw.endsWith("/")) continue;
    // Unix-made entries carry their file type: a link is never unpacked.
    if (madeBy === 3 && (mode & S_IFMT) === S_IFLNK) {
      skipped.push(`${path}: a symbolic link, not unpacked`);
      continue;
    }
    if (flags & 1) throw fail(`${path} is encrypted`);
    if (size > SKILL_LIMITS.fileBytes) {
      skipped.push(`${path}: ${size} bytes, over the ${SKILL_LIMITS.fileBytes}-byte limit`);
      continue;
    }
    unpacked += size;
    if (unpacked > ZIP_LIMITS.unpackedBytes) {
      throw fail(`unpacks to over ${ZIP_LIMITS.unpackedBytes} bytes`);
    }
    if (view.getUint32(offset, true) !== LOCAL) throw fail(`${path}: a damaged local header`);
    const start =
      offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
    const body = data.subarray(start, start + packed);
    let bytes: Uint8Array;
    if (method === 0) bytes = body;
    else if (method === 8) {
      try {
        // Never more than the size the directory declares: a bomb stops at its first lie.
        bytes = inflateRawSync(body, { maxOutputLength: Math.max(size, 1) });
      } catch {
        throw fail(`${path} does not unpack to its declared ${size} bytes`);
      }
    } else
      throw fail(`${path} uses compression method ${method}; only stored and deflate are read`);
    if (bytes.byteLength !== size) throw fail(`${path} unpacks to the wrong size`);
    files.push({ path, bytes: new Uint8Array(bytes) });
  }
  return { files, skipped };
}

/** An entry's path, refused when it could climb out of the folder it is unpacked into. */
function checkedPath(raw: string, fail: (why: string) => Error): string {
  const path = raw.replace(/\/+$/, "");
  const parts = path.split("/");
  if (
    !path ||
    raw.includes("\\") ||
    raw.includes("\0") ||
    raw.startsWith("/") ||
    /^[A-Za-z]:/.test(raw) ||
    parts.some((part) => part === ".." || part === "." || part === "")
  ) {
    throw fail(`entry ${JSON.stringify(raw)} would unpack outside the skill's folder; refused`);
  }
  return path;
}
