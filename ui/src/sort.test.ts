import { describe, expect, it } from "vitest";
import { ariaSort, nextSort } from "./sort";

describe("column sort state", () => {
  it("starts dates and numbers newest first, text A to Z", () => {
    expect(nextSort(null, "arrival_number")).toEqual({
      column: "arrival_number",
      descending: true,
    });
    expect(nextSort(null, "sender")).toEqual({ column: "sender", descending: false });
  });

  it("flips on the second click and resets on the third", () => {
    const a = nextSort(null, "subject");
    const b = nextSort(a, "subject");
    expect(b).toEqual({ column: "subject", descending: true });
    expect(nextSort(b, "subject")).toBeNull();
    const d = nextSort(nextSort(null, "arrival_date"), "arrival_date");
    expect(d).toEqual({ column: "arrival_date", descending: false });
    expect(nextSort(d, "arrival_date")).toBeNull();
  });

  it("moves to another column in that column's first direction", () => {
    expect(nextSort({ column: "sender", descending: true }, "deadline")).toEqual({
      column: "deadline",
      descending: true,
    });
  });

  it("reports aria-sort for the header", () => {
    const s = { column: "notation", descending: false } as const;
    expect(ariaSort(s, "notation")).toBe("ascending");
    expect(ariaSort({ ...s, descending: true }, "notation")).toBe("descending");
    expect(ariaSort(s, "status")).toBe("none");
    expect(ariaSort(null, "status")).toBe("none");
  });
});
