// Start-up timing marks for bench/app. Each is stamped with the page's clock in Unix ms
// (performance.timeOrigin + now()); they are sent to the back end's log in one go once the
// first rows are painted, so measuring adds no IPC to the start-up path itself.
import { commands } from "./bindings";

const pending: [string, number][] = [];
const seen = new Set<string>();
let sent = false;

const now = () => performance.timeOrigin + performance.now();

/** Records `name` once per page load (later calls are ignored). */
export function mark(name: string) {
  if (seen.has(name) || typeof performance === "undefined") return;
  seen.add(name);
  const at = now();
  if (sent) commands.uiMark(name, at).catch(() => undefined);
  else pending.push([name, at]);
}

/** The page's own loading steps, from the Navigation Timing API. */
function navigationMarks(): [string, number][] {
  const nav = performance.getEntriesByType?.("navigation")[0] as
    PerformanceNavigationTiming | undefined;
  if (!nav) return [];
  const o = performance.timeOrigin;
  const scripts = performance
    .getEntriesByType("resource")
    .filter((r) => r.name.includes("/assets/") && r.name.endsWith(".js"));
  return [
    ["nav-start", o],
    ["nav-response-end", o + nav.responseEnd],
    ...scripts.map((s): [string, number] => ["script-loaded", o + s.startTime + s.duration]),
    ["dom-interactive", o + nav.domInteractive],
    ["dom-content-loaded", o + nav.domContentLoadedEventEnd],
  ];
}

/** Sends the marks so far (and those to come) to the log. `first` goes first: the
 * benchmark waits for it. */
export function flushMarks(first: string) {
  if (sent || typeof performance === "undefined") return;
  sent = true;
  const all = [...pending, ...navigationMarks()];
  const head = all.filter(([n]) => n === first);
  const rest = all.filter(([n]) => n !== first);
  for (const [name, at] of [...head, ...rest]) commands.uiMark(name, at).catch(() => undefined);
}
