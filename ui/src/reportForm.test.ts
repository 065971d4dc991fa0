import { describe, expect, it } from "vitest";
import { EMPTY_REPORT, toReportForm } from "./reportForm";

describe("toReportForm", () => {
  it("sends typed dates as ISO and leaves empty ones to the year so far", () => {
    const r = toReportForm({
      ...EMPTY_REPORT,
      kind: "processing",
      from: "01/03/2026",
      department: " Phòng Kinh tế ",
    });
    expect(r).toEqual({
      ok: true,
      form: { kind: "processing", from: "2026-03-01", to: null, department: "Phòng Kinh tế" },
    });
  });

  it("names the field of a mistyped date", () => {
    const r = toReportForm({ ...EMPTY_REPORT, to: "31/13/2026" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^Đến ngày: /);
  });
});
