import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import { outgoingRow } from "../test/fixtures";

const commands = vi.hoisted(() => ({
  listDocTypes: vi.fn(),
  searchAgencies: vi.fn(),
  recipientGroups: vi.fn(),
  createOutgoing: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));
vi.mock("../tauri", () => ({ onFileDrop: () => Promise.resolve(() => {}) }));

import { OutgoingForm } from "./OutgoingForm";

describe("Soạn dự thảo: recipient groups", () => {
  beforeEach(() => vi.clearAllMocks());

  it("adds a whole directory group and sends their codes", async () => {
    commands.listDocTypes.mockResolvedValue([{ abbreviation: null, name: "Công văn" }]);
    commands.searchAgencies.mockResolvedValue([]);
    commands.recipientGroups.mockResolvedValue([
      {
        label: "Sở, ban, ngành",
        members: [
          { code: "000.00.21.H34", name: "Sở Nội vụ tỉnh Kon Tum" },
          { code: "000.00.20.H34", name: "Sở Tài chính tỉnh Kon Tum" },
        ],
      },
      {
        label: "Huyện, thị xã, thành phố",
        members: [{ code: "000.00.31.H34", name: "UBND huyện Đắk Hà" }],
      },
    ]);
    commands.createOutgoing.mockResolvedValue(outgoingRow());
    renderWithTheme(<OutgoingForm opened onClose={() => {}} onCreated={() => {}} />);
    const group = (await screen.findByLabelText("Thêm cả nhóm nơi nhận")) as HTMLSelectElement;
    await waitFor(() => expect(group.options.length).toBe(3));
    expect(group.options[1].text).toBe("Sở, ban, ngành (2)");
    fireEvent.change(group, { target: { value: "Sở, ban, ngành" } });
    expect(await screen.findByText("Sở Nội vụ tỉnh Kon Tum (000.00.21.H34)")).toBeInTheDocument();
    // The same group again adds nobody twice.
    fireEvent.change(group, { target: { value: "Sở, ban, ngành" } });
    fireEvent.change(document.querySelector('input[name="notation"]')!, {
      target: { value: "UBND-VP" },
    });
    fireEvent.change(document.querySelector('select[name="docType"]')!, {
      target: { value: "Công văn" },
    });
    fireEvent.change(document.querySelector('textarea[name="subject"]')!, {
      target: { value: "V/v triển khai" },
    });
    fireEvent.submit(screen.getByTestId("outgoing-form"));
    await waitFor(() =>
      expect(commands.createOutgoing).toHaveBeenCalledWith(
        expect.objectContaining({ recipients: ["000.00.21.H34", "000.00.20.H34"] }),
      ),
    );
  });
});
