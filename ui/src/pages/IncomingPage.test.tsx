import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ListQuery } from "../bindings";
import { renderWithTheme } from "../test/render";
import { row } from "../test/fixtures";

const commands = vi.hoisted(() => ({
  listIncoming: vi.fn(),
  countIncoming: vi.fn(),
  getIncoming: vi.fn(),
  nextArrivalNumber: vi.fn(),
  registerIncoming: vi.fn(),
  searchAgencies: vi.fn(),
  listDocTypes: vi.fn(),
  listDrafts: vi.fn(),
  uiMark: vi.fn(() => Promise.resolve(null)),
}));
vi.mock("../bindings", () => ({ commands }));

import { IncomingPage } from "./IncomingPage";
import { ROW_HEIGHT } from "../components/IncomingTable";

const rows = [
  row({ id: 1, arrivalNumber: 2, urgency: "flash", urgencyLabel: "Hỏa tốc" }),
  row({
    id: 2,
    arrivalNumber: 1,
    notation: "5/SNV-VP",
    secrecy: "confidential",
    secrecyLabel: "Mật",
  }),
];

beforeEach(() => {
  vi.clearAllMocks();
  commands.listIncoming.mockImplementation(async (q: ListQuery) => {
    const hits = q.search ? rows.filter((r) => r.notation.includes(q.search)) : rows;
    const start = q.cursor ? Number(q.cursor) : 0;
    const end = start + q.limit;
    return { rows: hits.slice(start, end), nextCursor: end < hits.length ? String(end) : null };
  });
  commands.getIncoming.mockImplementation(async (id: number) => ({
    row: rows.find((r) => r.id === id)!,
    signer: "Nguyễn Văn A",
    handler: null,
    notes: null,
    attachments: [{ name: "cv.pdf", sha256: "ab", size: 2048 }],
    history: [
      {
        at: "2026-11-25T08:05:12+07:00",
        user: "văn thư",
        actorLabel: "Văn thư",
        stateLabel: "Đã vào sổ",
        note: null,
      },
      {
        at: "2026-11-25T09:30:00+07:00",
        user: "lãnh đạo",
        actorLabel: "Lãnh đạo",
        stateLabel: "Đã phân công",
        note: "Giao Văn phòng chủ trì",
      },
    ],
  }));
  commands.nextArrivalNumber.mockResolvedValue(3);
  commands.countIncoming.mockImplementation(async () => rows.length);
  commands.listDocTypes.mockResolvedValue([{ abbreviation: "CV", name: "Công văn" }]);
  commands.searchAgencies.mockResolvedValue([{ code: "000.00.00.G12", name: "Bộ Nội vụ" }]);
  commands.listDrafts.mockResolvedValue([]);
});

