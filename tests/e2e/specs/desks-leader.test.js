// The leader's side of "Trình lãnh đạo" in the real webview: the app is the leader's desktop
// UNIT/LD; the clerk's receiving desktop UNIT/VT1 is a CLI data dir that registers a document
// and submits it. After a round the app lists the mirror with the clerk's số đến and shows
// where it came from; "Phân công" there goes back, and the clerk's record becomes assigned
// with the leader's handler. Every wait is bounded.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, screenshot } from "../lib/harness.js";
import { domText, freePort, setField, startHub, stopHub, vanthu, waitDom } from "../lib/hub.js";
import { domClick as click } from "../lib/ui.js";

const UNIT = "000.01.20.H34";
const UNIT_NAME = "Sở Nội vụ";
const SUBJECT = "Về việc xin ý kiến chỉ đạo triển khai phần mềm văn thư";
const HANDLER = "Phòng Văn thư - Lưu trữ";

describe("the leader's desktop answers a submission", () => {
  let app;
  let hub;
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-desks-leader-"));
  const hubDb = path.join(work, "hub.sqlite");
  const clerkDir = path.join(work, "vt1");
  const appDir = path.join(work, "ld");
  let docId;

  before(async () => {
    vanthu(["--json", "hub", "add-agency", UNIT, "--name", UNIT_NAME, "--db", hubDb]);
    const secrets = {
      VT1: JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "VT1", "--receiving", "--db", hubDb])).secret,
      LD: JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "LD", "--db", hubDb])).secret,
    };
    const port = await freePort();
    hub = await startHub(hubDb, port);
    for (const [dir, desk] of [
      [clerkDir, "VT1"],
      [appDir, "LD"],
    ]) {
      mkdirSync(dir, { recursive: true });
      vanthu(["--data-dir", dir, "init", "--agency-code", UNIT, "--agency-name", UNIT_NAME]);
      vanthu(
        ["--data-dir", dir, "sync", "setup", "--hub", `http://127.0.0.1:${port}`, "--agency", `${UNIT}/${desk}`, "--name", UNIT_NAME],
        secrets[desk],
      );
    }
    docId = JSON.parse(
      vanthu([
        "--data-dir", clerkDir, "--json", "incoming", "register", "--from", "000.00.00.G22",
        "--notation", "88/VPCP-KSTT", "--date", "2026-11-20", "--type", "Công văn", "--subject", SUBJECT,
      ]),
    ).id;
    vanthu(["--data-dir", clerkDir, "sync", "submit", String(docId), "--to", `${UNIT}/LD`, "--note", "Kính trình đồng chí Giám đốc"]);
    vanthu(["--data-dir", clerkDir, "sync", "--once"]);
    app = await launchApp({ dataDir: appDir, env: { VANTHU_SECRET_STORE: "file" } });
  });

  after(async () => {
    await app?.close();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("lists the mirror with the clerk's số đến and shows where it came from", async () => {
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    const row = '[role="grid"] [role="row"][data-id]';
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        const text = await domText(browser, row);
        return text !== null && text.includes("88/vpcp");
      },
      { timeout: 90000, interval: 2000, timeoutMsg: "the submission never reached the leader's desktop" },
    );
    // Số đến column: the clerk's number, the mirror has none of its own.
    const first = await browser.execute(
      (sel) => document.querySelector(sel)?.querySelector('[role="gridcell"]')?.textContent ?? null,
      row,
    );
    assert.equal(first, "1");
    await click(browser, row);
    await waitDom(browser, '[data-testid="mirror-origin"]', `Văn thư trình từ ${UNIT}/VT1 — Số đến: 1`);
    assert.equal(await domText(browser, '[data-testid="submit-leader"]'), null, "a mirror is not submitted again");
    // The clerk's note travels with the submission: the leader reads it in the history.
    await waitDom(browser, '[data-testid="history"]', "Kính trình đồng chí Giám đốc");
    await screenshot(browser, "desks-mirror");
  });

  it("assigns it, and the clerk's desktop receives the assignment", async () => {
    const { browser } = app;
    await click(browser, '[data-testid="step-assigned"]');
    await setField(browser, '[data-testid="step-handler"]', HANDLER);
    await setField(browser, '[data-testid="step-note"]', "Giao phòng Văn thư - Lưu trữ chủ trì");
    await click(browser, '[data-testid="step-confirm"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Đã phân công");
    await waitDom(browser, '[data-testid="detail-pane"]', HANDLER);
    let seen = null;
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        vanthu(["--data-dir", clerkDir, "sync", "--once"]);
        seen = JSON.parse(vanthu(["--data-dir", clerkDir, "--json", "show", String(docId)]));
        return seen.state === "assigned";
      },
      { timeout: 90000, interval: 2000, timeoutMsg: "the clerk's desktop never received the assignment" },
    );
    assert.equal(seen.handler, HANDLER);
  });
});
