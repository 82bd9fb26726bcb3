import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`): never a downloaded browser. */
export const CHROMIUM = "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Says why a suite is skipped when Chromium is missing. */
export function warnIfNoChromium(what: string): void {
  if (!HAS_CHROMIUM) {
    console.warn(`skipping ${what}: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  }
}

/** Headless Chromium driven by playwright-core, with nothing that reaches the network. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
