import { useEffect, useState } from "react";
import { Stack, Title } from "@mantine/core";
import { commands, type PeopleOverview } from "../bindings";
import { SignImageSetting } from "./SignImageSetting";

/**
 * "Đơn vị": the unit's seal image (ảnh con dấu), drawn by every organisation signature of the
 * Chờ ký flow. The văn thư sets it (checked by the registry).
 */
export function UnitSealSetting() {
  const [data, setData] = useState<PeopleOverview | null>(null);

  useEffect(() => {
    Promise.resolve()
      .then(() => commands.peopleOverview())
      .then(setData, () => setData(null));
  }, []);

  return (
    <Stack gap="xs" data-testid="unit-settings">
      <Title order={3}>Đơn vị</Title>
      <SignImageSetting
        label="Ảnh con dấu"
        description="Con dấu màu đỏ, tệp PNG nền trong suốt, đúng kích thước thật; hiện ở chữ ký số của cơ quan, đè lên khoảng một phần ba bên trái chữ ký của lãnh đạo."
        image={data?.seal ?? null}
        personId={null}
        onSet={(path) => commands.setSealImage(path)}
        onChanged={setData}
        testId="seal-image"
      />
    </Stack>
  );
}
