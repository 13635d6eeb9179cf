"use client";

import { useState, useTransition } from "react";
import type { Role, UserInfo } from "@/lib/auth";
import type { ServerAction } from "@/components/ui/action-result";
import { Badge } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { LocalTime } from "@/components/ui/time";

type SetRole = ServerAction<{ id: string; role: Role }, { id: string; role: Role }>;
type SetDisabled = ServerAction<{ id: string; disabled: boolean }, { id: string; disabled: boolean }>;

export function UserTable({
  users,
  roles,
  currentUserId,
  setRole,
  setDisabled,
}: {
  users: UserInfo[];
  roles: readonly Role[];
  currentUserId: string | null;
  setRole: SetRole;
  setDisabled: SetDisabled;
}) {
  return (
    <Table caption="Users">
      <THead>
        <Th>Email</Th>
        <Th>Name</Th>
        <Th>Role</Th>
        <Th>Status</Th>
        <Th>Created</Th>
        <Th>Last sign-in</Th>
        <Th>
          <span className="sr-only">Actions</span>
        </Th>
      </THead>
      <TBody>
        {users.map((u) => (
          // Keyed on the saved values so a refresh from the server resets the row's local state.
          <UserRow
            key={`${u.id}:${u.role}:${u.disabled}`}
            user={u}
            roles={roles}
            isSelf={u.id === currentUserId}
            setRole={setRole}
            setDisabled={setDisabled}
          />
        ))}
      </TBody>
    </Table>
  );
}

function UserRow({
  user,
  roles,
  isSelf,
  setRole,
  setDisabled,
}: {
  user: UserInfo;
  roles: readonly Role[];
  isSelf: boolean;
  setRole: SetRole;
  setDisabled: SetDisabled;
}) {
  const [role, setRoleValue] = useState<Role>(user.role);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function changeRole(next: Role) {
    setRoleValue(next);
    setError(null);
    startTransition(async () => {
      const res = await setRole({ id: user.id, role: next });
      if (!res.ok) {
        setRoleValue(user.role);
        setError(res.error);
      }
    });
  }

  function toggleDisabled() {
    setError(null);
    startTransition(async () => {
      const res = await setDisabled({ id: user.id, disabled: !user.disabled });
      if (!res.ok) setError(res.error);
    });
  }

  return (
    <Tr data-testid="user-row" data-email={user.email}>
      <Td className="font-medium">
        <span className="break-all">{user.email}</span>
        {isSelf && <span className="ml-2 text-xs font-normal text-zinc-500 dark:text-zinc-400">(you)</span>}
        {error && (
          <p role="alert" className="mt-1 max-w-md text-xs font-normal text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </Td>
      <Td>{user.name ?? <span className="text-zinc-400 dark:text-zinc-500">–</span>}</Td>
      <Td>
        <select
          aria-label={`Role of ${user.email}`}
          value={role}
          disabled={pending}
          onChange={(e) => changeRole(e.target.value as Role)}
          className="input w-28 py-1"
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Td>
      <Td>{user.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}</Td>
      <Td><LocalTime value={user.createdAt} seconds={false} /></Td>
      <Td><LocalTime value={user.lastLoginAt} empty="never" seconds={false} /></Td>
      <Td align="right">
        <button
          type="button"
          onClick={toggleDisabled}
          disabled={pending}
          className={user.disabled ? "btn-secondary px-2.5 py-1 text-xs" : "btn-secondary px-2.5 py-1 text-xs text-red-700 dark:text-red-400"}
        >
          {user.disabled ? "Enable" : "Disable"}
        </button>
      </Td>
    </Tr>
  );
}
