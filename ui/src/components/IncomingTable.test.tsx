import { Profiler } from "react";
import { describe, expect, it, vi } from "vitest";
import type { ListSort } from "../bindings";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { theme } from "../theme";
import { row } from "../test/fixtures";
import { COLUMN_WIDTHS_KEY, IncomingTable, type IncomingTableProps } from "./IncomingTable";

const rows = [
  row({ id: 1, arrivalNumber: 1 }),
  row({ id: 2, arrivalNumber: 2, notation: "2/UBND-VP" }),
];

/** The table with nothing selected and nothing more to load, as most tests need it. */
function table(over: Partial<IncomingTableProps> = {}) {
  return (
    <MantineProvider theme={theme}>
      <IncomingTable
        rows={rows}
        hasMore={false}
        loadMore={() => {}}
        selectedIndex={null}
        onSelect={() => {}}
        {...over}
      />
    </MantineProvider>
  );
}

function settle() {
  return act(() => new Promise((r) => setTimeout(r, 100)));
}

describe("IncomingTable", () => {
  // Regression: the table's automatic page-index reset re-rendered with a new data array,
  // which reset again — an endless render loop that froze the webview after a registration.
  it("settles after a re-render instead of rendering forever", async () => {
    let commits = 0;
    const ui = (selected: number | null) => (
      <MantineProvider theme={theme}>
        <Profiler id="t" onRender={() => (commits += 1)}>
          <IncomingTable
            rows={rows}
            hasMore={false}
            loadMore={() => {}}
            selectedIndex={selected}
            onSelect={() => {}}
          />
        </Profiler>
      </MantineProvider>
    );
    const view = render(ui(null));
    await settle();
    view.rerender(ui(1));
    await settle();
    const after = commits;
    await settle();
    expect(commits).toBe(after);
    expect(commits).toBeLessThan(10);
    expect(screen.getAllByRole("row", { selected: true })).toHaveLength(1);
  });

  it("shows the order in the header and asks for the next one on click", () => {
    const onSort = vi.fn();
    const ui = (sort: ListSort | null) => table({ sort, onSort });
    const view = render(ui(null));
    const number = screen.getByRole("columnheader", { name: /Số đến/ });
    expect(number.getAttribute("aria-sort")).toBe("none");
    fireEvent.click(number);
    expect(onSort).toHaveBeenLastCalledWith({ column: "arrival_number", descending: true });

    view.rerender(ui({ column: "arrival_number", descending: true }));
    expect(number.getAttribute("aria-sort")).toBe("descending");
    expect(number.textContent).toContain("▼");
    fireEvent.click(number);
    expect(onSort).toHaveBeenLastCalledWith({ column: "arrival_number", descending: false });

    fireEvent.click(screen.getByRole("columnheader", { name: /Nơi gửi/ }));
    expect(onSort).toHaveBeenLastCalledWith({ column: "sender", descending: false });
    // The badges column has no order.
    const marks = screen.getByRole("columnheader", { name: /Khẩn\/mật/ });
    expect(marks.hasAttribute("aria-sort")).toBe(false);
    fireEvent.click(marks);
    expect(onSort).toHaveBeenCalledTimes(3);
  });

  it("shows the register's number label and the subject on up to two lines", () => {
    const secret = row({
      id: 3,
      arrivalNumber: 11,
      numberLabel: "M11",
      secrecy: "secret",
      secrecyLabel: "Mật",
      subject: "Về việc triển khai kế hoạch chuyển đổi số năm 2027 của các sở, ban, ngành",
    });
    render(table({ rows: [secret] }));
    const cells = screen.getAllByRole("gridcell");
    expect(cells[0].textContent).toBe("M11");
    const subject = screen.getByText(/chuyển đổi số năm 2027/);
    expect(subject.className).toBe("incoming-subject");
  });

  it("lets the clerk widen a column and remembers it", () => {
    localStorage.removeItem(COLUMN_WIDTHS_KEY);
    const ui = () => table();
    const view = render(ui());
    const sender = () => screen.getByRole("columnheader", { name: /Nơi gửi/ });
    expect(sender().style.flex).toBe("0 1 180px");
    const handle = screen.getByRole("separator", { name: /Nơi gửi/ });
    fireEvent.mouseDown(handle, { clientX: 500 });
    fireEvent.mouseMove(document, { clientX: 560 });
    fireEvent.mouseUp(document, { clientX: 560 });
    expect(sender().style.flex).toBe("0 0 240px");
    // The rows follow the header.
    const senderCell = screen
      .getAllByRole("gridcell")
      .find((c) => c.textContent === rows[0].sender);
    expect(senderCell?.style.flex).toBe("0 0 240px");
    expect(JSON.parse(localStorage.getItem(COLUMN_WIDTHS_KEY) ?? "{}")).toEqual({ sender: 240 });
    // A new list (the next start) reads the width back; a double click forgets it.
    view.unmount();
    render(ui());
    expect(sender().style.flex).toBe("0 0 240px");
    fireEvent.doubleClick(screen.getByRole("separator", { name: /Nơi gửi/ }));
    expect(sender().style.flex).toBe("0 1 180px");
    expect(JSON.parse(localStorage.getItem(COLUMN_WIDTHS_KEY) ?? "{}")).toEqual({});
    // The flexible Trích yếu column has no handle of its own.
    expect(screen.queryByRole("separator", { name: /Trích yếu/ })).toBeNull();
  });
});
