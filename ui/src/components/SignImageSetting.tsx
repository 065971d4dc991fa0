import { useEffect, useState } from "react";
import { Alert, Button, Group, Image, Stack, Text, TextInput } from "@mantine/core";
import { commands, type PeopleOverview, type SignImageRow } from "../bindings";
import { errorMessage } from "../errors";

export interface SignImageSettingProps {
  /** "Ảnh chữ ký" or "Ảnh con dấu". */
  label: string;
  description: string;
  /** The image as set, or null. */
  image: SignImageRow | null;
  /** Whose signature; null for the unit's seal (what the preview shows). */
  personId: number | null;
  /** Sets the PNG at `path`, or removes the image with null; the registry checks both. */
  onSet: (path: string | null) => Promise<PeopleOverview>;
  onChanged: (data: PeopleOverview) => void;
  testId: string;
}

/**
 * One signature or seal image: a preview of the image as set, a PNG path to set it from (typed
 * or dropped), and removing it. Whether the PNG fits and who may set it are the registry's
 * rules; its refusal is shown as it comes.
 */
export function SignImageSetting(props: SignImageSettingProps) {
  const { label, description, image, personId, onSet, onChanged, testId } = props;
  const [path, setPath] = useState("");
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const key = image ? `${image.width}x${image.height}` : "";
  useEffect(() => {
    let live = true;
    if (!image) {
      setPreview(null);
      return;
    }
    Promise.resolve()
      .then(() => commands.signImagePreview(personId))
      .then(
        (url) => live && setPreview(url),
        () => live && setPreview(null),
      );
    return () => {
      live = false;
    };
    // The preview follows the image as set (its size stands for it) and whose it is.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [personId, key]);

  const run = async (p: string | null) => {
    setError(null);
    setBusy(true);
    try {
      onChanged(await onSet(p));
      setPath("");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap={4} data-testid={testId}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <Text size="xs" c="dimmed">
        {description}
      </Text>
      <Group align="center">
        {image ? (
          <>
            {preview && (
              <Image src={preview} alt={label} h={60} w="auto" fit="contain" bg="gray.1" />
            )}
            <Text size="sm" data-testid={`${testId}-state`}>
              Đã có ({image.width}×{image.height} điểm ảnh)
            </Text>
          </>
        ) : (
          <Text size="sm" c="dimmed" data-testid={`${testId}-state`}>
            Chưa có
          </Text>
        )}
      </Group>
      <Group align="flex-end" gap="xs">
        <TextInput
          style={{ flex: 1 }}
          size="xs"
          placeholder="Đường dẫn tệp PNG, ví dụ /home/vanthu/chu-ky.png"
          value={path}
          onChange={(e) => setPath(e.currentTarget.value)}
          aria-label={`Tệp ${label.toLowerCase()}`}
          name={`${testId}-path`}
        />
        <Button
          size="xs"
          variant="light"
          disabled={!path.trim() || busy}
          onClick={() => void run(path.trim())}
          data-testid={`${testId}-set`}
        >
          Đặt ảnh
        </Button>
        {image && (
          <Button
            size="xs"
            variant="subtle"
            color="red"
            disabled={busy}
            onClick={() => void run(null)}
            data-testid={`${testId}-remove`}
          >
            Xóa ảnh
          </Button>
        )}
      </Group>
      {error && (
        <Alert color="red" data-testid={`${testId}-error`}>
          {error}
        </Alert>
      )}
    </Stack>
  );
}
