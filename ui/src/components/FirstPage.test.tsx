import { describe, expect, it, vi } from "vitest";
import { fireEvent, screen } from "@testing-library/react";
import { renderWithTheme } from "../test/render";

vi.mock("@tauri-apps/api/core", () => ({
  convertFileSrc: (path: string, protocol: string) =>
    `${protocol}://localhost/${encodeURIComponent(path)}`,
}));

import { FIRST_PAGE_WIDTH, FirstPage } from "./FirstPage";

describe("FirstPage", () => {
  it("shows page 1 through the viewer's page scheme and opens the viewer on a click", () => {
    const onOpen = vi.fn();
    renderWithTheme(<FirstPage sha256={"ab".repeat(32)} name="cv.pdf" onOpen={onOpen} />);
    const img = screen.getByAltText("Trang 1 của cv.pdf") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe(
      `vanthu-pdf://localhost/${"ab".repeat(32)}%2F0.png?width=${FIRST_PAGE_WIDTH}`,
    );
    fireEvent.click(screen.getByTestId("first-page"));
    expect(onOpen).toHaveBeenCalledTimes(1);
  });

  it("shows nothing for a PDF the viewer cannot draw", () => {
    renderWithTheme(<FirstPage sha256={"cd".repeat(32)} name="x.pdf" onOpen={() => {}} />);
    fireEvent.error(screen.getByAltText("Trang 1 của x.pdf"));
    expect(screen.queryByTestId("first-page")).toBeNull();
  });
});
