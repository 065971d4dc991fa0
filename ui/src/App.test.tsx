import { screen, fireEvent } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { renderWithTheme } from "./test/render";
import { SECTIONS } from "./sections";

describe("App navigation", () => {
  it("lists every section in Vietnamese", () => {
    renderWithTheme(<App />);
    const nav = screen.getByRole("navigation", { name: "Điều hướng chính" });
    for (const s of SECTIONS) {
      expect(nav).toHaveTextContent(s.label);
    }
    expect(SECTIONS.map((s) => s.label)).toEqual([
      "Văn bản đến",
      "Văn bản đi",
      "Chờ ký",
      "Tra cứu",
      "Báo cáo",
      "Danh bạ cơ quan",
      "Cài đặt",
    ]);
  });

  it("switches section by click and by Alt+digit", async () => {
    renderWithTheme(<App />);
    await userEvent.click(screen.getByText("Báo cáo"));
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Báo cáo");
    fireEvent.keyDown(window, { key: "7", altKey: true });
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Cài đặt");
  });
});
