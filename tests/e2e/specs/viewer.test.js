// The PDF viewer in the real webview: a document registered with a four-page PDF (through the
// CLI, into the app's data dir), opened from its detail pane. Clicks and typing go through the
// page (browser.execute) rather than WebDriver actions, which hang in WebKitWebDriver after a
// modal (see incoming.test.js); every wait is bounded.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import { waitForText } from "../lib/ui.js";

const shared = process.env.VANTHU_SHARED ?? path.join(repoRoot, "../shared");
const PDF = path.join(shared, "corpus/pdf-render/four-pages.pdf");
const NOTATION = "55/UBND-VP";

function cli() {
  if (process.env.VANTHU_BIN) return process.env.VANTHU_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  return path.join(target, "debug/vanthu");
}

function vanthu(dataDir, ...args) {
  return execFileSync(cli(), ["--data-dir", dataDir, ...args], { encoding: "utf8", timeout: 60000 });
}

/** Clicks through the DOM (no WebDriver action). */
async function click(browser, selector) {
  await browser.waitUntil(async () => browser.execute((s) => !!document.querySelector(s), selector), {
    timeout: 15000,
    timeoutMsg: `${selector} never appeared`,
  });
  await browser.execute((s) => document.querySelector(s).click(), selector);
}

async function pageBox(browser, n) {
  return browser.execute((n) => {
    const el = document.querySelector(`[data-testid="pdf-page"][data-page="${n}"]`);
    if (!el) return null;
    const img = el.querySelector("img");
    const r = el.getBoundingClientRect();
    return { width: r.width, natural: img ? img.naturalWidth : 0, complete: img ? img.complete : false };
  }, n);
}

describe("PDF viewer", () => {
  let app;
  let root;
  before(async () => {
    assert.ok(existsSync(PDF), `${PDF} missing (set VANTHU_SHARED)`);
    assert.ok(existsSync(cli()), `${cli()} missing (cargo build -p vanthu-cli)`);
    root = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-viewer-"));
    const data = path.join(root, "data");
    mkdirSync(data);
    vanthu(data, "init", "--agency-code", "000.00.00.H41", "--agency-name", "UBND Tỉnh Nghệ An");
    vanthu(
      data,
      "incoming",
      "register",
      "--from",
      "000.00.00.G09",
      "--notation",
      NOTATION,
      "--date",
      "2026-11-20",
      "--type",
      "Công văn",
      "--subject",
      "Về việc xem văn bản PDF nhiều trang",
      "--file",
      PDF,
    );
    app = await launchApp({ dataDir: data });
  });
  after(async () => {
    await app?.close();
    if (root) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it("opens the attachment, shows page 1, zooms and finds a word", async () => {
    const { browser } = app;
    await waitForText(browser, '[role="grid"]', NOTATION, 30000);
    await browser.execute((notation) => {
      const row = [...document.querySelectorAll('[role="grid"] [role="row"]')].find((r) =>
        r.textContent.includes(notation),
      );
      row.click();
    }, NOTATION);
    await waitForText(browser, '[data-testid="attachment"]', "four-pages.pdf");
    await click(browser, '[data-testid="attachment-view"]');

    // Page 1 arrives as an image from the vanthu-pdf scheme.
    let first = null;
    await browser.waitUntil(
      async () => {
        first = await pageBox(browser, 1);
        return first && first.complete && first.natural > 0;
      },
      { timeout: 30000, timeoutMsg: "page 1 image never loaded" },
    );
    await waitForText(browser, '[data-testid="pdf-page-indicator"]', "Trang 1/4");
    // Virtualized: not every page has an <img> at fit width.
    const imgs = await browser.execute(() => document.querySelectorAll('[data-testid="pdf-page"] img').length);
    assert.ok(imgs >= 1 && imgs <= 4, `${imgs} page images`);

    await click(browser, '[data-testid="pdf-zoom-in"]');
    let zoomed = null;
    await browser.waitUntil(
      async () => {
        zoomed = await pageBox(browser, 1);
        return zoomed && zoomed.width > first.width;
      },
      { timeout: 15000, timeoutMsg: `page did not get wider than ${first.width}px after zoom in` },
    );
    await browser.waitUntil(async () => (await pageBox(browser, 1))?.natural > first.natural, {
      timeout: 30000,
      timeoutMsg: "no sharper image after zooming in",
    });

    // Find: "Third" is on page 3 only.
    await browser.execute(() => {
      const input = document.querySelector('[data-testid="pdf-find-input"]');
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
      set.call(input, "third");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await click(browser, '[data-testid="pdf-find"]');
    await waitForText(browser, '[data-testid="pdf-find-count"]', "1/1");
    await browser.waitUntil(
      async () =>
        browser.execute(
          () => document.querySelectorAll('[data-testid="pdf-page"][data-page="3"] [data-testid="pdf-highlight"]').length,
        ),
      { timeout: 15000, timeoutMsg: "no highlight on page 3" },
    );
    await waitForText(browser, '[data-testid="pdf-page-indicator"]', "Trang 3/4");
    await browser.waitUntil(async () => (await pageBox(browser, 3))?.natural > 0, {
      timeout: 30000,
      timeoutMsg: "page 3 image never loaded",
    });
    await screenshot(browser, "viewer");

    // Keyboard: End goes to the last page, Home back to the first.
    const key = (k) =>
      browser.execute((k) => {
        const el = document.querySelector('[data-testid="pdf-scroll"]');
        el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
      }, k);
    await key("End");
    await waitForText(browser, '[data-testid="pdf-page-indicator"]', "Trang 4/4");
    await key("Home");
    await waitForText(browser, '[data-testid="pdf-page-indicator"]', "Trang 1/4");
  });
});
