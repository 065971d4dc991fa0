import type { OutgoingRow } from "./bindings";

/** What the clerk may do next with an outgoing document, and why not when it is absent. */
export function nextAction(r: OutgoingRow): "issue" | "send" | null {
  // The leader's copy of a clerk's draft: signed here, numbered and sent by the clerk.
  if (r.mirrorOrigin) return null;
  if (r.status === "draft" || r.status === "signed") return "issue";
  if (r.status !== "issued") return null;
  // Secret documents never travel over the hub: the action is not offered at all.
  if (r.secrecy !== "normal") return null;
  if (r.numberLabel?.startsWith("Số tạm")) return null;
  if (r.hubRecipients === 0) return null;
  return "send";
}

/**
 * "Trình ký" to the leader's desktop: a draft of this unit with its PDF, not marked mật or
 * above (they never travel over the hub, even inside the unit), not already waiting there.
 */
export function canSubmitForSigning(r: OutgoingRow): boolean {
  return (
    r.status === "draft" && r.hasPdf && r.secrecy === "normal" && !r.mirrorOrigin && !r.submittedTo
  );
}

/** Under the status: where a trình ký stands on the clerk's desktop, or its origin on the leader's. */
export function deskLine(r: OutgoingRow): string | null {
  if (r.mirrorOrigin) return `Văn thư trình ký từ ${r.mirrorOrigin}`;
  if (r.submittedTo) return `Đã trình ký ${r.submittedTo}`;
  if (r.returned) return r.returnedNote ?? "Lãnh đạo trả lại";
  return null;
}
