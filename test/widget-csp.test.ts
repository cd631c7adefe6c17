import { describe, expect, it } from 'vitest';
import { widgetCsp, withCsp } from '../web/playground/src/widget-csp.ts';

// The policy the playground and the widget tests' host put on a widget, written out in full here:
// the browser tests enforce whatever widgetCsp returns, so a looser one must fail this file.

describe('the CSP a host puts on a widget', () => {
  it('is the MCP Apps default when the resource declares nothing: inline only, no network, no frames', () => {
    expect(widgetCsp(undefined)).toBe(
      "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; media-src 'self' data:; connect-src 'none'; frame-src 'none'; base-uri 'self'",
    );
    expect(widgetCsp({ connectDomains: [], resourceDomains: [] })).toBe(widgetCsp(undefined));
  });

  it('adds each declared list where MCP Apps maps it, and the dev server for the live widget', () => {
    const policy = widgetCsp({ connectDomains: ['https://api.example'], resourceDomains: ['https://cdn.example'], frameDomains: ['https://video.example'], baseUriDomains: ['https://base.example'] });
    expect(policy).toContain("script-src 'self' 'unsafe-inline' https://cdn.example;");
    expect(policy).toContain("img-src 'self' data: https://cdn.example;");
    expect(policy).toContain('connect-src https://api.example;');
    expect(policy).toContain('frame-src https://video.example;');
    expect(policy).toMatch(/base-uri https:\/\/base\.example$/);
    const live = widgetCsp(undefined, 'http://localhost:3000');
    expect(live).toContain("script-src 'self' 'unsafe-inline' http://localhost:3000;");
    expect(live).toContain('connect-src http://localhost:3000 ws://localhost:3000;');
  });

  it('goes first in <head> (not <header>), before anything the host injects', () => {
    expect(withCsp('<html><head><title>W</title></head><body><header>h</header></body></html>', "default-src 'none'", '<script>x</script>')).toBe(
      `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><script>x</script><title>W</title></head><body><header>h</header></body></html>`,
    );
    expect(withCsp('<body><header>h</header></body>', "default-src 'none'")).toBe(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'"><body><header>h</header></body>`);
  });
});
