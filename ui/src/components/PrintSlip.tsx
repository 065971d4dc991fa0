import { useState } from "react";
import { Button, Text } from "@mantine/core";
import { commands } from "../bindings";
import { errorMessage } from "../errors";

/** "In phiếu giải quyết": the processing slip of an incoming document as a PDF. */
export function PrintSlip({ id }: { id: number }) {
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div>
      <Button
        size="xs"
        variant="light"
        loading={busy}
        data-testid="print-slip"
        onClick={async () => {
          setBusy(true);
          try {
            setResult({ ok: true, text: `Đã lưu: ${await commands.exportProcessingSlip(id)}` });
          } catch (e) {
            setResult({ ok: false, text: errorMessage(e) });
          } finally {
            setBusy(false);
          }
        }}
      >
        In phiếu giải quyết
      </Button>
      {result && (
        <Text size="sm" c={result.ok ? "green" : "red"} data-testid="print-slip-result">
          {result.text}
        </Text>
      )}
    </div>
  );
}
