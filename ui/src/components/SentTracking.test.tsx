import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import { outgoingRow } from "../test/fixtures";

const commands = vi.hoisted(() => ({
  outgoingRecipients: vi.fn(),
  recallOutgoing: vi.fn(),
  reviseOutgoing: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { RecallButton, RecipientStatuses, ReviseButton } from "./SentTracking";

describe("the sender's side of a sent document", () => {
  beforeEach(() => vi.clearAllMocks());

  it("lists each recipient's latest status with its time and the overdue alert", async () => {
    commands.outgoingRecipients.mockResolvedValue([
      {
        messageId: "out-1",
        documentId: null,
        recipient: "000.01.20.H34",
        recipientName: "Sở Nội vụ",
        sentMs: 0,
        latestCode: "02",
        latestLabel: "Từ chối",
        latestMs: new Date(2026, 11, 7, 9, 30).getTime(),
        latestNote: "Không đúng thẩm quyền giải quyết",
        alert: "",
      },
      {
        messageId: "out-1",
        documentId: null,
        recipient: "000.02.20.H34",
        recipientName: null,
        sentMs: 0,
        latestCode: null,
        latestLabel: null,
        latestMs: null,
        latestNote: null,
        alert: "Chưa nhận",
      },
    ]);
    renderWithTheme(<RecipientStatuses id={7} />);
    fireEvent.click(screen.getByTestId("recipients-7"));
    await waitFor(() => expect(commands.outgoingRecipients).toHaveBeenCalledWith(7));
    const table = await screen.findByTestId("recipient-statuses-7");
    expect(table).toHaveTextContent("Sở Nội vụ");
    expect(table).toHaveTextContent("02 Từ chối");
    expect(screen.getByTestId("note-000.01.20.H34")).toHaveTextContent(
      "Không đúng thẩm quyền giải quyết",
    );
    expect(table).toHaveTextContent("09:30 07/12/2026");
    expect(table).toHaveTextContent("000.02.20.H34");
    expect(table).toHaveTextContent("Chưa có phản hồi");
    expect(table).toHaveTextContent("Quá hạn: Chưa nhận");
  });

  it("recalls with the reason typed, and shows a refusal as it comes", async () => {
    const base = outgoingRow({ id: 7 });
    const row = { ...base, actions: { ...base.actions, recall: true } };
    const changed = vi.fn();
    commands.recallOutgoing
      .mockRejectedValueOnce({ kind: "invalid", message: "cần ghi lý do thu hồi" })
      .mockResolvedValueOnce({ ...row, status: "recall_pending", statusLabel: "Chờ thu hồi" });
    renderWithTheme(<RecallButton row={row} onChanged={changed} />);
    fireEvent.click(screen.getByTestId("recall-7"));
    // Only spaces: the registry decides a reason is missing, and says so.
    fireEvent.change(screen.getByTestId("recall-reason"), { target: { value: "   " } });
    fireEvent.click(screen.getByTestId("recall-confirm"));
    await waitFor(() => expect(commands.recallOutgoing).toHaveBeenCalledWith(7, ""));
    expect(await screen.findByTestId("recall-error")).toHaveTextContent("cần ghi lý do");
    fireEvent.change(screen.getByTestId("recall-reason"), {
      target: { value: " Gửi nhầm nơi nhận " },
    });
    fireEvent.click(screen.getByTestId("recall-confirm"));
    await waitFor(() =>
      expect(commands.recallOutgoing).toHaveBeenLastCalledWith(7, "Gửi nhầm nơi nhận"),
    );
    await waitFor(() =>
      expect(changed).toHaveBeenCalledWith(expect.objectContaining({ status: "recall_pending" })),
    );
    expect(screen.queryByTestId("recall-form")).toBeNull();
  });

  it("sends an update with the reason and the corrected file, and shows a refusal", async () => {
    const base = outgoingRow({ id: 9 });
    const row = { ...base, actions: { ...base.actions, revise: true } };
    const changed = vi.fn();
    commands.reviseOutgoing
      .mockRejectedValueOnce({ kind: "invalid", message: "cần ghi lý do cập nhật" })
      .mockResolvedValueOnce({ ...row, status: "update_pending", statusLabel: "Chờ cập nhật" });
    renderWithTheme(<ReviseButton row={row} onChanged={changed} />);
    fireEvent.click(screen.getByTestId("update-9"));
    fireEvent.change(screen.getByTestId("revise-files"), {
      target: { value: " /tmp/cong-van-sua.pdf \n\n" },
    });
    fireEvent.click(screen.getByTestId("revise-confirm"));
    expect(await screen.findByTestId("revise-error")).toHaveTextContent("cần ghi lý do cập nhật");
    fireEvent.change(screen.getByTestId("revise-reason"), {
      target: { value: "Sửa ngày hiệu lực" },
    });
    fireEvent.click(screen.getByTestId("revise-confirm"));
    await waitFor(() =>
      expect(commands.reviseOutgoing).toHaveBeenLastCalledWith(9, "update", "Sửa ngày hiệu lực", [
        "/tmp/cong-van-sua.pdf",
      ]),
    );
    await waitFor(() =>
      expect(changed).toHaveBeenCalledWith(expect.objectContaining({ status: "update_pending" })),
    );
    expect(screen.queryByTestId("revise-form")).toBeNull();
  });
});
