import { describe, expect, it } from "vitest";
import { canSubmitForSigning, deskLine, nextAction } from "../outgoingActions";
import { outgoingRow as row } from "../test/fixtures";

const none = {
  issue: false,
  send: false,
  submitForSigning: false,
  provisionalNumber: false,
  recall: false,
  revise: false,
};

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
