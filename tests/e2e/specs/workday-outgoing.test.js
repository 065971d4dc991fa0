// The outgoing half of a working day (issue 21, "Done when"), each desktop the real app in
// the webview in turn (văn thư UNIT/VT, lãnh đạo UNIT/LD; two data dirs) with a receiving
// agency B (a CLI data dir) on a real hub on loopback:
//   văn thư   — composes a draft with its PDF in Văn bản đi and submits it for signature
//               (Trình ký) to the leader's desktop;
//   lãnh đạo  — finds it in Chờ ký and signs it on a SoftHSM2 token (key leader-rsa, PIN);
//   văn thư   — the signed copy comes back; Cấp số, then the unit's seal (organisation
//               signature, key org-ec) in Chờ ký, then Gửi qua trục;
//   B         — receives it (01) and registers it (03): "Nơi nhận" shows both in turn;
//   văn thư   — Thu hồi with a reason; B accepts (revoked, 15) and the app shows Đã thu hồi.
// The open Văn bản đi follows the sync rounds (Đã gửi, Đã thu hồi) without being reopened.
// Screenshots workday-4-… to workday-8-… go to the screenshot directory. Every wait is bounded.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import {
  cliBinary,
  cliEnv,
  domText,
  freePort,
  setField,
  startHub,
  stopHub,
  vanthu,
  waitDom,
} from "../lib/hub.js";
import { domClick as click } from "../lib/ui.js";

const UNIT = "000.01.20.H34";
const UNIT_NAME = "Sở Nội vụ";
const B = "000.00.00.H41";
const B_NAME = "UBND Tỉnh Nghệ An";
const SUBJECT = "Về việc báo cáo kết quả số hóa tài liệu lưu trữ năm 2026";
const REASON = "Gửi nhầm nơi nhận, sẽ gửi lại sau khi chỉnh sửa";
const MODULE = process.env.VANTHU_PKCS11_MODULE ?? "/usr/lib/softhsm/libsofthsm2.so";
const SHARED = process.env.VANTHU_SHARED ?? path.join(repoRoot, "../shared");
const PDF = path.join(SHARED, "corpus/pdf-sign/minimal.pdf");

/** Presses "Đồng bộ ngay" until `done()` holds (bounded); `also` runs each time (a CLI round). */
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

/** Opens a section of the menu through the DOM (a WebDriver click can land on a closing modal). */
const goTo = (browser, section) => click(browser, `[data-section="${section}"]`);

/** Picks an option of a native <select> the way React sees it (native setter + change event). */
async function domSelect(browser, selector, value) {
  const ok = await browser.execute(
    (sel, v) => {
      const found = document.querySelector(sel);
      const el = found?.tagName === "SELECT" ? found : found?.querySelector("select");
      if (!el || ![...el.options].some((o) => o.value === v)) return false;
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(el, v);
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    },
    selector,
    value,
  );
  assert.ok(ok, `no option ${value} at ${selector}`);
}

