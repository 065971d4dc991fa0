// A working day of one Sở across three desktops, each the real app in the webview in turn
// (văn thư UNIT/VT, lãnh đạo UNIT/LD, chuyên viên UNIT/CV; three data dirs) with a sending
// agency (CLI) on a real hub on loopback:
//   văn thư   — receives UBND Tỉnh's document, registers it, stamps its arrival (the unit's
//               seal key on a SoftHSM2 token) and submits it to the leader;
//   lãnh đạo  — assigns it: chủ trì at the CV desktop, phối hợp, deadline, instruction;
//   chuyên viên — finds the copy in "Việc của tôi", starts, writes progress, completes;
// and UBND Tỉnh sees 01, 03, 04, 05 and 06. Screenshots of each step go to the screenshot
// directory (./scripts/screenshots: docs/screenshots, used by docs/huong-dan-su-dung.md).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import { domText, freePort, setField, startHub, stopHub, vanthu, waitDom } from "../lib/hub.js";
import { domClick as click } from "../lib/ui.js";

const UNIT = "000.01.20.H34";
const UNIT_NAME = "Sở Nội vụ";
const SENDER = "000.00.00.H34";
const SENDER_NAME = "UBND Tỉnh Kon Tum";
const SUBJECT = "V/v rà soát, báo cáo biên chế công chức năm 2027";
const LEAD = "Trần Thị Bình";
const MODULE = process.env.VANTHU_PKCS11_MODULE ?? "/usr/lib/softhsm/libsofthsm2.so";
const SHARED = process.env.VANTHU_SHARED ?? path.join(repoRoot, "../shared");
const PDF = path.join(SHARED, "corpus/pdf-sign/minimal.pdf");

/** dd/mm/yyyy, `days` from today. */
function dayFromNow(days) {
  const d = new Date(Date.now() + days * 86400000);
  return `${String(d.getDate()).padStart(2, "0")}/${String(d.getMonth() + 1).padStart(2, "0")}/${d.getFullYear()}`;
}

/** Brings `selector` into view in its scrolling pane (for the screenshot). */
async function reveal(browser, selector) {
  await browser.execute((sel) => document.querySelector(sel)?.scrollIntoView({ block: "center" }), selector);
}

/** Presses "Đồng bộ ngay" until `done()` holds (bounded). */
async function syncUntil(browser, done, timeoutMsg, also = () => {}) {
  await browser.waitUntil(
    async () => {
      await click(browser, '[data-testid="sync-now"]');
      await browser.pause(1000);
      also();
      return done();
    },
    { timeout: 90000, interval: 2000, timeoutMsg },
  );
}

