import { useEffect, useState } from "react";
import { Stack, Table, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { commands, type Agency } from "../bindings";

export function AgenciesPage() {
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query, 80);
  const [agencies, setAgencies] = useState<Agency[]>([]);

  useEffect(() => {
    let live = true;
    commands.searchAgencies(debounced, 500).then(
      (a) => live && setAgencies(a),
      () => live && setAgencies([]),
    );
    return () => {
      live = false;
    };
  }, [debounced]);

  return (
    <Stack>
      <Title order={2}>Danh bạ cơ quan</Title>
      <TextInput
        placeholder="Tìm theo tên hoặc mã định danh"
        aria-label="Tìm cơ quan"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
      />
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={180}>Mã định danh</Table.Th>
            <Table.Th>Tên cơ quan</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {agencies.map((a) => (
            <Table.Tr key={a.code}>
              <Table.Td>{a.code}</Table.Td>
              <Table.Td>{a.name}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
