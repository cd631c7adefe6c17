import type { ReactNode } from 'react';

// Card text is the user's own: React renders it as text, and only plain https addresses become
// links. `javascript:`, `data:` and every other scheme stay words on the page.
const HTTPS_URL = /https:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

export function LinkedText({ text, onOpenLink }: { text: string; onOpenLink(url: string): void }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(HTTPS_URL)) {
    const url = safeHttpsUrl(match[0]);
    if (!url) continue;
    parts.push(text.slice(last, match.index));
    parts.push(
      <a
        key={match.index}
        href={url}
        target="_blank"
        rel="noopener noreferrer"
        onClick={(event) => {
          // The sandbox may forbid popups: the host opens the link (after asking the person).
          event.preventDefault();
          onOpenLink(url);
        }}
      >
        {match[0]}
      </a>,
    );
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

/** The URL, normalised, if it parses and really is https; otherwise undefined. */
function safeHttpsUrl(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
