// Page helpers shared by the specs: they act the way a clerk does (keyboard first).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const outDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../out",
);

/**
 * An element's text content, lower-cased (badges are shown in capitals by CSS, as on
 * paper). textContent rather than WebDriver's rendered text, which WebKitWebDriver
 * reports empty for some Mantine containers.
 */
export async function textOf(el, browser = el.parent) {
  const text = await browser.execute((e) => e.textContent ?? "", el);
  return text.replace(/\s+/g, " ").toLocaleLowerCase("vi");
}

export async function waitForText(browser, selector, text, timeout = 15000) {
  const want = text.toLocaleLowerCase("vi");
  let seen = null;
  let el = null;
  try {
    await browser.waitUntil(
      async () => {
        // Looked up afresh each time: a reference taken before the element was rendered
        // stays "not found" even once it exists.
        el = await browser.$(selector);
        if (!(await el.isExisting())) return false;
        seen = await textOf(el, browser);
        return seen.includes(want);
      },
      {
        timeout,
        timeoutMsg: `${selector} never showed ${JSON.stringify(text)}`,
      },
    );
  } catch (e) {
    // What the clerk would have seen, for the failure report.
    mkdirSync(outDir, { recursive: true });
    await browser
      .saveScreenshot(path.join(outDir, `failure-${Date.now()}.png`))
      .catch(() => {});
    throw new Error(`${e.message}; last seen: ${JSON.stringify(seen)}`);
  }
  return el;
}

/** First run on an empty data dir: record the unit. */
export async function initUnit(
  browser,
  code = "000.00.00.H41",
  name = "UBND Tỉnh Nghệ An",
) {
  const codeInput = await browser.$('input[name="unitCode"]');
  await codeInput.waitForExist({ timeout: 30000 });
  await codeInput.setValue(code);
  await (await browser.$('input[name="unitName"]')).setValue(name);
  await browser.keys("Enter");
  await waitForText(browser, '[data-testid="unit"]', name);
}

export async function goTo(browser, section) {
  await (await browser.$(`[data-section="${section}"]`)).click();
}

/** Fills the open registration form and saves it with Enter. */
export async function fillRegistration(browser, f) {
  const form = await browser.$('form[aria-label="Vào sổ văn bản đến"]');
  await form.waitForExist({ timeout: 10000 });
  const sender = await form.$('input[name="sender"]');
  await sender.click();
  await browser.keys(f.senderQuery);
  await waitForText(browser, '[role="option"]', f.senderLabel, 10000);
  await browser.keys(["ArrowDown", "Enter"]);
  await browser.waitUntil(
    async () => (await sender.getValue()).includes(f.senderLabel),
    {
      timeout: 5000,
      timeoutMsg: "agency autocomplete did not pick the sender",
    },
  );
  await (await form.$('input[name="notation"]')).setValue(f.notation);
  await (await form.$('input[name="documentDate"]')).setValue(f.documentDate);
  const docType = await form.$('select[name="docType"]');
  await browser.waitUntil(async () => (await docType.$$("option")).length > 1, {
    timeout: 10000,
  });
  await docType.selectByAttribute("value", f.docType);
  if (f.urgency)
    await (
      await form.$('select[name="urgency"]')
    ).selectByAttribute("value", f.urgency);
  const subject = await form.$('textarea[name="subject"]');
  await subject.clearValue();
  await subject.setValue(f.subject);
  return form;
}

/** A small, valid one-page PDF (what a scanner would write, minus the image). */
export function writeMinimalPdf(path, text) {
  const objs = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    null,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const stream = `BT /F1 18 Tf 72 760 Td (${text}) Tj ET`;
  objs[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = "%PDF-1.4\n";
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets)
    out += `${String(off).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  writeFileSync(path, out, "latin1");
}

/** Clicks through the DOM: WebKitWebDriver's element click has hung after overlays close. */
export async function domClick(browser, selector) {
  const ok = await browser.execute((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    el.click();
    return true;
  }, selector);
  assert.ok(ok, `nothing to click at ${selector}`);
}
