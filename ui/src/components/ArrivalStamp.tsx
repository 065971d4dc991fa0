import { useState } from "react";
import { Alert, Button } from "@mantine/core";
import { commands, type ArrivalStampResult } from "../bindings";
import { describeSignError } from "../signing";
import { PinDialog } from "./PinDialog";

interface DialogProps {
  documentId: number;
  /** "Số đến 12" or "số đến M3", for the PIN prompt. */
  numberLabel: string;
  onDone: (result: ArrivalStampResult) => void;
  onCancel: () => void;
}

/**
 * The PIN entry of "Đóng dấu đến": the Chờ ký flow's PIN dialog, one stamp per entry. A
 * wrong PIN keeps the dialog open with the tries left; the rules (registered, not yet
 * stamped, văn thư only, free space on page 1) are the registry's and the sign crate's.
 */
export function ArrivalStampDialog({ documentId, numberLabel, onDone, onCancel }: DialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stamp = async (pin: string) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await commands.stampArrival(documentId, pin, null));
    } catch (e) {
      setError(describeSignError(e).text);
    } finally {
      setBusy(false);
    }
  };
  return (
    <PinDialog
      count={1}
      holder=""
      busy={busy}
      error={error}
      onSubmit={(pin) => void stamp(pin)}
      onCancel={onCancel}
      message={
        <>
          Đóng dấu đến (số đến <b>{numberLabel}</b>) lên trang 1 của văn bản bằng chứng thư số của
          cơ quan (con dấu) trên token.
        </>
      }
      submitLabel="Đóng dấu (Enter)"
    />
  );
}

/** The "Đóng dấu đến" button of a registered incoming document's detail pane. */
export function ArrivalStampButton({
  documentId,
  numberLabel,
  onDone,
}: {
  documentId: number;
  numberLabel: string;
  onDone: (result: ArrivalStampResult) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="xs"
        variant="light"
        color="red"
        data-testid="arrival-stamp"
        aria-label="Đóng dấu đến"
        onClick={() => setOpen(true)}
      >
        Đóng dấu đến
      </Button>
      {open && (
        <ArrivalStampDialog
          documentId={documentId}
          numberLabel={numberLabel}
          onCancel={() => setOpen(false)}
          onDone={(r) => {
            setOpen(false);
            onDone(r);
          }}
        />
      )}
    </>
  );
}

/** The line shown once a stamp is stored. */
export function StampedNotice({ result }: { result: ArrivalStampResult }) {
  return (
    <Alert color={result.allValid ? "green" : "orange"} p="xs" data-testid="arrival-stamp-done">
      {stampedLine(result)}
    </Alert>
  );
}

/** "Đã đóng dấu đến: Công văn (dấu đến).pdf — các chữ ký đều hợp lệ." */
function stampedLine(r: ArrivalStampResult): string {
  const verdict = r.allValid
    ? "các chữ ký (của bên gửi và dấu đến) đều nguyên vẹn, hợp lệ"
    : "có chữ ký không hợp lệ, xem báo cáo kiểm tra";
  return `Đã đóng dấu đến: ${r.fileName} — ${verdict}.`;
}
