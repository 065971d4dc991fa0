// Deliver 4 in the app: a recipient that has not received what this unit sent within the
// configured time raises "Cảnh báo" in the header, with the recipient in its list. The unit
// (the app's data dir, seeded with the CLI) sent one package to a recipient that never syncs;
// the package's send time is set two hours back in the register (the fixture stands for a
// package sent earlier today) and the threshold to one hour, so no wall-clock wait is needed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, screenshot } from "../lib/harness.js";
import { freePort, startHub, stopHub, vanthu, waitDom } from "../lib/hub.js";
import { domClick as click } from "../lib/ui.js";

const UNIT = "000.00.00.H41";
const UNIT_NAME = "UBND Tỉnh Nghệ An";
const RECIPIENT = "000.00.00.H34";

describe("overdue recipients in the app", () => {
  let app;
  let hub;
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-alerts-"));
  const hubDb = path.join(work, "hub.sqlite");
  const appDir = path.join(work, "unit");

  before(async () => {
    const secret = JSON.parse(vanthu(["--json", "hub", "add-agency", UNIT, "--name", UNIT_NAME, "--db", hubDb])).secret;
    vanthu(["--json", "hub", "add-agency", RECIPIENT, "--name", "UBND Tỉnh Kon Tum", "--db", hubDb]);
    const port = await freePort();
    hub = await startHub(hubDb, port);
    mkdirSync(appDir, { recursive: true });
    vanthu(["--data-dir", appDir, "init", "--agency-code", UNIT, "--agency-name", UNIT_NAME]);
    vanthu(["--data-dir", appDir, "sync", "setup", "--hub", `http://127.0.0.1:${port}`, "--agency", UNIT, "--name", UNIT_NAME], secret);
    const pkg = path.join(work, "p.edxml");
    writeFileSync(pkg, "<edXML><Subject>Báo cáo tình hình chuyển đổi số</Subject></edXML>\n");
    const messageId = vanthu(["--data-dir", appDir, "sync", "send", "--to", RECIPIENT, pkg]).split("\t")[0];
    vanthu(["--data-dir", appDir, "sync", "--once"]);
    // Sent two hours ago (the register's own column, read by the alerts view).
    execFileSync(
      "python3",
      [
        "-c",
        "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); n=c.execute(\"UPDATE sync_outbox SET sent_ms = sent_ms - 7200000 WHERE message_id = ? AND state = 'sent'\", (sys.argv[2],)).rowcount; c.commit(); sys.exit(0 if n == 1 else 1)",
        path.join(appDir, "vanthu.db"),
        messageId,
      ],
      { timeout: 30000 },
    );
    vanthu(["--data-dir", appDir, "sync", "alerts", "--after-hours", "1"]);
    const view = JSON.parse(vanthu(["--data-dir", appDir, "--json", "sync", "alerts"]));
    assert.equal(view.recipients.length, 1, `the CLI sees one overdue recipient: ${JSON.stringify(view)}`);
    app = await launchApp({ dataDir: appDir, env: { VANTHU_SECRET_STORE: "file" } });
  });

  after(async () => {
    await app?.close();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("shows Cảnh báo 1 and lists the recipient that has not received it", async () => {
    const { browser } = app;
    await waitDom(browser, "h2", "Văn bản đến");
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        const badge = await browser.execute(() => document.querySelector('[data-testid="sync-alerts"]')?.textContent ?? null);
        return badge !== null && badge.includes("Cảnh báo 1");
      },
      { timeout: 60000, interval: 2000, timeoutMsg: "no Cảnh báo in the header" },
    );
    await click(browser, '[data-testid="sync-alerts"]');
    const list = await waitDom(browser, '[data-testid="sync-alert-list"]', "chưa nhận", 20000);
    assert.ok(list.includes("ubnd tỉnh kontum") || list.includes(RECIPIENT.toLowerCase()), list);
    await screenshot(browser, "sync-alerts");
  });
});
