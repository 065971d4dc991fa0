import { useEffect, useState } from "react";
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { commands, type PeopleOverview, type PersonRow } from "../bindings";
import { errorMessage } from "../errors";
import { SignImageSetting } from "./SignImageSetting";

const ROLES: { value: string; label: string }[] = [
  { value: "clerk", label: "Văn thư" },
  { value: "leader", label: "Lãnh đạo" },
  { value: "handler", label: "Chuyên viên" },
];

type Draft = {
  id: number | null;
  fullName: string;
  position: string;
  department: string | null;
  roles: string[];
  active: boolean;
  desktop: string;
};

const EMPTY: Draft = {
  id: null,
  fullName: "",
  position: "",
  department: null,
  roles: [],
  active: true,
  desktop: "",
};

function draftOf(p: PersonRow): Draft {
  return {
    id: p.id,
    fullName: p.fullName,
    position: p.position ?? "",
    department: p.department,
    roles: p.roles,
    active: p.active,
    desktop: p.desktop ?? "",
  };
}

/**
 * "Cán bộ và vai trò" in Cài đặt: the unit's departments and people with their roles, and who
 * this desktop is signed in as. What each role may do is enforced by the registry; once anyone
 * is listed, every register action needs a signed-in person.
 */
export function PeopleSettings() {
  const [data, setData] = useState<PeopleOverview | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [department, setDepartment] = useState("");
  const [signInAs, setSignInAs] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.resolve()
      .then(() => commands.peopleOverview())
      .then(setData, (e) => setError(errorMessage(e)));
  }, []);

  const run = async (f: () => Promise<PeopleOverview>, after?: () => void) => {
    setError(null);
    try {
      setData(await f());
      after?.();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const save = () =>
    run(
      () =>
        commands.savePerson({
          id: draft.id,
          fullName: draft.fullName.trim(),
          position: draft.position.trim() || null,
          department: draft.department,
          roles: draft.roles,
          active: draft.active,
          desktop: draft.desktop.trim() || null,
        }),
      () => setDraft(EMPTY),
    );

  const active = data?.people.filter((p) => p.active) ?? [];
  // The person being edited as stored (their roles and signature as the registry has them).
  const editing = data?.people.find((p) => p.id === draft.id) ?? null;
  return (
    <Stack gap="xs" data-testid="people-settings">
      <Title order={3}>Cán bộ và vai trò</Title>
      <Text size="sm" c="dimmed">
        Khi đã khai báo cán bộ, mỗi máy đăng nhập với tư cách một người: chỉ văn thư vào sổ, cấp số
        và gửi qua trục; chỉ lãnh đạo ký và phân công; nhật ký ghi tên người làm.
      </Text>
      <Group align="flex-end">
        <Text size="sm" data-testid="signed-in">
          {data?.signedIn
            ? `Máy này: ${data.signedIn.fullName} (${data.signedIn.rolesLabel})`
            : "Máy này chưa đăng nhập cán bộ"}
        </Text>
      </Group>
      {active.length > 0 && (
        <Group align="flex-end">
          <Select
            label="Đăng nhập máy này với tư cách"
            data={active.map((p) => ({
              value: String(p.id),
              label: `${p.fullName} – ${p.rolesLabel}`,
            }))}
            value={signInAs}
            onChange={setSignInAs}
            name="signInAs"
            w={360}
          />
          <Button
            variant="light"
            disabled={!signInAs}
            onClick={() => void run(() => commands.signInPerson(Number(signInAs)))}
            data-testid="sign-in"
          >
            Đăng nhập
          </Button>
          {data?.signedIn && (
            <Button
              variant="subtle"
              onClick={() => void run(() => commands.signInPerson(null))}
              data-testid="sign-out"
            >
              Đăng xuất
            </Button>
          )}
        </Group>
      )}
      {data && data.people.length > 0 && (
        <Table striped withTableBorder aria-label="Danh sách cán bộ">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Họ và tên</Table.Th>
              <Table.Th>Chức vụ</Table.Th>
              <Table.Th>Phòng ban</Table.Th>
              <Table.Th>Vai trò</Table.Th>
              <Table.Th>Máy làm việc</Table.Th>
              <Table.Th>Ảnh chữ ký</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.people.map((p) => (
              <Table.Tr key={p.id} data-person={p.id}>
                <Table.Td>
                  {p.fullName}
                  {!p.active && " (đã nghỉ)"}
                </Table.Td>
                <Table.Td>{p.position}</Table.Td>
                <Table.Td>{p.department}</Table.Td>
                <Table.Td>{p.rolesLabel}</Table.Td>
                <Table.Td>{p.desktop}</Table.Td>
                <Table.Td data-testid={`signature-of-${p.id}`}>
                  {p.roles.includes("leader") ? (p.signature ? "Đã có" : "Chưa có") : "—"}
                </Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" onClick={() => setDraft(draftOf(p))}>
                    Sửa
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        data-testid="person-form"
      >
        <Stack gap="xs">
          <Title order={4}>{draft.id === null ? "Thêm cán bộ" : "Sửa thông tin cán bộ"}</Title>
          <Group grow align="flex-end">
            <TextInput
              label="Họ và tên"
              value={draft.fullName}
              onChange={(e) => setDraft({ ...draft, fullName: e.currentTarget.value })}
              name="personName"
              required
            />
            <TextInput
              label="Chức vụ"
              value={draft.position}
              onChange={(e) => setDraft({ ...draft, position: e.currentTarget.value })}
              name="personPosition"
            />
            <Select
              label="Phòng ban"
              data={data?.departments ?? []}
              value={draft.department}
              onChange={(v) => setDraft({ ...draft, department: v })}
              clearable
              name="personDepartment"
            />
            <TextInput
              label="Máy làm việc"
              description="Mã đơn vị/máy, nếu làm việc ở máy khác"
              placeholder="000.01.20.H34/CV"
              value={draft.desktop}
              onChange={(e) => setDraft({ ...draft, desktop: e.currentTarget.value })}
              name="personDesktop"
            />
          </Group>
          <Checkbox.Group
            label="Vai trò"
            value={draft.roles}
            onChange={(roles) => setDraft({ ...draft, roles })}
          >
            <Group mt={4}>
              {ROLES.map((r) => (
                <Checkbox key={r.value} value={r.value} label={r.label} name={`role-${r.value}`} />
              ))}
            </Group>
          </Checkbox.Group>
          {draft.id !== null && editing?.roles.includes("leader") && (
            <SignImageSetting
              label="Ảnh chữ ký"
              description="Chữ ký tay màu xanh, tệp PNG nền trong suốt; hiện ở chữ ký số của lãnh đạo khi ký văn bản ở mục Chờ ký. Văn thư đặt cho mọi lãnh đạo, lãnh đạo tự đặt cho mình."
              image={editing.signature}
              personId={editing.id}
              onSet={(path) => commands.setSignatureImage(editing.id, path)}
              onChanged={setData}
              testId="signature-image"
            />
          )}
          {draft.id !== null && (
            <Checkbox
              label="Đang làm việc (bỏ chọn khi cán bộ đã nghỉ)"
              checked={draft.active}
              onChange={(e) => setDraft({ ...draft, active: e.currentTarget.checked })}
              name="personActive"
            />
          )}
          <Group>
            <Button type="submit" data-testid="save-person">
              {draft.id === null ? "Thêm cán bộ" : "Lưu thay đổi"}
            </Button>
            {draft.id !== null && (
              <Button variant="subtle" onClick={() => setDraft(EMPTY)}>
                Hủy
              </Button>
            )}
          </Group>
        </Stack>
      </form>
      <Group align="flex-end">
        <TextInput
          label="Thêm phòng ban"
          placeholder="Phòng Tổ chức cán bộ"
          value={department}
          onChange={(e) => setDepartment(e.currentTarget.value)}
          name="departmentName"
          w={320}
        />
        <Button
          variant="light"
          disabled={!department.trim()}
          onClick={() =>
            void run(
              () => commands.addDepartment(department),
              () => setDepartment(""),
            )
          }
          data-testid="add-department"
        >
          Thêm
        </Button>
      </Group>
      {error && (
        <Alert color="red" data-testid="people-error">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
