import { requirePageActor } from "@/app/_server/actor";

export default async function Home() {
  const actor = await requirePageActor();
  return <main className="p-8">Signed in as {actor.label}</main>;
}
