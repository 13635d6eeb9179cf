#!/usr/bin/env node
// Entry point of `npx mlops`: runs the TypeScript CLI through tsx's loader.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// The project's tsconfig (its "@/…" paths), wherever the command is run from.
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("../cli/main.ts");
