import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen } from "@testing-library/react";
import { renderWithTheme } from "../test/render";
import { outgoingRow } from "../test/fixtures";
import { COLUMN_WIDTHS_KEY } from "./IncomingTable";
import {
  OUTGOING_COLUMN_WIDTHS_KEY,
  OutgoingTable,
  type OutgoingTableProps,
} from "./OutgoingTable";

const rows = [
  outgoingRow({ id: 1 }),
  outgoingRow({
    id: 2,
    notation: "13/UBND-VP",
    recipients: ["Sở Tài chính", "Sở Kế hoạch và Đầu tư"],
    actions: {
      issue: true,
      send: false,
      submitForSigning: false,
      provisionalNumber: false,
      recall: false,
      revise: false,
    },
  }),
];

function table(over: Partial<OutgoingTableProps> = {}) {
  return renderWithTheme(
    <OutgoingTable rows={rows} busy={null} onAct={() => {}} onChanged={() => {}} {...over} />,
  );
}

const header = (name: RegExp) => screen.getByRole("columnheader", { name });
const handle = (name: RegExp) => screen.getByRole("separator", { name });
const stored = () => JSON.parse(localStorage.getItem(OUTGOING_COLUMN_WIDTHS_KEY) ?? "null");

function drag(el: HTMLElement, by: number) {
  fireEvent.mouseDown(el, { clientX: 500 });
  fireEvent.mouseMove(document, { clientX: 500 + by });
  fireEvent.mouseUp(document, { clientX: 500 + by });
}

describe("OutgoingTable", () => {
  beforeEach(() => {
    localStorage.removeItem(OUTGOING_COLUMN_WIDTHS_KEY);
    localStorage.removeItem(COLUMN_WIDTHS_KEY);
  });

  it("lets the clerk widen a column and remembers it under its own key", () => {
    table();
    expect(header(/Nơi nhận/).style.width).toBe("220px");
    drag(handle(/Nơi nhận/), 60);
    expect(header(/Nơi nhận/).style.width).toBe("280px");
    expect(stored()).toEqual({ recipients: 280 });
    // The incoming list keeps its own widths.
    expect(localStorage.getItem(COLUMN_WIDTHS_KEY)).toBeNull();
  });

  it("restores the stored widths on the next start, ignoring what is not a width", () => {
    localStorage.setItem(
      OUTGOING_COLUMN_WIDTHS_KEY,
      JSON.stringify({ notation: 200, status: 5000, documentDate: "wide" }),
    );
    table();
    expect(header(/Số, ký hiệu/).style.width).toBe("200px");
    expect(header(/Trạng thái/).style.width).toBe("170px");
    expect(header(/Ngày ban hành/).style.width).toBe("110px");
  });

  it("puts a column back to its default width on a double click", () => {
    localStorage.setItem(OUTGOING_COLUMN_WIDTHS_KEY, JSON.stringify({ recipients: 320 }));
    table();
    expect(header(/Nơi nhận/).style.width).toBe("320px");
    fireEvent.doubleClick(handle(/Nơi nhận/));
    expect(header(/Nơi nhận/).style.width).toBe("220px");
    expect(stored()).toEqual({});
  });

  it("leaves Trích yếu without a handle, taking the width the others leave", () => {
    table();
    expect(screen.queryByRole("separator", { name: /Trích yếu/ })).toBeNull();
    expect(header(/Trích yếu/).style.width).toBe("");
    // Every other column has one, the untitled buttons column included.
    expect(screen.getAllByRole("separator")).toHaveLength(5);
    expect(handle(/Thao tác/)).toBeTruthy();
    expect(screen.getAllByText(rows[0].subject)[0].className).toBe("list-subject");
  });

  it("keeps the rows and their buttons where the end-to-end tests find them", () => {
    const onAct = vi.fn();
    const { container } = table({ onAct });
    expect(container.querySelector('tr[data-id="2"]')?.textContent).toContain(
      "Sở Tài chính; Sở Kế hoạch và Đầu tư",
    );
    fireEvent.click(screen.getByTestId("action-1"));
    expect(onAct).toHaveBeenLastCalledWith(rows[0], "send");
    fireEvent.click(screen.getByTestId("action-2"));
    expect(onAct).toHaveBeenLastCalledWith(rows[1], "issue");
  });
});
