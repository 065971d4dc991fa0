// The app's sync engine against a real hub on loopback: the header indicator reports a
// successful round, a package another agency sends (CLI) lands in Văn bản đến after
// "Đồng bộ ngay", stopping the hub shows "Mất kết nối", restarting it recovers.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchApp, repoRoot, screenshot } from "../lib/harness.js";
import { domClick as click, initUnit } from "../lib/ui.js";
import { setField } from "../lib/hub.js";

const UNIT = "000.00.00.H41";
const UNIT_NAME = "UBND Tỉnh Nghệ An";
const SENDER = "000.00.00.H34";
const SENDER_NAME = "UBND Tỉnh Kon Tum";
const SUBJECT = "V/v phối hợp chuyển đổi số liên thông văn bản";

function cliBinary() {
  if (process.env.VANTHU_BIN) return process.env.VANTHU_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  return path.join(target, "debug/vanthu");
}

const env = { ...process.env, VANTHU_SECRET_STORE: "file" };

function vanthu(args, input) {
  return execFileSync(cliBinary(), args, { env, input, encoding: "utf8", timeout: 60000 });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** `vanthu hub serve` on 127.0.0.1:port; resolves once it listens. */
function startHub(db, port, log) {
  const hub = spawn(cliBinary(), ["hub", "serve", "--listen", `127.0.0.1:${port}`, "--db", db], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 20000);
    const onData = (d) => {
      out += d;
      log.push(String(d));
      if (out.includes("listening")) {
        clearTimeout(timer);
        resolve(hub);
      }
    };
    hub.stdout.on("data", onData);
    hub.stderr.on("data", (d) => log.push(String(d)));
    hub.once("exit", (code) => reject(new Error(`hub exited (${code}): ${out}`)));
  });
}

async function stopHub(hub) {
  if (!hub || hub.exitCode !== null) return;
  hub.removeAllListeners("exit");
  const gone = new Promise((r) => hub.once("exit", r));
  hub.kill("SIGTERM");
  await gone;
}

/**
 * Waits until `selector` exists and its text contains `text`, querying the DOM afresh each
 * time: an element reference taken before the element existed is never re-resolved.
 */
async function waitDom(browser, selector, text, timeout = 60000) {
  const want = text.toLocaleLowerCase("vi");
  let seen = null;
  await browser.waitUntil(
    async () => {
      seen = await browser.execute((sel) => document.querySelector(sel)?.textContent ?? null, selector);
      return seen !== null && seen.replace(/\s+/g, " ").toLocaleLowerCase("vi").includes(want);
    },
    { timeout, interval: 500, timeoutMsg: `${selector} never showed ${JSON.stringify(text)}; last seen: ${JSON.stringify(seen)}` },
  );
  return seen.replace(/\s+/g, " ").toLocaleLowerCase("vi");
}

function absent(browser, selector) {
  return browser.execute((sel) => document.querySelector(sel) === null, selector);
}

