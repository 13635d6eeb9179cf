import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { CreateUserForm } from "@/components/settings/create-user-form";
import { UserTable } from "@/components/settings/user-table";
import { Forbidden } from "@/components/ui/forbidden";
import { PageHeader } from "@/components/ui/page-header";
import { listUsers, ROLES } from "@/lib/auth";
import { createUserAction, setUserDisabledAction, setUserRoleAction } from "../actions";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const actor = await requirePageActor();
  const header = (
    <PageHeader
      title="Users"
      description={
        <>
          <Link href="/settings" className="link">Settings</Link> / People who can sign in, and what their role lets them do.
        </>
      }
    />
  );
  // Checked here, on the server: the list is never sent to a non-admin.
  if (!can(actor, "admin")) {
    return (
      <>
        {header}
        <Forbidden title="Only admins can manage users">
          You are signed in as {actor.label} with the {actor.role} role. Ask an admin to change roles or add people.
        </Forbidden>
      </>
    );
  }
  const users = await listUsers(actor);
  return (
    <>
      {header}
      <div className="space-y-6">
        <UserTable
          users={users}
          roles={ROLES}
          currentUserId={actor.userId}
          setRole={setUserRoleAction}
          setDisabled={setUserDisabledAction}
        />
        <CreateUserForm roles={ROLES} createUser={createUserAction} />
      </div>
    </>
  );
}
