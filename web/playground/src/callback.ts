import { SIGN_IN_CHANNEL } from './sign-in.ts';

// The sign-in popup lands here with the authorization response (code, state, iss, or an error).
// It hands the response to the playground over a same-origin BroadcastChannel (window.opener may be
// gone after the issuer's pages) and closes. The playground checks state and iss, then exchanges.

const response = Object.fromEntries(new URLSearchParams(location.search));
// The code is in this page's address: take it out of history before anything else runs.
history.replaceState(null, '', location.pathname);
const channel = new BroadcastChannel(SIGN_IN_CHANNEL);
channel.postMessage(response);
channel.close();
document.getElementById('status')!.textContent = response.error ? `Sign-in did not finish: ${response.error_description ?? response.error}. You can close this window.` : 'Signed in. You can close this window.';
window.close();
