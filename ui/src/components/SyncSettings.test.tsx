import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  syncStatus: vi.fn(),
  syncSetup: vi.fn(),
  numberingDesktop: vi.fn(),
  setNumberingDesktop: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { NumberingDesktopSetting, SyncSettings } from "./SyncSettings";

describe("sync settings for several desktops of one unit", () => {
  beforeEach(() => vi.clearAllMocks());

  it("passes a UNIT/DESKTOP login on and shows the refusal as it comes", async () => {
    commands.syncStatus.mockResolvedValue({ configured: false, overdueHours: 24 });
    commands.syncSetup.mockRejectedValue({
      kind: "invalid",
      message: "Tên đăng nhập trục không hợp lệ: 000.00.00.H34/L-D",
    });
    renderWithTheme(<SyncSettings />);
    expect(await screen.findByText("Mã định danh đơn vị (hoặc MÃ/MÁY)")).toBeInTheDocument();
    const field = (name: string) =>
      document.querySelector(`input[name="${name}"]`) as HTMLInputElement;
    fireEvent.change(field("hubUrl"), { target: { value: "http://127.0.0.1:8640" } });
    fireEvent.change(field("hubAgency"), { target: { value: "000.00.00.H34/L-D" } });
    fireEvent.change(field("hubSecret"), { target: { value: "s" } });
    fireEvent.click(screen.getByTestId("save-sync-settings"));
    await waitFor(() =>
      expect(commands.syncSetup).toHaveBeenCalledWith(
        expect.objectContaining({ agency: "000.00.00.H34/L-D" }),
      ),
    );
    expect(await screen.findByTestId("sync-settings-error")).toHaveTextContent(
      "Tên đăng nhập trục không hợp lệ",
    );
  });

  it("connects a unit to a VXP axis with its systemId, and shows it once saved", async () => {
    commands.syncStatus.mockResolvedValue({ configured: false, overdueHours: 24 });
    commands.syncSetup.mockImplementation(async (req: { hubUrl: string }) => ({
      configured: true,
      hubUrl: req.hubUrl,
      vxpSystemId: "sys-kontum",
      overdueHours: 24,
    }));
    renderWithTheme(<SyncSettings />);
    expect(await screen.findByText("Mã hệ thống trục VXP (systemId)")).toBeInTheDocument();
    const field = (name: string) =>
      document.querySelector(`input[name="${name}"]`) as HTMLInputElement;
    fireEvent.change(field("hubUrl"), { target: { value: "https://truc.gov.vn/vxp" } });
    fireEvent.change(field("hubAgency"), { target: { value: "000.00.00.H34" } });
    fireEvent.change(field("vxpSystemId"), { target: { value: " sys-kontum " } });
    fireEvent.change(field("hubSecret"), { target: { value: "s" } });
    fireEvent.click(screen.getByTestId("save-sync-settings"));
    await waitFor(() =>
      expect(commands.syncSetup).toHaveBeenCalledWith(
        expect.objectContaining({ agency: "000.00.00.H34", vxpSystemId: "sys-kontum" }),
      ),
    );
    expect(await screen.findByTestId("sync-settings-status")).toHaveTextContent(
      "Đang dùng trục https://truc.gov.vn/vxp (VXP, systemId sys-kontum)",
    );
    // An empty field means the vanthu hub.
    fireEvent.change(field("vxpSystemId"), { target: { value: "  " } });
    fireEvent.click(screen.getByTestId("save-sync-settings"));
    await waitFor(() =>
      expect(commands.syncSetup).toHaveBeenLastCalledWith(
        expect.objectContaining({ vxpSystemId: null }),
      ),
    );
  });

  it("sets the block-numbering desktop, and clears it with an empty field", async () => {
    commands.numberingDesktop.mockResolvedValue(null);
    commands.setNumberingDesktop.mockImplementation(async (d: string | null) => d);
    renderWithTheme(<NumberingDesktopSetting />);
    expect(await screen.findByTestId("numbering-status")).toHaveTextContent(
      "Cấp số tại máy (một máy)",
    );
    const input = document.querySelector('input[name="numberingDesktop"]') as HTMLInputElement;
    fireEvent.change(input, { target: { value: " VT1 " } });
    fireEvent.click(screen.getByTestId("save-numbering"));
    await waitFor(() => expect(commands.setNumberingDesktop).toHaveBeenCalledWith("VT1"));
    expect(await screen.findByText("Cấp số theo khối, máy VT1")).toBeInTheDocument();
    fireEvent.change(input, { target: { value: "" } });
    fireEvent.click(screen.getByTestId("save-numbering"));
    await waitFor(() => expect(commands.setNumberingDesktop).toHaveBeenLastCalledWith(null));
    expect(await screen.findByText("Cấp số tại máy (một máy)")).toBeInTheDocument();
  });
});
