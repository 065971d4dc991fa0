import { Profiler } from "react";
import { describe, expect, it, vi } from "vitest";
import type { ListSort } from "../bindings";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { theme } from "../theme";
import { row } from "../test/fixtures";
import { IncomingTable } from "./IncomingTable";

const rows = [
  row({ id: 1, arrivalNumber: 1 }),
  row({ id: 2, arrivalNumber: 2, notation: "2/UBND-VP" }),
];

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
    const ui = (sort: ListSort | null) => (
      <MantineProvider theme={theme}>
        <IncomingTable
          rows={rows}
          hasMore={false}
          loadMore={() => {}}
          selectedIndex={null}
          onSelect={() => {}}
          sort={sort}
          onSort={onSort}
        />
      </MantineProvider>
    );
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
});
