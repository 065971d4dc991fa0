import { useCallback, useEffect, useState } from "react";
import {
  Alert,
  Button,
  Divider,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { errorMessage } from "../errors";
import { commands, type ArrivalStampResult, type DeskInfo, type IncomingDetail } from "../bindings";
import { formatDate, formatSize, pendingActionLabel } from "../format";
import { formatDateTime, mirrorLine, submissionLine } from "../desks";
import { onIncomingChanged } from "../tauri";
import { SecrecyBadge, StatusChip, UrgencyBadge } from "./Badges";
import { FirstPage } from "./FirstPage";
import { PdfViewer } from "./PdfViewer";
import { SubmitToLeader } from "./SubmitToLeader";
import { ProcessSteps } from "./ProcessSteps";
import { HandlingPanel } from "./HandlingPanel";
import { PrintSlip } from "./PrintSlip";
import { ArrivalStampButton, StampedNotice } from "./ArrivalStamp";

const isPdf = (name: string) => name.toLowerCase().endsWith(".pdf");

export function DetailPane({ id }: { id: number | null }) {
  const [detail, setDetail] = useState<IncomingDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ sha256: string; name: string } | null>(null);
  const [desk, setDesk] = useState<{ id: number; info: DeskInfo } | null>(null);
  const [reloads, setReloads] = useState(0);
  const [stamped, setStamped] = useState<ArrivalStampResult | null>(null);
  const reload = useCallback(() => setReloads((n) => n + 1), []);

  useEffect(() => {
    if (id === null) return;
    let live = true;
    commands.getIncoming(id).then(
      (d) => live && (setDetail(d), setError(null)),
      (e) => live && setError(errorMessage(e)),
    );
    // Older builds and unit tests may lack the desks commands: the pane works without them.
    Promise.resolve()
      .then(() => commands.deskInfoOf(id))
      .then(
        (info) => live && setDesk({ id, info }),
        () => live && setDesk(null),
      );
    return () => {
      live = false;
    };
  }, [id, reloads]);

  // A sync round may bring the leader's answer (clerk) or a new submission (leader).
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    onIncomingChanged(reload).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [reload]);

  if (id === null)
    return (
      <Text c="dimmed" size="sm">
        Chọn một văn bản để xem chi tiết.
      </Text>
    );
  if (error) return <Text c="red">{error}</Text>;
  if (!detail || detail.row.id !== id) return <Loader size="sm" />;
  const r = detail.row;
  const info = desk && desk.id === id ? desk.info : null;
  const mirror = info?.mirror ?? null;
  const firstPdf = detail.attachments.find((a) => isPdf(a.name)) ?? null;
  const rows: [string, React.ReactNode][] = [
    ["Số đến", mirror ? (mirror.numberLabel ?? "—") : r.numberLabel],
    ["Ngày đến", formatDate(r.arrivalDate)],
    ["Số, ký hiệu", r.notation],
    ["Ngày văn bản", formatDate(r.documentDate)],
    ["Loại văn bản", r.docType],
    ["Nơi gửi", r.senderCode ? `${r.sender} (${r.senderCode})` : r.sender],
    ["Người ký", detail.signer ?? "—"],
    ["Hạn xử lý", r.deadline ? formatDate(r.deadline) : "—"],
    ["Người xử lý", detail.handler ?? "—"],
    ["Ghi chú", detail.notes ?? "—"],
  ];
  return (
    <Stack gap="xs" data-testid="detail-pane" data-id={r.id}>
      <Group gap={6}>
        <UrgencyBadge urgency={r.urgency} label={r.urgencyLabel} />
        <SecrecyBadge secrecy={r.secrecy} label={r.secrecyLabel} />
        <StatusChip status={r.status} label={r.statusLabel} />
      </Group>
      <Title order={4}>{r.subject}</Title>
      {mirror && (
        <Alert color="blue" p="xs" data-testid="mirror-origin">
          {mirrorLine(mirror)}
        </Alert>
      )}
      {r.pendingAction && (
        <Alert
          color="orange"
          title={pendingActionLabel(r.pendingAction)}
          data-testid="pending-action"
        >
          {detail.pendingNote ?? ""}
        </Alert>
      )}
      {detail.supersededById !== null && (
        <Alert color="gray" data-testid="superseded">
          Đã có phiên bản mới của văn bản này từ bên gửi (văn bản #{detail.supersededById}).
        </Alert>
      )}
      {detail.supersedesId !== null && (
        <Text size="sm" c="dimmed">
          Phiên bản mới, thay cho văn bản #{detail.supersedesId}.
        </Text>
      )}
      <Table withRowBorders={false} verticalSpacing={2}>
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Td c="dimmed" w={120}>
                {k}
              </Table.Td>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {firstPdf && (
        <FirstPage
          sha256={firstPdf.sha256}
          name={firstPdf.name}
          onOpen={() => setViewing({ sha256: firstPdf.sha256, name: firstPdf.name })}
        />
      )}
      {!mirror && <PrintSlip key={r.id} id={r.id} />}
      {detail.offersArrivalStamp && !mirror && (
        <ArrivalStampButton
          key={`stamp-${r.id}`}
          documentId={r.id}
          numberLabel={r.numberLabel}
          onDone={(res) => {
            setStamped(res);
            setDetail(res.detail);
          }}
        />
      )}
      {stamped && stamped.detail.row.id === r.id && <StampedNotice result={stamped} />}
      {(info?.submissions.length ?? 0) > 0 && (
        <Stack gap={2} data-testid="submissions">
          {info?.submissions.map((s) => (
            <Text size="sm" key={s.id} data-testid="submission" data-state={s.state}>
              {submissionLine(s)}
              {s.note ? ` · ${s.note}` : ""}
            </Text>
          ))}
        </Stack>
      )}
      <ProcessSteps
        key={`steps-${r.id}`}
        documentId={r.id}
        version={`${r.status}|${detail.handler ?? ""}`}
        onDone={reload}
      />
      <HandlingPanel
        key={`handling-${r.id}`}
        documentId={r.id}
        version={`${r.status}|${detail.handler ?? ""}|${detail.history.length}`}
        onDone={reload}
      />
      {info?.offersSubmitToLeader && (
        <SubmitToLeader
          key={r.id}
          send={async (to, note) => {
            const i = await commands.submitToDesktop(r.id, to, note);
            setDesk({ id: r.id, info: i });
            reload();
          }}
        />
      )}
      {detail.history.length > 0 && (
        <>
          <Divider label="Lịch sử xử lý" labelPosition="left" />
          <Stack gap={2} data-testid="history">
            {detail.history.map((h, i) => (
              <Text size="xs" key={i}>
                <Text span c="dimmed" size="xs">
                  {formatDateTime(h.at)}
                </Text>{" "}
                {h.stateLabel}
                {h.actorLabel ? ` — ${h.actorLabel}` : ""}
                {h.user ? ` (${h.user})` : ""}
                {h.note ? `: ${h.note}` : ""}
              </Text>
            ))}
          </Stack>
        </>
      )}
      <Divider label="Tệp đính kèm" labelPosition="left" />
      {detail.attachments.length === 0 ? (
        <Text size="sm" c="dimmed">
          Không có tệp đính kèm.
        </Text>
      ) : (
        detail.attachments.map((a) => (
          <Group key={a.sha256} gap="xs" wrap="nowrap">
            <Text size="sm" data-testid="attachment">
              {a.name} · {formatSize(a.size)}
            </Text>
            {isPdf(a.name) && (
              <Button
                size="compact-xs"
                variant="light"
                data-testid="attachment-view"
                onClick={() => setViewing({ sha256: a.sha256, name: a.name })}
              >
                Xem
              </Button>
            )}
          </Group>
        ))
      )}
      <Modal
        opened={viewing !== null}
        onClose={() => setViewing(null)}
        fullScreen
        title={viewing?.name}
        styles={{ body: { height: "calc(100vh - 60px)", padding: 0 } }}
      >
        {viewing && <PdfViewer sha256={viewing.sha256} />}
      </Modal>
    </Stack>
  );
}
