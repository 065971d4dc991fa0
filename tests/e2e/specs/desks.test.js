// Several desktops of one unit (docs/sync.md "Several desktops of one unit") in the real
// webview: the app is the clerk's receiving desktop UNIT/VT1 (hub login typed in Cài đặt),
// "Trình lãnh đạo" sends a registered document to UNIT/LD; the leader's desktop (a CLI data
// dir) receives the mirror and assigns it; after the app's next round the document shows
// "Đã phân công" with the leader's handler. Every wait is bounded.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, screenshot } from "../lib/harness.js";
import {
  domText,
  fieldValue,
  freePort,
  setField,
  startHub,
  stopHub,
  vanthu,
  waitDom,
} from "../lib/hub.js";
import { domClick as click, goTo } from "../lib/ui.js";

const UNIT = "000.01.20.H34";
const UNIT_NAME = "Sở Nội vụ";
const SUBJECT = "Về việc trình lãnh đạo cho ý kiến chỉ đạo";
const HANDLER = "Phòng Tổ chức cán bộ";

describe("trình lãnh đạo between two desktops of one unit", () => {
  let app;
  let hub;
  const log = [];
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-desks-"));
  const hubDb = path.join(work, "hub.sqlite");
  const appDir = path.join(work, "vt1");
  const leaderDir = path.join(work, "ld");
  let hubUrl;
  let vt1Secret;
  let docId;

  before(async () => {
    vanthu(["--json", "hub", "add-agency", UNIT, "--name", UNIT_NAME, "--db", hubDb]);
    vt1Secret = JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "VT1", "--receiving", "--db", hubDb])).secret;
    const ldSecret = JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "LD", "--db", hubDb])).secret;
    const port = await freePort();
    hub = await startHub(hubDb, port, log);
    hubUrl = `http://127.0.0.1:${port}`;
    for (const dir of [appDir, leaderDir]) {
      mkdirSync(dir, { recursive: true });
      vanthu(["--data-dir", dir, "init", "--agency-code", UNIT, "--agency-name", UNIT_NAME]);
    }
    vanthu(["--data-dir", leaderDir, "sync", "setup", "--hub", hubUrl, "--agency", `${UNIT}/LD`, "--name", UNIT_NAME], ldSecret);
    // The clerk registered this one on paper earlier today (the app has no register action
    // for a received package yet; the CLI writes the same register).
    docId = JSON.parse(
      vanthu([
        "--data-dir", appDir, "--json", "incoming", "register", "--from", "000.00.00.G22",
        "--notation", "412/VPCP-KSTT", "--date", "2026-11-20", "--type", "Công văn", "--subject", SUBJECT,
      ]),
    ).id;
    app = await launchApp({ dataDir: appDir, env: { VANTHU_SECRET_STORE: "file" } });
  });

  after(async () => {
    await app?.close();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("takes the desktop login UNIT/VT1 in Cài đặt and refuses a malformed one", async () => {
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    await goTo(browser, "settings");
    await waitDom(browser, '[data-testid="sync-settings"]', "MÃ/MÁY");
    await setField(browser, 'input[name="hubUrl"]', hubUrl);
    await setField(browser, 'input[name="hubAgency"]', `${UNIT}/V-1`);
    await setField(browser, 'input[name="hubAgencyName"]', UNIT_NAME);
    await setField(browser, 'input[name="hubSecret"]', vt1Secret);
    await click(browser, '[data-testid="save-sync-settings"]');
    await waitDom(browser, '[data-testid="sync-settings-error"]', "không hợp lệ");
    await setField(browser, 'input[name="hubAgency"]', ` ${UNIT}/VT1 `);
    await click(browser, '[data-testid="save-sync-settings"]');
    await waitDom(browser, '[data-testid="sync-settings-status"]', `Đang dùng trục ${hubUrl}`);
    await waitDom(browser, '[data-testid="sync-label"]', "Đã đồng bộ lúc");
  });

  it("submits the registered document to the leader's desktop", async () => {
    const { browser } = app;
    await goTo(browser, "incoming");
    const row = `[role="grid"] [role="row"][data-id="${docId}"]`;
    await waitDom(browser, row, "412/VPCP-KSTT");
    await click(browser, row);
    await waitDom(browser, '[data-testid="detail-pane"]', SUBJECT);
    await click(browser, '[data-testid="submit-leader"]');
    await browser.waitUntil(async () => (await fieldValue(browser, '[data-testid="submit-desktop"]')) === `${UNIT}/`, {
      timeout: 10000,
      timeoutMsg: "the leader's desktop was not prefilled with the unit",
    });
    // Outside the unit: the registry's refusal, as it words it.
    await setField(browser, '[data-testid="submit-desktop"]', "000.00.00.H34/LD");
    await click(browser, '[data-testid="submit-confirm"]');
    await waitDom(browser, '[data-testid="submit-error"]', "chỉ trình tới máy của đơn vị mình");
    await setField(browser, '[data-testid="submit-desktop"]', `${UNIT}/LD`);
    await setField(browser, '[data-testid="submit-note"]', "Kính trình đồng chí Giám đốc cho ý kiến");
    await click(browser, '[data-testid="submit-confirm"]');
    const line = await waitDom(browser, '[data-testid="submission"]', `Đã trình LD (${UNIT}/LD) lúc`);
    assert.match(line, /lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} — (chờ đồng bộ|đã chuyển)/);
    await screenshot(browser, "desks-submit");
  });

  it("shows the leader's assignment after the answer comes back", async () => {
    const { browser } = app;
    let mirror = null;
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        vanthu(["--data-dir", leaderDir, "sync", "--once"]);
        const hits = JSON.parse(vanthu(["--data-dir", leaderDir, "--json", "list", "--register", "incoming"])).hits;
        mirror = hits[0]?.id ?? null;
        return mirror !== null;
      },
      { timeout: 90000, interval: 2000, timeoutMsg: "the submission never reached the leader's desktop" },
    );
    const shown = JSON.parse(vanthu(["--data-dir", leaderDir, "--json", "show", String(mirror)]));
    assert.equal(shown.mirror.origin, `${UNIT}/VT1`);
    assert.equal(shown.mirror.number_label, "1");
    vanthu([
      "--data-dir", leaderDir, "incoming", "status", String(mirror), "--to", "assigned", "--as", "leader",
      "--handler", HANDLER, "--note", "Giao phòng Tổ chức cán bộ chủ trì",
    ]);
    vanthu(["--data-dir", leaderDir, "sync", "--once"]);
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        const pane = await domText(browser, '[data-testid="detail-pane"]');
        return pane !== null && pane.includes("đã phân công") && pane.includes(HANDLER.toLocaleLowerCase("vi"));
      },
      { timeout: 90000, interval: 2000, timeoutMsg: "the leader's assignment never showed on the clerk's desktop" },
    );
    await waitDom(browser, '[data-testid="submission"]', "lãnh đạo đã cho ý kiến");
    assert.equal(await domText(browser, '[data-testid="submit-leader"]'), null, "no Trình lãnh đạo once assigned");
    const row = await domText(browser, `[role="grid"] [role="row"][data-id="${docId}"]`);
    assert.match(row, /đã phân công/);
  });
});
