// "Chờ ký": a SoftHSM2 token built by tests/fixtures/sign/make-token.sh, two outgoing
// drafts with PDFs seeded through the CLI, then in the real webview: a wrong PIN shows the
// Vietnamese message with the token's retry state, one right PIN signs both, each shows
// "Chữ ký hợp lệ"; one output file is then checked independently (CLI verify and pdfsig).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import { domClick, textOf, waitForText } from "../lib/ui.js";

const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
const CLI = process.env.VANTHU_BIN ?? path.join(target, "debug/vanthu");
const MODULE =
  process.env.VANTHU_PKCS11_MODULE ?? "/usr/lib/softhsm/libsofthsm2.so";
const SHARED = process.env.VANTHU_SHARED ?? path.join(repoRoot, "../shared");
const CORPUS = path.join(SHARED, "corpus/pdf-sign");

function whichOk(cmd) {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function cli(dataDir, args) {
  return execFileSync(CLI, ["--data-dir", dataDir, ...args], {
    encoding: "utf8",
  });
}

/** Types into a React-controlled input through the page (native setter + input event). */
async function domType(browser, selector, text) {
  const ok = await browser.execute(
    (sel, value) => {
      const el = document.querySelector(sel);
      if (!el) return false;
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        "value",
      ).set;
      el.focus();
      setter.call(el, value);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      return true;
    },
    selector,
    text,
  );
  assert.ok(ok, `no input at ${selector}`);
}

/** Picks an option of a native <select> the way React sees it (native setter + change event). */
async function domSelect(browser, selector, value) {
  const ok = await browser.execute(
    (sel, v) => {
      const found = document.querySelector(sel);
      const el = found?.tagName === "SELECT" ? found : found?.querySelector("select");
      if (!el || ![...el.options].some((o) => o.value === v)) return false;
      const setter = Object.getOwnPropertyDescriptor(
        HTMLSelectElement.prototype,
        "value",
      ).set;
      setter.call(el, v);
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    },
    selector,
    value,
  );
  assert.ok(ok, `no option ${value} at ${selector}`);
}

/** Enter in the PIN field, as the leader presses it (a keyboard event through the page). */
async function domEnter(browser, selector) {
  await browser.execute((sel) => {
    const el = document.querySelector(sel);
    el.form.requestSubmit();
  }, selector);
}

