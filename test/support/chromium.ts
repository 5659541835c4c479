// Debian's Chromium driven by playwright-core for the browser tests (the audit report, the studio), installed when
// missing. The flags keep it headless and off the network this machine does not have.
import { type Browser, chromium } from "playwright-core";
import { ensureDebianPackage } from "./debian-package.ts";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureDebianPackage("chromium", "/usr/bin/chromium"),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
