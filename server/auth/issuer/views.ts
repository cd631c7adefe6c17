import { createElement as h, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

// The sign-in, consent and error pages. Rendered by React on the server, so every value from a
// request or a client registration (names, hosts, errors) is escaped by construction. No script.

const STYLE = `
*{box-sizing:border-box}body{margin:0;padding:0 12px;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#172b4d}
main{max-width:420px;margin:8vh auto;padding:28px 24px;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(9,30,66,.2);overflow-wrap:anywhere}
h1{font-size:1.35rem;margin:0 0 8px}p{margin:8px 0}.muted{color:#5e6c84;font-size:.92rem}
label{display:block;font-weight:600;margin:16px 0 4px}input{width:100%;padding:10px 12px;font:inherit;border:1px solid #c1c7d0;border-radius:8px}
input:focus{outline:2px solid #0c66e4;border-color:#0c66e4}
button{font:inherit;font-weight:600;padding:10px 16px;border-radius:8px;border:1px solid #0c66e4;background:#0c66e4;color:#fff;cursor:pointer;width:100%;margin-top:20px}
button.secondary{background:#fff;color:#0c66e4;margin-top:10px}
.error{background:#ffebe6;border:1px solid #ff8f73;color:#ae2e24;padding:10px 12px;border-radius:8px;margin:16px 0 0}
.warning{background:#fff7d6;border:1px solid #f5cd47;color:#172b4d;padding:10px 12px;border-radius:8px}
.unverified{font-weight:600;color:#ae2e24}
ul{padding-left:20px}li{margin:6px 0}code{background:#f1f2f4;padding:1px 4px;border-radius:4px}
@media (prefers-color-scheme:dark){body{background:#1d2125;color:#dee4ea}main{background:#22272b}.muted{color:#9fadbc}input{background:#1d2125;color:#dee4ea;border-color:#454f59}code{background:#2c333a}.unverified{color:#fd9891}button.secondary{background:#22272b;color:#579dff;border-color:#579dff}.warning{background:#533f04;border-color:#7f5f01;color:#f8e6a0}}
`;

function page(title: string, nonce: string, body: ReactNode): string {
  const markup = renderToStaticMarkup(
    h('html', { lang: 'en' },
      h('head', null,
        h('meta', { charSet: 'utf-8' }),
        h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
        h('title', null, `${title} · Kanban`),
        // STYLE is a constant of this file, never data; text children would have its quotes escaped.
        h('style', { nonce, dangerouslySetInnerHTML: { __html: STYLE } }),
      ),
      h('body', null, h('main', null, body)),
    ),
  );
  return `<!DOCTYPE html>${markup}`;
}

/** What the consent page says for each scope, in plain words. */
export const SCOPE_WORDS: Record<string, string> = {
  'kanban.read': 'See your boards and cards, including private ones',
  'kanban.write': 'Create, change, move and delete your boards and cards',
  openid: 'Know which account you signed in with',
  profile: 'See your display name',
  offline_access: 'Stay signed in while you are away',
};

/**
 * Who stands behind a client's name: the operator (a client of the server's configuration), the
 * host that serves its metadata document (CIMD: the client_id is an https URL there), or nobody
 * (dynamic registration: the app named itself, and anyone can register any name).
 */
export type NameSource = { by: 'operator' } | { by: 'metadata document'; host: string } | { by: 'registration' };

export interface ClientFacts {
  name: string;
  source: NameSource;
  redirectHost: string;
  /** A loopback redirect: anything running on that machine could receive the sign-in. */
  localhostOnly: boolean;
}

function clientLine(client: ClientFacts): ReactNode {
  return h('p', { className: 'muted' }, h('strong', null, client.name), ' (', h('code', null, client.redirectHost), ') wants to use your Kanban account.');
}

/** On the consent page, under the name: where it comes from, unless the operator vouches for it. */
function nameSourceLine(source: NameSource): ReactNode {
  if (source.by === 'metadata document') {
    return h('p', { key: 'from', className: 'muted' }, 'This app is identified by ', h('code', null, source.host), ', which publishes its name and addresses.');
  }
  if (source.by === 'registration') {
    return h('p', { key: 'from', className: 'muted' }, h('span', { className: 'unverified' }, 'Unverified name:'), ' the app chose it itself when it registered; nothing checks it.');
  }
  return null;
}

function field(label: string, name: string, type: string, extra: Record<string, unknown> = {}): ReactNode {
  const id = `field-${name}`;
  return [h('label', { key: `${name}-label`, htmlFor: id }, label), h('input', { key: name, id, name, type, required: true, ...extra })];
}

/** The top of the sign-in and sign-up pages: heading, who is asking, and the error if any. */
function formHeading(heading: string, client: ClientFacts, error: string | undefined): ReactNode[] {
  return [
    h('h1', { key: 'h' }, heading),
    h('div', { key: 'c' }, clientLine(client)),
    error ? h('p', { key: 'e', className: 'error', role: 'alert' }, error) : null,
  ];
}

function usernameField(value: string | undefined, autoFocus: boolean): ReactNode {
  return field('Username', 'username', 'text', { autoComplete: 'username', defaultValue: value ?? '', autoFocus, maxLength: 64 });
}

export function signInPage(props: { nonce: string; uid: string; client: ClientFacts; error?: string; username?: string; signupOpen: boolean }): string {
  const { uid, client } = props;
  return page('Sign in', props.nonce, [
    ...formHeading('Sign in to Kanban', client, props.error),
    h('form', { key: 'f', method: 'post', action: `/oauth/interaction/${uid}/login` },
      usernameField(props.username, !props.username),
      field('Password', 'password', 'password', { autoComplete: 'current-password', maxLength: 200, autoFocus: Boolean(props.username) }),
      h('button', { type: 'submit' }, 'Sign in'),
    ),
    props.signupOpen
      ? h('form', { key: 's', method: 'get', action: `/oauth/interaction/${uid}/signup` }, h('button', { type: 'submit', className: 'secondary' }, 'Create an account'))
      : h('p', { key: 's', className: 'muted' }, 'New accounts are created by the administrator of this server.'),
    h('form', { key: 'a', method: 'post', action: `/oauth/interaction/${uid}/abort` }, h('button', { type: 'submit', className: 'secondary' }, 'Cancel')),
  ]);
}

export function signUpPage(props: { nonce: string; uid: string; client: ClientFacts; error?: string; username?: string; displayName?: string }): string {
  const { uid, client } = props;
  return page('Create an account', props.nonce, [
    ...formHeading('Create a Kanban account', client, props.error),
    h('form', { key: 'f', method: 'post', action: `/oauth/interaction/${uid}/signup` },
      usernameField(props.username, true),
      field('Display name', 'displayName', 'text', { autoComplete: 'name', defaultValue: props.displayName ?? '', required: false, maxLength: 100 }),
      field('Password', 'password', 'password', { autoComplete: 'new-password', minLength: 10, maxLength: 200 }),
      h('p', { className: 'muted' }, 'At least 10 characters.'),
      h('button', { type: 'submit' }, 'Create account and continue'),
    ),
    h('form', { key: 'b', method: 'get', action: `/oauth/interaction/${uid}` }, h('button', { type: 'submit', className: 'secondary' }, 'I already have an account')),
  ]);
}

export function consentPage(props: { nonce: string; uid: string; client: ClientFacts; accountName: string; scopes: string[] }): string {
  const { uid, client } = props;
  return page('Allow access', props.nonce, [
    h('h1', { key: 'h' }, `Allow ${client.name} to use Kanban?`),
    nameSourceLine(client.source),
    h('p', { key: 'who', className: 'muted' }, 'Signed in as ', h('strong', null, props.accountName), '.'),
    h('p', { key: 'host' }, 'After you answer, you go back to ', h('code', null, client.redirectHost), '.'),
    client.localhostOnly
      ? h('p', { key: 'w', className: 'warning' }, 'This app sends you back to an address on this computer. Allow it only if you started the app yourself.')
      : null,
    h('p', { key: 'p' }, 'It will be able to:'),
    h('ul', { key: 'l' }, props.scopes.map((scope) => h('li', { key: scope }, SCOPE_WORDS[scope] ?? scope, ' ', h('code', null, scope)))),
    h('form', { key: 'f', method: 'post', action: `/oauth/interaction/${uid}/confirm` }, h('button', { type: 'submit', autoFocus: true }, 'Allow')),
    h('form', { key: 'a', method: 'post', action: `/oauth/interaction/${uid}/abort` }, h('button', { type: 'submit', className: 'secondary' }, 'Deny')),
  ]);
}

export function errorPage(props: { nonce: string; title: string; message: string }): string {
  return page(props.title, props.nonce, [h('h1', { key: 'h' }, props.title), h('p', { key: 'm' }, props.message)]);
}

/** Where an error would have gone: a link (query or fragment response mode), or a form (form_post). */
export type WayBack = { href: string } | { action: string; fields: Record<string, string> };

/**
 * An authorization error meant for a redirect URI this server does not send people to on its own
 * (error-redirects.ts): who asked, where it would go, and the way there as the person's choice.
 */
export function untrustedErrorPage(props: { nonce: string; client: Pick<ClientFacts, 'name' | 'redirectHost'>; message: string; back: WayBack }): string {
  const { client, back } = props;
  const label = ['Continue to ', h('code', { key: 'host' }, client.redirectHost)];
  return page('Sign-in could not continue', props.nonce, [
    h('h1', { key: 'h' }, 'Sign-in could not continue'),
    h('p', { key: 'm' }, props.message),
    h('p', { key: 'c', className: 'muted' }, h('strong', null, client.name), ' asked to be told at ', h('code', null, client.redirectHost), '. This server does not send you there on its own for an app it does not know.'),
    h('p', { key: 'w', className: 'warning' }, 'Continue only if you started signing in to this app yourself; otherwise close this page.'),
    'href' in back
      ? h('p', { key: 'b' }, h('a', { href: back.href, rel: 'noreferrer' }, ...label))
      : h('form', { key: 'b', method: 'post', action: back.action },
        Object.entries(back.fields).map(([name, value]) => h('input', { key: name, type: 'hidden', name, value })),
        h('button', { type: 'submit', className: 'secondary' }, ...label)),
  ]);
}
