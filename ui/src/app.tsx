/**
 * The page: which registry it talks to (the gateway's `config.json` says the default; the user
 * may name another), the caller's credentials (asked for when the API answers 401, kept for
 * the tab's life only), who the caller is (`/prism/v1/whoami`), the screens, and the live
 * "recent changes" panel.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, basicAuthorization, createApi, type Whoami } from './api';
import { followChanges, type Change, type FeedState } from './changes';
import { CompatScreen } from './compat';
import { DiffScreen } from './diff';
import { href, useRoute } from './route';
import { SchemaScreen } from './schema';
import { Session, type SessionValue } from './session';
import { SubjectScreen } from './subject';
import { SubjectsScreen } from './subjects';

const API_URL_KEY = 'prism.apiUrl';
const authKey = (base: string) => `prism.auth:${base}`;
const RECENT = 50;

export function App() {
  const [defaultUrl, setDefaultUrl] = useState<string>();
  const [apiUrl, setApiUrl] = useState<string | undefined>(() => localStorage.getItem(API_URL_KEY) ?? undefined);
  useEffect(() => {
    fetch('./config.json', { cache: 'no-store' })
      .then((r): Promise<{ apiUrl?: string }> | { apiUrl?: string } => (r.ok ? r.json() : {}))
      .catch((): { apiUrl?: string } => ({}))
      .then((c) => setDefaultUrl(c.apiUrl ?? '/'));
  }, []);
  const url = apiUrl ?? defaultUrl;
  return url === undefined ? null : <Registry key={url} url={url} isDefault={apiUrl === undefined} setUrl={(u) => (u ? localStorage.setItem(API_URL_KEY, u) : localStorage.removeItem(API_URL_KEY), setApiUrl(u))} />;
}

function Registry({ url, isDefault, setUrl }: { url: string; isDefault: boolean; setUrl: (url: string | undefined) => void }) {
  const base = useMemo(() => createApi(url).base, [url]);
  const [authorization, setAuthorization] = useState<string | undefined>(() => sessionStorage.getItem(authKey(base)) ?? undefined);
  const api = useMemo(() => createApi(url, authorization), [url, authorization]);
  const [whoami, setWhoami] = useState<Whoami>();
  const [login, setLogin] = useState<string>();
  const [changes, setChanges] = useState<Change[]>([]);
  const [feed, setFeed] = useState<{ state: FeedState; detail?: string }>({ state: 'connecting' });
  const [version, setVersion] = useState(0);

  const unauthorized = useCallback((message: string) => setLogin(message), []);
  useEffect(() => {
    setWhoami(undefined);
    api.get<Whoami>('/prism/v1/whoami').then(
      (w) => {
        setWhoami(w);
        setLogin(undefined);
      },
      (err: unknown) => {
        // A registry without Prism's extension answers 404: the caller is then unknown.
        if (err instanceof ApiError && err.status === 401) setLogin(err.message);
      },
    );
  }, [api]);
  useEffect(() => {
    if (login !== undefined) return;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const stop = followChanges(api, {
      change(change) {
        setChanges((list) => [change, ...list].slice(0, RECENT));
        // Screens refresh once a burst of changes has passed.
        clearTimeout(pending);
        pending = setTimeout(() => setVersion((v) => v + 1), 300);
      },
      state: (state, detail) => setFeed({ state, detail }),
    });
    return () => {
      clearTimeout(pending);
      stop();
    };
  }, [api, login]);

  const signIn = (value: string | undefined) => {
    if (value) sessionStorage.setItem(authKey(base), value);
    else sessionStorage.removeItem(authKey(base));
    // Wrong credentials bring the form back: whoami (or the next call) answers 401 again.
    setLogin(undefined);
    setAuthorization(value);
  };
  const session: SessionValue = useMemo(() => ({ api, whoami, unauthorized, changes: version }), [api, whoami, unauthorized, version]);

  return (
    <Session.Provider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href()}>
          Prism schema registry
        </a>
        <RegistryPicker url={url} base={base} isDefault={isDefault} setUrl={setUrl} />
        <span class="who" data-testid="whoami">
          {whoami ? `${whoami.principal}${whoami.role ? ` · ${whoami.role}` : ''}` : ''}
        </span>
        {authorization && (
          <button type="button" onClick={() => signIn(undefined)}>
            Sign out
          </button>
        )}
      </header>
      <div class="layout">
        <main id="main" tabIndex={-1}>
          {login !== undefined ? <Login message={login} hadCredentials={authorization !== undefined} onSubmit={signIn} /> : <Screen />}
        </main>
        <aside class="changes" aria-labelledby="changes-title">
          <h2 id="changes-title">Recent changes</h2>
          <p class="muted" data-testid="feed-state">
            {feedLabel(feed.state)}
            {feed.detail ? `: ${feed.detail}` : ''}
          </p>
          <ol aria-live="polite" data-testid="changes">
            {changes.map((c, i) => (
              <li key={c.sequence ?? `${c.time}-${i}`}>
                <time dateTime={c.time}>{new Date(c.time).toLocaleTimeString()}</time> <span class="kind">{c.kind.replace(/_/g, ' ').toLowerCase()}</span>{' '}
                {c.subject && <a href={c.version !== undefined && c.kind === 'SCHEMA_REGISTERED' ? href('subjects', c.subject, 'versions', c.version) : href('subjects', c.subject)}>{c.subject}</a>}
                {c.version !== undefined && ` v${c.version}`}
                {c.id !== undefined && <span class="muted"> id {c.id}</span>}
              </li>
            ))}
          </ol>
          {changes.length === 0 && <p class="muted">Nothing yet.</p>}
        </aside>
      </div>
    </Session.Provider>
  );
}

function feedLabel(state: FeedState): string {
  return { connecting: 'Connecting to the change feed…', live: 'Live (change feed)', polling: 'Polling the subject list (this registry has no change feed)', failed: 'Change feed unavailable' }[state];
}

function Screen() {
  const { parts, query } = useRoute();
  const route = { parts, query };
  // Each screen takes the keyboard focus's place at the top when it changes.
  useEffect(() => {
    if (parts.length > 0) document.getElementById('main')?.focus({ preventScroll: true });
  }, [parts.join('/')]);
  if (parts[0] === 'subjects' && parts[1] !== undefined) {
    const subject = parts[1];
    if (parts[2] === 'versions' && parts[3] !== undefined) return <SchemaScreen subject={subject} version={parts[3]} />;
    if (parts[2] === 'diff') return <DiffScreen subject={subject} route={route} />;
    if (parts[2] === 'compatibility') return <CompatScreen subject={subject} />;
    return <SubjectScreen subject={subject} />;
  }
  return <SubjectsScreen route={route} />;
}

function Login({ message, hadCredentials, onSubmit }: { message: string; hadCredentials: boolean; onSubmit: (authorization: string) => void }) {
  const [scheme, setScheme] = useState<'basic' | 'bearer'>('basic');
  return (
    <section aria-labelledby="login-title" class="login">
      <h1 id="login-title">Sign in</h1>
      <div class="error" role="alert">
        <strong>{hadCredentials ? 'The registry refused these credentials' : 'The registry asks for credentials'}</strong>
        <span> {message}</span>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          onSubmit(scheme === 'basic' ? basicAuthorization(String(f.get('user')), String(f.get('password'))) : `Bearer ${String(f.get('token')).trim()}`);
        }}
      >
        <fieldset>
          <legend>With</legend>
          <label class="check">
            <input type="radio" name="scheme" checked={scheme === 'basic'} onChange={() => setScheme('basic')} /> user and password
          </label>
          <label class="check">
            <input type="radio" name="scheme" checked={scheme === 'bearer'} onChange={() => setScheme('bearer')} /> token
          </label>
        </fieldset>
        {scheme === 'basic' ? (
          <>
            <label class="block">
              User
              <input name="user" autoComplete="username" required />
            </label>
            <label class="block">
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        ) : (
          <label class="block">
            Bearer token
            <textarea name="token" rows={4} required spellcheck={false} />
          </label>
        )}
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}

function RegistryPicker({ url, base, isDefault, setUrl }: { url: string; base: string; isDefault: boolean; setUrl: (url: string | undefined) => void }) {
  return (
    <details class="registry">
      <summary>
        Registry: <span data-testid="registry-url">{base}</span>
      </summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const value = String(new FormData(e.currentTarget).get('url')).trim();
          setUrl(value === '' ? undefined : value);
        }}
      >
        <label class="block">
          Registry URL (another origin must allow this page in its CORS settings)
          <input name="url" type="text" inputMode="url" defaultValue={isDefault ? '' : url} placeholder={base} spellcheck={false} />
        </label>
        <button type="submit">Open</button>{' '}
        {!isDefault && (
          <button type="button" onClick={() => setUrl(undefined)}>
            Back to this gateway's registry
          </button>
        )}
      </form>
    </details>
  );
}
