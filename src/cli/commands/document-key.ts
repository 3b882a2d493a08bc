/**
 * `espace document-key [--kid ID]`: prints a new P-256 signing key for the verification codes of cards and
 * attestations, as a private JWK to add to DOCUMENT_SIGNING_KEYS (rotation: docs/operations.md). Needs no
 * configuration, so that the first production key can be made before the portal starts. Exit codes: 0, 2 bad option.
 */
import { randomBytes } from 'node:crypto';
import { generateDocumentSigningKey } from '../../platform/config.ts';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; now: Date };

const KID = /^[A-Za-z0-9._-]{1,32}$/;

export function documentKeyCommand(args: string[], { stdout, stderr, now }: Io): number {
  let kid = `${now.toISOString().slice(0, 7)}-${randomBytes(3).toString('hex')}`;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--kid' && args[i + 1] !== undefined && KID.test(args[i + 1]!)) kid = args[++i]!;
    else {
      stderr.write('Usage : espace document-key [--kid IDENTIFIANT]   (identifiant : 1 à 32 caractères parmi lettres, chiffres, « . », « _ » et « - »)\n');
      return 2;
    }
  }
  // The key alone on stdout (for `>> keys.json` or a secrets manager); the how-to on stderr.
  stdout.write(`${JSON.stringify(generateDocumentSigningKey(kid))}\n`);
  stderr.write(
    `Clé « ${kid} » créée. Ajoutez-la au tableau DOCUMENT_SIGNING_KEYS, puis mettez DOCUMENT_SIGNING_KEY_ID=${kid} pour qu’elle signe ` +
      'les nouveaux documents ; gardez les anciennes clés pour que leurs codes restent vérifiables (voir docs/operations.md).\n',
  );
  return 0;
}
