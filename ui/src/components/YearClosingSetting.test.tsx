import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  numberingYear: vi.fn(),
  closeNumberingYear: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { YearClosingSetting } from "./YearClosingSetting";

const year = new Date().getFullYear() - 1;

describe("khóa sổ cuối năm in Cài đặt", () => {
  beforeEach(() => vi.clearAllMocks());

  it("asks before closing last year and shows what closing voided", async () => {
    commands.numberingYear.mockResolvedValue({ year, closedAt: null, voided: [] });
    commands.closeNumberingYear.mockResolvedValue({
      year,
      closedAt: `${year + 1}-01-02T08:15:00+07:00`,
      voided: ["Sổ đến 41–50"],
    });
    renderWithTheme(<YearClosingSetting />);
    await waitFor(() => expect(commands.numberingYear).toHaveBeenCalledWith(year));
    expect(screen.getByTestId("year-closing-status")).toHaveTextContent(`Năm ${year} chưa khóa sổ`);
    fireEvent.click(screen.getByRole("button", { name: `Khóa sổ năm ${year}` }));
    // Nothing is closed until the clerk confirms.
    expect(commands.closeNumberingYear).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("year-closing-do"));
    await waitFor(() =>
      expect(screen.getByTestId("year-closing-status")).toHaveTextContent(
        `Năm ${year} đã khóa sổ lúc 02/01/${year + 1} 08:15; số bỏ trống: Sổ đến 41–50`,
      ),
    );
    expect(commands.closeNumberingYear).toHaveBeenCalledWith(year);
    expect(screen.queryByRole("button", { name: `Khóa sổ năm ${year}` })).toBeNull();
  });

  it("shows the registry's refusal and leaves the year open", async () => {
    commands.numberingYear.mockResolvedValue({ year, closedAt: null, voided: [] });
    commands.closeNumberingYear.mockRejectedValue({
      kind: "invalidState",
      message: `còn 2 văn bản năm ${year} mang số tạm: đồng bộ với trục trước khi khóa sổ`,
    });
    renderWithTheme(<YearClosingSetting />);
    await waitFor(() => expect(commands.numberingYear).toHaveBeenCalled());
    fireEvent.click(screen.getByRole("button", { name: `Khóa sổ năm ${year}` }));
    fireEvent.click(screen.getByTestId("year-closing-do"));
    expect(await screen.findByTestId("year-closing-error")).toHaveTextContent("mang số tạm");
    expect(screen.getByTestId("year-closing-status")).toHaveTextContent(`Năm ${year} chưa khóa sổ`);
  });
});
