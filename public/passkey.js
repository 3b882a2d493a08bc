/* global window, document, navigator, fetch, atob, btoa, DOMException */
// Passkeys (issue 4): the browser side of WebAuthn, without a bundler. Each `[data-passkey]` block is hidden in the
// HTML and shown only when the browser has WebAuthn (progressive enhancement: the pages work without this script).
// The server sends JSON options with base64url fields; navigator.credentials wants ArrayBuffers, and back.

const toBytes = (b64url) => {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

const toB64url = (buffer) => {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

async function post(url, csrf, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data?.error?.message ?? 'La demande n’a pas abouti. Réessayez.');
  return data;
}

async function register(csrf) {
  const options = await post('/profil/securite/cles-d-acces/options', csrf);
  const publicKey = {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
  const credential = await navigator.credentials.create({ publicKey });
  const r = credential.response;
  const transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
  const body = {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: { clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject), transports },
    clientExtensionResults: {},
  };
  if (credential.authenticatorAttachment) body.authenticatorAttachment = credential.authenticatorAttachment;
  return post('/profil/securite/cles-d-acces', csrf, body);
}

async function login(csrf) {
  const options = await post('/connexion/cle/options', csrf);
  const publicKey = {
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: (options.allowCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
  const credential = await navigator.credentials.get({ publicKey });
  const r = credential.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData), signature: toB64url(r.signature) };
  if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  const body = { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response, clientExtensionResults: {} };
  if (credential.authenticatorAttachment) body.authenticatorAttachment = credential.authenticatorAttachment;
  return post('/connexion/cle', csrf, body);
}

const CANCELLED = 'L’opération a été annulée ou a expiré. Vous pouvez réessayer.';

if (window.PublicKeyCredential && navigator.credentials) {
  for (const block of document.querySelectorAll('[data-passkey]')) {
    const button = block.querySelector('[data-passkey-button]');
    const status = block.querySelector('[data-passkey-status]');
    const kind = block.getAttribute('data-passkey');
    const csrf = block.getAttribute('data-csrf') ?? '';
    block.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      status.textContent = kind === 'login' ? 'Utilisez votre clé d’accès…' : 'Suivez les instructions de votre appareil…';
      try {
        const result = kind === 'login' ? await login(csrf) : await register(csrf);
        status.textContent = kind === 'login' ? 'Connexion…' : 'Clé d’accès ajoutée.';
        window.location.assign(result.redirect);
      } catch (error) {
        status.textContent = error instanceof DOMException ? CANCELLED : error.message;
        button.disabled = false;
      }
    });
  }
}
