// Mutual TLS (RFC 8705) for provider.mjs, on when the environment names the files a test made:
//
//   INTEROP_MTLS_DIR   a directory with server.pem + server.key.pem (the HTTPS port's
//                      certificate), ca.pem (the CA whose client certificates are trusted) and
//                      self-signed.pem (the self-signed client's certificate)
//   INTEROP_MTLS_PORT  the HTTPS port
//
// oidc-provider reads the client certificate through features.mTLS.getCertificate: here, from
// the TLS socket of node's own HTTPS server, which asks every client for a certificate and lets
// oidc-provider decide (certificateAuthorized: it chains to ca.pem). The discovery document's
// mtls_endpoint_aliases point at that port; the issuer stays the plain one.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import process from 'node:process';

const dir = process.env.INTEROP_MTLS_DIR;
const port = Number(process.env.INTEROP_MTLS_PORT || '0');
export const enabled = Boolean(dir) && Number.isInteger(port) && port > 0;
export const base = enabled ? `https://127.0.0.1:${port}` : '';
export const TLS_CLIENT_SUBJECT = 'CN=interop-mtls-client,O=Token Workbench interop';

function peer(ctx) {
  const socket = ctx.req.socket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const certificate = socket.getPeerCertificate(false);
  return certificate && certificate.raw ? new X509Certificate(certificate.raw) : undefined;
}

function selfSignedJwks() {
  const pem = readFileSync(join(dir, 'self-signed.pem'), 'utf8');
  const certificate = new X509Certificate(pem);
  const jwk = certificate.publicKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, x5c: [certificate.raw.toString('base64')] }] };
}

// oidc-provider's client authentication methods, with the two of RFC 8705 §2 when on.
export const clientAuthMethods = [
  'client_secret_basic',
  'client_secret_jwt',
  'client_secret_post',
  'private_key_jwt',
  'none',
  ...(enabled ? ['tls_client_auth', 'self_signed_tls_client_auth'] : []),
];

export const clients = enabled
  ? [
    {
      client_id: 'workbench-mtls',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: TLS_CLIENT_SUBJECT,
      tls_client_certificate_bound_access_tokens: true,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api:read',
    },
    {
      client_id: 'workbench-mtls-self-signed',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: selfSignedJwks(),
      tls_client_certificate_bound_access_tokens: true,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api:read',
    },
  ]
  : [];

export const features = enabled
  ? {
    mTLS: {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      getCertificate: peer,
      certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
      // RFC 8705 §2.1.2: the subject DN as a string (RFC 4514); node gives it one
      // attribute a line, most general first.
      certificateSubjectMatches: (ctx, property, expected) => {
        const certificate = peer(ctx);
        if (!certificate || property !== 'tls_client_auth_subject_dn') return false;
        const dn = certificate.subject.split('\n').reverse().join(',');
        return dn === expected;
      },
    },
  }
  : {};

export const discovery = enabled
  ? {
    mtls_endpoint_aliases: {
      token_endpoint: `${base}/token`,
      introspection_endpoint: `${base}/token/introspection`,
      revocation_endpoint: `${base}/token/revocation`,
      userinfo_endpoint: `${base}/me`,
    },
  }
  : {};

// The HTTPS port serving the provider's app, asking for (not requiring) a client certificate.
export function listen(provider, ready) {
  if (!enabled) {
    ready();
    return undefined;
  }
  const server = https.createServer({
    cert: readFileSync(join(dir, 'server.pem')),
    key: readFileSync(join(dir, 'server.key.pem')),
    ca: readFileSync(join(dir, 'ca.pem')),
    requestCert: true,
    rejectUnauthorized: false,
  }, provider.callback());
  server.listen(port, '127.0.0.1', ready);
  return server;
}
