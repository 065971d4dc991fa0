import { describe, expect, it } from "vitest";
import type { OutgoingRow } from "../bindings";
import { nextAction } from "../outgoingActions";

const row = (over: Partial<OutgoingRow>): OutgoingRow => ({
  id: 1,
  notation: "12/UBND-VP",
  numberLabel: "12",
  documentDate: "2026-11-20",
  docType: "Công văn",
  subject: "Về việc gửi nhận văn bản điện tử",
  recipients: ["Sở Nội vụ"],
  hubRecipients: 1,
  secrecy: "normal",
  secrecyLabel: "Thường",
  status: "issued",
  statusLabel: "Đã cấp số",
  dispatchedDate: null,
  ...over,
});

describe("the outgoing register's next action", () => {
  it("offers sending an issued document with a coded recipient", () => {
    expect(nextAction(row({}))).toBe("send");
  });
  it("never offers sending a secret document", () => {
    expect(nextAction(row({ secrecy: "confidential", secrecyLabel: "Mật" }))).toBeNull();
    expect(nextAction(row({ secrecy: "top_secret", secrecyLabel: "Tuyệt mật" }))).toBeNull();
  });
  it("waits for the final number of a Số tạm", () => {
    expect(nextAction(row({ numberLabel: "Số tạm T-VT1-3" }))).toBeNull();
  });
  it("does not offer the hub when no recipient has an agency code", () => {
    expect(nextAction(row({ hubRecipients: 0 }))).toBeNull();
  });
  it("issues drafts and signed drafts, and has nothing left once sent", () => {
    expect(nextAction(row({ status: "draft" }))).toBe("issue");
    expect(nextAction(row({ status: "signed" }))).toBe("issue");
    expect(nextAction(row({ status: "ready" }))).toBeNull();
    expect(nextAction(row({ status: "sent" }))).toBeNull();
  });
});
