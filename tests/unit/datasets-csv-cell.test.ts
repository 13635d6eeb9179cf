import { describe, expect, it } from "vitest";
import { csvCell, neutralizeFormula } from "@/lib/datasets";

describe("CSV cells a spreadsheet will not run", () => {
  it("prefixes formula starts with a single quote", () => {
    for (const v of ["=1+1", "+cmd", "-2-cmd", "@SUM(A1)", "\tx", "\rx", "=", "-", "+"]) expect(neutralizeFormula(v)).toBe(`'${v}`);
  });

  it("leaves plain numbers and ordinary text alone", () => {
    for (const v of ["-0.2", "+3", "-1e-5", "-.5", "1.", "abc", "", "a=b", "'=x"]) expect(neutralizeFormula(v)).toBe(v);
  });

  it("quotes after neutralizing", () => {
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell("\rx")).toBe(`"'\rx"`);
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell(" x")).toBe('" x"');
    expect(csvCell("-0.2")).toBe("-0.2");
  });
});
