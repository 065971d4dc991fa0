// Starts tauri-driver (which starts WebKitWebDriver, which starts the real vanthu-app binary)
// on a fresh data dir, and hands the test a WebdriverIO session.
import { spawn } from "node:child_process";
import {
  mkdtempSync,
  mkdirSync,
  rmSync,
  existsSync,
  readdirSync,
  readFileSync,
} from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../..");
// A test run writes its screenshots under the build output so it never rewrites tracked files;
// ./scripts/screenshots points this at docs/screenshots to refresh the documentation.
export const screenshotDir =
  process.env.VANTHU_SCREENSHOT_DIR ??
  path.join(
    process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target"),
    "screenshots",
  );

function appBinary() {
  if (process.env.VANTHU_APP_BIN) return process.env.VANTHU_APP_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  return path.join(target, "debug/vanthu-app");
}

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = createConnection({ host: "127.0.0.1", port }, () => {
        sock.end();
        resolve();
      });
      sock.on("error", () => {
        if (Date.now() > deadline)
          reject(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Processes still running with `VANTHU_DATA_DIR=data` in their environment: an app that
 * outlived its session. One left behind would answer the next launch through the
 * single-instance plugin, and that launch would never open a window.
 */
function leftovers(data) {
  const needle = `VANTHU_DATA_DIR=${data}\0`;
  const pids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "latin1").includes(needle))
        pids.push(Number(name));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return pids;
}

async function killLeftovers(data) {
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    const pids = leftovers(data);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Exited meanwhile.
      }
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && leftovers(data).length > 0)
      await new Promise((r) => setTimeout(r, 100));
  }
}

let nextPort = 4444 + (process.pid % 200) * 2;

/**
 * Launches the app. `setup(dataDir)` runs before launch (to seed files);
 * `env` adds variables for the app process.
 */
export async function launchApp({ env = {}, dataDir } = {}) {
  const bin = appBinary();
  if (!existsSync(bin))
    throw new Error(`app binary not found: ${bin} (cargo build -p vanthu-app)`);
  const root = mkdtempSync(path.join(tmpdir(), "vanthu-e2e-"));
  const data = dataDir ?? path.join(root, "data");
  mkdirSync(data, { recursive: true });
  // WebKitWebDriver is sometimes not listening yet when tauri-driver forwards the new
  // session (connection refused): a second try on fresh ports, and a driver that failed is
  // stopped, or it would keep this test process alive.
  let driver;
  let browser;
  for (let attempt = 1; ; attempt++) {
    const port = nextPort;
    const nativePort = nextPort + 1;
    nextPort += 2;
    driver = spawn(
      "tauri-driver",
      ["--port", String(port), "--native-port", String(nativePort)],
      {
        env: {
          ...process.env,
          VANTHU_DATA_DIR: data,
          // Logs and WebKit caches land in the temp root, never in the developer's home.
          XDG_DATA_HOME: path.join(root, "xdg-data"),
          XDG_CONFIG_HOME: path.join(root, "xdg-config"),
          XDG_CACHE_HOME: path.join(root, "xdg-cache"),
          ...env,
        },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    try {
      await waitForPort(port, 20000);
      browser = await remote({
        hostname: "127.0.0.1",
        port,
        logLevel: "warn",
        connectionRetryCount: 0,
        capabilities: {
          "wdio:enforceWebDriverClassic": true,
          "tauri:options": { application: bin },
        },
      });
      break;
    } catch (err) {
      const stopped = driver;
      stopped.kill();
      await new Promise((r) =>
        stopped.exitCode !== null ? r() : stopped.once("exit", r),
      );
      await killLeftovers(data);
      if (attempt >= 2) throw err;
      console.warn(`e2e: the app did not start (${err.message}); trying again`);
    }
  }
  const close = async () => {
    try {
      await browser.deleteSession();
    } catch {
      // The app may already be gone; the driver is stopped below either way.
    }
    driver.kill();
    await new Promise((r) =>
      driver.exitCode !== null ? r() : driver.once("exit", r),
    );
    await killLeftovers(data);
    // The app may still be flushing its caches for a moment after the session ends.
    // A webview helper process that outlives the driver can still be writing its shader cache;
    // removing the temporary directory is best effort and must not fail the test.
    if (!process.env.VANTHU_E2E_KEEP) {
      try {
        rmSync(root, {
          recursive: true,
          force: true,
          maxRetries: 20,
          retryDelay: 250,
        });
      } catch (err) {
        console.warn(`e2e: left ${root} behind: ${err.message}`);
      }
    }
  };
  return { browser, dataDir: data, root, close };
}

export async function screenshot(browser, name) {
  mkdirSync(screenshotDir, { recursive: true });
  // Right after the first render the window may not have painted yet (a blank capture):
  // wait for the fonts and two frames, bounded by the script timeout.
  await browser.executeAsync((done) => {
    const frames = () =>
      requestAnimationFrame(() => requestAnimationFrame(() => done()));
    document.fonts.ready.then(frames, frames);
  });
  await browser.saveScreenshot(path.join(screenshotDir, `${name}.png`));
}
