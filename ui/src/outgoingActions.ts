import type { OutgoingRow } from "./bindings";

/**
 * The main button of a row: "Cấp số" or "Gửi qua trục". What is allowed is decided by the
 * registry (`actions`, from vanthu_registry::outgoing_offer); this only picks the button.
 */
export function nextAction(r: OutgoingRow): "issue" | "send" | null {
  if (r.actions.issue) return "issue";
  if (r.actions.send) return "send";
  return null;
}

/** "Trình ký" to the leader's desktop, as the registry offers it. */
export function canSubmitForSigning(r: OutgoingRow): boolean {
  return r.actions.submitForSigning;
}

/** Under the status: where a trình ký stands on the clerk's desktop, or its origin on the leader's. */
export function deskLine(r: OutgoingRow): string | null {
  if (r.mirrorOrigin) return `Văn thư trình ký từ ${r.mirrorOrigin}`;
  if (r.submittedTo) return `Đã trình ký ${r.submittedTo}`;
  if (r.returned) return r.returnedNote ?? "Lãnh đạo trả lại";
  return null;
}