describe("a working day across the văn thư's, the leader's and the chuyên viên's desktops", () => {
  let app;
  let hub;
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-workday-"));
  const hubDb = path.join(work, "hub.sqlite");
  const token = path.join(work, "token");
  const dirs = { A: path.join(work, "a"), VT: path.join(work, "vt"), LD: path.join(work, "ld"), CV: path.join(work, "cv") };
  let messageId;
  const deadline = dayFromNow(10);

  const senderLatest = () => {
    vanthu(["--data-dir", dirs.A, "sync", "--once"]);
    const view = JSON.parse(vanthu(["--data-dir", dirs.A, "--json", "sync", "alerts", "--all"]));
    return view.recipients.find((r) => r.message_id === messageId && r.recipient === UNIT)?.latest_code;
  };

  before(async () => {
    execFileSync("bash", [path.join(repoRoot, "tests/fixtures/sign/make-token.sh"), token], { stdio: "inherit" });
    const secrets = {
      A: JSON.parse(vanthu(["--json", "hub", "add-agency", SENDER, "--name", SENDER_NAME, "--db", hubDb])).secret,
    };
    vanthu(["--json", "hub", "add-agency", UNIT, "--name", UNIT_NAME, "--db", hubDb]);
    for (const desk of ["VT", "LD", "CV"]) {
      const args = ["--json", "hub", "add-desktop", UNIT, desk, "--db", hubDb];
      if (desk === "VT") args.push("--receiving");
      secrets[desk] = JSON.parse(vanthu(args)).secret;
    }
    const port = await freePort();
    hub = await startHub(hubDb, port);
    const url = `http://127.0.0.1:${port}`;
    for (const [key, dir] of Object.entries(dirs)) {
      mkdirSync(dir, { recursive: true });
      const [code, name, login] = key === "A" ? [SENDER, SENDER_NAME, SENDER] : [UNIT, UNIT_NAME, `${UNIT}/${key}`];
      vanthu(["--data-dir", dir, "init", "--agency-code", code, "--agency-name", name]);
      vanthu(["--data-dir", dir, "sync", "setup", "--hub", url, "--agency", login, "--name", name], secrets[key]);
    }
    // The văn thư's desktop lists the unit's people and where each works.
    const people = [
      ["Nguyễn Thị Lan", "văn-thư", null],
      ["Lê Văn Cường", "lãnh-đạo", `${UNIT}/LD`],
      [LEAD, "chuyên-viên", `${UNIT}/CV`],
    ];
    for (const [name, role, desk] of people) {
      const args = ["--data-dir", dirs.VT, "people", "add", "--name", name, "--role", role];
      if (desk) args.push("--desktop", desk);
      vanthu(args);
    }
    // The leader's and the chuyên viên's desktops are signed in as their person.
    vanthu(["--data-dir", dirs.LD, "people", "add", "--name", "Lê Văn Cường", "--role", "lãnh-đạo"]);
    vanthu(["--data-dir", dirs.CV, "people", "add", "--name", "Nguyễn Thị Lan", "--role", "văn-thư"]);
    const binh = JSON.parse(
      vanthu(["--data-dir", dirs.CV, "--json", "people", "add", "--name", LEAD, "--role", "chuyên-viên"]),
    );
    vanthu(["--data-dir", dirs.CV, "people", "sign-in", String(binh.id)]);
    mkdirSync(path.join(dirs.VT, "trust"), { recursive: true });
    copyFileSync(path.join(token, "root.pem"), path.join(dirs.VT, "trust", "root.pem"));
    // UBND Tỉnh sends the Sở its công văn.
    const pkg = path.join(work, "cong-van.edxml");
    vanthu([
      "edxml", "pack", "--from-id", SENDER, "--from-name", SENDER_NAME, "--to-id", UNIT,
      "--number", "152", "--notation", "UBND-NC", "--date", dayFromNow(0), "--type-name", "Công văn",
      "--subject", SUBJECT, "--signer", "Nguyễn Văn An", "--attach", PDF, "-o", pkg,
    ]);
    messageId = vanthu(["--data-dir", dirs.A, "sync", "send", "--to", UNIT, pkg]).split("\t")[0];
    vanthu(["--data-dir", dirs.A, "sync", "--once"]);
  });

  after(async () => {
    await app?.close();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("văn thư: registers the document, stamps its arrival and submits it to the leader", async () => {
    app = await launchApp({
      dataDir: dirs.VT,
      env: { VANTHU_SECRET_STORE: "file", SOFTHSM2_CONF: path.join(token, "softhsm2.conf"), VANTHU_PKCS11_MODULE: MODULE },
    });
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    const row = '[role="grid"] [role="row"][data-id]';
    await syncUntil(
      browser,
      async () => (await domText(browser, row))?.includes("152/ubnd-nc") ?? false,
      "UBND Tỉnh's document never arrived",
    );
    await click(browser, row);
    await waitDom(browser, '[data-testid="detail-pane"]', SUBJECT);
    await waitDom(browser, '[data-testid="step-registered"]', "Vào sổ");
    await click(browser, '[data-testid="step-registered"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Đã vào sổ");
    await waitDom(browser, '[data-testid="arrival-stamp"]', "Đóng dấu đến");
    await click(browser, '[data-testid="arrival-stamp"]');
    await setField(browser, '[data-testid="pin-input"]', "1234");
    await screenshot(browser, "workday-1-arrival-pin");
    await click(browser, '[data-testid="pin-submit"]');
    await waitDom(browser, '[data-testid="arrival-stamp-done"]', "dấu đến");
    await waitDom(browser, '[data-testid="detail-pane"]', "(dấu đến).pdf");
    await reveal(browser, '[data-testid="arrival-stamp-done"]');
    await screenshot(browser, "workday-1-arrival-stamp");
    await waitDom(browser, '[data-testid="submit-leader"]', "Trình");
    await click(browser, '[data-testid="submit-leader"]');
    await setField(browser, '[data-testid="submit-desktop"]', `${UNIT}/LD`);
    await setField(browser, '[data-testid="submit-note"]', "Kính trình đồng chí Giám đốc cho ý kiến chỉ đạo");
    await click(browser, '[data-testid="submit-confirm"]');
    await waitDom(browser, '[data-testid="submissions"]', `${UNIT}/LD`);
    await syncUntil(
      browser,
      async () => senderLatest() === "03",
      "UBND Tỉnh never heard 03 (registered)",
    );
    // The stamped copy verifies (the seal's signature over the sender's PDF).
    const list = JSON.parse(vanthu(["--data-dir", dirs.VT, "--json", "list", "--register", "incoming"])).hits;
    const shown = JSON.parse(vanthu(["--data-dir", dirs.VT, "--json", "show", String(list[0].id)]));
    assert.ok(shown.attachments.some((a) => a.file_name.endsWith("(dấu đến).pdf")), JSON.stringify(shown.attachments));
    await reveal(browser, '[data-testid="submissions"]');
    await screenshot(browser, "workday-1-submitted");
    await app.close();
    app = null;
  });

  it("lãnh đạo: assigns the chủ trì, phối hợp, deadline and instruction", async () => {
    app = await launchApp({ dataDir: dirs.LD, env: { VANTHU_SECRET_STORE: "file" } });
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    const row = '[role="grid"] [role="row"][data-id]';
    await syncUntil(
      browser,
      async () => (await domText(browser, row))?.includes("152/ubnd-nc") ?? false,
      "the submission never reached the leader's desktop",
    );
    await click(browser, row);
    await waitDom(browser, '[data-testid="history"]', "Kính trình đồng chí Giám đốc");
    await waitDom(browser, '[data-testid="step-assigned"]', "Phân công");
    await click(browser, '[data-testid="step-assigned"]');
    await setField(browser, '[data-testid="step-handler"]', LEAD);
    await setField(browser, '[data-testid="step-supporters"]', "Phòng Tổ chức - Biên chế");
    await setField(browser, '[data-testid="step-deadline"]', deadline);
    await setField(browser, '[data-testid="step-note"]', "Giao chị Bình chủ trì, tham mưu báo cáo UBND Tỉnh");
    await screenshot(browser, "workday-2-assign");
    await click(browser, '[data-testid="step-confirm"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Đã phân công");
    await waitDom(browser, '[data-testid="handling"]', `chủ trì: ${LEAD}`);
    await waitDom(browser, '[data-testid="handling"]', "phối hợp: phòng tổ chức - biên chế");
    await waitDom(browser, '[data-testid="instruction"]', "lê văn cường");
    await waitDom(browser, '[data-testid="handling"]', `hạn ${deadline}`);
    await syncUntil(
      browser,
      async () => senderLatest() === "04",
      "UBND Tỉnh never heard 04 (assigned)",
      () => vanthu(["--data-dir", dirs.VT, "sync", "--once"]),
    );
    await reveal(browser, '[data-testid="handling"]');
    await screenshot(browser, "workday-2-assigned");
    await app.close();
    app = null;
  });

  it("chuyên viên: handles the copy and completes it; UBND Tỉnh sees 05 and 06", async () => {
    app = await launchApp({ dataDir: dirs.CV, env: { VANTHU_SECRET_STORE: "file" } });
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    const row = '[role="grid"] [role="row"][data-id]';
    await syncUntil(
      browser,
      async () => (await domText(browser, row))?.includes("152/ubnd-nc") ?? false,
      "the handler's copy never reached the chuyên viên's desktop",
    );
    await waitDom(browser, '[data-testid="dashboard-mine"]', "Việc của tôi1");
    await click(browser, row);
    await waitDom(browser, '[data-testid="handling-role"]', "Được giao chủ trì");
    await waitDom(browser, '[data-testid="mirror-origin"]', `Được giao xử lý (chủ trì) từ ${UNIT}/VT`);
    await waitDom(browser, '[data-testid="instruction"]', "tham mưu báo cáo");
    await waitDom(browser, '[data-testid="step-in_progress"]', "Bắt đầu xử lý");
    await click(browser, '[data-testid="step-in_progress"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Đang xử lý");
    await click(browser, '[data-testid="handling-note-open"]');
    await setField(browser, '[data-testid="handling-body"]', "Đã tổng hợp số liệu của các phòng");
    await click(browser, '[data-testid="handling-confirm"]');
    await waitDom(browser, '[data-testid="handling-notes"]', "Đã tổng hợp số liệu");
    await reveal(browser, '[data-testid="handling"]');
    await screenshot(browser, "workday-3-handling");
    await syncUntil(
      browser,
      async () => senderLatest() === "05",
      "UBND Tỉnh never heard 05 (in progress)",
      () => vanthu(["--data-dir", dirs.VT, "sync", "--once"]),
    );
    await waitDom(browser, '[data-testid="step-completed"]', "Hoàn thành");
    await click(browser, '[data-testid="step-completed"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Hoàn thành");
    await syncUntil(
      browser,
      async () => senderLatest() === "06",
      "UBND Tỉnh never heard 06 (completed)",
      () => vanthu(["--data-dir", dirs.VT, "sync", "--once"]),
    );
    await screenshot(browser, "workday-3-completed");
    const vt = JSON.parse(vanthu(["--data-dir", dirs.VT, "--json", "list", "--register", "incoming"])).hits[0];
    const handling = JSON.parse(vanthu(["--data-dir", dirs.VT, "--json", "handling", "show", String(vt.id)]));
    assert.equal(handling.assignments[0].assignee, LEAD);
    assert.ok(handling.notes.some((n) => n.body === "Đã tổng hợp số liệu của các phòng"));
    const shown = JSON.parse(vanthu(["--data-dir", dirs.VT, "--json", "show", String(vt.id)]));
    assert.equal(shown.state, "completed");
  });
});
