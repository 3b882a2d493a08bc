import { formatFrenchDate, parisDate } from '../../domain/dates.ts';
import { Layout } from '../../platform/views/layout.tsx';
import type { VerificationAnswer } from './verification-answer.ts';

type Props = {
  organisation: { name: string; amcNumber?: string | null };
  /** What the visitor typed or scanned, shown back in the field. */
  input: string;
  /** Null before any code was given. */
  answer: VerificationAnswer | null;
};

const HEADINGS = { authentic: 'Document authentique', expired: 'Document expiré', not_authentic: 'Document non authentique' } as const;

/** /verifier: a GET form, so that it works without JavaScript and a QR code's URL lands straight on the answer. */
export function VerificationPage({ organisation, input, answer }: Props) {
  return (
    <Layout title={answer ? `${HEADINGS[answer.status]} — Vérifier un document` : 'Vérifier un document'} organisationName={organisation.name} currentPath="/verifier">
      <h1>Vérifier une carte de tiers payant ou une attestation</h1>
      {answer ? <Answer answer={answer} organisation={organisation} /> : null}
      <p>
        Les cartes de tiers payant et les attestations de droits de {organisation.name} portent un QR code signé. Scannez-le avec l’appareil photo d’un téléphone, ou
        recopiez ci-dessous le code imprimé sous le QR code (il commence par « EA1: »).
      </p>
      <form method="get" action="/verifier">
        <div class="field">
          <label for="code">Code de vérification</label>
          <p class="muted" id="code-aide">
            Exemple : EA1:0oRKogEm… (le code complet, ou l’adresse lue dans le QR code)
          </p>
          <input type="text" id="code" name="code" value={input} aria-describedby="code-aide" autocomplete="off" spellcheck={false} autocapitalize="off" maxLength={4096} required />
        </div>
        <button type="submit" class="button">
          Vérifier
        </button>
      </form>
      <h2>Comment fonctionne la vérification ?</h2>
      <p>
        Le code est signé par {organisation.name} (signature électronique ECDSA P-256). La signature garantit que les informations affichées après vérification
        ont été émises par la mutuelle et n’ont pas été modifiées. Comparez-les avec le document présenté. Aucune donnée de santé n’est contenue dans le code.
      </p>
      <p>
        Les clés publiques de vérification sont publiées à l’adresse <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>.
      </p>
    </Layout>
  );
}

function Answer({ answer, organisation }: { answer: VerificationAnswer; organisation: Props['organisation'] }) {
  const good = answer.status === 'authentic';
  return (
    <section class={good ? 'notice verification-answer' : 'error-summary verification-answer'} role={good ? 'status' : 'alert'} aria-labelledby="resultat" tabIndex={-1}>
      <h2 id="resultat">{HEADINGS[answer.status]}</h2>
      <p>{answer.message}</p>
      {answer.fields ? (
        <dl class="facts">
          <dt>Type de document</dt>
          <dd>{answer.fields.documentLabel}</dd>
          <dt>Émetteur</dt>
          <dd>
            {organisation.name}
            {organisation.amcNumber ? ` (n° AMC ${organisation.amcNumber})` : ''} — {answer.fields.issuer}
          </dd>
          <dt>Numéro d’adhérent</dt>
          <dd>{answer.fields.memberNumber}</dd>
          <dt>Bénéficiaires</dt>
          <dd>
            <ul>
              {answer.fields.beneficiaries.map((b) => (
                <li key={`${b.initials}-${b.birthDate}`}>
                  {b.initials}, né(e) le {formatFrenchDate(b.birthDate)}
                </li>
              ))}
            </ul>
          </dd>
          <dt>Période de validité</dt>
          <dd>
            du {formatFrenchDate(answer.fields.validFrom)} au {formatFrenchDate(answer.fields.validUntil)}
          </dd>
          <dt>Date d’émission</dt>
          <dd>{formatFrenchDate(parisDate(new Date(answer.fields.issuedAt)))}</dd>
          <dt>Clé de signature</dt>
          <dd>{answer.fields.keyId}</dd>
        </dl>
      ) : null}
    </section>
  );
}
