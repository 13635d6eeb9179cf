import { InMemoryStorage } from "@/lib/hpo";
import { describeHpoStorage } from "../support/hpo-storage-suite";

describeHpoStorage("in-memory", () => new InMemoryStorage());
