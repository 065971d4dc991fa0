import { useEffect, useState } from "react";
import {
  Button,
  Group,
  Modal,
  NativeSelect,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from "@mantine/core";
import { errorMessage } from "../errors";
import {
  commands,
  type Agency,
  type DocType,
  type OutgoingRow,
  type Secrecy,
  type Urgency,
  type RecipientGroup,
} from "../bindings";
import { SECRECY_OPTIONS, URGENCY_OPTIONS, agencyLabel } from "../registerForm";
import {
  addGroup,
  recipientValue,
  validateDraft,
  type DraftErrors,
  type DraftValues,
} from "../outgoingForm";
import { onFileDrop } from "../tauri";
import { AttachmentList } from "./AttachmentList";
import { FormFooter } from "./FormFooter";

export interface OutgoingFormProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (row: OutgoingRow) => void;
}

const empty = (): DraftValues => ({
  notation: "",
  docType: "",
  subject: "",
  signer: "",
  recipients: [],
  notes: "",
  files: [],
});

/** "Soạn dự thảo": a new outgoing draft with its PDF, before signing and numbering. */
export function OutgoingForm({ opened, onClose, onCreated }: OutgoingFormProps) {
  const [values, setValues] = useState<DraftValues>(empty);
  const [urgency, setUrgency] = useState<Urgency>("normal");
  const [secrecy, setSecrecy] = useState<Secrecy>("normal");
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [docTypes, setDocTypes] = useState<DocType[]>([]);
  const [directory, setDirectory] = useState<Agency[]>([]);
  const [search, setSearch] = useState("");
  const [groups, setGroups] = useState<RecipientGroup[]>([]);
  const [path, setPath] = useState("");

  useEffect(() => {
    if (!opened) return;
    setValues(empty());
    setUrgency("normal");
    setSecrecy("normal");
    setErrors({});
    setSaveError(null);
    setPath("");
    commands.listDocTypes().then(setDocTypes, () => setDocTypes([]));
    Promise.resolve()
      .then(() => commands.recipientGroups())
      .then(setGroups, () => setGroups([]));
    let unlisten: (() => void) | undefined;
    onFileDrop((paths) =>
      setValues((v) => ({
        ...v,
        files: [...v.files, ...paths.filter((p) => !v.files.includes(p))],
      })),
    ).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [opened]);

  useEffect(() => {
    if (!opened) return;
    let live = true;
    commands.searchAgencies(search, 20).then(
      (found) =>
        live &&
        setDirectory((d) => [...found, ...d.filter((a) => !found.some((f) => f.code === a.code))]),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [opened, search]);

  const set = <K extends keyof DraftValues>(key: K, value: DraftValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const addPath = () => {
    const p = path.trim();
    if (!p) return;
    if (!values.files.includes(p)) set("files", [...values.files, p]);
    setPath("");
  };

  const submit = async () => {
    const errs = validateDraft(values);
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) return;
    setSaving(true);
    setSaveError(null);
    try {
      const row = await commands.createOutgoing({
        notation: values.notation.trim(),
        docType: values.docType,
        subject: values.subject.trim(),
        signer: values.signer.trim() || null,
        recipients: values.recipients.map((r) => recipientValue(r, directory)),
        urgency,
        secrecy,
        notes: values.notes.trim() || null,
        files: values.files,
      });
      onCreated(row);
    } catch (e) {
      setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Soạn dự thảo văn bản đi" size="xl">
      <form
        data-testid="outgoing-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="xs">
          <SimpleGrid cols={2}>
            <TextInput
              label="Ký hiệu"
              description="Số được cấp khi ban hành"
              placeholder="UBND-VP"
              value={values.notation}
              onChange={(e) => set("notation", e.currentTarget.value)}
              error={errors.notation}
              name="notation"
              data-autofocus
            />
            <NativeSelect
              label="Loại văn bản"
              value={values.docType}
              onChange={(e) => set("docType", e.currentTarget.value)}
              error={errors.docType}
              name="docType"
              data={[
                { value: "", label: "— Chọn —" },
                ...docTypes.map((t) => ({
                  value: t.name,
                  label: t.abbreviation ? `${t.name} (${t.abbreviation})` : t.name,
                })),
              ]}
            />
          </SimpleGrid>
          <Textarea
            label="Trích yếu"
            autosize
            minRows={2}
            value={values.subject}
            onChange={(e) => set("subject", e.currentTarget.value)}
            error={errors.subject}
            name="subject"
          />
          <TagsInput
            label="Nơi nhận"
            description="Chọn cơ quan trong danh bạ để gửi qua trục; gõ tự do cho nơi nhận khác (Lưu: VT)"
            data={directory.map(agencyLabel)}
            value={values.recipients}
            onChange={(v) => set("recipients", v)}
            searchValue={search}
            onSearchChange={setSearch}
            error={errors.recipients}
            id="draft-recipients"
            splitChars={[";"]}
          />
          {groups.length > 0 && (
            <NativeSelect
              aria-label="Thêm cả nhóm nơi nhận"
              value=""
              onChange={(e) => {
                const g = groups.find((x) => x.label === e.currentTarget.value);
                if (!g) return;
                setDirectory((d) => [
                  ...d,
                  ...g.members.filter((m) => !d.some((a) => a.code === m.code)),
                ]);
                set("recipients", addGroup(values.recipients, g.members));
              }}
              data={[
                { value: "", label: "+ Thêm cả nhóm nơi nhận…" },
                ...groups.map((g) => ({
                  value: g.label,
                  label: `${g.label} (${g.members.length})`,
                })),
              ]}
              name="recipientGroup"
              w={360}
            />
          )}
          <SimpleGrid cols={3}>
            <TextInput
              label="Người ký"
              value={values.signer}
              onChange={(e) => set("signer", e.currentTarget.value)}
              name="signer"
            />
            <NativeSelect
              label="Độ khẩn"
              value={urgency}
              onChange={(e) => setUrgency(e.currentTarget.value as Urgency)}
              data={URGENCY_OPTIONS}
              name="urgency"
            />
            <NativeSelect
              label="Độ mật"
              value={secrecy}
              onChange={(e) => setSecrecy(e.currentTarget.value as Secrecy)}
              data={SECRECY_OPTIONS}
              name="secrecy"
            />
          </SimpleGrid>
          <TextInput
            label="Ghi chú"
            value={values.notes}
            onChange={(e) => set("notes", e.currentTarget.value)}
            name="notes"
          />
          <div className="dropzone" data-testid="outgoing-dropzone">
            <Text size="sm" fw={500}>
              Tệp dự thảo (PDF) và bản mềm (.docx, .odt) gửi kèm
            </Text>
            <AttachmentList
              files={values.files}
              onRemove={(f) =>
                set(
                  "files",
                  values.files.filter((x) => x !== f),
                )
              }
            />
            <Group gap="xs" align="flex-end">
              <TextInput
                style={{ flex: 1 }}
                size="xs"
                placeholder="Kéo thả tệp vào cửa sổ, hoặc dán đường dẫn tệp"
                value={path}
                onChange={(e) => setPath(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") {
                    e.preventDefault();
                    addPath();
                  }
                }}
                name="filePath"
                aria-label="Đường dẫn tệp"
              />
              <Button size="xs" variant="light" onClick={addPath} data-testid="add-file">
                Thêm tệp
              </Button>
            </Group>
            {errors.files && (
              <Text size="xs" c="red">
                {errors.files}
              </Text>
            )}
          </div>
          <FormFooter
            error={saveError}
            errorTitle="Không lưu được dự thảo"
            errorTestId="draft-error"
            onCancel={onClose}
            saving={saving}
            submitLabel="Lưu dự thảo"
            submitTestId="save-draft"
          />
        </Stack>
      </form>
    </Modal>
  );
}
