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
  actions: { issue: false, send: true, submitForSigning: false, provisionalNumber: false },
  ...over,
});

const none = { issue: false, send: false, submitForSigning: false, provisionalNumber: false };

describe("the outgoing register's buttons follow what the registry offers", () => {
  it("picks Cấp số or Gửi qua trục from the offer, and nothing when nothing is offered", () => {
    expect(nextAction(row({}))).toBe("send");
    expect(nextAction(row({ actions: { ...none, issue: true, submitForSigning: true } }))).toBe(
      "issue",
    );
    expect(nextAction(row({ actions: none }))).toBeNull();
    // The row's own fields do not decide: a secret row offered nothing shows nothing.
    expect(nextAction(row({ secrecy: "confidential", actions: none }))).toBeNull();
  });
  it("shows Trình ký only when offered", () => {
    expect(canSubmitForSigning(row({ actions: { ...none, submitForSigning: true } }))).toBe(true);
    expect(canSubmitForSigning(row({ status: "draft", hasPdf: true, actions: none }))).toBe(false);
  });
});

describe("trình ký between the unit's desktops", () => {
  const draft = { status: "draft", statusLabel: "Dự thảo", numberLabel: null };
  it("gives the leader's copy neither a number nor trình ký, and says where it came from", () => {
    const mirror = row({ ...draft, mirrorOrigin: "000.00.00.H34/VT1" });
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
