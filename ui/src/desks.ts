// Several desktops of one unit (docs/sync.md): "Trình lãnh đạo" from the clerk's desktop and
// the mirror records on the leader's desktop.
import type { MirrorView, SubmissionView } from "./bindings";

/** Where the last desktop a document was submitted to is remembered on this machine. */
export const LAST_DESKTOP_KEY = "vanthu.lastLeaderDesktop";

/** The unit part of a hub login ("000.00.00.H34/VT1" → "000.00.00.H34"). */
export function unitOf(login: string): string {
  const i = login.indexOf("/");
  return (i < 0 ? login : login.slice(0, i)).trim();
}

/**
 * The desktop the dialog starts with: the one used last when it belongs to this unit,
 * otherwise "UNIT/" for the clerk to complete (the registry refuses other units).
 */
export function initialDesktop(unit: string, remembered: string | null): string {
  if (remembered && unit && remembered.startsWith(`${unit}/`)) return remembered;
  return unit ? `${unit}/` : (remembered ?? "");
}

/** "2026-11-25T08:05:12.123+07:00" → "25/11/2026 08:05" (the time as this desktop wrote it). */
export function formatDateTime(rfc3339: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(rfc3339);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : rfc3339;
}

/** The line of the detail pane for one submission. */
export function submissionLine(s: SubmissionView): string {
  const desk = s.toDesktop.slice(s.toDesktop.indexOf("/") + 1);
  return `Đã trình ${desk} (${s.toDesktop}) lúc ${formatDateTime(s.createdAt)} — ${s.stateLabel}`;
}

/**
 * Where a mirror record came from, with the clerk's số đến: a trình lãnh đạo on the leader's
 * desktop, or a handler's copy of an assigned document.
 */
export function mirrorLine(m: MirrorView): string {
  const number = `Số đến: ${m.numberLabel ?? "—"}`;
  if (m.handlingRole) {
    const role = m.handlingRole === "lead" ? "chủ trì" : "phối hợp";
    return `Được giao xử lý (${role}) từ ${m.origin} — ${number}`;
  }
  return `Văn thư trình từ ${m.origin} — ${number}`;
}
