import Link from "next/link";
import type { ServerAction } from "@/components/ui/action-result";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";
import { AcknowledgeButton } from "./buttons";

export interface AlertRow {
  id: string;
  model: string | null;
  kind: string;
  severity: string;
  message: string;
  created_at: string;
  acknowledged_at: string | null;
}

const TONE: Record<string, BadgeTone> = { error: "red", warning: "amber", info: "blue" };

export function AlertsTable({ alerts, canEdit, acknowledge, showModel = true }: { alerts: AlertRow[]; canEdit: boolean; acknowledge: ServerAction<{ id: string }>; showModel?: boolean }) {
  return (
    <Table caption="Alerts">
      <THead>
        <Th>When</Th>
        {showModel && <Th>Model</Th>}
        <Th>Kind</Th>
        <Th>Message</Th>
        <Th>Status</Th>
      </THead>
      <TBody>
        {alerts.map((a) => (
          <Tr key={a.id} data-testid="alert-row">
            <Td className="whitespace-nowrap text-xs">
              <LocalTime value={a.created_at} />
            </Td>
            {showModel && (
              <Td className="font-medium">
                {a.model ? (
                  <Link className="link" href={`/drift/${encodeURIComponent(a.model)}`}>
                    {a.model}
                  </Link>
                ) : (
                  "–"
                )}
              </Td>
            )}
            <Td>
              <Badge tone={TONE[a.severity] ?? "gray"}>{a.kind}</Badge>
            </Td>
            <Td className="text-sm">{a.message}</Td>
            <Td>
              {a.acknowledged_at ? (
                <span className="text-xs text-zinc-500 dark:text-zinc-400">
                  acknowledged <LocalTime value={a.acknowledged_at} seconds={false} />
                </span>
              ) : (
                <AcknowledgeButton id={a.id} canEdit={canEdit} acknowledge={acknowledge} />
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
