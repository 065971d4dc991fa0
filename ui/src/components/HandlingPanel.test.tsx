import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import type { HandlingNoteView, HandlingView } from "../bindings";

const commands = vi.hoisted(() => ({
  incomingHandling: vi.fn(),
  addHandlingNote: vi.fn(),
  decideExtension: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { HandlingPanel } from "./HandlingPanel";

const note = (over: Partial<HandlingNoteView> = {}): HandlingNoteView => ({
  id: 1,
  kind: "note",
  label: "Tiến độ",
  author: "Trần Thị Bình",
  body: "Đã lấy số liệu",
  deadline: null,
  fileName: null,
  replyDocumentId: null,
  fromDesktop: null,
  at: "08/12/2026 09:00",
  ...over,
});

const view = (over: Partial<HandlingView> = {}): HandlingView => ({
  assignments: [
    {
      assignee: "Trần Thị Bình",
      role: "lead",
      deadline: "20/12/2026",
      instruction: "Tham mưu trả lời",
      assignedBy: "Lê Văn Cường",
      assignedAt: "08/12/2026 08:00",
    },
    {
      assignee: "Phạm Văn Dũng",
      role: "support",
      deadline: "20/12/2026",
      instruction: "Tham mưu trả lời",
      assignedBy: "Lê Văn Cường",
      assignedAt: "08/12/2026 08:00",
    },
  ],
  notes: [],
  role: "lead",
  pendingExtension: null,
  mayNote: true,
  mayDecide: false,
  ...over,
});

beforeEach(() => {
  vi.clearAllMocks();
});

describe("HandlingPanel", () => {
  it("shows nothing for a document nobody was assigned", async () => {
    commands.incomingHandling.mockResolvedValue(view({ assignments: [], notes: [] }));
    renderWithTheme(<HandlingPanel documentId={3} version="a" onDone={() => {}} />);
    await waitFor(() => expect(commands.incomingHandling).toHaveBeenCalledWith(3));
    expect(screen.queryByTestId("handling")).toBeNull();
  });

  it("shows the assignment and asks for more time with a date and a reason", async () => {
    commands.incomingHandling.mockResolvedValue(view());
    const pending = note({
      id: 2,
      kind: "extension_request",
      label: "Xin gia hạn",
      deadline: "30/12/2026",
      body: "Chờ số liệu",
    });
    commands.addHandlingNote
      .mockRejectedValueOnce({ kind: "invalid", message: "hạn mới phải sau hạn hiện tại" })
      .mockResolvedValueOnce(view({ notes: [pending], pendingExtension: pending }));
    const done = vi.fn();
    renderWithTheme(<HandlingPanel documentId={3} version="a" onDone={done} />);
    const rows = await screen.findAllByTestId("assignment");
    expect(rows.map((r) => r.textContent)).toEqual([
      "Chủ trì: Trần Thị Bình · hạn 20/12/2026",
      "Phối hợp: Phạm Văn Dũng · hạn 20/12/2026",
    ]);
    expect(screen.getByTestId("handling-role")).toHaveTextContent("Được giao chủ trì");
    expect(screen.getByTestId("instruction")).toHaveTextContent("Tham mưu trả lời");

    fireEvent.click(screen.getByTestId("handling-extension-open"));
    fireEvent.change(screen.getByTestId("handling-date"), { target: { value: "30-13-2026" } });
    fireEvent.click(screen.getByTestId("handling-confirm"));
    expect(await screen.findByTestId("handling-error")).toHaveTextContent("Hạn mới");
    expect(commands.addHandlingNote).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId("handling-date"), { target: { value: "10/12/2026" } });
    fireEvent.change(screen.getByTestId("handling-body"), { target: { value: "Chờ số liệu" } });
    fireEvent.click(screen.getByTestId("handling-confirm"));
    expect(await screen.findByTestId("handling-error")).toHaveTextContent("hạn mới phải sau");
    expect(done).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId("handling-date"), { target: { value: "30/12/2026" } });
    fireEvent.click(screen.getByTestId("handling-confirm"));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(commands.addHandlingNote).toHaveBeenLastCalledWith(
      3,
      "extension_request",
      "Chờ số liệu",
      "2026-12-30",
      null,
    );
    expect(await screen.findByTestId("pending-extension")).toHaveTextContent(
      "Trần Thị Bình xin gia hạn đến 30/12/2026: Chờ số liệu",
    );
    expect(screen.queryByTestId("handling-extension-open")).toBeNull();
  });

  it("sends a reply draft by its path and lists the notes", async () => {
    commands.incomingHandling.mockResolvedValue(view());
    const reply = note({
      id: 5,
      kind: "reply_draft",
      label: "Dự thảo trả lời",
      body: null,
      fileName: "Trả lời.docx",
      fromDesktop: "000.01.20.H34/CV",
      replyDocumentId: 41,
    });
    commands.addHandlingNote.mockResolvedValue(view({ notes: [note(), reply] }));
    renderWithTheme(<HandlingPanel documentId={3} version="a" onDone={() => {}} />);
    fireEvent.click(await screen.findByTestId("handling-reply-open"));
    fireEvent.change(screen.getByTestId("handling-file"), {
      target: { value: "/home/binh/Trả lời.docx" },
    });
    fireEvent.click(screen.getByTestId("handling-confirm"));
    const lines = await screen.findAllByTestId("handling-note");
    expect(commands.addHandlingNote).toHaveBeenCalledWith(
      3,
      "reply_draft",
      null,
      null,
      "/home/binh/Trả lời.docx",
    );
    expect(lines[1]).toHaveTextContent(
      "Dự thảo trả lời — Trần Thị Bình (000.01.20.H34/CV) · 📎 Trả lời.docx → dự thảo văn bản đi #41",
    );
  });

  it("lets the leader grant a pending request", async () => {
    const pending = note({
      id: 2,
      kind: "extension_request",
      label: "Xin gia hạn",
      deadline: "30/12/2026",
      body: "Chờ số liệu",
    });
    commands.incomingHandling.mockResolvedValue(
      view({
        role: null,
        notes: [pending],
        pendingExtension: pending,
        mayNote: false,
        mayDecide: true,
      }),
    );
    commands.decideExtension.mockResolvedValue(view({ role: null, mayNote: false }));
    const done = vi.fn();
    renderWithTheme(<HandlingPanel documentId={8} version="a" onDone={done} />);
    expect(screen.queryByTestId("handling-note-open")).toBeNull();
    fireEvent.click(await screen.findByTestId("handling-decide-open"));
    fireEvent.change(screen.getByTestId("handling-body"), { target: { value: "Đồng ý" } });
    fireEvent.click(screen.getByTestId("extension-grant"));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(commands.decideExtension).toHaveBeenCalledWith(8, true, "Đồng ý");
  });
});
