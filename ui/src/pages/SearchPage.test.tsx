import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  searchStates: vi.fn(),
  searchDocuments: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));
vi.mock("../components/DetailPane", () => ({
  DetailPane: ({ id }: { id: number | null }) => <div data-testid="detail">{id}</div>,
}));

import { SearchPage } from "./SearchPage";
import { EMPTY_FIELDS, toSearchForm } from "../searchForm";

const row = (over: object) => ({
  id: 1,
  register: "incoming",
  numberLabel: "12",
  notation: "2887/VPCP-KSTT",
  subject: [
    { text: "Đôn đốc triển khai gửi, nhận ", hit: false },
    { text: "văn", hit: true },
    { text: " ", hit: false },
    { text: "bản", hit: true },
    { text: " điện tử", hit: false },
  ],
  sender: "Văn phòng Chính phủ",
  date: "2025-11-03",
  docType: "Công văn",
  stateLabel: "Đã vào sổ",
  urgency: "urgent",
  secrecy: "normal",
  excerpt: null,
  ...over,
});

describe("Tra cứu", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    commands.searchStates.mockResolvedValue([
      { register: "incoming", value: "registered", label: "Đã vào sổ" },
      { register: "outgoing", value: "issued", label: "Đã cấp số" },
    ]);
  });

  it("turns the clerk's dates into ISO and refuses a mistyped one", () => {
    const ok = toSearchForm({ ...EMPTY_FIELDS, dateFrom: "1/11/2025", handler: " Phòng Kinh tế " });
    expect(ok).toEqual({
      ok: true,
      form: expect.objectContaining({
        dateFrom: "2025-11-01",
        dateTo: null,
        handler: "Phòng Kinh tế",
        register: null,
        urgency: null,
      }),
    });
    const bad = toSearchForm({ ...EMPTY_FIELDS, dateTo: "31/02/2025" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toContain("Đến ngày");
  });

  it("searches both registers, marks the matched words and opens a document", async () => {
    commands.searchDocuments.mockResolvedValue({
      rows: [row({}), row({ id: 7, register: "outgoing", numberLabel: "M3", sender: null })],
      nextCursor: null,
    });
    const onOpenOutgoing = vi.fn();
    renderWithTheme(<SearchPage onOpenOutgoing={onOpenOutgoing} />);
    const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
    fireEvent.change(field("text"), { target: { value: "van ban" } });
    fireEvent.change(field("urgency"), { target: { value: "urgent" } });
    fireEvent.click(screen.getByTestId("search-submit"));
    await waitFor(() =>
      expect(commands.searchDocuments).toHaveBeenCalledWith(
        expect.objectContaining({ text: "van ban", urgency: "urgent", register: null }),
      ),
    );
    const table = await screen.findByTestId("search-results");
    const first = within(table).getAllByRole("row")[1];
    expect([...first.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["văn", "bản"]);
    expect(table).toHaveTextContent("03/11/2025");
    expect(table).toHaveTextContent("M3");
    fireEvent.click(first);
    expect(await screen.findByTestId("detail")).toHaveTextContent("1");
    fireEvent.click(within(table).getAllByRole("row")[2]);
    expect(onOpenOutgoing).toHaveBeenCalledWith(7);
  });

  it("shows where the attachment's text matched when the subject does not", async () => {
    commands.searchDocuments.mockResolvedValue({
      rows: [
        row({
          subject: [{ text: "Về việc báo cáo quý III", hit: false }],
          excerpt: [
            { text: "…triển khai dịch vụ công ", hit: false },
            { text: "trực", hit: true },
            { text: " ", hit: false },
            { text: "tuyến", hit: true },
            { text: " toàn trình…", hit: false },
          ],
        }),
      ],
      nextCursor: null,
    });
    renderWithTheme(<SearchPage />);
    fireEvent.change(document.querySelector('[name="text"]') as HTMLInputElement, {
      target: { value: "truc tuyen" },
    });
    fireEvent.click(screen.getByTestId("search-submit"));
    const excerpt = await screen.findByTestId("excerpt");
    expect(excerpt).toHaveTextContent("Trong tệp: …triển khai dịch vụ công trực tuyến toàn trình…");
    expect([...excerpt.querySelectorAll("mark")].map((m) => m.textContent)).toEqual([
      "trực",
      "tuyến",
    ]);
  });

  it("shows a refused search as it comes and says when nothing matched", async () => {
    commands.searchDocuments
      .mockRejectedValueOnce({ kind: "notFound", message: "Không có cơ quan: Sở ABC" })
      .mockResolvedValueOnce({ rows: [], nextCursor: null });
    renderWithTheme(<SearchPage />);
    fireEvent.click(screen.getByTestId("search-submit"));
    expect(await screen.findByTestId("search-error")).toHaveTextContent("Không có cơ quan");
    fireEvent.click(screen.getByTestId("search-submit"));
    expect(await screen.findByTestId("search-empty")).toBeInTheDocument();
  });
});
