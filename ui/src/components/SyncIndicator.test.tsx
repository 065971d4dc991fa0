import { screen, fireEvent, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  syncStatus: vi.fn(),
  syncNow: vi.fn(async () => null),
  syncAlerts: vi.fn(async () => []),
}));
vi.mock("../bindings", () => ({ commands }));

import { SyncIndicator } from "./SyncIndicator";

const status = {
  configured: true,
  hubUrl: "http://127.0.0.1:8640",
  agency: "000.00.00.H41",
  agencyName: "UBND Tỉnh Nghệ An",
  online: true,
  running: false,
  done: 0,
  total: 0,
  lastSyncMs: new Date(2026, 10, 25, 8, 5).getTime(),
  lastError: null,
  pendingOut: 0,
  pendingIn: 0,
  alerts: 0,
  overdueHours: 24,
};

describe("SyncIndicator", () => {
  beforeEach(() => vi.clearAllMocks());

  it("shows nothing when sync is not configured", async () => {
    commands.syncStatus.mockResolvedValue({ ...status, configured: false });
    const { container } = renderWithTheme(<SyncIndicator />);
    await waitFor(() => expect(commands.syncStatus).toHaveBeenCalled());
    expect(container.querySelector('[data-testid="sync-indicator"]')).toBeNull();
  });

  it("shows the last sync time and syncs on demand", async () => {
    commands.syncStatus.mockResolvedValue(status);
    renderWithTheme(<SyncIndicator />);
    expect(await screen.findByText("Đã đồng bộ lúc 08:05 25/11/2026")).toBeInTheDocument();
    expect(screen.queryByText("Mất kết nối")).toBeNull();
    fireEvent.click(screen.getByText("Đồng bộ ngay"));
    await waitFor(() => expect(commands.syncNow).toHaveBeenCalledTimes(1));
  });

  it("shows progress, the offline badge and the alert count", async () => {
    commands.syncStatus.mockResolvedValue({
      ...status,
      online: false,
      lastError: "connection refused",
      alerts: 2,
      pendingOut: 4,
    });
    renderWithTheme(<SyncIndicator />);
    expect(await screen.findByText("Mất kết nối")).toBeInTheDocument();
    expect(screen.getByText("Cảnh báo 2")).toBeInTheDocument();
    expect(screen.getByText("Chờ gửi 4")).toBeInTheDocument();
  });

  it("shows the round's progress while it runs", async () => {
    commands.syncStatus.mockResolvedValue({ ...status, running: true, done: 3, total: 10 });
    renderWithTheme(<SyncIndicator />);
    expect(await screen.findByText("Đang đồng bộ 3/10")).toBeInTheDocument();
    expect(screen.getByTestId("sync-progress")).toBeInTheDocument();
  });
});
