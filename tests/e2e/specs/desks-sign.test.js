// Trình ký between two desktops of one unit (docs/sync.md "Several desktops of one unit") in
// the real webview: the app is the clerk's desktop UNIT/VT1; in Văn bản đi the clerk sends a
// draft with its PDF to the leader's desktop UNIT/LD ("Trình ký"); the leader's desktop (a CLI
// data dir) signs it on a SoftHSM2 token; after the app's next round the draft shows "Đã ký"
// with the signed PDF and the clerk gives it its number. Every wait is bounded.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import { cliBinary, cliEnv, fieldValue, freePort, setField, startHub, stopHub, vanthu, waitDom } from "../lib/hub.js";
import { domClick as click, goTo } from "../lib/ui.js";

const UNIT = "000.01.20.H34";
const UNIT_NAME = "Sở Nội vụ";
const SUBJECT = "Về việc ban hành quy chế văn thư lưu trữ";
const SHARED = process.env.VANTHU_SHARED ?? path.join(repoRoot, "../shared");
const PDF = path.join(SHARED, "corpus/pdf-sign/minimal.pdf");
const MODULE = process.env.VANTHU_PKCS11_MODULE ?? "/usr/lib/softhsm/libsofthsm2.so";

describe("trình ký: the leader's signature comes back to the clerk's desktop", () => {
  let app;
  let hub;
  const log = [];
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-desks-sign-"));
  const hubDb = path.join(work, "hub.sqlite");
  const appDir = path.join(work, "vt1");
  const leaderDir = path.join(work, "ld");
  const token = path.join(work, "token");
  let draftId;

  /** The leader's desktop, with the token (the PIN from the environment, as in scripts). */
  const leader = (args) =>
    execFileSync(cliBinary(), ["--data-dir", leaderDir, ...args], {
      env: {
        ...cliEnv,
        SOFTHSM2_CONF: path.join(token, "softhsm2.conf"),
        VANTHU_PKCS11_MODULE: MODULE,
        VANTHU_PIN: "1234",
      },
      encoding: "utf8",
      timeout: 60000,
    });

  before(async () => {
    execFileSync("bash", [path.join(repoRoot, "tests/fixtures/sign/make-token.sh"), token], { timeout: 60000 });
    vanthu(["--json", "hub", "add-agency", UNIT, "--name", UNIT_NAME, "--db", hubDb]);
    const vt1 = JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "VT1", "--receiving", "--db", hubDb])).secret;
    const ld = JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "LD", "--db", hubDb])).secret;
    const port = await freePort();
    hub = await startHub(hubDb, port, log);
    const hubUrl = `http://127.0.0.1:${port}`;
    for (const [dir, desk, secret] of [
      [appDir, "VT1", vt1],
      [leaderDir, "LD", ld],
    ]) {
      mkdirSync(dir, { recursive: true });
      vanthu(["--data-dir", dir, "init", "--agency-code", UNIT, "--agency-name", UNIT_NAME]);
      vanthu(["--data-dir", dir, "sync", "setup", "--hub", hubUrl, "--agency", `${UNIT}/${desk}`, "--name", UNIT_NAME], secret);
    }
    draftId = JSON.parse(
      vanthu([
        "--data-dir", appDir, "--json", "outgoing", "create", "--notation", "SNV-VP", "--type", "Công văn",
        "--subject", SUBJECT, "--to", "Lưu: VT", "--file", PDF,
      ]),
    ).id;
    app = await launchApp({ dataDir: appDir, env: { VANTHU_SECRET_STORE: "file" } });
  });

  after(async () => {
    await app?.close();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("sends the draft to the leader's desktop from Văn bản đi", async () => {
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    await goTo(browser, "outgoing");
    const row = `tr[data-id="${draftId}"]`;
    await waitDom(browser, row, SUBJECT);
    await click(browser, `${row} [data-testid="submit-leader"]`);
    await browser.waitUntil(async () => (await fieldValue(browser, '[data-testid="submit-desktop"]')) !== null, {
      timeout: 10000,
      timeoutMsg: "the Trình ký form did not open",
    });
    await setField(browser, '[data-testid="submit-desktop"]', `${UNIT}/LD`);
    await setField(browser, '[data-testid="submit-note"]', "Kính trình đồng chí Giám đốc ký ban hành");
    await click(browser, '[data-testid="submit-confirm"]');
    await waitDom(browser, `[data-testid="desk-${draftId}"]`, `Đã trình ký ${UNIT}/LD`);
    // Submitted once: the action is not offered again while it waits.
    assert.equal(
      await browser.execute((sel) => document.querySelector(sel) === null, `${row} [data-testid="submit-leader"]`),
      true,
    );
  });

  it("shows Đã ký once the leader signed on the token, and the clerk issues it", async () => {
    const { browser } = app;
    let mirror = null;
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        leader(["sync", "--once"]);
        const queue = JSON.parse(leader(["--json", "sign-queue"]));
        mirror = queue[0]?.id ?? null;
        return mirror !== null;
      },
      { timeout: 90000, interval: 2000, timeoutMsg: "the draft never reached the leader's Chờ ký" },
    );
    const signed = JSON.parse(
      leader([
        "--json", "sign-queue", "--sign", String(mirror), "--key-label", "leader-rsa",
        "--trust", path.join(token, "root.pem"),
      ]),
    );
    assert.equal(signed.length, 1);
    leader(["sync", "--once"]);
    const row = `tr[data-id="${draftId}"]`;
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        const text = await browser.execute((sel) => document.querySelector(sel)?.textContent ?? "", row);
        return text.includes("Đã ký");
      },
      { timeout: 90000, interval: 2000, timeoutMsg: "the signed copy never showed on the clerk's desktop" },
    );
    await screenshot(browser, "desks-signed");
    const doc = JSON.parse(vanthu(["--data-dir", appDir, "--json", "show", String(draftId)]));
    assert.equal(doc.state, "signed");
    assert.ok(
      doc.attachments.some((a) => a.file_name === "minimal (đã ký).pdf"),
      JSON.stringify(doc.attachments.map((a) => a.file_name)),
    );
    await click(browser, `[data-testid="action-${draftId}"]`);
    await waitDom(browser, row, "Đã cấp số");
    const issued = JSON.parse(vanthu(["--data-dir", appDir, "--json", "show", String(draftId)]));
    assert.match(issued.notation, /^\d+\/SNV-VP$/);
  });
});
