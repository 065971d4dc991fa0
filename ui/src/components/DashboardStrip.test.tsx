import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { MantineProvider } from "@mantine/core";
import { renderWithTheme } from "../test/render";
import { theme } from "../theme";
import { row } from "../test/fixtures";

const commands = vi.hoisted(() => ({ dashboard: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

import { DashboardStrip } from "./DashboardStrip";

const late = row({
  id: 9,
  notation: "12/VPCP-KSTT",
  subject: "Báo cáo tình hình",
  deadline: "2026-12-06",
  statusLabel: "Đã phân công",
});

describe("the start page's numbers", () => {
  beforeEach(() => vi.clearAllMocks());

  it("shows each number, lists a number's documents and finds one on click", async () => {
    commands.dashboard.mockResolvedValue({
      mine: 2,
      mineRows: [late, row({ id: 10, notation: "7/SNV-VP" })],
      dueSoon: 0,
      dueSoonRows: [],
      overdue: 1,
      overdueRows: [late],
      toSign: 3,
      unanswered: 1,
    });
    const onFind = vi.fn();
    const onOpenSection = vi.fn();
    renderWithTheme(<DashboardStrip version={0} onFind={onFind} onOpenSection={onOpenSection} />);
    expect(await screen.findByTestId("dashboard-mine")).toHaveTextContent("Việc của tôi2");
    expect(screen.getByTestId("dashboard-overdue")).toHaveTextContent("Quá hạn1");
    expect(screen.getByTestId("dashboard-toSign")).toHaveTextContent("Chờ ký3");
    expect(screen.queryByTestId("dashboard-list")).toBeNull();
    fireEvent.click(screen.getByTestId("dashboard-overdue"));
    const list = await screen.findByTestId("dashboard-list");
    expect(list).toHaveTextContent("Báo cáo tình hình");
    expect(list).toHaveTextContent("06/12/2026");
    expect(list).not.toHaveTextContent("7/SNV-VP");
    fireEvent.click(screen.getByText("Báo cáo tình hình"));
    expect(onFind).toHaveBeenCalledWith("12/VPCP-KSTT");
    fireEvent.click(screen.getByTestId("dashboard-dueSoon"));
    expect(await screen.findByText("Không có văn bản nào")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("dashboard-toSign"));
    expect(onOpenSection).toHaveBeenCalledWith("signing");
    fireEvent.click(screen.getByTestId("dashboard-unanswered"));
    expect(onOpenSection).toHaveBeenLastCalledWith("outgoing");
  });

  it("asks again when the register changes", async () => {
    commands.dashboard.mockResolvedValue({
      mine: 0,
      mineRows: [],
      dueSoon: 0,
      dueSoonRows: [],
      overdue: 0,
      overdueRows: [],
      toSign: 0,
      unanswered: 0,
    });
    const { rerender } = renderWithTheme(<DashboardStrip version={0} onFind={() => {}} />);
    await waitFor(() => expect(commands.dashboard).toHaveBeenCalledTimes(1));
    rerender(
      <MantineProvider theme={theme}>
        <DashboardStrip version={1} onFind={() => {}} />
      </MantineProvider>,
    );
    await waitFor(() => expect(commands.dashboard).toHaveBeenCalledTimes(2));
  });
});
