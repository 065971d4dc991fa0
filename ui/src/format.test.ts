import { describe, expect, it } from "vitest";
import {
  formatDate,
  formatDateTime,
  parseDate,
  parseList,
  pendingActionLabel,
  todayIso,
  validateNotation,
} from "./format";

describe("dates", () => {
  it("formats ISO dates as dd/mm/yyyy", () => {
    expect(formatDate("2026-03-05")).toBe("05/03/2026");
    expect(formatDate("")).toBe("");
  });
  it("parses clerk-typed dates", () => {
    expect(parseDate("5/3/2026")).toEqual({ ok: true, value: "2026-03-05" });
    expect(parseDate("29.02.2024")).toEqual({ ok: true, value: "2024-02-29" });
  });
  it("rejects impossible dates with Vietnamese messages", () => {
    expect(parseDate("")).toEqual({ ok: false, error: "Chưa nhập ngày" });
    expect(parseDate("2026-03-05")).toEqual({ ok: false, error: "Ngày phải có dạng dd/mm/yyyy" });
    expect(parseDate("29/02/2025")).toEqual({
      ok: false,
      error: "Tháng 2/2025 không có ngày 29",
    });
    expect(parseDate("01/13/2025")).toEqual({ ok: false, error: "Tháng không hợp lệ" });
  });
  it("today is local", () => {
    expect(todayIso(new Date(2026, 0, 9))).toBe("2026-01-09");
  });
});

describe("number/notation", () => {
  it("accepts NĐ 30 shapes", () => {
    expect(validateNotation("986/UBND-HCTC")).toBeNull();
    expect(validateNotation("12/2020/NĐ-CP")).toBeNull();
    expect(validateNotation("04/CT-TTg")).toBeNull();
    expect(validateNotation("986 /UBND-HCTC")).toBeNull();
  });
  it("explains what is wrong", () => {
    expect(validateNotation("")).toBe("Chưa nhập số, ký hiệu văn bản");
    expect(validateNotation("UBND-HCTC")).toMatch(/số\/ký hiệu/);
    expect(validateNotation("0/UBND")).toBe("Số văn bản phải lớn hơn 0");
    expect(validateNotation("12/ubnd hc")).toMatch(/khoảng trắng/);
  });
});

describe("pendingActionLabel", () => {
  it("names each sender request in Vietnamese", () => {
    expect(pendingActionLabel("recall")).toBe("Bên gửi đề nghị thu hồi");
    expect(pendingActionLabel("update")).toBe("Bên gửi gửi bản cập nhật");
    expect(pendingActionLabel("replace")).toBe("Bên gửi gửi bản thay thế");
    expect(pendingActionLabel(null)).toBeNull();
  });
});

describe("formatDateTime", () => {
  it("shows a signing time as dd/mm/yyyy HH:mm:ss", () => {
    expect(formatDateTime("2026-11-26T00:15:21+07:00")).toBe("26/11/2026 00:15:21");
    expect(formatDateTime("2026-01-02 08:05")).toBe("02/01/2026 08:05");
    expect(formatDateTime(null)).toBe("");
    expect(formatDateTime("không rõ")).toBe("không rõ");
  });
});

describe("parseList", () => {
  it("splits on commas, semicolons and lines, each name once, NFC", () => {
    expect(parseList(" Văn phòng, Phòng Tài chính;Văn phòng\n\n Phòng Tư pháp ")).toEqual([
      "Văn phòng",
      "Phòng Tài chính",
      "Phòng Tư pháp",
    ]);
    expect(parseList("Pha\u0323m Văn Dũng")).toEqual(["Phạm Văn Dũng"]);
    expect(parseList(" , ;")).toEqual([]);
  });
});
