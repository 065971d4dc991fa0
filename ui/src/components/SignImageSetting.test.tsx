import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  peopleOverview: vi.fn(),
  addDepartment: vi.fn(),
  savePerson: vi.fn(),
  signInPerson: vi.fn(),
  setSignatureImage: vi.fn(),
  setSealImage: vi.fn(),
  signImagePreview: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { PeopleSettings } from "./PeopleSettings";
import { UnitSealSetting } from "./UnitSealSetting";

const clerk = {
  id: 1,
  fullName: "Trần Thị Bình",
  position: "Văn thư",
  department: null,
  roles: ["clerk"],
  rolesLabel: "Văn thư",
  active: true,
  signature: null,
};
const leader = {
  id: 2,
  fullName: "Nguyễn Văn An",
  position: "Giám đốc",
  department: null,
  roles: ["leader"],
  rolesLabel: "Lãnh đạo",
  active: true,
  signature: null,
};
const overview = (people: unknown[], seal: unknown = null) => ({
  departments: [],
  people,
  signedIn: clerk,
  seal,
});
const PNG = "data:image/png;base64,iVBORw0KGgo=";

describe("signature and seal images in Cài đặt", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    commands.signImagePreview.mockResolvedValue(PNG);
  });

  it("sets a leader's signature from a PNG path and shows it", async () => {
    commands.peopleOverview.mockResolvedValue(overview([clerk, leader]));
    const withImage = { ...leader, signature: { width: 300, height: 120 } };
    commands.setSignatureImage.mockResolvedValue(overview([clerk, withImage]));
    renderWithTheme(<PeopleSettings />);
    expect(await screen.findByTestId("signature-of-2")).toHaveTextContent("Chưa có");
    expect(screen.getByTestId("signature-of-1")).toHaveTextContent("—");
    // Only a leader's form offers a signature image.
    fireEvent.click(screen.getAllByText("Sửa")[0]);
    expect(screen.queryByTestId("signature-image")).not.toBeInTheDocument();
    fireEvent.click(screen.getAllByText("Sửa")[1]);
    expect(await screen.findByTestId("signature-image-state")).toHaveTextContent("Chưa có");
    fireEvent.change(screen.getByLabelText("Tệp ảnh chữ ký"), {
      target: { value: " /home/an/chu-ky.png " },
    });
    fireEvent.click(screen.getByTestId("signature-image-set"));
    await waitFor(() =>
      expect(commands.setSignatureImage).toHaveBeenCalledWith(2, "/home/an/chu-ky.png"),
    );
    expect(await screen.findByTestId("signature-image-state")).toHaveTextContent(
      "Đã có (300×120 điểm ảnh)",
    );
    expect(screen.getByTestId("signature-of-2")).toHaveTextContent("Đã có");
    await waitFor(() => expect(commands.signImagePreview).toHaveBeenCalledWith(2));
    expect(await screen.findByAltText("Ảnh chữ ký")).toHaveAttribute("src", PNG);
  });

  it("shows the registry's refusal of a PNG as it comes, and removes the seal", async () => {
    commands.peopleOverview.mockResolvedValue(overview([clerk], { width: 200, height: 200 }));
    commands.setSealImage
      .mockRejectedValueOnce({
        kind: "invalid",
        message:
          "ảnh chữ ký/con dấu không dùng được: ảnh không có nền trong suốt (cần PNG có kênh alpha)",
      })
      .mockResolvedValueOnce(overview([clerk], null));
    renderWithTheme(<UnitSealSetting />);
    await waitFor(() =>
      expect(screen.getByTestId("seal-image-state")).toHaveTextContent("Đã có (200×200"),
    );
    await waitFor(() => expect(commands.signImagePreview).toHaveBeenCalledWith(null));
    fireEvent.change(screen.getByLabelText("Tệp ảnh con dấu"), {
      target: { value: "/tmp/dau.jpg" },
    });
    fireEvent.click(screen.getByTestId("seal-image-set"));
    expect(await screen.findByTestId("seal-image-error")).toHaveTextContent(
      "ảnh không có nền trong suốt",
    );
    fireEvent.click(screen.getByTestId("seal-image-remove"));
    await waitFor(() => expect(commands.setSealImage).toHaveBeenLastCalledWith(null));
    await waitFor(() =>
      expect(screen.getByTestId("seal-image-state")).toHaveTextContent("Chưa có"),
    );
    expect(screen.queryByTestId("seal-image-error")).not.toBeInTheDocument();
  });
});
