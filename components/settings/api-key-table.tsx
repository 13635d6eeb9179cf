"use client";

import { useState, useTransition } from "react";
import type { ApiKeyInfo } from "@/lib/auth";
import type { ServerAction } from "@/components/ui/action-result";
import { Badge, RoleBadge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";

type Revoke = ServerAction<{ id: string }, { id: string }>;

export function ApiKeyTable({ keys, revokeKey }: { keys: ApiKeyInfo[]; revokeKey: Revoke }) {
  if (keys.length === 0) {
    return (
      <EmptyState title="No API keys yet">
        <p>Create a key above for each script or service, with the smallest role it needs, so you can revoke it alone.</p>
      </EmptyState>
    );
  }
  return (
    <Table caption="API keys">
      <THead>
        <Th>Name</Th>
        <Th>Prefix</Th>
        <Th>Role</Th>
        <Th>Created by</Th>
        <Th>Created</Th>
        <Th>Last used</Th>
        <Th>Status</Th>
        <Th>
          <span className="sr-only">Actions</span>
        </Th>
      </THead>
      <TBody>
        {keys.map((k) => (
          <KeyRow key={`${k.id}:${k.revokedAt ?? ""}`} apiKey={k} revokeKey={revokeKey} />
        ))}
      </TBody>
    </Table>
  );
}

function KeyRow({ apiKey: k, revokeKey }: { apiKey: ApiKeyInfo; revokeKey: Revoke }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function revoke() {
    if (!window.confirm(`Revoke the API key "${k.name}"? Anything using it stops working at once.`)) return;
    setError(null);
    startTransition(async () => {
      const res = await revokeKey({ id: k.id });
      if (!res.ok) setError(res.error);
    });
  }

  return (
    <Tr data-testid="api-key-row" data-name={k.name} className={k.revokedAt ? "opacity-60" : undefined}>
      <Td className="font-medium">
        <span className="whitespace-nowrap">{k.name}</span>
        {error && (
          <p role="alert" className="mt-1 text-xs font-normal text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </Td>
      <Td className="whitespace-nowrap font-mono text-xs">{k.prefix}…</Td>
      <Td><RoleBadge role={k.role} /></Td>
      <Td className="whitespace-nowrap">{k.createdBy ?? <span className="text-zinc-400 dark:text-zinc-500">CLI</span>}</Td>
      <Td><LocalTime value={k.createdAt} seconds={false} /></Td>
      <Td><LocalTime value={k.lastUsedAt} empty="never" seconds={false} /></Td>
      <Td>
        {k.revokedAt ? (
          <span title={`Revoked ${k.revokedAt}`}><Badge tone="red">revoked</Badge></span>
        ) : (
          <Badge tone="green">active</Badge>
        )}
      </Td>
      <Td align="right">
        {!k.revokedAt && (
          <button type="button" onClick={revoke} disabled={pending} className="btn-secondary px-2.5 py-1 text-xs text-red-700 dark:text-red-400">
            {pending ? "Revoking…" : "Revoke"}
          </button>
        )}
      </Td>
    </Tr>
  );
}
