// An independent, OpenID-certified provider (npm oidc-provider) for the interop tests.
//
//   node provider.mjs PORT
//
// Serves http://127.0.0.1:PORT (loopback only) and prints one line, "ready <issuer>", on
// standard output once it listens. Stops on SIGTERM or when standard input closes, so a test
// run that dies does not leave it behind. Everything is in memory; the signing key is new on
// every start. Its built-in development login and consent pages accept any login and password.
//
// CIBA (poll mode): any login_hint names an account of that id, except "nobody" (unknown_user_id).
// The "authentication device" is this script: it keeps each request, and a test decides one with
// POST /test/ciba?decision=approve|deny&binding_message=M (loopback only, for the tests).
import { generateKeyPairSync } from 'node:crypto';
import process from 'node:process';

import Provider, { errors } from 'oidc-provider';

import * as mtls from './mtls.mjs';

const port = Number(process.argv[2] || '0');
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: node provider.mjs PORT\n');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const API = 'urn:workbench:interop-api';
const pendingCiba = [];
// The clients whose client-credentials tokens are JWTs for the API (the others stay opaque).
const JWT_CLIENTS = new Set(['workbench-confidential', ...mtls.clients.map((c) => c.client_id)]);

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
      // A confidential CIBA client, poll mode (OpenID CIBA Core §4).
      client_id: 'workbench-ciba',
      client_secret: 'interop-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['urn:openid:params:grant-type:ciba'],
      response_types: [],
      redirect_uris: [],
      backchannel_token_delivery_mode: 'poll',
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
    ...mtls.clients,
  ],
  discovery: mtls.discovery,
  clientAuthMethods: mtls.clientAuthMethods,
  responseTypes: ['code', 'id_token', 'id_token token', 'none'],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['interop-cookie-key-not-a-secret'] },
  scopes: ['openid', 'offline_access', 'api:read'],
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    ciba: {
      enabled: true,
      deliveryModes: ['poll'],
      processLoginHint: async (ctx, loginHint) => (loginHint === 'nobody' ? undefined : loginHint),
      verifyUserCode: async () => {},
      validateRequestContext: async () => {},
      triggerAuthenticationDevice: async (ctx, request) => {
        pendingCiba.push(request);
      },
    },
    ...mtls.features,
    introspection: { enabled: true },
    revocation: { enabled: true },
    // Dynamic client registration (RFC 7591), open (no initial access token), with RFC 7592
    // read/update/delete through the registration access token.
    registration: { enabled: true },
    registrationManagement: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Client credentials for the confidential client get an RFC 9068 JWT access token for one
      // API, so its signature can be checked against the JWKS. Other tokens stay opaque.
      defaultResource: (ctx, client, oneOf) => {
        if (oneOf) return oneOf;
        return JWT_CLIENTS.has(client.clientId) && ctx.oidc.params?.grant_type === 'client_credentials'
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

// The tests' side of the authentication device: approve (a grant for the request's account and
// scope) or deny (access_denied) the pending request with the given binding message.
provider.use(async (ctx, next) => {
  if (ctx.path !== '/test/ciba' || ctx.method !== 'POST') return next();
  const message = ctx.query.binding_message;
  const index = pendingCiba.findIndex((r) => r.params.binding_message === message);
  if (index === -1) {
    ctx.status = 404;
    ctx.body = { error: 'no pending request with that binding message' };
    return undefined;
  }
  const [request] = pendingCiba.splice(index, 1);
  if (ctx.query.decision === 'approve') {
    const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
    grant.addOIDCScope(request.scope);
    await grant.save();
    await provider.backchannelResult(request, grant);
  } else {
    await provider.backchannelResult(request, new errors.AccessDenied('the user denied it'));
  }
  ctx.status = 204;
  return undefined;
});

let tlsServer;
const server = provider.listen(port, '127.0.0.1', () => {
  tlsServer = mtls.listen(provider, () => process.stdout.write(`ready ${issuer}\n`));
});

function stop() {
  tlsServer?.close();
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
