import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  reportView: vi.fn(),
  exportReport: vi.fn(),
  exportRegisterBook: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { ReportsPage } from "./ReportsPage";

const view = (title: string) => ({
  title,
  subtitle: ["Đơn vị: UBND tỉnh Kon Tum (000.00.00.H34)", "Từ ngày 01/01/2026 đến ngày 07/12/2026"],
  tables: [
    {
      title: "Phản hồi trạng thái của cơ quan nhận",
      columns: ["Mã định danh", "Cơ quan", "Số trạng thái đã phản hồi"],
      rows: [["000.00.20.H34", "Sở Nội vụ", "5"]],
      numeric: [false, false, true],
    },
    {
      title: "Trạng thái đơn vị đã phản hồi",
      columns: ["Cơ quan gửi"],
      rows: [],
      numeric: [false],
    },
  ],
  charts: [
    {
      title: "Số trạng thái cơ quan nhận đã phản hồi (tối đa 6)",
      series: ["Số trạng thái"],
      points: [{ label: "Sở Nội vụ", values: [5] }],
      stacked: false,
    },
  ],
});

describe("Báo cáo", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    commands.reportView.mockImplementation(async (f: { kind: string }) =>
      view(`BÁO CÁO ${f.kind}`),
    );
  });

  it("opens on the issuing report for the year so far and switches report", async () => {
    renderWithTheme(<ReportsPage />);
    expect(await screen.findByTestId("report-title")).toHaveTextContent("BÁO CÁO issuing");
    expect(commands.reportView).toHaveBeenCalledWith({
      kind: "issuing",
      from: null,
      to: null,
      department: null,
    });
    await userEvent.click(screen.getByText("Phản hồi trạng thái"));
    expect(await screen.findByTestId("report-title")).toHaveTextContent("BÁO CÁO statuses");
    const table = screen.getAllByTestId("report-table")[0];
    expect(within(table).getByText("Sở Nội vụ")).toBeInTheDocument();
    expect(within(table).getByText("5")).toHaveStyle({ textAlign: "right" });
    expect(screen.getByText("Không có số liệu trong kỳ")).toBeInTheDocument();
    expect(
      screen.getByText("Số trạng thái cơ quan nhận đã phản hồi (tối đa 6)"),
    ).toBeInTheDocument();
  });

  it("sends the period and department, and refuses a mistyped date without calling", async () => {
    renderWithTheme(<ReportsPage />);
    await screen.findByTestId("report-title");
    fireEvent.change(screen.getByLabelText("Từ ngày"), { target: { value: "1/3/2026" } });
    fireEvent.change(screen.getByLabelText("Đơn vị, người xử lý"), {
      target: { value: "Phòng Kinh tế" },
    });
    fireEvent.click(screen.getByTestId("report-submit"));
    await waitFor(() =>
      expect(commands.reportView).toHaveBeenLastCalledWith({
        kind: "issuing",
        from: "2026-03-01",
        to: null,
        department: "Phòng Kinh tế",
      }),
    );
    const calls = commands.reportView.mock.calls.length;
    fireEvent.change(screen.getByLabelText("Đến ngày"), { target: { value: "32/3/2026" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    expect(await screen.findByTestId("report-error")).toHaveTextContent("Đến ngày:");
    expect(commands.reportView.mock.calls.length).toBe(calls);
  });

  it("exports and shows where the file went, or the error", async () => {
    commands.exportReport.mockResolvedValueOnce("/home/vt/Documents/bao-cao-phat-hanh.xlsx");
    renderWithTheme(<ReportsPage />);
    await screen.findByTestId("report-title");
    fireEvent.click(screen.getByTestId("export-xlsx"));
    expect(await screen.findByTestId("report-saved")).toHaveTextContent(
      "Đã lưu: /home/vt/Documents/bao-cao-phat-hanh.xlsx",
    );
    expect(commands.exportReport).toHaveBeenCalledWith(
      expect.objectContaining({ kind: "issuing" }),
      "xlsx",
    );
    commands.exportReport.mockRejectedValueOnce({ kind: "io", message: "Ổ đĩa đầy" });
    fireEvent.click(screen.getByTestId("export-pdf"));
    expect(await screen.findByTestId("report-error")).toHaveTextContent("Ổ đĩa đầy");
  });
});

describe("In sổ đăng ký", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    commands.reportView.mockResolvedValue(view("BÁO CÁO"));
  });

  it("prints the chosen book of the chosen year and refuses a bad year", async () => {
    commands.exportRegisterBook.mockResolvedValueOnce(
      "/home/vt/Documents/so-van-ban-di-mat-2025.pdf",
    );
    renderWithTheme(<ReportsPage />);
    await screen.findByTestId("report-title");
    const panel = screen.getByTestId("register-book");
    fireEvent.change(within(panel).getByLabelText("Sổ"), { target: { value: "outgoing" } });
    fireEvent.change(within(panel).getByLabelText("Năm"), { target: { value: "2025" } });
    fireEvent.click(within(panel).getByLabelText("Sổ văn bản mật"));
    fireEvent.click(within(panel).getByTestId("book-pdf"));
    expect(await within(panel).findByTestId("book-saved")).toHaveTextContent(
      "so-van-ban-di-mat-2025.pdf",
    );
    expect(commands.exportRegisterBook).toHaveBeenCalledWith(
      { incoming: false, year: 2025, secret: true },
      "pdf",
    );
    fireEvent.change(within(panel).getByLabelText("Năm"), { target: { value: "20x5" } });
    fireEvent.click(within(panel).getByTestId("book-xlsx"));
    expect(await within(panel).findByTestId("book-error")).toHaveTextContent("Năm không hợp lệ");
    expect(commands.exportRegisterBook).toHaveBeenCalledTimes(1);
  });
});
