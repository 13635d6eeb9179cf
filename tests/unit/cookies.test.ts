import { describe, expect, it } from "vitest";
import { parseCookies } from "@/lib/auth";
import { sessionToken } from "@/lib/auth/session";

describe("parseCookies", () => {
  it("reads name=value pairs separated by semicolons, trimming spaces", () => {
    const c = parseCookies("a=1; b=two ;  theme=dark");
    expect([...c.entries()]).toEqual([
      ["a", "1"],
      ["b", "two"],
      ["theme", "dark"],
    ]);
  });

  it("is empty for a missing header", () => {
    expect(parseCookies(null).size).toBe(0);
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies("").size).toBe(0);
  });

  it("keeps '=' inside values (JWTs, base64 padding)", () => {
    expect(parseCookies("t=abc==.def=").get("t")).toBe("abc==.def=");
  });

  it("URL-decodes values and keeps a value that is not valid percent-encoding as it is", () => {
    const c = parseCookies("next=%2Fruns%3Fid%3D1; bad=%E0%A4%A");
    expect(c.get("next")).toBe("/runs?id=1");
    expect(c.get("bad")).toBe("%E0%A4%A");
  });

  it("skips parts without '='", () => {
    const c = parseCookies("flag; a=1");
    expect(c.has("flag")).toBe(false);
    expect(c.get("a")).toBe("1");
  });
});

describe("sessionToken", () => {
  it("finds next-auth's session cookie, the secure name first", () => {
    expect(sessionToken(parseCookies("next-auth.session-token=plain"))).toBe("plain");
    expect(sessionToken(parseCookies("next-auth.session-token=plain; __Secure-next-auth.session-token=secure"))).toBe(
      "secure",
    );
  });

  it("joins the chunks next-auth writes for a large token, in index order", () => {
    const header = "next-auth.session-token.1=BBB; other=x; next-auth.session-token.0=AAA; next-auth.session-token.2=CC";
    expect(sessionToken(parseCookies(header))).toBe("AAABBBCC");
  });

  it("stops at the first missing chunk index", () => {
    expect(sessionToken(parseCookies("next-auth.session-token.0=AAA; next-auth.session-token.2=CC"))).toBe("AAA");
  });

  it("is null without a session cookie", () => {
    expect(sessionToken(parseCookies("csrf=1; next-auth.callback-url=%2F"))).toBeNull();
    expect(sessionToken(parseCookies("next-auth.session-token.1=orphan"))).toBeNull();
  });
});
