// An independent, OpenID-certified provider (npm oidc-provider) for the interop tests.
//
//   node provider.mjs PORT
//
// Serves http://127.0.0.1:PORT (loopback only) and prints one line, "ready <issuer>", on
// standard output once it listens. Stops on SIGTERM or when standard input closes, so a test
// run that dies does not leave it behind. Everything is in memory; the signing key is new on
// every start. Its built-in development login and consent pages accept any login and password.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import process from 'node:process';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || '0');
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: node provider.mjs PORT\n');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const API = 'urn:workbench:interop-api';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `interop-${Date.now()}`, alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      // A public native app: implicit (id_token token), code + PKCE, loopback redirect on any port
      // (RFC 8252 §7.3: the provider ignores the port of a registered loopback URI).
      client_id: 'workbench-native',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['implicit', 'authorization_code', 'refresh_token'],
      response_types: ['id_token token', 'id_token', 'code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
    {
      // A public device (RFC 8628).
      client_id: 'workbench-device',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
    },
    {
      // A confidential client: client credentials, code, introspection and revocation.
      client_id: 'workbench-confidential',
      client_secret: 'interop-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      scope: 'openid api:read',
    },
    {
      // DPoP with nonces: the token endpoint answers this client use_dpop_nonce until its proof
      // carries the nonce it gave (RFC 9449 §8).
      client_id: 'workbench-dpop-nonce',
      client_secret: 'interop-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api:read',
    },
  ],
  responseTypes: ['code', 'id_token', 'id_token token', 'none'],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['interop-cookie-key-not-a-secret'] },
  scopes: ['openid', 'offline_access', 'api:read'],
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    // RFC 9449: proofs checked, tokens bound (cnf.jkt); nonces required of one client only.
    dPoP: {
      enabled: true,
      nonceSecret: randomBytes(32),
      requireNonce: (ctx) => ctx.oidc?.client?.clientId === 'workbench-dpop-nonce',
    },
    resourceIndicators: {
      enabled: true,
      // Client credentials for the confidential client get an RFC 9068 JWT access token for one
      // API, so its signature can be checked against the JWKS. Other tokens stay opaque.
      defaultResource: (ctx, client, oneOf) => {
        if (oneOf) return oneOf;
        return ['workbench-confidential', 'workbench-dpop-nonce'].includes(client.clientId)
          && ctx.oidc.params?.grant_type === 'client_credentials'
          ? API
          : undefined;
      },
      getResourceServerInfo: () => ({
        scope: 'api:read',
        audience: API,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
      useGrantedResource: () => true,
    },
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});

function stop() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
