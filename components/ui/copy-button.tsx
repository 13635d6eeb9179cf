"use client";

import { useState } from "react";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const [failed, setFailed] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setFailed(false);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard access needs a secure context (https or localhost); the text stays selectable.
      setFailed(true);
    }
  }

  return (
    <button type="button" onClick={copy} className="btn-secondary shrink-0" aria-live="polite">
      {copied ? "Copied" : failed ? "Select and copy" : label}
    </button>
  );
}
