import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  peopleOverview: vi.fn(),
  addDepartment: vi.fn(),
  savePerson: vi.fn(),
  signInPerson: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { PeopleSettings } from "./PeopleSettings";

const an = {
  id: 1,
  fullName: "Nguyễn Thị An",
  position: "Văn thư",
  department: "Văn phòng",
  roles: ["clerk"],
  rolesLabel: "Văn thư",
  active: true,
  desktop: null,
};
const binh = {
  id: 2,
  fullName: "Trần Thị Bình",
  position: "Chuyên viên",
  department: "Phòng Kinh tế",
  roles: ["handler"],
  rolesLabel: "Chuyên viên",
  active: true,
  desktop: "000.01.20.H34/CV",
};

const field = (name: string) => document.querySelector(`input[name="${name}"]`) as HTMLInputElement;

describe("people and roles in Cài đặt", () => {
  beforeEach(() => vi.clearAllMocks());

  it("adds a person with the roles ticked, and shows who this desktop is", async () => {
    commands.peopleOverview.mockResolvedValue({
      departments: ["Văn phòng", "Phòng Kinh tế"],
      people: [an],
      signedIn: an,
    });
    commands.savePerson.mockResolvedValue({
      departments: ["Văn phòng", "Phòng Kinh tế"],
      people: [an, binh],
      signedIn: an,
    });
    renderWithTheme(<PeopleSettings />);
    expect(await screen.findByTestId("signed-in")).toHaveTextContent(
      "Máy này: Nguyễn Thị An (Văn thư)",
    );
    fireEvent.change(field("personName"), { target: { value: " Trần Thị Bình " } });
    fireEvent.click(screen.getByLabelText("Chuyên viên"));
    fireEvent.change(field("personDesktop"), { target: { value: " 000.01.20.H34/CV " } });
    fireEvent.click(screen.getByTestId("save-person"));
    await waitFor(() =>
      expect(commands.savePerson).toHaveBeenCalledWith({
        id: null,
        fullName: "Trần Thị Bình",
        position: null,
        department: null,
        roles: ["handler"],
        active: true,
        desktop: "000.01.20.H34/CV",
      }),
    );
    expect(await screen.findByText("000.01.20.H34/CV")).toBeInTheDocument();
    expect(await screen.findByText("Trần Thị Bình")).toBeInTheDocument();
    expect(field("personName").value).toBe("");
  });

  it("edits a person, and shows the registry's refusal as it comes", async () => {
    commands.peopleOverview.mockResolvedValue({
      departments: ["Văn phòng"],
      people: [an],
      signedIn: an,
    });
    commands.savePerson.mockRejectedValue({
      kind: "invalid",
      message: "phải còn ít nhất một văn thư hoặc lãnh đạo đang làm việc",
    });
    renderWithTheme(<PeopleSettings />);
    fireEvent.click(await screen.findByText("Sửa"));
    expect(field("personName").value).toBe("Nguyễn Thị An");
    fireEvent.click(screen.getByLabelText("Văn thư"));
    fireEvent.click(screen.getByLabelText("Chuyên viên"));
    fireEvent.click(screen.getByTestId("save-person"));
    await waitFor(() =>
      expect(commands.savePerson).toHaveBeenCalledWith(
        expect.objectContaining({ id: 1, roles: ["handler"], active: true }),
      ),
    );
    expect(await screen.findByTestId("people-error")).toHaveTextContent(
      "ít nhất một văn thư hoặc lãnh đạo",
    );
  });

  it("signs this desktop in as another person and out", async () => {
    commands.peopleOverview.mockResolvedValue({
      departments: [],
      people: [an, binh],
      signedIn: null,
    });
    commands.signInPerson.mockImplementation(async (id: number | null) => ({
      departments: [],
      people: [an, binh],
      signedIn: id === 2 ? binh : null,
    }));
    renderWithTheme(<PeopleSettings />);
    expect(await screen.findByTestId("signed-in")).toHaveTextContent("chưa đăng nhập");
    expect(screen.getByTestId("sign-in")).toBeDisabled();
    fireEvent.click(screen.getByRole("textbox", { name: "Đăng nhập máy này với tư cách" }));
    fireEvent.click(await screen.findByText("Trần Thị Bình – Chuyên viên"));
    fireEvent.click(screen.getByTestId("sign-in"));
    await waitFor(() => expect(commands.signInPerson).toHaveBeenCalledWith(2));
    expect(await screen.findByTestId("signed-in")).toHaveTextContent(
      "Máy này: Trần Thị Bình (Chuyên viên)",
    );
    fireEvent.click(screen.getByTestId("sign-out"));
    await waitFor(() => expect(commands.signInPerson).toHaveBeenLastCalledWith(null));
  });
});
