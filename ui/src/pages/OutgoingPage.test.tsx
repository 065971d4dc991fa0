import { describe, expect, it } from "vitest";
import type { OutgoingRow } from "../bindings";
import { canSubmitForSigning, deskLine, nextAction } from "../outgoingActions";

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
  hasPdf: true,
  mirrorOrigin: null,
  submittedTo: null,
  returned: false,
  returnedNote: null,
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

describe("trình ký between the unit's desktops", () => {
  const draft = { status: "draft", statusLabel: "Dự thảo", numberLabel: null };
  it("offers a draft with a PDF of this unit", () => {
    expect(canSubmitForSigning(row(draft))).toBe(true);
    expect(canSubmitForSigning(row({ ...draft, returned: true }))).toBe(true);
  });
  it("never for mật and above, without a PDF, once submitted, or after the draft", () => {
    expect(canSubmitForSigning(row({ ...draft, secrecy: "confidential" }))).toBe(false);
    expect(canSubmitForSigning(row({ ...draft, hasPdf: false }))).toBe(false);
    expect(canSubmitForSigning(row({ ...draft, submittedTo: "U/LD" }))).toBe(false);
    expect(canSubmitForSigning(row({ status: "signed" }))).toBe(false);
  });
  it("gives the leader's copy neither a number nor trình ký, and says where it came from", () => {
    const mirror = row({ ...draft, mirrorOrigin: "000.00.00.H34/VT1" });
    expect(nextAction(mirror)).toBeNull();
    expect(canSubmitForSigning(mirror)).toBe(false);
    expect(deskLine(mirror)).toBe("Văn thư trình ký từ 000.00.00.H34/VT1");
    expect(deskLine(row({ ...draft, submittedTo: "000.00.00.H34/LD" }))).toBe(
      "Đã trình ký 000.00.00.H34/LD",
    );
    expect(deskLine(row(draft))).toBeNull();
    expect(
      deskLine(row({ ...draft, returned: true, returnedNote: "Lãnh đạo trả lại: bổ sung căn cứ" })),
    ).toBe("Lãnh đạo trả lại: bổ sung căn cứ");
    expect(deskLine(row({ ...draft, returned: true }))).toBe("Lãnh đạo trả lại");
  });
});
