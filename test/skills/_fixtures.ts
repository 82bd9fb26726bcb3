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
