// A real hub on loopback and the `vanthu` CLI for the specs that need a second desktop or
// agency (desks, alerts). The CLI is `$VANTHU_BIN`, else `$CARGO_TARGET_DIR/debug/vanthu`.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { repoRoot } from "./harness.js";

export function cliBinary() {
  if (process.env.VANTHU_BIN) return process.env.VANTHU_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  return path.join(target, "debug/vanthu");
}

export const cliEnv = { ...process.env, VANTHU_SECRET_STORE: "file" };

/** Runs the CLI (bounded), returns its stdout; `input` goes to stdin (a secret). */
export function vanthu(args, input) {
  return execFileSync(cliBinary(), args, { env: cliEnv, input, encoding: "utf8", timeout: 60000 });
}

export function freePort() {
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
export function startHub(db, port, log = []) {
  const hub = spawn(cliBinary(), ["hub", "serve", "--listen", `127.0.0.1:${port}`, "--db", db], {
    env: cliEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 20000);
    hub.stdout.on("data", (d) => {
      out += d;
      log.push(String(d));
      if (out.includes("listening")) {
        clearTimeout(timer);
        resolve(hub);
      }
    });
    hub.stderr.on("data", (d) => log.push(String(d)));
    hub.once("exit", (code) => reject(new Error(`hub exited (${code}): ${out}`)));
  });
}

export async function stopHub(hub) {
  if (!hub || hub.exitCode !== null) return;
  hub.removeAllListeners("exit");
  const gone = new Promise((r) => hub.once("exit", r));
  hub.kill("SIGTERM");
  await gone;
}

/** The element's text (whitespace collapsed, lower case), or null when absent. */
export function domText(browser, selector) {
  return browser.execute((sel) => {
    const t = document.querySelector(sel)?.textContent;
    return t == null ? null : t.replace(/\s+/g, " ").toLocaleLowerCase("vi");
  }, selector);
}

/** Waits (bounded) until `selector` exists and contains `text`, querying the DOM afresh. */
export async function waitDom(browser, selector, text, timeout = 60000) {
  const want = text.toLocaleLowerCase("vi");
  let seen = null;
  try {
    await browser.waitUntil(
      async () => {
        seen = await domText(browser, selector);
        return seen !== null && seen.includes(want);
      },
      { timeout, interval: 500 },
    );
  } catch {
    // The message is built now: what the page showed last, not what it showed at the start.
    throw new Error(`${selector} never showed ${JSON.stringify(text)}; last seen: ${JSON.stringify(seen)}`);
  }
  return seen;
}

/** Types into a React-controlled field through the DOM (WebDriver typing has hung here). */
export async function setField(browser, selector, value) {
  const ok = await browser.execute(
    (sel, v) => {
      const el = document.querySelector(sel);
      if (!el) return false;
      const proto =
        el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, "value").set.call(el, v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      return true;
    },
    selector,
    value,
  );
  assert.ok(ok, `no field at ${selector}`);
}

export function fieldValue(browser, selector) {
  return browser.execute((sel) => document.querySelector(sel)?.value ?? null, selector);
}
