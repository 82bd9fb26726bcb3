import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** A SKILL.md with this frontmatter name and description, and a body. */
export function skillMd(name: string, description: string, body = `# ${name}\n\nSteps.\n`): string {
  return `---\nname: ${name}\ndescription: ${description}\n---\n${body}`;
}

/** Writes files (path -> content) under `root`, folders included. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** Two skills as ~/.claude/skills holds them, one with a script and a binary file. */
export function claudeSkills(root: string): void {
  writeTree(root, {
    "pdf-tools/SKILL.md": `---
name: pdf-tools
description: Extract text and tables from PDF files and fill PDF forms. Use when working with PDFs.
license: Apache-2.0
allowed-tools: [Bash, Read]
metadata:
  version: "1.2"
---
# PDF tools

Run scripts/extract.py on the file. Pass $ARGUMENTS as the file name.
`,
    "pdf-tools/scripts/extract.py": "import sys\nprint(sys.argv[1])\n",
    "pdf-tools/reference/forms.md": "# Forms\n\nFill fields in order.\n",
    "pdf-tools/logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
    "commit-helper/SKILL.md": skillMd(
      "commit-helper",
      "Write git commit messages from staged changes. Use when the user asks for a commit message.",
    ),
  });
}

export interface ZipInput {
  path: string;
  content: string | Uint8Array;
  /** Deflate it (else stored). */
  deflate?: boolean;
  /** A Unix symbolic link whose target is `content`. */
  link?: boolean;
  /** Lie about the unpacked size (a zip bomb's trick). */
  declaredSize?: number;
}

/** A zip archive of these entries, written the way zip(1) does (Unix-made, with modes). */
export function zipOf(entries: ZipInput[]): Uint8Array<ArrayBuffer> {
  const { crc32, deflateRawSync } = require("node:zlib") as typeof import("node:zlib");
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.path);
    const raw = Buffer.from(entry.content);
    const body = entry.deflate ? deflateRawSync(raw) : raw;
    const method = entry.deflate ? 8 : 0;
    const crc = crc32(raw);
    const size = entry.declaredSize ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.link ? 0o120777 : 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}
