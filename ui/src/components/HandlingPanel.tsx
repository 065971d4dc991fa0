import { useEffect, useState } from "react";
import {
  Alert,
  Badge,
  Button,
  Divider,
  Group,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { commands, type HandlingNoteView, type HandlingView } from "../bindings";
import { errorMessage } from "../errors";
import { parseDate } from "../format";
import { onFileDrop } from "../tauri";
import { InlineForm } from "./InlineForm";

/**
 * Xử lý văn bản: the assignment (chủ trì, phối hợp, hạn, ý kiến chỉ đạo), the handlers'
 * progress notes, reply drafts and extension requests with the leader's decisions, and the
 * actions this desktop may take on them. Where each note goes (the văn thư's desktop, the
 * leader's) is the register's business; the panel only shows what `incomingHandling` says.
 */
type Form = "note" | "reply_draft" | "extension_request" | "decide";

const ROLE_LABEL: Record<string, string> = { lead: "chủ trì", support: "phối hợp" };

function noteLine(n: HandlingNoteView): string {
  const parts = [n.label];
  if (n.deadline) parts.push(`đến ${n.deadline}`);
  let line = parts.join(" ");
  line += ` — ${n.author}`;
  if (n.fromDesktop) line += ` (${n.fromDesktop})`;
  if (n.body) line += `: ${n.body}`;
  if (n.fileName) line += ` · 📎 ${n.fileName}`;
  return line;
}

export function HandlingPanel({
  documentId,
  version,
  onDone,
}: {
  documentId: number;
  /** Changes whenever the document may have changed (reloads the view). */
  version: string;
  onDone: () => void;
}) {
  const [view, setView] = useState<HandlingView | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [body, setBody] = useState("");
  const [date, setDate] = useState("");
  const [file, setFile] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.resolve()
      .then(() => commands.incomingHandling(documentId))
      .then(
        (v) => live && setView(v),
        () => live && setView(null),
      );
    return () => {
      live = false;
    };
  }, [documentId, version]);

  useEffect(() => {
    if (form !== "reply_draft") return;
    let unlisten: (() => void) | undefined;
    void onFileDrop((paths) => {
      if (paths[0]) setFile(paths[0]);
    }).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [form]);

  if (!view || (view.assignments.length === 0 && view.notes.length === 0)) return null;

  const close = () => {
    setForm(null);
    setBody("");
    setDate("");
    setFile("");
    setError(null);
  };

  const submit = async (granted?: boolean) => {
    if (!form) return;
    setError(null);
    let due: string | null = null;
    if (form === "extension_request") {
      const d = parseDate(date);
      if (!d.ok) {
        setError(`Hạn mới: ${d.error}`);
        return;
      }
      due = d.value;
    }
    setBusy(true);
    try {
      const v =
        form === "decide"
          ? await commands.decideExtension(documentId, granted ?? false, body.trim() || null)
          : await commands.addHandlingNote(
              documentId,
              form,
              body.trim() || null,
              due,
              form === "reply_draft" ? file.trim() || null : null,
            );
      setView(v);
      close();
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const lead = view.assignments.find((a) => a.role === "lead");
  const pending = view.pendingExtension;

  return (
    <Stack gap={4} data-testid="handling">
      <Divider label="Xử lý văn bản" labelPosition="left" />
      {view.role && (
        <Badge variant="light" data-testid="handling-role">
          Được giao {ROLE_LABEL[view.role] ?? view.role}
        </Badge>
      )}
      {view.assignments.map((a) => (
        <Text size="sm" key={`${a.assignee}-${a.role}`} data-testid="assignment">
          {a.role === "lead" ? "Chủ trì" : "Phối hợp"}: {a.assignee}
          {a.deadline ? ` · hạn ${a.deadline}` : ""}
        </Text>
      ))}
      {lead?.instruction && (
        <Text size="sm" data-testid="instruction">
          Ý kiến chỉ đạo ({lead.assignedBy}, {lead.assignedAt}): {lead.instruction}
        </Text>
      )}
      {view.notes.length > 0 && (
        <Stack gap={2} data-testid="handling-notes">
          {view.notes.map((n) => (
            <Text size="xs" key={n.id} data-testid="handling-note" data-kind={n.kind}>
              <Text span c="dimmed" size="xs">
                {n.at}
              </Text>{" "}
              {noteLine(n)}
              {n.replyDocumentId !== null ? ` → dự thảo văn bản đi #${n.replyDocumentId}` : ""}
            </Text>
          ))}
        </Stack>
      )}
      {pending && (
        <Alert color="orange" p="xs" data-testid="pending-extension">
          {pending.author} xin gia hạn đến {pending.deadline}
          {pending.body ? `: ${pending.body}` : ""}
        </Alert>
      )}
      {!form && (view.mayNote || view.mayDecide) && (
        <Group gap="xs">
          {view.mayNote && (
            <>
              <Button
                size="xs"
                variant="light"
                data-testid="handling-note-open"
                onClick={() => setForm("note")}
              >
                Ghi tiến độ
              </Button>
              <Button
                size="xs"
                variant="light"
                data-testid="handling-reply-open"
                onClick={() => setForm("reply_draft")}
              >
                Gửi dự thảo trả lời
              </Button>
              {!pending && (
                <Button
                  size="xs"
                  variant="light"
                  data-testid="handling-extension-open"
                  onClick={() => setForm("extension_request")}
                >
                  Xin gia hạn
                </Button>
              )}
            </>
          )}
          {view.mayDecide && (
            <Button size="xs" data-testid="handling-decide-open" onClick={() => setForm("decide")}>
              Quyết định gia hạn
            </Button>
          )}
        </Group>
      )}
      {form && form !== "decide" && (
        <InlineForm
          testIds={{ form: "handling-form", error: "handling-error", confirm: "handling-confirm" }}
          error={error}
          busy={busy}
          submitLabel={
            form === "note" ? "Ghi tiến độ" : form === "reply_draft" ? "Gửi dự thảo" : "Gửi đề nghị"
          }
          onSubmit={() => void submit()}
          onCancel={close}
        >
          {form === "extension_request" && (
            <TextInput
              label="Xin gia hạn đến"
              placeholder="dd/mm/yyyy"
              value={date}
              onChange={(e) => setDate(e.currentTarget.value)}
              data-testid="handling-date"
              size="xs"
            />
          )}
          {form === "reply_draft" && (
            <TextInput
              label="Tệp dự thảo (.docx, .odt, .pdf)"
              description="Kéo và thả tệp vào cửa sổ, hoặc nhập đường dẫn"
              value={file}
              onChange={(e) => setFile(e.currentTarget.value)}
              data-testid="handling-file"
              size="xs"
            />
          )}
          <Textarea
            label={
              form === "extension_request" ? "Lý do" : form === "note" ? "Nội dung" : "Ghi chú"
            }
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            data-testid="handling-body"
            autosize
            minRows={2}
            size="xs"
          />
        </InlineForm>
      )}
      {form === "decide" && (
        <Stack gap={4} data-testid="handling-decide">
          <Textarea
            label="Ý kiến"
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            data-testid="handling-body"
            autosize
            minRows={1}
            size="xs"
          />
          <Group gap="xs">
            <Button
              size="xs"
              loading={busy}
              data-testid="extension-grant"
              onClick={() => void submit(true)}
            >
              Đồng ý gia hạn
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              loading={busy}
              data-testid="extension-refuse"
              onClick={() => void submit(false)}
            >
              Không đồng ý
            </Button>
            <Button size="xs" variant="subtle" onClick={close}>
              Hủy
            </Button>
          </Group>
          {error && (
            <Alert color="red" p="xs" data-testid="handling-error">
              {error}
            </Alert>
          )}
        </Stack>
      )}
    </Stack>
  );
}
