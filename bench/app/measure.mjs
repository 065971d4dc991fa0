// App benchmark driver (bench/app/run.sh): cold start to the first visible row, idle memory,
// and frame times while scrolling the list, on the real release app in WebKitGTK (Xvfb).
// Usage: node measure.mjs <app-binary> <label>=<data-dir>...   Prints one JSON object.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const { launchApp } = await import(pathToFileURL(path.join(here, "../../tests/e2e/lib/harness.js")));

const [appBin, ...targets] = process.argv.slice(2);
// The scroll runs launch through the e2e harness, which takes the binary from here.
process.env.VANTHU_APP_BIN = appBin;
const RUNS = Number(process.env.RUNS ?? 5);
const IDLE_MS = Number(process.env.IDLE_MS ?? 5000);
const SCROLL_MS = Number(process.env.SCROLL_MS ?? 8000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function dropCaches() {
  try {
    writeFileSync("/proc/sys/vm/drop_caches", "3\n");
    return true;
  } catch {
    return false;
  }
}

/** The process and all its descendants (WebKit's web and network processes). */
function tree(pid) {
  const parent = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(d), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++)
    for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

function memKiB(pid, field, file) {
  try {
    const m = readFileSync(`/proc/${pid}/${file}`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return String(pid);
  }
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** One launch: ms from spawn to the UI's first-row mark, then memory after IDLE_MS. */
async function startOnce(dataDir, cold) {
  const root = mkdtempSync(path.join(tmpdir(), "vanthu-bench-"));
  const dropped = cold ? dropCaches() : false;
  const t0 = Date.now();
  const child = spawn(appBin, [], {
    env: {
      ...process.env,
      VANTHU_DATA_DIR: dataDir,
      RUST_LOG: "info",
      XDG_DATA_HOME: path.join(root, "data"),
      XDG_CONFIG_HOME: path.join(root, "config"),
      XDG_CACHE_HOME: path.join(root, "cache"),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let buf = "";
  const mark = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no first-row mark within 60 s")), 60000);
    child.stderr.on("data", (d) => {
      // The stderr copy of the log may be coloured.
      buf += d.toString().replace(/\x1b\[[0-9;]*m/g, "");
      const m = buf.match(/mark=first-row epoch_ms="?([\d.]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (c) => reject(new Error(`app exited (${c}) before the first row:\n${buf.slice(-2000)}`)));
  });
  await sleep(IDLE_MS);
  // Every start-up mark (back end and page), in ms since spawn.
  const marks = {};
  for (const m of buf.matchAll(/mark=([\w-]+) epoch_ms="?([\d.]+)/g))
    marks[m[1]] ??= Math.round((Number(m[2]) - t0) * 10) / 10;
  const pids = tree(child.pid);
  const rss = pids.reduce((a, p) => a + memKiB(p, "VmRSS", "status"), 0);
  const pss = pids.reduce((a, p) => a + memKiB(p, "Pss", "smaps_rollup"), 0);
  const appRss = memKiB(child.pid, "VmRSS", "status");
  const perProcess = pids.map((p) => ({
    name: comm(p),
    rss_mib: memKiB(p, "VmRSS", "status") / 1024,
    pss_mib: memKiB(p, "Pss", "smaps_rollup") / 1024,
  }));
  child.kill("SIGTERM");
  await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
  for (const p of pids.slice(1)) {
    try {
      process.kill(p, "SIGTERM");
    } catch {
      // Already gone with the app.
    }
  }
  rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  return {
    first_row_ms: mark - t0,
    rss_total_mib: rss / 1024,
    pss_total_mib: pss / 1024,
    rss_app_mib: appRss / 1024,
    processes: pids.length,
    per_process: perProcess,
    caches_dropped: dropped,
    marks,
  };
}

/** Frame times while scrolling the list at `pxPerFrame`, through the e2e harness. */
async function scroll(dataDir, pxPerFrame) {
  console.error(`scroll ${pxPerFrame}px/frame: launching`);
  // Under WebDriver the app keeps WebKit's compositing (docs/app.md); without a GPU it
  // paints non-composited on its own, which is what a clerk gets, so the frames are measured so.
  const app = await launchApp({ dataDir, env: { WEBKIT_DISABLE_COMPOSITING_MODE: "1" } });
  try {
    const { browser } = app;
    await browser.setTimeout({ script: SCROLL_MS + 30000 });
    await browser.waitUntil(
      async () => browser.execute(() => document.querySelectorAll('[role="row"][data-id]').length > 0),
      { timeout: 60000, timeoutMsg: "no rows" },
    );
    await sleep(1000);
    console.error("scrolling");
    return await browser.executeAsync(
      (ms, px, done) => {
        const grid = document.querySelector('[data-testid="incoming-scroll"]');
        const deltas = [];
        let last = 0;
        let end = 0;
        const frame = (t) => {
          deltas.push(t - last);
          last = t;
          grid.scrollTop += px;
          if (t < end) requestAnimationFrame(frame);
          else
            done({
              deltas,
              rows_loaded: Number(grid.getAttribute("aria-rowcount")),
              scrolled_px: grid.scrollTop,
            });
        };
        requestAnimationFrame((t) => {
          last = t;
          end = t + ms;
          requestAnimationFrame(frame);
        });
      },
      SCROLL_MS,
      pxPerFrame,
    );
  } finally {
    await app.close();
  }
}

const result = { runs: RUNS, idle_ms: IDLE_MS, scroll_ms: SCROLL_MS, targets: {} };
for (const t of targets) {
  const [label, dir] = t.split("=");
  // The first launch may upgrade the schema (new indexes): reported, not counted.
  const first = await startOnce(dir, false);
  console.error(`${label}: first launch ${first.first_row_ms} ms`);
  const starts = [];
  for (let i = 0; i < RUNS; i++) starts.push(await startOnce(dir, true));
  const r = { first_launch_ms: first.first_row_ms, starts };
  const ms = starts.map((s) => s.first_row_ms);
  r.first_row_p50_ms = pct(ms, 50);
  r.first_row_max_ms = Math.max(...ms);
  r.rss_total_p50_mib = pct(starts.map((s) => s.rss_total_mib), 50);
  r.pss_total_p50_mib = pct(starts.map((s) => s.pss_total_mib), 50);
  r.rss_app_p50_mib = pct(starts.map((s) => s.rss_app_mib), 50);
  r.caches_dropped = starts.every((s) => s.caches_dropped);
  // p50 of each start-up mark over the runs that have it, in order.
  const names = [...new Set(starts.flatMap((s) => Object.keys(s.marks)))];
  r.marks_p50_ms = Object.fromEntries(
    names
      .map((n) => [n, pct(starts.map((s) => s.marks[n]).filter((v) => v !== undefined), 50)])
      .sort((a, b) => a[1] - b[1]),
  );
  r.scroll = {};
  // SCROLL_MS=0: start-up and memory only (quick iterations).
  for (const px of SCROLL_MS > 0 ? [36, 180] : []) {
    const s = await scroll(dir, px);
    const d = s.deltas.slice(1);
    r.scroll[`${px}px_per_frame`] = {
      frames: d.length,
      p50_ms: pct(d, 50),
      p95_ms: pct(d, 95),
      max_ms: Math.max(...d),
      over_16_7ms: d.filter((x) => x > 16.7).length,
      rows_loaded: s.rows_loaded,
      scrolled_px: s.scrolled_px,
    };
  }
  result.targets[label] = r;
}
console.log(JSON.stringify(result, null, 2));
