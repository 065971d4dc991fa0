import { useEffect, useState } from "react";
import { Alert, Button, Group, Stack, Textarea, TextInput } from "@mantine/core";
import { InlineForm } from "./InlineForm";
import { commands, type StepView } from "../bindings";
import { errorMessage } from "../errors";
import { parseDate, parseList } from "../format";

/**
 * The next steps on an incoming document of this unit (Vào sổ, Từ chối, Phân công, Bắt đầu xử
 * lý, Hoàn thành), as the register's state machine offers them; each sends the sender its
 * status at the next sync round. A rejection asks for the reason, an assignment for the
 * handler, in an inline form; the others act at once.
 */
/** A refusal (of the document, or of the sender's request) is drawn apart from the rest. */
const negative = (s: StepView) => s.to === "rejected" || s.to === "refuse_request";

export function ProcessSteps({
  documentId,
  version,
  onDone,
}: {
  documentId: number;
  /** Changes whenever the document may have changed (reloads the offered steps). */
  version: string;
  onDone: () => void;
}) {
  const [steps, setSteps] = useState<StepView[]>([]);
  const [open, setOpen] = useState<StepView | null>(null);
  const [note, setNote] = useState("");
  const [handler, setHandler] = useState("");
  const [supporters, setSupporters] = useState("");
  const [deadline, setDeadline] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    // Older builds and unit tests may lack the command: no steps then.
    Promise.resolve()
      .then(() => commands.incomingSteps(documentId))
      .then(
        (s) => live && setSteps(s),
        () => live && setSteps([]),
      );
    return () => {
      live = false;
    };
  }, [documentId, version]);

  const take = async (s: StepView) => {
    setError(null);
    let due: string | null = null;
    if (s.needsHandler && deadline.trim()) {
      const d = parseDate(deadline);
      if (!d.ok) {
        setError(`Hạn xử lý: ${d.error}`);
        return;
      }
      due = d.value;
    }
    setBusy(true);
    try {
      if (s.needsHandler && s.actor === "leader") {
        await commands.assignIncoming(documentId, {
          lead: handler.trim(),
          supporters: parseList(supporters),
          deadline: due,
          instruction: note.trim() || null,
        });
      } else {
        await commands.processIncoming(
          documentId,
          s.to,
          s.actor,
          note.trim() || null,
          s.needsHandler ? handler.trim() || null : null,
        );
      }
      setOpen(null);
      setNote("");
      setHandler("");
      setSupporters("");
      setDeadline("");
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (steps.length === 0) return null;
  if (!open)
    return (
      <Stack gap={4}>
        <Group gap="xs" data-testid="process-steps">
          {steps.map((s) => (
            <Button
              key={`${s.to}-${s.actor}`}
              size="xs"
              variant={negative(s) ? "light" : "filled"}
              color={negative(s) ? "red" : undefined}
              loading={busy}
              data-testid={`step-${s.to}`}
              onClick={() => {
                setError(null);
                if (s.needsReason || s.needsHandler) setOpen(s);
                else void take(s);
              }}
            >
              {s.label}
            </Button>
          ))}
        </Group>
        {error && (
          <Alert color="red" p="xs" data-testid="step-error">
            {error}
          </Alert>
        )}
      </Stack>
    );
  return (
    <InlineForm
      testIds={{ form: "step-form", error: "step-error", confirm: "step-confirm" }}
      error={error}
      busy={busy}
      submitLabel={open.label}
      onSubmit={() => {
        void take(open);
      }}
      onCancel={() => setOpen(null)}
    >
      {open.needsHandler && (
        <TextInput
          label="Chủ trì (người/đơn vị xử lý)"
          value={handler}
          onChange={(e) => setHandler(e.currentTarget.value)}
          data-testid="step-handler"
          size="xs"
        />
      )}
      {open.needsHandler && open.actor === "leader" && (
        <>
          <TextInput
            label="Phối hợp"
            description="Nhiều người/đơn vị cách nhau bằng dấu phẩy"
            value={supporters}
            onChange={(e) => setSupporters(e.currentTarget.value)}
            data-testid="step-supporters"
            size="xs"
          />
          <TextInput
            label="Hạn xử lý"
            placeholder="dd/mm/yyyy"
            value={deadline}
            onChange={(e) => setDeadline(e.currentTarget.value)}
            data-testid="step-deadline"
            size="xs"
          />
        </>
      )}
      <Textarea
        label={open.needsReason ? "Lý do từ chối" : "Ý kiến chỉ đạo"}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        data-testid="step-note"
        autosize
        minRows={2}
        size="xs"
      />
    </InlineForm>
  );
}
