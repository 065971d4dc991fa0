import type { OutgoingRow } from "./bindings";

/** What the clerk may do next with an outgoing document, and why not when it is absent. */
export function nextAction(r: OutgoingRow): "issue" | "send" | null {
  if (r.status === "draft" || r.status === "signed") return "issue";
  if (r.status !== "issued") return null;
  // Secret documents never travel over the hub: the action is not offered at all.
  if (r.secrecy !== "normal") return null;
  if (r.numberLabel?.startsWith("Số tạm")) return null;
  if (r.hubRecipients === 0) return null;
  return "send";
}
