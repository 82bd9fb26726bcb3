import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";
import { ToolIndex } from "../search/index.ts";
import { loadPlaybooks, type Playbook } from "./load.ts";

/** The name playbooks are indexed under in search results (`server` of a match). */
export const PLAYBOOK_SERVER = "playbook";

/** The playbooks of `playbooks.directories`, searchable, reloaded when their files change. */
export class PlaybookRegistry {
  private playbooks = new Map<string, Playbook>();
  private readonly index = new ToolIndex();

  constructor(
    private readonly directories: () => string[],
    private readonly defaultServer: () => string,
  ) {
    this.reload();
  }

  /** Re-reads every file; the playbooks that load replace the previous set. */
  reload(): void {
    this.playbooks = loadPlaybooks(this.directories(), this.defaultServer());
    this.index.upsert(PLAYBOOK_SERVER, [...this.playbooks.values()].map(asTool));
    logger.withTag("playbooks").debug(`${this.playbooks.size} playbooks loaded`);
  }

  get(name: string): Playbook | undefined {
    return this.playbooks.get(name);
  }

  list(): Playbook[] {
    return [...this.playbooks.values()];
  }

  /** Playbooks for a task, best first, among those `visible` allows. */
  search(
    query: string,
    limit: number,
    visible: (playbook: Playbook) => boolean,
  ): { playbook: Playbook; score: number }[] {
    const allow = (_server: string, name: string) => {
      const playbook = this.playbooks.get(name);
      return playbook !== undefined && visible(playbook);
    };
    return this.index
      .search(query, { limit, allow })
      .map((hit) => ({ playbook: this.playbooks.get(hit.tool.name)!, score: hit.score }));
  }
}

/** A playbook as a tool, for the index: its name, description and arguments. */
export function asTool(playbook: Playbook): Tool {
  return {
    name: playbook.name,
    description: playbook.description,
    inputSchema: (playbook.inputs ?? { type: "object" }) as Tool["inputSchema"],
  };
}
