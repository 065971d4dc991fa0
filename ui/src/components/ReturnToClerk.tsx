import { commands } from "../bindings";
import { NoteAction } from "./NoteAction";

/**
 * "Trả lại" on the leader's desktop: a draft the clerk submitted goes back unsigned with a
 * note saying what to change (the registry refuses an empty note).
 */
export function ReturnToClerk({
  documentId,
  origin,
  onReturned,
}: {
  documentId: number;
  origin: string;
  onReturned: () => void;
}) {
  return (
    <NoteAction
      label={`Trả lại văn thư (${origin})`}
      color="orange"
      noteLabel="Lý do trả lại"
      placeholder="Đề nghị sửa …"
      submitLabel="Trả lại"
      testIds={{
        open: "return-open",
        form: "return-form",
        error: "return-error",
        confirm: "return-confirm",
        note: "return-note",
      }}
      act={async (note) => {
        await commands.returnForChanges(documentId, note);
        onReturned();
      }}
    />
  );
}
