import { DbStorage } from "@/lib/hpo";
import { describeHpoStorage } from "../support/hpo-storage-suite";

describeHpoStorage("database", () => new DbStorage());
