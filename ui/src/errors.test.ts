import { describe, expect, it } from "vitest";
import { errorMessage, isCommandError } from "./errors";

describe("command errors", () => {
  it("shows a command error's message, not [object Object]", () => {
    const e = { kind: "notFound", message: "không có văn bản số 7" };
    expect(isCommandError(e)).toBe(true);
    expect(errorMessage(e)).toBe("không có văn bản số 7");
  });

  it("falls back for Errors and plain values", () => {
    expect(isCommandError("x")).toBe(false);
    expect(errorMessage(new Error("hỏng"))).toBe("hỏng");
    expect(errorMessage("chuỗi")).toBe("chuỗi");
  });
});
