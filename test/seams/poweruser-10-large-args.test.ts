import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { cleanupsAfterAll, connectHttp, firstText, startEverythingGateway } from "../helpers.ts";

const cleanups = cleanupsAfterAll();

describe("a long data: URI in an argument of format uri (server-everything's gzip-file-as-resource)", () => {
  test("reaches the backend (under Bun the format's regex said no past ~98,000 characters)", async () => {
    const gateway = await startEverythingGateway();
    cleanups.push(() => gateway.stop());
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const gzip = (data: string) =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: {
          server: "everything",
          tool: "gzip-file-as-resource",
          arguments: { name: "log.gz", data, outputType: "resource" },
        },
      });
    // A 90 KB file the model was asked to compress: 120,000 characters of data: URI.
    const file = randomBytes(45_000).toString("hex");
    const made = await gzip(`data:text/plain;base64,${Buffer.from(file).toString("base64")}`);
    expect(made.isError ? firstText(made) : "").toBe("");
    const block = (made.content as { type: string; resource?: { blob?: string } }[]).find(
      (b) => b.type === "resource",
    );
    expect(gunzipSync(Buffer.from(block!.resource!.blob!, "base64")).toString()).toBe(file);

    // A short string that is not a URI is still refused by the gateway, naming the field.
    const wrong = await gzip("not a uri");
    expect(wrong.isError).toBe(true);
    expect(firstText(wrong)).toContain('arguments/data must match format "uri"');
  }, 30_000);
});
