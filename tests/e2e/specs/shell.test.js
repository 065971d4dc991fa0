import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launchApp, screenshot } from "../lib/harness.js";
import { initUnit, waitForText } from "../lib/ui.js";

const SECTIONS = [
  "Văn bản đến",
  "Văn bản đi",
  "Chờ ký",
  "Tra cứu",
  "Báo cáo",
  "Danh bạ cơ quan",
  "Cài đặt",
];

describe("app shell", () => {
  let app;
  before(async () => {
    app = await launchApp();
  });
  after(async () => {
    await app?.close();
  });

  it("asks for the unit on first run, then shows the Vietnamese navigation", async () => {
    const { browser } = app;
    assert.equal(await browser.getTitle(), "Văn thư");
    await (await browser.$('input[name="unitCode"]')).waitForExist({ timeout: 30000 });
    await screenshot(browser, "first-run");
    await initUnit(browser);
    const nav = await browser.$('nav[aria-label="Điều hướng chính"]');
    const text = await nav.getText();
    for (const label of SECTIONS) assert.ok(text.includes(label), `navigation lacks ${label}`);
  });

  it("switches sections with Alt+digit", async () => {
    const { browser } = app;
    await browser.keys(["Alt", "6"]);
    await waitForText(browser, "h2", "Danh bạ cơ quan");
    await waitForText(browser, "table", "Bộ Nội vụ");
    await screenshot(browser, "agencies");
    await browser.keys(["Alt", "1"]);
    await waitForText(browser, "h2", "Văn bản đến");
  });
});
