import { screen, fireEvent } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

const commands = vi.hoisted(() => ({
  appInfo: vi.fn(),
  initUnit: vi.fn(),
  listIncoming: vi.fn(async () => ({ rows: [], nextCursor: null })),
  countIncoming: vi.fn(async () => 0),
  listDrafts: vi.fn(async () => []),
  getSettings: vi.fn(async () => ({ scanFolder: null })),
  getSigningSettings: vi.fn(async () => ({
    pkcs11Module: null,
    effectiveModule: null,
    knownModules: [],
    envOverride: false,
  })),
  searchAgencies: vi.fn(async () => []),
  reportView: vi.fn(async () => ({ title: "BÁO CÁO", subtitle: [], tables: [], charts: [] })),
  backupSettings: vi.fn(async () => ({
    folder: null,
    everyHours: 24,
    keep: 7,
    nextDue: null,
    backups: [],
    lastError: null,
  })),
}));
vi.mock("./bindings", () => ({ commands }));

import { App } from "./App";

const unit = { code: "000.00.00.H40", name: "UBND tỉnh Nghệ An" };
beforeEach(() => {
  commands.appInfo.mockResolvedValue({ version: "0.1.0", dataDir: "/tmp/x", unit });
});
import { renderWithTheme } from "./test/render";
import { SECTIONS } from "./sections";

describe("App navigation", () => {
  it("lists every section in Vietnamese", async () => {
    renderWithTheme(<App />);
    const nav = await screen.findByRole("navigation", { name: "Điều hướng chính" });
    for (const s of SECTIONS) {
      expect(nav).toHaveTextContent(s.label);
    }
    expect(SECTIONS.map((s) => s.label)).toEqual([
      "Văn bản đến",
      "Văn bản đi",
      "Chờ ký",
      "Tra cứu",
      "Báo cáo",
      "Danh bạ cơ quan",
      "Cài đặt",
    ]);
  });

  it("switches section by click and by Alt+digit", async () => {
    renderWithTheme(<App />);
    // Both pages are loaded when first opened: on a loaded machine that takes a while.
    const lazy = { timeout: 5000 };
    await userEvent.click(await screen.findByText("Báo cáo"));
    expect(
      await screen.findByRole("heading", { level: 2, name: "Báo cáo" }, lazy),
    ).toBeInTheDocument();
    fireEvent.keyDown(window, { key: "7", altKey: true });
    expect(
      await screen.findByRole("heading", { level: 2, name: "Cài đặt" }, lazy),
    ).toBeInTheDocument();
  });
});

describe("first run", () => {
  it("asks for the unit before showing the registers", async () => {
    commands.appInfo.mockResolvedValue({ version: "0.1.0", dataDir: "/tmp/x", unit: null });
    commands.initUnit.mockResolvedValue(unit);
    renderWithTheme(<App />);
    const form = await screen.findByRole("form", { name: "Khởi tạo đơn vị" });
    await userEvent.click(screen.getByRole("button", { name: "Bắt đầu" }));
    expect(await screen.findByTestId("setup-error")).toHaveTextContent(
      "Nhập đủ mã định danh và tên đơn vị",
    );
    await userEvent.type(screen.getByLabelText("Mã định danh đơn vị"), unit.code);
    await userEvent.type(screen.getByLabelText("Tên đơn vị"), unit.name);
    await userEvent.click(screen.getByRole("button", { name: "Bắt đầu" }));
    expect(commands.initUnit).toHaveBeenCalledWith(unit.code, unit.name);
    expect(await screen.findByTestId("unit")).toHaveTextContent(unit.name);
    expect(form).not.toBeInTheDocument();
  });
});
