import { describe, expect, it } from "vitest";
import { validate, type FormValues } from "./registerForm";

const good: FormValues = {
  sender: "Bộ Nội vụ (000.00.00.G12)",
  notation: "12/BNV-VP",
  documentDate: "20/11/2026",
  arrivalDate: "25/11/2026",
  docType: "CV",
  subject: "Về việc báo cáo",
  urgency: "normal",
  secrecy: "normal",
  deadline: "",
  signer: "",
  notes: "",
};

describe("registration validation", () => {
  it("accepts a complete form", () => {
    expect(validate(good, "000.00.00.G12")).toEqual({});
  });
  it("requires a sender from the directory", () => {
    expect(validate(good, null).sender).toBe("Chọn nơi gửi trong danh bạ (gõ tên hoặc mã cơ quan)");
    expect(validate({ ...good, sender: " " }, null).sender).toBe("Chưa chọn nơi gửi");
  });
  it("checks dates against each other", () => {
    expect(validate({ ...good, documentDate: "26/11/2026" }, "x").documentDate).toBe(
      "Ngày văn bản không được sau ngày đến",
    );
    expect(validate({ ...good, deadline: "24/11/2026" }, "x").deadline).toBe(
      "Hạn xử lý không được trước ngày đến",
    );
    expect(validate({ ...good, arrivalDate: "31/04/2026" }, "x").arrivalDate).toBe(
      "Tháng 4/2026 không có ngày 31",
    );
  });
  it("reports every missing field", () => {
    const errs = validate({ ...good, notation: "", docType: "", subject: "" }, "x");
    expect(errs).toEqual({
      notation: "Chưa nhập số, ký hiệu văn bản",
      docType: "Chưa chọn loại văn bản",
      subject: "Chưa nhập trích yếu",
    });
  });
});
