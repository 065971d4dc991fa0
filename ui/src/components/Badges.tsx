import { Badge } from "@mantine/core";
import type { Secrecy, Urgency } from "../bindings";

const URGENCY_STYLE: Record<Urgency, { color: string; variant: string } | null> = {
  normal: null,
  urgent: { color: "orange", variant: "light" },
  very_urgent: { color: "orange", variant: "filled" },
  // Hỏa tốc must be impossible to miss in a list of thousands.
  flash: { color: "red", variant: "filled" },
};

export function UrgencyBadge({ urgency, label }: { urgency: Urgency; label: string }) {
  const style = URGENCY_STYLE[urgency];
  if (!style) return null;
  return (
    <Badge
      color={style.color}
      variant={style.variant}
      size="sm"
      radius="xs"
      data-urgency={urgency}
      className={urgency === "flash" ? "urgency-flash" : undefined}
    >
      {label}
    </Badge>
  );
}

const SECRECY_COLOR: Record<Secrecy, string | null> = {
  normal: null,
  confidential: "grape",
  secret: "violet",
  top_secret: "dark",
};

export function SecrecyBadge({ secrecy, label }: { secrecy: Secrecy; label: string }) {
  const color = SECRECY_COLOR[secrecy];
  if (!color) return null;
  return (
    <Badge color={color} variant="outline" size="sm" radius="xs" data-secrecy={secrecy}>
      {label}
    </Badge>
  );
}

const STATUS_COLOR: Record<string, string> = {
  received: "gray",
  arrived: "gray",
  registered: "blue",
  assigned: "cyan",
  in_progress: "yellow",
  completed: "green",
  rejected: "red",
  revoked: "dark",
  superseded: "dark",
  // outgoing
  draft: "gray",
  signed: "blue",
  issued: "cyan",
  ready: "yellow",
  sent: "green",
};

export function StatusChip({ status, label }: { status: string; label: string }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? "gray"} variant="dot" size="sm" data-status={status}>
      {label}
    </Badge>
  );
}
