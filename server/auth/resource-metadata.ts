import { buildOAuthProtectedResourceMetadata, getOAuthProtectedResourceMetadataUrl, type OAuthMetadata } from '@modelcontextprotocol/server';
import cors from 'cors';
import express, { type Router } from 'express';
import type { AppConfig } from '../config.ts';
import { ALL_SCOPES } from '../scopes.ts';

// RFC 9728 protected-resource metadata: how a client learns which authorization server signs
// tokens for our MCP endpoint. `resource` is the canonical URL, byte for byte what clients use.

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export function resourceMetadataUrl(config: AppConfig): string {
  return getOAuthProtectedResourceMetadataUrl(new URL(config.resourceUrl));
}

export function protectedResourceMetadata(config: AppConfig, issuer: string) {
  const document = buildOAuthProtectedResourceMetadata({
    // The SDK reads only the issuer of the authorization server's metadata.
    oauthMetadata: { issuer } as OAuthMetadata,
    resourceServerUrl: new URL(config.resourceUrl),
    scopesSupported: [...ALL_SCOPES],
    resourceName: 'Kanban',
    // config.ts already refuses a plain-http issuer anywhere but on this machine.
    dangerouslyAllowInsecureIssuerUrl: new URL(issuer).protocol === 'http:',
  });
  // The SDK's document leaves out how tokens may be sent: only in the header (the spec forbids URLs).
  // The privacy policy and the support page, where configured: RFC 9728's fields for the resource's
  // data-use policy and its human-readable documentation.
  return {
    ...document,
    bearer_methods_supported: ['header'],
    ...(config.privacyPolicyUrl === undefined ? {} : { resource_policy_uri: config.privacyPolicyUrl }),
    ...(config.supportUrl === undefined ? {} : { resource_documentation: config.supportUrl }),
  };
}

/** Served at the root and at the path-suffixed location (RFC 9728 §3.1), to any origin. */
export function resourceMetadataRouter(config: AppConfig, issuer: string): Router {
  const document = protectedResourceMetadata(config, issuer);
  const router = express.Router();
  for (const path of [WELL_KNOWN, `${WELL_KNOWN}/mcp`]) {
    router.options(path, cors({ methods: ['GET'] }));
    router.get(path, cors({ methods: ['GET'] }), (_req, res) => {
      res.set('Cache-Control', 'public, max-age=300').json(document);
    });
    router.all(path, (_req, res) => {
      res.status(405).set('Allow', 'GET').json({ error: 'method_not_allowed', error_description: 'Use GET' });
    });
  }
  return router;
}
