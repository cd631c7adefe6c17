// Headers for every HTML page of the issuer: no script at all, our own nonce-bound style, no
// framing (clickjacking), no MIME sniffing, no Referer leaking codes or state. No form-action:
// some browsers apply it to the redirect after consent, which goes to the client.
export function securityHeaders(styleNonce: string): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${styleNonce}'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
