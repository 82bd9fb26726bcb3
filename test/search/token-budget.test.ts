import { afterAll, beforeAll, expect, test } from "bun:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { type ConnectedClient, connectHttp, startGateway } from "../helpers.ts";

// The budget of issue 5 as DESIGN.md pins it: o200k tokens over compact JSON.stringify(tools).
const TOOLS_BUDGET = 700;
const INSTRUCTIONS_BUDGET = 150;

let gateway: Awaited<ReturnType<typeof startGateway>>;
let connected: ConnectedClient;
beforeAll(async () => {
  gateway = await startGateway("backends: {}\n");
  connected = await connectHttp(gateway.url);
});
afterAll(async () => {
  await connected.close();
  await gateway.stop();
});

test(`the default tools/list on /mcp costs at most ${TOOLS_BUDGET} o200k tokens`, async () => {
  const { tools } = await connected.client.listTools();
  expect(tools.map((tool) => tool.name)).toContain("gateway_search_tools");
  expect(countTokens(JSON.stringify(tools))).toBeLessThanOrEqual(TOOLS_BUDGET);
});

test(`initialize instructions cost at most ${INSTRUCTIONS_BUDGET} tokens and say how to search and invoke`, () => {
  const instructions = connected.client.getInstructions() ?? "";
  expect(instructions).toContain("gateway_search_tools");
  expect(instructions).toContain("gateway_invoke");
  expect(countTokens(instructions)).toBeLessThanOrEqual(INSTRUCTIONS_BUDGET);
});