describe("a working day, outgoing: trình ký, the leader's signature, the seal, the hub and a recall", () => {
  let app;
  let hub;
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-workday-out-"));
  const hubDb = path.join(work, "hub.sqlite");
  const token = path.join(work, "token");
  const dirs = { VT: path.join(work, "vt"), LD: path.join(work, "ld"), B: path.join(work, "b") };
  const tokenEnv = { SOFTHSM2_CONF: path.join(token, "softhsm2.conf"), VANTHU_PKCS11_MODULE: MODULE };
  let draftId;
  let bId;

  /** Closes the app of the previous step (also when that step failed half way). */
  const closeApp = async () => {
    const open = app;
    app = null;
    await open?.close();
  };
  /** The CLI on one data dir (`input`: its stdin, a secret); `json` parses its answer. */
  const cli = (dir, args, input) => vanthu(["--data-dir", dir, ...args], input);
  const json = (dir, args) => JSON.parse(cli(dir, ["--json", ...args]));
  /** Whether the data dir's hub outbox holds a package whose id starts so, delivered. */
  const delivered = (dir, prefix) =>
    json(dir, ["sync", "list"]).outbox.some((o) => o.package.message_id.startsWith(prefix) && o.state === "sent");
  /** The text of the outgoing row of the draft on the văn thư's desktop. */
  const row = () => `tr[data-id="${draftId}"]`;
  const rowText = (browser) => domText(browser, row());
  /** The stored file of an attachment. */
  const blob = (dir, a) => path.join(dir, "blobs", a.sha256.slice(0, 2), a.sha256);
  const verify = (file) =>
    JSON.parse(
      execFileSync(cliBinary(), ["verify", file, "--json", "--trust", path.join(token, "root.pem")], {
        env: cliEnv,
        encoding: "utf8",
        timeout: 60000,
      }),
    );
  /** "Nơi nhận" of the sent document, opened afresh (it reads the statuses when opened). */
  const recipientStatuses = async (browser) => {
    const panel = `[data-testid="recipient-statuses-${draftId}"]`;
    if ((await domText(browser, panel)) !== null) await click(browser, `[data-testid="recipients-${draftId}"]`);
    await click(browser, `[data-testid="recipients-${draftId}"]`);
    await browser.pause(500);
    return (await domText(browser, `${panel} tr[data-recipient="${B}"]`)) ?? "";
  };

  before(async () => {
    execFileSync("bash", [path.join(repoRoot, "tests/fixtures/sign/make-token.sh"), token], {
      stdio: "inherit",
      timeout: 60000,
    });
    vanthu(["--json", "hub", "add-agency", UNIT, "--name", UNIT_NAME, "--db", hubDb]);
    const secrets = {
      B: JSON.parse(vanthu(["--json", "hub", "add-agency", B, "--name", B_NAME, "--db", hubDb])).secret,
      VT: JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "VT", "--receiving", "--db", hubDb])).secret,
      LD: JSON.parse(vanthu(["--json", "hub", "add-desktop", UNIT, "LD", "--db", hubDb])).secret,
    };
    const port = await freePort();
    hub = await startHub(hubDb, port);
    const url = `http://127.0.0.1:${port}`;
    for (const [key, dir] of Object.entries(dirs)) {
      mkdirSync(dir, { recursive: true });
      const [code, name, login] = key === "B" ? [B, B_NAME, B] : [UNIT, UNIT_NAME, `${UNIT}/${key}`];
      cli(dir, ["init", "--agency-code", code, "--agency-name", name]);
      cli(dir, ["sync", "setup", "--hub", url, "--agency", login, "--name", name], secrets[key]);
    }
    // B is in the national directory the register is seeded with: Nơi nhận finds it by name.
    assert.equal(json(dirs.VT, ["agency", "show", B]).name, B_NAME);
    // Both desktops verify against the test CA ("Chữ ký hợp lệ").
    for (const dir of [dirs.VT, dirs.LD]) {
      mkdirSync(path.join(dir, "trust"), { recursive: true });
      copyFileSync(path.join(token, "root.pem"), path.join(dir, "trust", "root.pem"));
    }
  });

  after(async () => {
    await closeApp();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("văn thư: composes the draft with its PDF and submits it for signature to the leader", async () => {
    await closeApp();
    app = await launchApp({ dataDir: dirs.VT, env: { VANTHU_SECRET_STORE: "file", ...tokenEnv } });
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    await goTo(browser, "outgoing");
    await waitDom(browser, "h2", "Văn bản đi");
    await click(browser, '[data-testid="new-draft"]');
    const form = '[data-testid="outgoing-form"]';
    await waitDom(browser, form, "Trích yếu", 10000);
    await setField(browser, `${form} input[name="notation"]`, "SNV-VP");
    await browser.waitUntil(
      async () => browser.execute((f) => document.querySelectorAll(`${f} select[name="docType"] option`).length > 1, form),
      { timeout: 10000, timeoutMsg: "the document types never loaded" },
    );
    await domSelect(browser, `${form} select[name="docType"]`, "Công văn");
    await setField(browser, `${form} textarea[name="subject"]`, SUBJECT);
    await setField(browser, `${form} input[name="signer"]`, "Lê Văn Cường");
    // Nơi nhận: B from the directory (the hub recipient), then "Lưu: VT" typed freely.
    // Focused through the DOM: a WebDriver click may land on the modal still opening.
    await browser.execute(() => {
      const el = document.querySelector("#draft-recipients");
      el.focus();
      el.click();
    });
    await browser.keys("Nghệ An");
    await waitDom(browser, '[role="option"]', `${B_NAME} (${B})`, 10000);
    await browser.keys(["ArrowDown", "Enter"]);
    await browser.keys("Lưu: VT");
    await browser.keys("Enter");
    await setField(browser, `${form} input[name="filePath"]`, PDF);
    await click(browser, '[data-testid="add-file"]');
    await waitDom(browser, '[data-testid="outgoing-dropzone"]', "minimal.pdf", 10000);
    // The recipients' list closes when the field loses the focus.
    await browser.execute(() => document.activeElement?.blur());
    await screenshot(browser, "workday-4-draft");
    await click(browser, '[data-testid="save-draft"]');
    await waitDom(browser, "table", SUBJECT);
    const hit = json(dirs.VT, ["list", "--register", "outgoing"]).hits.find((h) => h.subject === SUBJECT);
    assert.ok(hit, "the draft is in the register");
    draftId = hit.id;
    const draft = json(dirs.VT, ["show", String(draftId)]);
    assert.equal(draft.state, "draft");
    assert.deepEqual(
      draft.recipients.map((r) => [r.agency_code, r.name]),
      [
        [B, B_NAME],
        [null, "Lưu: VT"],
      ],
    );

    // The row the form hands back carries the registry's offer: Trình ký, at once.
    await waitDom(browser, `${row()} [data-testid="submit-leader"]`, "Trình ký", 10000);
    await click(browser, `${row()} [data-testid="submit-leader"]`);
    await waitDom(browser, '[data-testid="submit-leader-form"]', "", 10000);
    await setField(browser, '[data-testid="submit-desktop"]', `${UNIT}/LD`);
    await setField(browser, '[data-testid="submit-note"]', "Kính trình đồng chí Giám đốc ký ban hành");
    await click(browser, '[data-testid="submit-confirm"]');
    await waitDom(browser, `[data-testid="desk-${draftId}"]`, `Đã trình ký ${UNIT}/LD`);
    await syncUntil(browser, async () => delivered(dirs.VT, "sub-"), "the submission never reached the hub");
    await screenshot(browser, "workday-4-submitted");
    await closeApp();
  });

  it("lãnh đạo: signs the draft in Chờ ký with the token", async () => {
    await closeApp();
    app = await launchApp({ dataDir: dirs.LD, env: { VANTHU_SECRET_STORE: "file", ...tokenEnv } });
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    await goTo(browser, "signing");
    await waitDom(browser, "h2", "Chờ ký");
    const queueRow = '[data-testid="queue-row"]';
    await syncUntil(
      browser,
      async () => (await domText(browser, queueRow))?.includes(SUBJECT.toLocaleLowerCase("vi")) ?? false,
      "the draft never reached the leader's Chờ ký",
    );
    await waitDom(browser, queueRow, `Văn thư trình từ ${UNIT}/VT`);
    await waitDom(browser, '[data-testid="token-state"]', "(token vanthu-test)", 30000);
    await click(browser, `${queueRow} input[data-testid="queue-check"]`);
    await domSelect(browser, '[data-testid="sign-cert"]', "leader-rsa");
    await waitDom(browser, '[data-testid="sign-selected"]', "Ký 1 văn bản", 10000);
    await click(browser, '[data-testid="sign-selected"]');
    await waitDom(browser, '[data-testid="pin-dialog"]', "Nhập mã PIN", 10000);
    await waitDom(browser, '[data-testid="pin-dialog"]', "Nguyễn Văn An", 10000);
    await setField(browser, '[data-testid="pin-input"]', "1234");
    await screenshot(browser, "workday-5-leader-pin");
    await click(browser, '[data-testid="pin-submit"]');
    await waitDom(browser, '[data-testid="sign-results"]', "chữ ký hợp lệ", 60000);
    await waitDom(browser, '[data-testid="queue-empty"]', "Không có văn bản nào chờ ký", 10000);
    await syncUntil(browser, async () => delivered(dirs.LD, "st06-"), "the signed copy never reached the hub");
    await screenshot(browser, "workday-5-leader-signed");
    await closeApp();
  });

  it("văn thư: the signed copy is back; sealed, numbered and sent over the hub", async () => {
    await closeApp();
    app = await launchApp({ dataDir: dirs.VT, env: { VANTHU_SECRET_STORE: "file", ...tokenEnv } });
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    await goTo(browser, "outgoing");
    await waitDom(browser, "h2", "Văn bản đi");
    await syncUntil(
      browser,
      async () => (await rowText(browser))?.includes("đã ký") ?? false,
      "the signed copy never came back to the văn thư's desktop",
    );
    const signed = json(dirs.VT, ["show", String(draftId)]);
    assert.equal(signed.state, "signed");
    assert.equal(signed.attachments.at(-1).file_name, "minimal (đã ký).pdf");
    assert.ok(
      signed.status_events.some(
        (e) => e.to_state === "signed" && e.note === `Lãnh đạo đã ký trên máy ${UNIT}/LD (Nguyễn Văn An)`,
      ),
      JSON.stringify(signed.status_events),
    );
    await screenshot(browser, "workday-6-signed");

    // Cấp số first (NĐ 30: the number and date, then the unit's seal over them).
    await goTo(browser, "incoming");
    await waitDom(browser, "h2", "Văn bản đến");
    await goTo(browser, "outgoing");
    await waitDom(browser, `[data-testid="action-${draftId}"]`, "Cấp số");
    await click(browser, `[data-testid="action-${draftId}"]`);
    await waitDom(browser, row(), "Đã cấp số");
    const issued = json(dirs.VT, ["show", String(draftId)]);
    assert.match(issued.notation, /^\d+\/SNV-VP$/);

    // The văn thư seals the issued document in Chờ ký: organisation role, the unit's key.
    await goTo(browser, "signing");
    await waitDom(browser, "h2", "Chờ ký");
    const queueRow = '[data-testid="queue-row"]';
    await waitDom(browser, queueRow, SUBJECT, 30000);
    await waitDom(browser, queueRow, "Chờ đóng dấu (đã cấp số)");
    await waitDom(browser, '[data-testid="token-state"]', "(token vanthu-test)", 30000);
    await click(browser, `${queueRow} input[data-testid="queue-check"]`);
    await domSelect(browser, '[data-testid="sign-role"]', "organization");
    await domSelect(browser, '[data-testid="sign-cert"]', "org-ec");
    await waitDom(browser, '[data-testid="sign-selected"]', "Ký 1 văn bản", 10000);
    await click(browser, '[data-testid="sign-selected"]');
    await setField(browser, '[data-testid="pin-input"]', "1234");
    await screenshot(browser, "workday-6-seal-pin");
    await click(browser, '[data-testid="pin-submit"]');
    await waitDom(browser, '[data-testid="sign-results"]', "chữ ký hợp lệ", 60000);
    await waitDom(browser, '[data-testid="queue-empty"]', "Không có văn bản nào chờ ký", 10000);
    const withSeal = json(dirs.VT, ["show", String(draftId)]);
    assert.equal(withSeal.state, "issued", "the seal keeps the number and the state");
    assert.ok(
      withSeal.status_events.some((e) => e.note?.startsWith("Văn thư đóng dấu")),
      JSON.stringify(withSeal.status_events),
    );
    const sealedPdf = withSeal.attachments.at(-1);
    assert.equal(sealedPdf.file_name, "minimal (đã ký).pdf");
    const rep = verify(blob(dirs.VT, sealedPdf));
    assert.equal(rep.signatures.length, 2, "the leader's signature and the seal");
    assert.ok(rep.signatures.every((s) => s.intact && s.valid && s.trusted), JSON.stringify(rep.signatures));

    // Gửi qua trục from Văn bản đi.
    await goTo(browser, "outgoing");
    await waitDom(browser, `[data-testid="action-${draftId}"]`, "Gửi qua trục");
    // Sẵn sàng gửi lasts until the engine's round, which the click starts at once.
    await click(browser, `[data-testid="action-${draftId}"]`);
    await syncUntil(
      browser,
      async () => (await rowText(browser))?.includes("đã gửi") ?? false,
      "the document never left for the hub (Đã gửi)",
    );
    assert.equal(json(dirs.VT, ["show", String(draftId)]).state, "sent");
    await screenshot(browser, "workday-6-sent");

    // B receives the sealed PDF, byte for byte.
    cli(dirs.B, ["sync", "--once"]);
    const hits = json(dirs.B, ["list", "--register", "incoming"]).hits;
    assert.equal(hits.length, 1, JSON.stringify(hits));
    bId = hits[0].id;
    const received = json(dirs.B, ["show", String(bId)]);
    assert.equal(received.notation, issued.notation);
    assert.ok(
      received.attachments.some((a) => a.sha256 === sealedPdf.sha256),
      `B holds the sealed PDF: ${JSON.stringify(received.attachments.map((a) => a.file_name))}`,
    );
  });

  it("B receives (01) and registers it (03): Nơi nhận shows each in turn", async () => {
    const { browser } = app;
    let seen = "";
    await syncUntil(
      browser,
      async () => (seen = await recipientStatuses(browser)).includes("01 đã đến"),
      "Nơi nhận never showed B's 01",
    );
    await screenshot(browser, "workday-7-arrived");
    cli(dirs.B, ["incoming", "status", String(bId), "--to", "registered"]);
    cli(dirs.B, ["sync", "--once"]);
    await syncUntil(
      browser,
      async () => (seen = await recipientStatuses(browser)).includes("03 đã tiếp nhận"),
      `Nơi nhận never showed B's 03 (last seen ${JSON.stringify(seen)})`,
    );
    assert.ok(seen.includes(B_NAME.toLocaleLowerCase("vi")) || seen.includes(B.toLowerCase()), seen);
    await screenshot(browser, "workday-7-registered");
  });

  it("văn thư: Thu hồi with a reason; B accepts, and the app shows Đã thu hồi", async () => {
    const { browser } = app;
    await click(browser, `[data-testid="recall-${draftId}"]`);
    await waitDom(browser, '[data-testid="recall-form"]', "Lý do thu hồi", 10000);
    // Without a reason nothing is sent.
    await click(browser, '[data-testid="recall-confirm"]');
    await waitDom(browser, '[data-testid="recall-error"]', "lý do", 10000);
    await setField(browser, '[data-testid="recall-reason"]', REASON);
    await screenshot(browser, "workday-8-recall");
    await click(browser, '[data-testid="recall-confirm"]');
    await waitDom(browser, row(), "Chờ thu hồi");
    await syncUntil(
      browser,
      async () => json(dirs.VT, ["sync", "list"]).outbox.some((o) => o.package.op === "recall" && o.state === "sent"),
      "the recall never reached the hub",
    );
    cli(dirs.B, ["sync", "--once"]);
    const asked = json(dirs.B, ["show", String(bId)]);
    assert.equal(asked.pending_action, "recall");
    assert.ok(asked.pending_note.includes(REASON), asked.pending_note);
    cli(dirs.B, ["incoming", "status", String(bId), "--to", "revoked"]);
    const revoked = json(dirs.B, ["show", String(bId)]);
    assert.equal(revoked.state, "revoked");
    assert.equal(revoked.state_label, "Đã thu hồi");
    assert.equal(revoked.pending_action, null);
    cli(dirs.B, ["sync", "--once"]);
    await syncUntil(
      browser,
      async () => (await rowText(browser))?.includes("đã thu hồi") ?? false,
      "the app never showed Đã thu hồi",
    );
    const seen = await recipientStatuses(browser);
    assert.ok(seen.includes("15"), `Nơi nhận shows B's 15: ${seen}`);
    assert.equal(json(dirs.VT, ["show", String(draftId)]).state, "recalled");
    await screenshot(browser, "workday-8-recalled");
  });
});
