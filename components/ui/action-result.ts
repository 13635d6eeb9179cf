/** What a server action built with app/_server/action.ts resolves to; components get actions as props. */
export type ActionOutcome<T = unknown> = { ok: true; data: T } | { ok: false; error: string; code: string };

export type ServerAction<I, T = unknown> = (input: I) => Promise<ActionOutcome<T>>;
