import { describe, expect, it } from "vitest";
import { formatDateTime, initialDesktop, mirrorLine, submissionLine, unitOf } from "./desks";

describe("trình lãnh đạo", () => {
  it("prefills the unit, or the desktop used last when it belongs to the unit", () => {
    expect(initialDesktop("000.00.00.H34", null)).toBe("000.00.00.H34/");
    expect(initialDesktop("000.00.00.H34", "000.00.00.H34/LD")).toBe("000.00.00.H34/LD");
    expect(initialDesktop("000.00.00.H34", "000.00.00.G22/LD")).toBe("000.00.00.H34/");
    expect(initialDesktop("", "000.00.00.G22/LD")).toBe("000.00.00.G22/LD");
    expect(unitOf("000.00.00.H34/VT1")).toBe("000.00.00.H34");
    expect(unitOf("000.00.00.H34")).toBe("000.00.00.H34");
  });

  it("words submissions and mirrors in Vietnamese with dd/mm/yyyy HH:mm", () => {
    expect(formatDateTime("2026-11-25T08:05:12.123+07:00")).toBe("25/11/2026 08:05");
    expect(formatDateTime("hôm qua")).toBe("hôm qua");
    expect(
      submissionLine({
        id: 1,
        toDesktop: "000.00.00.H34/LD",
        note: null,
        createdAt: "2026-11-25T08:05:12.123+07:00",
        state: "waiting",
        stateLabel: "chờ đồng bộ",
      }),
    ).toBe("Đã trình LD (000.00.00.H34/LD) lúc 25/11/2026 08:05 — chờ đồng bộ");
    expect(
      mirrorLine({
        origin: "000.00.00.H34/VT1",
        numberLabel: "Số tạm T-VT1-3",
        handlingRole: null,
      }),
    ).toBe("Văn thư trình từ 000.00.00.H34/VT1 — Số đến: Số tạm T-VT1-3");
    expect(
      mirrorLine({ origin: "000.00.00.H34/VT1", numberLabel: "15", handlingRole: "lead" }),
    ).toBe("Được giao xử lý (chủ trì) từ 000.00.00.H34/VT1 — Số đến: 15");
  });
});
