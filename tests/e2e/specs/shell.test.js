import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launchApp, screenshot } from "../lib/harness.js";

describe("app shell", () => {
  let app;
  before(async () => {
    app = await launchApp();
  });
  after(async () => {
    await app?.close();
  });

  it("opens with the Vietnamese navigation", async () => {
    const { browser } = app;
    const nav = await browser.$('nav[aria-label="Điều hướng chính"]');
    await nav.waitForExist({ timeout: 20000 });
    const text = await nav.getText();
    for (const label of [
      "Văn bản đến",
      "Văn bản đi",
      "Chờ ký",
      "Tra cứu",
      "Báo cáo",
      "Danh bạ cơ quan",
      "Cài đặt",
    ]) {
      assert.ok(text.includes(label), `navigation lacks ${label}: ${text}`);
    }
    assert.equal(await browser.getTitle(), "Văn thư");
  });

  it("navigates between sections", async () => {
    const { browser } = app;
    await (await browser.$('[data-section="settings"]')).click();
    const heading = await browser.$("h2");
    await browser.waitUntil(async () => (await heading.getText()) === "Cài đặt", {
      timeout: 5000,
    });
    await screenshot(browser, "settings");
  });
});
