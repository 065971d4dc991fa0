import { describe, expect, it } from "vitest";
import { addGroup, recipientValue, validateDraft, type DraftValues } from "./outgoingForm";

const ok: DraftValues = {
  notation: "UBND-VP",
  docType: "Công văn",
  subject: "Về việc báo cáo",
  signer: "",
  recipients: ["Sở Nội vụ (000.01.20.H34)"],
  notes: "",
  files: ["/tmp/du-thao.pdf"],
};

describe("validateDraft", () => {
  it("accepts a complete draft", () => {
    expect(validateDraft(ok)).toEqual({});
  });
  it("names each missing field", () => {
    const e = validateDraft({ ...ok, notation: " ", docType: "", subject: "", recipients: [] });
    expect(e.notation).toMatch(/Chưa nhập ký hiệu/);
    expect(e.docType).toBe("Chưa chọn loại văn bản");
    expect(e.subject).toBe("Chưa nhập trích yếu");
    expect(e.recipients).toBe("Chưa có nơi nhận");
  });
  it("refuses a number in a draft's notation and spaces in it", () => {
    expect(validateDraft({ ...ok, notation: "12/UBND-VP" }).notation).toMatch(/chưa có số/);
    expect(validateDraft({ ...ok, notation: "UBND VP" }).notation).toMatch(/khoảng trắng/);
  });
  it("wants PDF files, with their editable soft copy beside them", () => {
    expect(validateDraft({ ...ok, files: ["/tmp/a.pdf", "/tmp/a.docx"] }).files).toBeUndefined();
    expect(validateDraft({ ...ok, files: ["/tmp/a.pdf", "/tmp/b.ODT"] }).files).toBeUndefined();
    expect(validateDraft({ ...ok, files: ["/tmp/a.doc"] }).files).toMatch(/PDF.*\.docx, \.odt/);
    expect(validateDraft({ ...ok, files: ["/tmp/a.jpg"] }).files).toMatch(/PDF/);
    expect(validateDraft({ ...ok, files: [] }).files).toBeUndefined();
  });
});

describe("recipientValue", () => {
  const dir = [{ code: "000.01.20.H34", name: "Sở Nội vụ" }];
  it("maps a directory label or code to the code", () => {
    expect(recipientValue("Sở Nội vụ (000.01.20.H34)", dir)).toBe("000.01.20.H34");
    expect(recipientValue("000.01.20.H34", dir)).toBe("000.01.20.H34");
    expect(recipientValue("Sở Y tế (000.02.20.H34)", dir)).toBe("000.02.20.H34");
  });
  it("keeps free text as typed, in NFC", () => {
    expect(recipientValue(" Lưu: VT ", dir)).toBe("Lưu: VT");
    expect(recipientValue("Lu\u0301u: VT", dir)).toBe("Lúu: VT".normalize("NFC"));
  });
});

describe("addGroup", () => {
  const group = [
    { code: "000.00.21.H34", name: "Sở Nội vụ tỉnh Kon Tum" },
    { code: "000.00.20.H34", name: "Sở Tài chính tỉnh Kon Tum" },
  ];
  it("adds every member once, after what is there", () => {
    expect(addGroup(["Lưu: VT"], group)).toEqual([
      "Lưu: VT",
      "Sở Nội vụ tỉnh Kon Tum (000.00.21.H34)",
      "Sở Tài chính tỉnh Kon Tum (000.00.20.H34)",
    ]);
  });
  it("does not repeat an agency already chosen, by label or by code", () => {
    expect(addGroup(["Sở Nội vụ tỉnh Kon Tum (000.00.21.H34)", "000.00.20.H34"], group)).toEqual([
      "Sở Nội vụ tỉnh Kon Tum (000.00.21.H34)",
      "000.00.20.H34",
    ]);
  });
});
