import { useState } from 'preact/hooks';
import type { ApiError } from './api';
import { highlight } from './highlight';
import { href } from './route';

/** A failure in the API's own words: its message, with its status and error_code. */
export function ErrorBox({ error }: { error?: ApiError }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <strong>{error.status === 0 ? 'Network error' : `HTTP ${error.status}${error.errorCode !== undefined ? ` · error_code ${error.errorCode}` : ''}`}</strong>
      <span> {error.message}</span>
    </div>
  );
}

/** The trail above a screen about one subject: the subject list, then the subject. */
export function SubjectCrumbs({ subject }: { subject: string }) {
  return (
    <p class="crumbs">
      <a href={href()}>Subjects</a> / <a href={href('subjects', subject)}>{subject}</a> /
    </p>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p class="muted" aria-live="polite">Loading…</p> : null;
}

/** Highlighted source with a copy button. */
export function CodeBlock({ text, schemaType, label }: { text: string; schemaType?: string; label: string }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied');
    } catch {
      setCopied('Copy failed: select the text instead');
    }
    setTimeout(() => setCopied(undefined), 2000);
  };
  return (
    <div class="code">
      <div class="code-bar">
        <button type="button" onClick={copy}>
          Copy
        </button>
        <span class="muted" aria-live="polite">
          {copied}
        </span>
      </div>
      <pre tabIndex={0} aria-label={label}>
        <code>
          {highlight(text, schemaType).map((t, i) => (t.kind === 'plain' ? t.text : <span key={i} class={`t-${t.kind}`}>{t.text}</span>))}
        </code>
      </pre>
    </div>
  );
}
