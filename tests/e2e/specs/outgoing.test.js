// Văn bản đi: drafts seeded through the CLI (one ordinary with a coded recipient, one
// marked "Mật"), then in the real webview the clerk gives each its number ("Cấp số") and
// sends the ordinary one "qua trục"; the secret one never offers the hub. The register
// behind the window is then read back through the CLI: queued once, for the coded recipient.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import { domClick, waitForText } from "../lib/ui.js";

const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
const CLI = process.env.VANTHU_BIN ?? path.join(target, "debug/vanthu");
const SHARED = process.env.VANTHU_SHARED ?? path.join(repoRoot, "../shared");
const PDF = path.join(SHARED, "corpus/pdf-sign/minimal.pdf");
const B = "000.01.20.H41";

function cli(dataDir, args) {
  return execFileSync(CLI, ["--data-dir", dataDir, ...args], {
    encoding: "utf8",
  });
}

describe("outgoing register: issue and send over the hub", () => {
  let app;
  let work;
  let data;
  let normal;
  let secret;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-out-"));
    data = path.join(work, "data");
    mkdirSync(data, { recursive: true });
    cli(data, [
      "init",
      "--agency-code",
      "000.00.00.H41",
      "--agency-name",
      "UBND Tỉnh Nghệ An",
    ]);
    cli(data, ["agency", "add", "--code", B, "--name", "Sở Nội vụ Nghệ An"]);
    const create = (subject, extra) =>
      JSON.parse(
        cli(data, [
          "--json",
          "outgoing",
          "create",
          "--notation",
          "UBND-VP",
          "--type",
          "Công văn",
          "--subject",
          subject,
          "--to",
          B,
          "--to",
          "Lưu: VT",
          "--file",
          PDF,
          ...extra,
        ]),
      ).id;
    normal = create("Về việc triển khai gửi nhận văn bản điện tử", []);
    secret = create("Về việc bảo vệ bí mật nhà nước", ["--secrecy", "mật"]);
    app = await launchApp({ dataDir: data });
  });

  after(async () => {
    await app?.close();
    if (work && !process.env.VANTHU_E2E_KEEP)
      rmSync(work, { recursive: true, force: true });
  });

  it("issues both, sends the ordinary one and never offers the hub for the secret one", async () => {
    const { browser } = app;
    await waitForText(browser, "h2", "Văn bản đến", 30000);
    await domClick(browser, `[data-section="outgoing"]`);
    await waitForText(browser, "h2", "Văn bản đi");
    const row = (id) => `tr[data-id="${id}"]`;
    await waitForText(browser, row(normal), "gửi nhận văn bản điện tử");
    for (const id of [normal, secret]) {
      await waitForText(browser, `[data-testid="action-${id}"]`, "Cấp số");
      await domClick(browser, `[data-testid="action-${id}"]`);
      await waitForText(browser, row(id), "Đã cấp số");
    }
    assert.equal(
      await (await browser.$(`[data-testid="action-${secret}"]`)).isExisting(),
      false,
      "a document marked Mật never offers Gửi qua trục",
    );
    await waitForText(
      browser,
      `[data-testid="action-${normal}"]`,
      "Gửi qua trục",
    );
    await domClick(browser, `[data-testid="action-${normal}"]`);
    await waitForText(browser, row(normal), "Sẵn sàng gửi");
    await screenshot(browser, "outgoing-list");

    const shown = JSON.parse(cli(data, ["--json", "show", String(normal)]));
    assert.equal(shown.state, "ready");
    assert.match(shown.notation, /^\d+\/UBND-VP$/);
    const kept = JSON.parse(cli(data, ["--json", "show", String(secret)]));
    assert.equal(kept.state, "issued");
    // Sending again from the CLI is the same dispatch, for the coded recipient only.
    const d = JSON.parse(
      cli(data, ["--json", "outgoing", "send", String(normal)]),
    );
    assert.deepEqual(d.recipients, [B]);
  });

  it("composes a draft in the form: directory recipient by code, free text kept, PDF attached", async () => {
    const { browser } = app;
    await domClick(browser, '[data-testid="new-draft"]');
    const form = await browser.$('form[data-testid="outgoing-form"]');
    await form.waitForExist({ timeout: 10000 });
    // Saving empty names what is missing and writes nothing.
    await domClick(browser, '[data-testid="save-draft"]');
    await waitForText(
      browser,
      '[data-testid="outgoing-form"]',
      "Chưa nhập trích yếu",
    );
    await (await form.$('input[name="notation"]')).setValue("UBND-KT");
    const docType = await form.$('select[name="docType"]');
    await browser.waitUntil(
      async () => (await docType.$$("option")).length > 1,
      {
        timeout: 10000,
      },
    );
    await docType.selectByAttribute("value", "Công văn");
    await (
      await form.$('textarea[name="subject"]')
    ).setValue("Về việc soạn thảo văn bản trên phần mềm");
    const to = await form.$("#draft-recipients");
    await to.click();
    await browser.keys("Nội vụ Nghệ An");
    await waitForText(
      browser,
      '[role="option"]',
      `Sở Nội vụ Nghệ An (${B})`,
      10000,
    );
    await browser.keys(["ArrowDown", "Enter"]);
    await browser.keys("Lưu: VT");
    await browser.keys("Enter");
    await (await form.$('input[name="filePath"]')).setValue(PDF);
    await domClick(browser, '[data-testid="add-file"]');
    await waitForText(
      browser,
      '[data-testid="outgoing-dropzone"]',
      "minimal.pdf",
    );
    await domClick(browser, '[data-testid="save-draft"]');
    await waitForText(browser, "table", "soạn thảo văn bản trên phần mềm");

    const list = JSON.parse(
      cli(data, ["--json", "list", "--register", "outgoing"]),
    );
    const created = (list.hits ?? list).find((h) =>
      h.subject.includes("soạn thảo văn bản trên phần mềm"),
    );
    assert.ok(created, "the draft is in the register");
    const shown = JSON.parse(cli(data, ["--json", "show", String(created.id)]));
    assert.equal(shown.state, "draft");
    assert.equal(shown.notation, "/UBND-KT");
    assert.deepEqual(
      shown.recipients.map((r) => [r.agency_code, r.name]),
      [
        [B, "Sở Nội vụ Nghệ An"],
        [null, "Lưu: VT"],
      ],
    );
    assert.equal(shown.attachments.length, 1);
    assert.equal(shown.attachments[0].media_type, "application/pdf");
  });
});