describe("IncomingPage", () => {
  it("lists the register with badges that make hỏa tốc stand out", async () => {
    renderWithTheme(<IncomingPage />);
    const grid = await screen.findByRole("grid", { name: "Sổ văn bản đến" });
    await within(grid).findByText("5/SNV-VP");
    const flash = grid.querySelector('[data-urgency="flash"]');
    expect(flash).toHaveTextContent("Hỏa tốc");
    expect(flash?.closest('[role="row"]')).toHaveAttribute("data-flash", "true");
    expect(grid.querySelector('[data-secrecy="confidential"]')).toHaveTextContent("Mật");
    expect(screen.getByTestId("total")).toHaveTextContent("2 văn bản");
  });

  it("searches as the clerk types", async () => {
    renderWithTheme(<IncomingPage />);
    await screen.findByText("5/SNV-VP");
    await userEvent.type(screen.getByTestId("search"), "SNV");
    await waitFor(() =>
      expect(commands.listIncoming).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: "SNV", cursor: null }),
      ),
    );
    await waitFor(() => expect(screen.queryByText("986/UBND-HCTC")).not.toBeInTheDocument());
    expect(screen.getByTestId("total")).toHaveTextContent("1 kết quả");
  });

  it("pages through a long register with cursors as it scrolls", async () => {
    const many = Array.from({ length: 450 }, (_, i) =>
      row({ id: 1000 + i, arrivalNumber: 450 - i, notation: `${450 - i}/UBND-VP` }),
    );
    commands.listIncoming.mockImplementation(async (q: ListQuery) => {
      const start = q.cursor ? Number(q.cursor) : 0;
      const end = start + q.limit;
      return { rows: many.slice(start, end), nextCursor: end < many.length ? String(end) : null };
    });
    commands.countIncoming.mockResolvedValue(450);
    renderWithTheme(<IncomingPage />);
    const grid = await screen.findByRole("grid", { name: "Sổ văn bản đến" });
    await within(grid).findByText("450/UBND-VP");
    // The count comes after the first page (it must not delay the first rows).
    await waitFor(() => expect(screen.getByTestId("total")).toHaveTextContent("450 văn bản"));
    // Scrolling near the end of what is loaded pulls in the following page.
    for (let page = 1; page <= 2; page++) {
      grid.scrollTop = (page * 200 - 20) * ROW_HEIGHT;
      fireEvent.scroll(grid);
      await waitFor(() => expect(commands.listIncoming).toHaveBeenCalledTimes(page + 1));
    }
    const cursors = commands.listIncoming.mock.calls.map((c) => (c[0] as ListQuery).cursor);
    expect(cursors).toEqual([null, "200", "400"]);
    await waitFor(() => expect(grid).toHaveAttribute("aria-rowcount", "450"));
  });

  it("opens the detail of the selected row", async () => {
    renderWithTheme(<IncomingPage />);
    await userEvent.click(await screen.findByText("5/SNV-VP"));
    const pane = await screen.findByTestId("detail-pane");
    expect(pane).toHaveAttribute("data-id", "2");
    expect(within(pane).getByText("Nguyễn Văn A")).toBeInTheDocument();
    expect(within(pane).getByTestId("attachment")).toHaveTextContent("cv.pdf · 2 KB");
    const history = within(pane).getByTestId("history");
    expect(history).toHaveTextContent("25/11/2026 08:05 Đã vào sổ — Văn thư (văn thư)");
    expect(history).toHaveTextContent(
      "25/11/2026 09:30 Đã phân công — Lãnh đạo (lãnh đạo): Giao Văn phòng chủ trì",
    );
  });

  it("Ctrl+N opens the form with the next số đến; Enter validates in Vietnamese", async () => {
    renderWithTheme(<IncomingPage />);
    await screen.findByText("5/SNV-VP");
    act(() => {
      fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    });
    const form = await screen.findByRole("form", { name: "Vào sổ văn bản đến" });
    await waitFor(() => expect(within(form).getByTestId("next-number")).toHaveTextContent("3"));
    fireEvent.keyDown(within(form).getByLabelText(/Số, ký hiệu/), { key: "Enter" });
    expect(await within(form).findByText("Chưa chọn nơi gửi")).toBeInTheDocument();
    expect(within(form).getByText("Chưa nhập số, ký hiệu văn bản")).toBeInTheDocument();
    expect(commands.registerIncoming).not.toHaveBeenCalled();
  });

  it("registers through the keyboard and reloads the list", async () => {
    const user = userEvent.setup({ delay: null });
    commands.registerIncoming.mockImplementation(async () => {
      const created = row({ id: 3, arrivalNumber: 3, notation: "12/BNV-VP" });
      rows.unshift(created);
      return created;
    });
    renderWithTheme(<IncomingPage />);
    await screen.findByText("5/SNV-VP");
    await user.click(screen.getByTestId("new-incoming"));
    const form = await screen.findByRole("form", { name: "Vào sổ văn bản đến" });
    await user.type(within(form).getByLabelText(/Nơi gửi/), "noi vu");
    await waitFor(() => expect(commands.searchAgencies).toHaveBeenCalled());
    await waitFor(() =>
      expect(document.querySelector('[role="option"]')).toHaveTextContent(
        "Bộ Nội vụ (000.00.00.G12)",
      ),
    );
    await user.keyboard("{ArrowDown}{Enter}");
    expect(within(form).getByLabelText(/Nơi gửi/)).toHaveValue("Bộ Nội vụ (000.00.00.G12)");
    await user.type(within(form).getByLabelText(/Số, ký hiệu/), "12/BNV-VP");
    await user.type(within(form).getByLabelText(/Ngày văn bản/), "20/11/2026");
    await user.clear(within(form).getByLabelText(/Ngày đến/));
    await user.type(within(form).getByLabelText(/Ngày đến/), "25/11/2026");
    await waitFor(() => expect(within(form).getAllByRole("option").length).toBeGreaterThan(1));
    await user.selectOptions(within(form).getByLabelText(/Loại văn bản/), "CV");
    await user.type(within(form).getByLabelText(/Trích yếu/), "Về việc báo cáo{Enter}");
    await waitFor(() => expect(commands.registerIncoming).toHaveBeenCalledTimes(1));
    expect(commands.registerIncoming.mock.calls[0][0]).toMatchObject({
      senderCode: "000.00.00.G12",
      notation: "12/BNV-VP",
      documentDate: "2026-11-20",
      arrivalDate: "2026-11-25",
      docType: "CV",
      subject: "Về việc báo cáo",
      urgency: "normal",
      draftId: null,
    });
    expect(await screen.findByTestId("notice")).toHaveTextContent("Đã vào sổ: số đến 3");
    expect(await screen.findByText("12/BNV-VP")).toBeInTheDocument();
    rows.shift();
  });
});
