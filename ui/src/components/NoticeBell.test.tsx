import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import type { NoticeView } from "../bindings";

const commands = vi.hoisted(() => ({ recentNotices: vi.fn() }));
vi.mock("../bindings", () => ({ commands }));

import { NoticeBell } from "./NoticeBell";

const notice = (seq: number, over: Partial<NoticeView> = {}): NoticeView => ({
  seq,
  kind: "assigned_to_me",
  title: "Văn bản được giao cho bạn",
  body: "152/UBND-NC: V/v rà soát biên chế",
  documentIds: [7],
  section: "incoming",
  at: "08/12/2026 09:00",
  ...over,
});

describe("NoticeBell", () => {
  it("counts the notices not seen yet and opens the one clicked", async () => {
    commands.recentNotices.mockResolvedValue([
      notice(2),
      notice(1, {
        kind: "to_sign",
        title: "Có 2 dự thảo chờ ký",
        section: "signing",
        documentIds: [3, 4],
      }),
    ]);
    const open = vi.fn();
    renderWithTheme(<NoticeBell onOpen={open} />);
    expect(await screen.findByTestId("notice-count")).toHaveTextContent("2");
    fireEvent.click(screen.getByTestId("notice-bell"));
    const items = await screen.findAllByTestId("notice-item");
    expect(items[0]).toHaveTextContent("Văn bản được giao cho bạn");
    expect(items[1]).toHaveTextContent("Có 2 dự thảo chờ ký");
    await waitFor(() => expect(screen.queryByTestId("notice-count")).toBeNull());
    fireEvent.click(items[0]);
    expect(open).toHaveBeenCalledWith(expect.objectContaining({ seq: 2, documentIds: [7] }));
  });

  it("says so when there is nothing yet", async () => {
    commands.recentNotices.mockResolvedValue([]);
    renderWithTheme(<NoticeBell onOpen={() => {}} />);
    await waitFor(() => expect(commands.recentNotices).toHaveBeenCalled());
    expect(screen.queryByTestId("notice-count")).toBeNull();
    fireEvent.click(screen.getByTestId("notice-bell"));
    expect(await screen.findByText("Chưa có thông báo.")).toBeInTheDocument();
  });
});
