import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { launchApp, screenshot } from "../lib/harness.js";
import {
  fillRegistration,
  goTo,
  initUnit,
  textOf,
  waitForText,
  writeMinimalPdf,
} from "../lib/ui.js";

const SUBJECT =
  "Về việc triển khai Đề án chuyển đổi số trong công tác văn thư, lưu trữ";

describe("incoming workflow in the real webview", () => {
  let app;
  before(async () => {
    app = await launchApp();
    await initUnit(app.browser);
  });
  after(async () => {
    await app?.close();
  });

  it("registers a document through the keyboard-first form", async () => {
    const { browser } = app;
    await waitForText(browser, "h2", "Văn bản đến");
    await waitForText(
      browser,
      '[data-testid="empty"]',
      "Sổ chưa có văn bản đến nào",
    );
    await browser.keys(["Control", "n"]);
    const form = await fillRegistration(browser, {
      senderQuery: "noi vu",
      senderLabel: "Bộ Nội vụ (000.00.00.G09)",
      notation: "1234/BNV-VP",
      documentDate: "20/11/2026",
      docType: "Công văn",
      urgency: "flash",
      subject: SUBJECT,
    });
    await waitForText(
      browser,
      '[data-testid="next-number"]',
      "Số đến tiếp theo: 1",
    );
    await screenshot(browser, "register-form");
    // Enter saves from the notation field (keyboard first; no mouse needed).
    await (await form.$('input[name="notation"]')).click();
    await browser.keys("Enter");
    await waitForText(
      browser,
      '[data-testid="notice"]',
      "Đã vào sổ: số đến 1 — 1234/BNV-VP",
    );
    const row = await waitForText(
      browser,
      '[role="grid"] [role="row"][data-flash="true"]',
      "1234/BNV-VP",
    );
    assert.match(await textOf(row), /hỏa tốc/);
    assert.match(await textOf(row), /bộ nội vụ/);
  });

  it("rejects a malformed number with a Vietnamese message", async () => {
    const { browser } = app;
    // A second Ctrl+N action hangs WebKitWebDriver here; the shortcut itself is covered
    // by the first test, so this one uses the button.
    await (await browser.$('[data-testid="new-incoming"]')).click();
    const form = await browser.$('form[aria-label="Vào sổ văn bản đến"]');
    await form.waitForExist({ timeout: 10000 });
    await (await form.$('input[name="notation"]')).setValue("BNV thiếu số");
    await browser.keys("Enter");
    await waitForText(
      browser,
      'form[aria-label="Vào sổ văn bản đến"]',
      "Số, ký hiệu phải có dạng số/ký hiệu",
    );
    // Focus went back to the first bad field (the sender autocomplete); when its dropdown
    // is open the first Esc closes the dropdown, the next one the form.
    await browser.keys("Escape");
    const gone = async () =>
      !(await browser.$('form[aria-label="Vào sổ văn bản đến"]').isExisting());
    if (!(await browser.waitUntil(gone, { timeout: 2000 }).catch(() => false)))
      await browser.keys("Escape");
    await browser.waitUntil(gone, {
      timeout: 5000,
      timeoutMsg: "Esc did not close the form",
    });
  });

  it("finds it by searching without diacritics and opens its detail", async () => {
    const { browser } = app;
    const search = await browser.$('[data-testid="search"]');
    await search.setValue("chuyen doi so van thu");
    await waitForText(browser, '[data-testid="total"]', "1 kết quả");
    const row = await waitForText(
      browser,
      '[role="grid"] [role="row"][data-id]',
      "1234/BNV-VP",
    );
    await row.click();
    const pane = await waitForText(
      browser,
      '[data-testid="detail-pane"]',
      SUBJECT,
    );
    assert.match(await pane.getText(), /Bộ Nội vụ \(000\.00\.00\.G09\)/);
    assert.match(await textOf(pane), /hỏa tốc/);
    assert.match(await pane.getText(), /20\/11\/2026/);
    await screenshot(browser, "incoming-search-detail");
    await search.setValue("khong co van ban nay");
    await waitForText(
      browser,
      '[data-testid="empty"]',
      "Không tìm thấy văn bản phù hợp",
    );
    // WebDriver's Element Clear unfocuses the field and bypasses React's onChange; clear it
    // the way a clerk does instead.
    await search.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    await waitForText(browser, '[data-testid="total"]', "1 văn bản");
  });

  it("turns a PDF dropped in the scan folder into a draft and registers it", async () => {
    const { browser } = app;
    const scanDir = path.join(app.root, "scans");
    mkdirSync(scanDir);
    await goTo(browser, "settings");
    const folder = await browser.$('input[name="scanFolder"]');
    await folder.waitForExist({ timeout: 10000 });
    await folder.setValue(scanDir);
    await (await browser.$('[data-testid="save-settings"]')).click();
    await waitForText(
      browser,
      '[data-testid="scan-status"]',
      `Đang theo dõi: ${scanDir}`,
    );
    await screenshot(browser, "settings");

    const pdf = path.join(scanDir, "scan-001.pdf");
    writeMinimalPdf(pdf, "Cong van so 77/SNV-TCBC");
    await goTo(browser, "incoming");
    const draft = await browser.$('[data-draft="scan-001.pdf"]');
    await draft.waitForExist({
      timeout: 30000,
      timeoutMsg: "scan never became a draft",
    });
    assert.equal(
      existsSync(pdf),
      false,
      "the scan must leave the folder once stored",
    );
    await waitForText(browser, '[data-testid="drafts"]', "Chờ vào sổ: 1");
    await screenshot(browser, "incoming-drafts");
    await draft.click();
    await waitForText(
      browser,
      ".mantine-Modal-title",
      "Vào sổ văn bản quét: scan-001.pdf",
    );
    await fillRegistration(browser, {
      senderQuery: "nghe an",
      senderLabel: "UBND Tỉnh Nghệ An (000.00.00.H41)",
      notation: "77/SNV-TCBC",
      documentDate: "21/11/2026",
      docType: "Công văn",
      subject: "Về việc tuyển dụng công chức năm 2026",
    });
    await browser.keys("Enter");
    await waitForText(
      browser,
      '[data-testid="notice"]',
      "Đã vào sổ: số đến 2 — 77/SNV-TCBC",
    );
    await browser.waitUntil(
      async () => !(await browser.$('[data-testid="drafts"]').isExisting()),
      {
        timeout: 10000,
        timeoutMsg: "draft still listed after registration",
      },
    );
    const row = await waitForText(
      browser,
      '[role="grid"] [role="row"][data-id]',
      "77/SNV-TCBC",
    );
    await row.click();
    const pane = await waitForText(
      browser,
      '[data-testid="detail-pane"]',
      "tuyển dụng công chức",
    );
    await waitForText(browser, '[data-testid="attachment"]', "scan-001.pdf");
    assert.match(await pane.getText(), /UBND Tỉnh Nghệ An/);
    // Selecting the document shows its first page, drawn by pdfium through the viewer's scheme.
    await browser.waitUntil(
      () =>
        browser.execute(() => {
          const img = document.querySelector('[data-testid="first-page"] img');
          return !!img && img.complete && img.naturalWidth > 0;
        }),
      { timeout: 20000, timeoutMsg: "page 1 of the selected document was not drawn in the pane" },
    );
    assert.deepEqual(readdirSync(scanDir), []);
    await screenshot(browser, "incoming-list");

    // Column sorting: Số đến is newest first by default; the header flips it.
    const header = await browser.$(
      '[role="columnheader"][data-sort-column="arrival_number"]',
    );
    await header.click();
    await waitForText(
      browser,
      '[role="row"][aria-rowindex="1"]',
      "77/SNV-TCBC",
    );
    await header.click();
    await waitForText(
      browser,
      '[role="row"][aria-rowindex="1"]',
      "1234/BNV-VP",
    );
    assert.equal(await header.getAttribute("aria-sort"), "ascending");
  });

  it("finds documents in Tra cứu with the matched words marked and opens one", async () => {
    const { browser } = app;
    await goTo(browser, "search");
    await waitForText(browser, "h2", "Tra cứu");
    const words = await browser.$('input[name="text"]');
    await words.setValue("tuyen dung");
    await (await browser.$('[data-testid="search-submit"]')).click();
    const row = await waitForText(
      browser,
      '[data-testid="search-results"] tr[data-result]',
      "77/SNV-TCBC",
    );
    const marked = [];
    for (const m of await row.$$("mark")) marked.push(await m.getText());
    assert.deepEqual(marked, ["tuyển", "dụng"]);
    const rows = await browser.$$('[data-testid="search-results"] tr[data-result]');
    assert.equal(rows.length, 1, "only the document about tuyển dụng");
    // Found by the text of its PDF (and its number), not its subject: the excerpt shows where.
    await words.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    await browser.keys("TCBC");
    await (await browser.$('[data-testid="search-submit"]')).click();
    const excerpt = await waitForText(browser, '[data-testid="excerpt"]', "trong tệp");
    const inFile = [];
    for (const m of await excerpt.$$("mark")) inFile.push(await m.getText());
    assert.deepEqual(inFile, ["TCBC"]);
    // A date range that excludes it leaves nothing.
    await words.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    await (await browser.$('input[name="dateTo"]')).setValue("01/01/2020");
    await (await browser.$('[data-testid="search-submit"]')).click();
    await waitForText(
      browser,
      '[data-testid="search-empty"]',
      "Không tìm thấy văn bản phù hợp",
    );
    const to = await browser.$('input[name="dateTo"]');
    await to.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    await (await browser.$('[data-testid="search-submit"]')).click();
    // Without the date, both documents (newest first); open the older one.
    await waitForText(
      browser,
      '[data-testid="search-results"]',
      "1234/BNV-VP",
    );
    let hit = null;
    for (const r of await browser.$$('[data-testid="search-results"] tr[data-result]')) {
      if ((await r.getText()).includes("1234/BNV-VP")) hit = r;
    }
    assert.ok(hit, "the first document is not among the results");
    // WebKitWebDriver does not click a <tr> itself ("not interactable"); a clerk clicks a cell.
    await (await hit.$("td:nth-child(4)")).click();
    await waitForText(browser, '[data-testid="detail-pane"]', SUBJECT);
    await screenshot(browser, "search");
    // The processing slip of the open document, as a PDF.
    await (await browser.$('[data-testid="print-slip"]')).click();
    const done = await waitForText(browser, '[data-testid="print-slip-result"]', "Đã lưu: ");
    const slip = (await browser.execute((e) => e.textContent ?? "", done)).replace("Đã lưu:", "").trim();
    assert.equal(readFileSync(slip).subarray(0, 5).toString(), "%PDF-", slip);
  });

  it("backs up the unit from Cài đặt into a folder", async () => {
    const { browser } = app;
    const backups = path.join(app.root, "backups");
    await goTo(browser, "settings");
    const folder = await browser.$('input[name="backupFolder"]');
    await folder.waitForExist({ timeout: 10000 });
    await folder.setValue(backups);
    await (await browser.$('[data-testid="save-backup-settings"]')).click();
    const now = await browser.$('[data-testid="backup-now"]');
    await browser.waitUntil(async () => now.isEnabled(), {
      timeout: 10000,
      timeoutMsg: "Sao lưu ngay stayed disabled after saving the folder",
    });
    await now.click();
    await waitForText(browser, '[data-testid="backup-list"]', ".vtbak");
    const files = readdirSync(backups).filter((f) => f.endsWith(".vtbak"));
    assert.equal(files.length, 1, `backup files: ${files}`);
    await waitForText(
      browser,
      '[data-testid="backup-next"]',
      "Lần sao lưu tự động tiếp theo",
    );
    await screenshot(browser, "settings-backup");
  });

  it("reports what was registered this month in Báo cáo and exports it to Excel", async () => {
    const { browser } = app;
    await goTo(browser, "reports");
    await waitForText(browser, '[data-testid="report-title"]', "PHÁT HÀNH VĂN BẢN");
    await (await browser.$("label=Giải quyết văn bản đến")).click();
    await waitForText(
      browser,
      '[data-testid="report-title"]',
      "TIẾP NHẬN VÀ GIẢI QUYẾT VĂN BẢN ĐẾN",
    );
    const now = new Date();
    const month = `${String(now.getMonth() + 1).padStart(2, "0")}/${now.getFullYear()}`;
    let counted = null;
    for (const r of await browser.$$('[data-testid="report-table"] tbody tr')) {
      const cells = [];
      for (const c of await r.$$("td")) cells.push((await c.getText()).trim());
      if (cells[0] === month) counted = cells;
    }
    // The month's row counts the two documents registered above.
    assert.deepEqual(counted, [month, "2"]);
    assert.ok(
      (await browser.$$('[data-testid="report-chart"] svg')).length > 0,
      "the charts are drawn",
    );
    await screenshot(browser, "reports");
    await (await browser.$('[data-testid="export-xlsx"]')).click();
    const saved = await waitForText(browser, '[data-testid="report-saved"]', "Đã lưu: ");
    // The path as written (textOf lower-cases, WebDriver's text is empty in Mantine alerts).
    const shown = await browser.execute((e) => e.textContent ?? "", saved);
    const file = shown.replace("Đã lưu:", "").trim();
    assert.ok(file.endsWith(".xlsx"), file);
    assert.equal(readFileSync(file).subarray(0, 2).toString(), "PK", "an XLSX is a zip");
    // This year's incoming register book, with its cover page.
    await (await browser.$('[data-testid="book-pdf"]')).click();
    const book = await waitForText(browser, '[data-testid="book-saved"]', "so-van-ban-den-");
    const bookFile = (await browser.execute((e) => e.textContent ?? "", book))
      .replace("Đã lưu:", "")
      .trim();
    assert.equal(readFileSync(bookFile).subarray(0, 5).toString(), "%PDF-", bookFile);
  });
});
