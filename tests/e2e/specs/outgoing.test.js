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
    const d = JSON.parse(cli(data, ["--json", "outgoing", "send", String(normal)]));
    assert.deepEqual(d.recipients, [B]);
  });
});