describe("sync with a real hub", () => {
  let app;
  let hub;
  let port;
  const log = [];
  const work = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-sync-"));
  const hubDb = path.join(work, "hub.sqlite");
  const senderDir = path.join(work, "sender");
  const dataDir = path.join(work, "unit");
  let messageId;

  before(async () => {
    const secrets = {};
    for (const [code, name] of [
      [UNIT, UNIT_NAME],
      [SENDER, SENDER_NAME],
    ]) {
      const out = vanthu(["--json", "hub", "add-agency", code, "--name", name, "--db", hubDb]);
      secrets[code] = JSON.parse(out).secret;
    }
    port = await freePort();
    hub = await startHub(hubDb, port, log);
    const hubUrl = `http://127.0.0.1:${port}`;
    mkdirSync(dataDir, { recursive: true });
    vanthu(["--data-dir", dataDir, "sync", "setup", "--hub", hubUrl, "--agency", UNIT, "--name", UNIT_NAME], secrets[UNIT]);
    vanthu(["--data-dir", senderDir, "sync", "setup", "--hub", hubUrl, "--agency", SENDER, "--name", SENDER_NAME], secrets[SENDER]);
    app = await launchApp({ dataDir, env: { VANTHU_SECRET_STORE: "file" } });
    await initUnit(app.browser, UNIT, UNIT_NAME);
  });

  after(async () => {
    await app?.close();
    await stopHub(hub);
    if (!process.env.VANTHU_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("shows a successful sync in the header", async () => {
    const { browser } = app;
    // The launch round may have run before the unit existed; a new round is harmless.
    await click(browser, '[data-testid="sync-now"]');
    const label = await waitDom(browser, '[data-testid="sync-label"]', "Đã đồng bộ lúc");
    assert.match(label, /đã đồng bộ lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
    assert.ok(await absent(browser, '[data-testid="sync-offline"]'), "offline badge while online");
  });

  it("imports a package another agency sent into Văn bản đến after “Đồng bộ ngay”", async () => {
    const { browser } = app;
    const pdf = path.join(work, "cong-van.pdf");
    writeFileSync(pdf, "%PDF-1.4\n% e2e attachment\n");
    const pkg = path.join(work, "pkg.edxml");
    vanthu([
      "edxml", "pack", "--from-id", SENDER, "--from-name", SENDER_NAME, "--to-id", UNIT,
      "--number", "77", "--notation", "UBND-VP", "--date", "20/11/2026", "--type-name", "Công văn",
      "--subject", SUBJECT, "--signer", "Trần Văn An", "--attach", pdf, "-o", pkg,
    ]);
    const queued = vanthu(["--data-dir", senderDir, "sync", "send", "--to", UNIT, pkg]);
    messageId = queued.split("\t")[0];
    vanthu(["--data-dir", senderDir, "sync", "--once"]);
    await click(browser, '[data-testid="sync-now"]');
    const grid = await waitDom(browser, '[role="grid"]', "77/UBND-VP");
    assert.match(grid, /phối hợp chuyển đổi số/);
    // The sender learns it arrived: the automatic 01 is its recipient's latest status.
    await browser.waitUntil(
      async () => {
        vanthu(["--data-dir", senderDir, "sync", "--once"]);
        const view = JSON.parse(vanthu(["--data-dir", senderDir, "--json", "sync", "alerts", "--all"]));
        const mine = view.recipients.find((r) => r.message_id === messageId && r.recipient === UNIT);
        return mine?.latest_code === "01";
      },
      { timeout: 60000, interval: 2000, timeoutMsg: "the sender never saw 01 from the unit" },
    );
    await screenshot(browser, "sync");
  });

  it("registers and assigns the received document in the detail pane; the sender hears 03 then 04", async () => {
    const { browser } = app;
    const hits = JSON.parse(vanthu(["--data-dir", dataDir, "--json", "list", "--register", "incoming"])).hits;
    const id = hits.find((h) => h.notation === "77/UBND-VP").id;
    await click(browser, `[role="grid"] [role="row"][data-id="${id}"]`);
    await waitDom(browser, '[data-testid="detail-pane"]', SUBJECT);
    await waitDom(browser, '[data-testid="process-steps"]', "Vào sổ");
    await click(browser, '[data-testid="step-registered"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Đã vào sổ");
    // Phân công asks for the handler; without one nothing is written.
    await click(browser, '[data-testid="step-assigned"]');
    await setField(browser, '[data-testid="step-note"]', "Giao Văn phòng chủ trì, báo cáo trước ngày 30/11");
    await click(browser, '[data-testid="step-confirm"]');
    await waitDom(browser, '[data-testid="step-error"]', "người/đơn vị xử lý");
    await setField(browser, '[data-testid="step-handler"]', "Văn phòng UBND tỉnh");
    await click(browser, '[data-testid="step-confirm"]');
    await waitDom(browser, '[data-testid="detail-pane"]', "Đã phân công");
    await waitDom(browser, '[data-testid="detail-pane"]', "Văn phòng UBND tỉnh");
    const shown = JSON.parse(vanthu(["--data-dir", dataDir, "--json", "show", String(id)]));
    assert.equal(shown.state, "assigned");
    assert.equal(shown.number, 1, "vào sổ gave the first số đến");
    await browser.waitUntil(
      async () => {
        await click(browser, '[data-testid="sync-now"]');
        await browser.pause(1000);
        vanthu(["--data-dir", senderDir, "sync", "--once"]);
        const view = JSON.parse(vanthu(["--data-dir", senderDir, "--json", "sync", "alerts", "--all"]));
        const mine = view.recipients.find((r) => r.message_id === messageId && r.recipient === UNIT);
        return mine?.latest_code === "04";
      },
      { timeout: 60000, interval: 2000, timeoutMsg: "the sender never saw the assignment (04)" },
    );
  });

  it("shows “Mất kết nối” when the hub is down and recovers when it is back", async () => {
    const { browser } = app;
    await stopHub(hub);
    await click(browser, '[data-testid="sync-now"]');
    await waitDom(browser, '[data-testid="sync-offline"]', "Mất kết nối");
    await screenshot(browser, "sync-offline");
    hub = await startHub(hubDb, port, log);
    await browser.waitUntil(
      async () => {
        // Wake the engine out of its backoff instead of waiting for it.
        await click(browser, '[data-testid="sync-now"]');
        return absent(browser, '[data-testid="sync-offline"]');
      },
      { timeout: 60000, interval: 3000, timeoutMsg: "still offline after the hub restarted" },
    );
    await waitDom(browser, '[data-testid="sync-label"]', "Đã đồng bộ lúc");
  });
});
