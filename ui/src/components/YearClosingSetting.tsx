import { useEffect, useState } from "react";
import { Alert, Button, Group, NumberInput, Stack, Text, Title } from "@mantine/core";
import { commands, type NumberingYear } from "../bindings";
import { formatDateTime } from "../desks";
import { errorMessage } from "../errors";

/** Last year: what a clerk closes in the first days of January. */
function lastYear(): number {
  return new Date().getFullYear() - 1;
}

/**
 * Khóa sổ (year-end closing of the numbering) from Cài đặt: the registry closes the year —
 * no more numbers of it — and voids the unused numbers of this desktop's blocks; it refuses
 * while documents of that year still wait for their number.
 */
export function YearClosingSetting() {
  const [year, setYear] = useState<number>(lastYear);
  const [state, setState] = useState<NumberingYear | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setConfirming(false);
    setError(null);
    Promise.resolve()
      .then(() => commands.numberingYear(year))
      .then(
        (s) => live && setState(s),
        () => live && setState(null),
      );
    return () => {
      live = false;
    };
  }, [year]);

  const close = async () => {
    setError(null);
    try {
      setState(await commands.closeNumberingYear(year));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setConfirming(false);
    }
  };

  const closed = state?.year === year && state.closedAt !== null;
  return (
    <Stack gap="xs" data-testid="year-closing">
      <Title order={4}>Khóa sổ cuối năm</Title>
      <Group align="flex-end">
        <NumberInput
          label="Năm"
          value={year}
          onChange={(v) => typeof v === "number" && setYear(v)}
          min={2000}
          max={new Date().getFullYear()}
          allowDecimal={false}
          w={120}
          name="closingYear"
        />
        {!closed && !confirming && (
          <Button variant="light" color="red" onClick={() => setConfirming(true)}>
            Khóa sổ năm {year}
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed" data-testid="year-closing-status">
        {closed
          ? `Năm ${year} đã khóa sổ lúc ${formatDateTime(state.closedAt ?? "")}` +
            (state.voided.length > 0 ? `; số bỏ trống: ${state.voided.join(", ")}` : "")
          : `Năm ${year} chưa khóa sổ`}
      </Text>
      {confirming && (
        <Alert color="orange" title={`Khóa sổ năm ${year}?`} data-testid="year-closing-confirm">
          <Stack gap="xs">
            <Text size="sm">
              Sau khi khóa sổ, không cấp thêm số nào của năm {year}; các số chưa dùng trong khối số
              của máy này bị bỏ trống và được ghi vào nhật ký. Không thể mở lại.
            </Text>
            <Group>
              <Button color="red" onClick={() => void close()} data-testid="year-closing-do">
                Khóa sổ
              </Button>
              <Button variant="default" onClick={() => setConfirming(false)}>
                Thôi
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {error && (
        <Alert color="red" data-testid="year-closing-error">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