describe("leader signs the Chờ ký queue with a SoftHSM2 token", () => {
  let app;
  let work;
  let data;
  let token;
  const ids = [];

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-sign-"));
    token = path.join(work, "token");
    execFileSync(
      "bash",
      [path.join(repoRoot, "tests/fixtures/sign/make-token.sh"), token],
      {
        stdio: "inherit",
      },
    );
    data = path.join(work, "data");
    mkdirSync(data, { recursive: true });
    cli(data, [
      "init",
      "--agency-code",
      "000.00.00.H41",
      "--agency-name",
      "UBND Tỉnh Nghệ An",
    ]);
    const docs = [
      ["minimal.pdf", "Về việc triển khai chữ ký số trong văn bản điện tử"],
      [
        "minimal-two-pages.pdf",
        "Về việc báo cáo tình hình công tác văn thư năm 2026",
      ],
    ];
    for (const [file, subject] of docs) {
      const out = cli(data, [
        "--json",
        "outgoing",
        "create",
        "--notation",
        "UBND-VP",
        "--type",
        "Công văn",
        "--subject",
        subject,
        "--file",
        path.join(CORPUS, file),
      ]);
      ids.push(JSON.parse(out).id);
    }
    // The test root is the trust anchor the app verifies against.
    mkdirSync(path.join(data, "trust"), { recursive: true });
    copyFileSync(
      path.join(token, "root.pem"),
      path.join(data, "trust", "root.pem"),
    );
    app = await launchApp({
      dataDir: data,
      env: {
        SOFTHSM2_CONF: path.join(token, "softhsm2.conf"),
        VANTHU_PKCS11_MODULE: MODULE,
      },
    });
  });

  after(async () => {
    await app?.close();
    if (work && !process.env.VANTHU_E2E_KEEP)
      rmSync(work, { recursive: true, force: true });
  });

  it("lists the drafts and names the certificate holder of the plugged-in token", async () => {
    const { browser } = app;
    await waitForText(browser, "h2", "Văn bản đến", 30000);
    await domClick(browser, `[data-section="signing"]`);
    await waitForText(browser, "h2", "Chờ ký");
    await waitForText(
      browser,
      '[data-testid="signing-queue"]',
      "báo cáo tình hình công tác văn thư",
    );
    assert.equal((await browser.$$('[data-testid="queue-row"]')).length, 2);
    // The token holds two leaders' keys and two organisations' keys: the state names a
    // person by default (a leader signs), never the organisation.
    const state = await waitForText(
      browser,
      '[data-testid="token-state"]',
      "(token vanthu-test)",
    );
    assert.match(await textOf(state, browser), /Nguyễn Văn An|Trần Thị Bình/i);
    await domSelect(browser, '[data-testid="sign-cert"]', "leader-rsa");
    // The preview of the focused document draws the signature box on its last page.
    await waitForText(browser, '[data-testid="preview-caption"]', "Trang 1/1");
    const box = await browser.execute(() => {
      const b = document.querySelector('[data-testid="signature-box"]');
      const p = document.querySelector('[data-testid="sign-preview"]');
      if (!b || !p) return null;
      const br = b.getBoundingClientRect();
      const pr = p.getBoundingClientRect();
      return {
        inside:
          br.left >= pr.left &&
          br.right <= pr.right &&
          br.top >= pr.top &&
          br.bottom <= pr.bottom,
        w: br.width,
        h: br.height,
        lowerHalf: br.top > pr.top + pr.height / 2,
      };
    });
    assert.ok(
      box && box.inside && box.w > 20 && box.h > 10,
      `signature box ${JSON.stringify(box)}`,
    );
    assert.ok(
      box.lowerHalf,
      "the leader signs in the lower half of the last page",
    );
  });

  it("a wrong PIN says so in Vietnamese with the token's retry state; the right one signs both", async () => {
    const { browser } = app;
    await domClick(browser, '[data-testid="select-all"]');
    await waitForText(browser, '[data-testid="sign-selected"]', "Ký 2 văn bản");
    await domClick(browser, '[data-testid="sign-selected"]');
    await waitForText(browser, '[data-testid="pin-dialog"]', "Nhập mã PIN");
    const pinType = await browser.execute(
      () => document.querySelector('[data-testid="pin-input"]')?.type,
    );
    assert.equal(pinType, "password", "the PIN is masked");

    await domType(browser, '[data-testid="pin-input"]', "0000");
    await domEnter(browser, '[data-testid="pin-input"]');
    const err = await waitForText(
      browser,
      '[data-testid="pin-error"]',
      "Sai mã PIN",
      30000,
    );
    assert.match(await textOf(err, browser), /lần thử/);
    // Nothing was signed: the queue still holds both.
    assert.equal((await browser.$$('[data-testid="queue-row"]')).length, 2);

    await domType(browser, '[data-testid="pin-input"]', "1234");
    await domEnter(browser, '[data-testid="pin-input"]');
    await waitForText(
      browser,
      '[data-testid="sign-results"]',
      "chữ ký hợp lệ",
      60000,
    );
    await browser.waitUntil(
      async () =>
        (
          await browser.execute(() =>
            [
              ...document.querySelectorAll(
                '[data-testid="sign-result-status"]',
              ),
            ].map((e) => e.textContent),
          )
        ).filter((t) => t === "Chữ ký hợp lệ").length === 2,
      {
        timeout: 10000,
        timeoutMsg: "both documents did not show a valid signature",
      },
    );
    await waitForText(
      browser,
      '[data-testid="queue-empty"]',
      "Không có văn bản nào chờ ký",
    );
    assert.equal(
      await browser.$('[data-testid="pin-dialog"]').isExisting(),
      false,
    );
    await screenshot(browser, "signing");
  });

  it("the signed file stands on its own: vanthu verify and poppler's pdfsig", () => {
    const doc = JSON.parse(cli(data, ["--json", "show", String(ids[1])]));
    assert.equal(doc.state, "signed");
    assert.ok(
      doc.status_events.some(
        (e) => e.from_state === "draft" && e.to_state === "signed",
      ),
    );
    const signed = doc.attachments.at(-1);
    assert.match(signed.file_name, /\(đã ký\)\.pdf$/);
    const file = path.join(
      data,
      "blobs",
      signed.sha256.slice(0, 2),
      signed.sha256,
    );
    const rep = JSON.parse(
      execFileSync(
        CLI,
        ["verify", file, "--json", "--trust", path.join(token, "root.pem")],
        {
          encoding: "utf8",
        },
      ),
    );
    assert.equal(rep.signatures.length, 1);
    const s = rep.signatures[0];
    assert.ok(
      s.intact && s.valid && s.trusted && s.covers_whole_document,
      JSON.stringify(s),
    );
    assert.equal(rep.modified_after_last_signature, false);
    if (whichOk("pdfsig")) {
      let out = "";
      try {
        out = execFileSync("pdfsig", [file], { encoding: "utf8" });
      } catch (e) {
        out = String(e.stdout ?? "");
      }
      assert.match(out, /Signature is Valid/);
      assert.match(out, /Nguyễn Văn An/);
    }
  });
});
