import { useEffect, useRef, useState } from "react";
import {
  Autocomplete,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from "@mantine/core";
import { errorMessage } from "../errors";
import {
  commands,
  type Agency,
  type DocType,
  type Draft,
  type IncomingRow,
  type Secrecy,
  type Urgency,
} from "../bindings";
import { formatDate, parseDate, todayIso } from "../format";
import {
  ORDER,
  SECRECY_OPTIONS,
  URGENCY_OPTIONS,
  agencyLabel,
  validate,
  type FormErrors,
  type FormValues,
} from "../registerForm";
import { onFileDrop } from "../tauri";
import { AttachmentList } from "./AttachmentList";
import { FormFooter } from "./FormFooter";
import { ArrivalStampDialog } from "./ArrivalStamp";

export interface RegisterFormProps {
  opened: boolean;
  draft: Draft | null;
  onClose: () => void;
  /** `stampedFile`: the stamped copy's name when "Đóng dấu đến" was applied right after. */
  onRegistered: (row: IncomingRow, stampedFile?: string) => void;
}

export function RegisterForm({ opened, draft, onClose, onRegistered }: RegisterFormProps) {
  const initial = (): FormValues => ({
    sender: "",
    notation: "",
    documentDate: "",
    arrivalDate: formatDate(todayIso()),
    docType: "",
    subject:
      draft?.text
        ?.split("\n")
        .find((l) => l.trim())
        ?.trim() ?? "",
    urgency: "normal",
    secrecy: "normal",
    deadline: "",
    signer: "",
    notes: "",
  });
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [senderCode, setSenderCode] = useState<string | null>(null);
  const [docTypes, setDocTypes] = useState<DocType[]>([]);
  const [nextNumber, setNextNumber] = useState<number | null>(null);
  const [files, setFiles] = useState<string[]>([]);
  const [stampAfter, setStampAfter] = useState(false);
  const [stampFor, setStampFor] = useState<IncomingRow | null>(null);
  const hasPdf =
    files.some((f) => f.toLowerCase().endsWith(".pdf")) ||
    (draft?.fileName.toLowerCase().endsWith(".pdf") ?? false);
  const [saving, setSaving] = useState(false);
  const refs = useRef<Partial<Record<keyof FormValues, HTMLElement | null>>>({});

  useEffect(() => {
    if (!opened) return;
    setValues(initial());
    setErrors({});
    setSaveError(null);
    setSenderCode(null);
    setFiles([]);
    commands.listDocTypes().then(setDocTypes, () => setDocTypes([]));
    let unlisten: (() => void) | undefined;
    onFileDrop((paths) => setFiles((f) => [...f, ...paths.filter((p) => !f.includes(p))])).then(
      (u) => (unlisten = u),
    );
    return () => unlisten?.();
    // The form resets each time it opens (for this draft), not on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened, draft?.id]);

  // The next số đến depends on the year of arrival and on the series (mật and above are
  // numbered apart), so it follows those two fields.
  const arrivalIso = parseDate(values.arrivalDate);
  const arrivalKey = arrivalIso.ok ? arrivalIso.value : null;
  useEffect(() => {
    if (!opened || !arrivalKey) {
      setNextNumber(null);
      return;
    }
    let live = true;
    commands.nextArrivalNumber(values.secrecy, arrivalKey).then(
      (n) => live && setNextNumber(n),
      () => live && setNextNumber(null),
    );
    return () => {
      live = false;
    };
  }, [opened, arrivalKey, values.secrecy]);

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const onSenderChange = (text: string) => {
    set("sender", text);
    const exact = agencies.find((a) => agencyLabel(a) === text);
    setSenderCode(exact ? exact.code : null);
    if (!exact) {
      commands.searchAgencies(text, 20).then(
        (found) => {
          setAgencies(found);
          const match = found.find((a) => agencyLabel(a) === text);
          if (match) setSenderCode(match.code);
        },
        () => setAgencies([]),
      );
    }
  };

  const submit = async () => {
    const errs = validate(values, senderCode);
    setErrors(errs);
    const firstBad = ORDER.find((k) => errs[k]);
    if (firstBad) {
      refs.current[firstBad]?.focus();
      return;
    }
    const iso = (t: string) => {
      const d = parseDate(t);
      return d.ok ? d.value : "";
    };
    setSaving(true);
    setSaveError(null);
    try {
      const row = await commands.registerIncoming({
        senderCode: senderCode!,
        notation: values.notation.trim(),
        documentDate: iso(values.documentDate),
        arrivalDate: iso(values.arrivalDate),
        docType: values.docType,
        subject: values.subject.trim(),
        urgency: values.urgency,
        secrecy: values.secrecy,
        deadline: values.deadline.trim() ? iso(values.deadline) : null,
        signer: values.signer.trim() || null,
        notes: values.notes.trim() || null,
        files,
        draftId: draft?.id ?? null,
      });
      // With "Đóng dấu đến" ticked the PIN is asked for now; cancelling it leaves the
      // document registered without the stamp (the detail pane offers it later).
      if (stampAfter && hasPdf) setStampFor(row);
      else onRegistered(row);
    } catch (e) {
      setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    // Enter saves from any field; Shift+Enter keeps a newline in the text areas. A
    // combobox that consumed Enter to pick an option marks the event as handled.
    if (e.key === "Enter" && !e.shiftKey && !e.defaultPrevented && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  const reg = (key: keyof FormValues) => (el: HTMLElement | null) => {
    refs.current[key] = el;
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={draft ? `Vào sổ văn bản quét: ${draft.fileName}` : "Vào sổ văn bản đến"}
      size="xl"
      closeOnEscape
      // No open/close animation: the form must be usable the instant Ctrl+N is pressed.
      transitionProps={{ duration: 0 }}
    >
      <form
        onKeyDown={onKeyDown}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        aria-label="Vào sổ văn bản đến"
        noValidate
      >
        <Stack gap="sm">
          <Group justify="space-between">
            <Text size="sm" data-testid="next-number">
              Số đến tiếp theo: <b>{nextNumber ?? "…"}</b>
            </Text>
            <Text size="xs" c="dimmed">
              Enter: lưu · Shift+Enter: xuống dòng · Esc: hủy
            </Text>
          </Group>
          <Autocomplete
            label="Nơi gửi"
            placeholder="Gõ tên hoặc mã cơ quan, ví dụ “Bộ Nội vụ” hoặc 000.00.00.G12"
            data={agencies.map(agencyLabel)}
            filter={({ options }) => options}
            value={values.sender}
            onChange={onSenderChange}
            error={errors.sender}
            data-autofocus
            ref={reg("sender")}
            name="sender"
            required
          />
          <SimpleGrid cols={3}>
            <TextInput
              label="Số, ký hiệu"
              placeholder="986/UBND-HCTC"
              value={values.notation}
              onChange={(e) => set("notation", e.currentTarget.value)}
              error={errors.notation}
              ref={reg("notation")}
              name="notation"
              required
            />
            <TextInput
              label="Ngày văn bản"
              placeholder="dd/mm/yyyy"
              value={values.documentDate}
              onChange={(e) => set("documentDate", e.currentTarget.value)}
              error={errors.documentDate}
              ref={reg("documentDate")}
              name="documentDate"
              required
            />
            <TextInput
              label="Ngày đến"
              placeholder="dd/mm/yyyy"
              value={values.arrivalDate}
              onChange={(e) => set("arrivalDate", e.currentTarget.value)}
              error={errors.arrivalDate}
              ref={reg("arrivalDate")}
              name="arrivalDate"
              required
            />
          </SimpleGrid>
          <SimpleGrid cols={3}>
            <NativeSelect
              label="Loại văn bản"
              data={[
                { value: "", label: "— Chọn loại —" },
                ...docTypes.map((t) => ({
                  value: t.abbreviation ?? t.name,
                  label: t.abbreviation ? `${t.name} (${t.abbreviation})` : t.name,
                })),
              ]}
              value={values.docType}
              onChange={(e) => set("docType", e.currentTarget.value)}
              error={errors.docType}
              ref={reg("docType")}
              name="docType"
              required
            />
            <NativeSelect
              label="Độ khẩn"
              data={URGENCY_OPTIONS}
              value={values.urgency}
              onChange={(e) => set("urgency", e.currentTarget.value as Urgency)}
              name="urgency"
            />
            <NativeSelect
              label="Độ mật"
              data={SECRECY_OPTIONS}
              value={values.secrecy}
              onChange={(e) => set("secrecy", e.currentTarget.value as Secrecy)}
              name="secrecy"
            />
          </SimpleGrid>
          <Textarea
            label="Trích yếu"
            autosize
            minRows={2}
            value={values.subject}
            onChange={(e) => set("subject", e.currentTarget.value)}
            error={errors.subject}
            ref={reg("subject")}
            name="subject"
            required
          />
          <SimpleGrid cols={3}>
            <TextInput
              label="Hạn xử lý"
              placeholder="dd/mm/yyyy"
              value={values.deadline}
              onChange={(e) => set("deadline", e.currentTarget.value)}
              error={errors.deadline}
              ref={reg("deadline")}
              name="deadline"
            />
            <TextInput
              label="Người ký"
              value={values.signer}
              onChange={(e) => set("signer", e.currentTarget.value)}
              name="signer"
            />
            <TextInput
              label="Ghi chú"
              value={values.notes}
              onChange={(e) => set("notes", e.currentTarget.value)}
              name="notes"
            />
          </SimpleGrid>
          <div className="dropzone" data-testid="dropzone">
            <Text size="sm" fw={500}>
              Tệp đính kèm
            </Text>
            {draft && <Text size="sm">{draft.fileName} (bản quét)</Text>}
            <AttachmentList
              files={files}
              onRemove={(f) => setFiles((all) => all.filter((x) => x !== f))}
            />
            <Text size="xs" c="dimmed">
              Kéo và thả tệp PDF vào cửa sổ để đính kèm.
            </Text>
          </div>
          <Checkbox
            label="Đóng dấu đến ngay sau khi vào sổ (ký số bằng con dấu của cơ quan trên token)"
            checked={stampAfter && hasPdf}
            disabled={!hasPdf}
            onChange={(e) => setStampAfter(e.currentTarget.checked)}
            data-testid="register-stamp"
            aria-label="Đóng dấu đến"
          />
          <FormFooter
            error={saveError}
            errorTitle="Không vào sổ được"
            errorTestId="save-error"
            onCancel={onClose}
            saving={saving}
            submitLabel="Vào sổ (Enter)"
          />
        </Stack>
      </form>
      {stampFor && (
        <ArrivalStampDialog
          documentId={stampFor.id}
          numberLabel={stampFor.numberLabel}
          onCancel={() => {
            const row = stampFor;
            setStampFor(null);
            onRegistered(row);
          }}
          onDone={(r) => {
            const row = stampFor;
            setStampFor(null);
            onRegistered(row, r.fileName);
          }}
        />
      )}
    </Modal>
  );
}
