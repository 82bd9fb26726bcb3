import type { Tool } from "../../src/mcp/sdk.ts";
import { ToolIndex } from "../../src/search/index.ts";

/** A tool with `properties` as its input schema's. */
export const tool = (
  name: string,
  description: string,
  properties: NonNullable<Tool["inputSchema"]["properties"]> = {},
): Tool => ({
  name,
  description,
  inputSchema: { type: "object", properties },
});

/** A small fixed tool set in the shape real servers use (names and wording of their own kind). */
export const TOOLS: Record<string, Tool[]> = {
  github: [
    tool("create_issue", "Create a new issue in a GitHub repository", {
      owner: { type: "string" },
      repo: { type: "string" },
      title: { type: "string" },
    }),
    tool("list_issues", "List issues in a GitHub repository with filtering options", {
      state: { type: "string", enum: ["open", "closed", "all"] },
    }),
    tool("create_pull_request", "Create a new pull request in a GitHub repository"),
    tool("search_repositories", "Search for GitHub repositories", { query: { type: "string" } }),
  ],
  files: [
    tool("read_text_file", "Read the complete contents of a file from the file system as text.", {
      path: { type: "string", description: "Absolute path of the file" },
    }),
    tool(
      "write_file",
      "Create a new file or completely overwrite an existing file with new content.",
    ),
    tool("move_file", "Move or rename files and directories."),
    tool("delete_file", "Remove a file from disk."),
  ],
  payments: [
    tool("list_disputes", "Returns a list of your disputes, newest first."),
    tool("create_refund", "Refund a charge that has previously been created."),
    tool("get_balance", "Retrieves the current account balance."),
  ],
  browser: [
    tool("browser_take_screenshot", "Take a screenshot of the current page"),
    tool("browser_navigate", "Navigate to a URL", { url: { type: "string" } }),
  ],
};

/** A tool with a name and a description only, as the rules for servers without hints see one. */
export const bareTool = (name: string, description: string): Tool => ({
  name,
  description,
  inputSchema: { type: "object" },
});

/** An index of `servers` without hints. */
export function indexOf(servers: Record<string, Tool[]>): ToolIndex {
  const index = new ToolIndex();
  for (const [server, tools] of Object.entries(servers)) index.upsert(server, tools);
  return index;
}

/** The first match of `query`, as `server:tool`. */
export const first = (index: ToolIndex, query: string) => {
  const [hit] = index.search(query);
  return hit && `${hit.server}:${hit.tool.name}`;
};
