import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "dapper", "eager", "fancy", "gentle", "glad",
  "golden", "happy", "hidden", "jolly", "keen", "kind", "lively", "lucky", "mellow", "merry", "misty", "nimble",
  "noble", "polite", "proud", "quick", "quiet", "rapid", "shiny", "silent", "silver", "smooth", "sunny", "swift",
  "tidy", "vivid", "warm", "wise", "witty", "zesty",
];
const NOUNS = [
  "ant", "badger", "bat", "bear", "bee", "bison", "cat", "colt", "crane", "crow", "deer", "dove", "eagle", "eel",
  "elk", "finch", "fox", "frog", "gull", "hare", "hawk", "heron", "horse", "jay", "koala", "lark", "lion", "lynx",
  "mole", "moth", "newt", "otter", "owl", "panda", "quail", "ram", "robin", "seal", "shrew", "snail", "swan",
  "tiger", "toad", "trout", "vole", "wasp", "whale", "wolf", "wren", "yak",
];

/** A readable run name such as "bright-owl-42", for runs created without one. */
export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
