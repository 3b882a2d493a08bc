/**
 * « Envoyer une feuille de soins » (issue 6): when télétransmission does not apply and what to send, then the form
 * (a plain multipart POST, no script needed). On an error the form comes back with a summary at the top (focused,
 * linking to each field), each field's message, and everything typed except the files, which the browser cannot refill.
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import type { FieldErrors } from '../../platform/errors.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { megabytes, type UploadLimits } from '../uploads/check-upload.ts';
import { PAPER_CLAIM_LIMITS, familyOptions, type PaperClaimFields } from './submit-paper-claim.ts';

type Organisation = { name: string; phone: string };

export type PaperClaimPageProps = {
  organisation: Organisation;
  member: MemberBar;
  beneficiaries: { id: string; firstName: string }[];
  limits: UploadLimits;
  values: PaperClaimFields;
  errors: FieldErrors;
  /** Set after a successful sending (redirect back here): the line created and its reception date. */
  sent: { lineId: string; receivedOn: string } | null;
  today: string;
};

const FIELD_ORDER = ['beneficiaire', 'date_soins', 'nature', 'montant', 'professionnel', 'commentaire', 'fichiers'] as const;

function describedBy(id: string, error: string | undefined, hint = true): string {
  return [hint ? `${id}-aide` : null, error ? `${id}-erreur` : null].filter(Boolean).join(' ') || '';
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p class="field-error" id={`${id}-erreur`}>
      <span class="visually-hidden">Erreur : </span>
      {error}
    </p>
  ) : null;
}

export function PaperClaimPage({ organisation, member, beneficiaries, limits, values, errors, sent, today }: PaperClaimPageProps) {
  const problems = FIELD_ORDER.filter((field) => errors[field]);
  const invalid = (field: string) => (errors[field] ? 'true' : undefined);
  const fieldClass = (field: string) => (errors[field] ? 'field field-invalid' : 'field');
  return (
    <Layout title={`${problems.length ? 'Erreur : ' : ''}Envoyer une feuille de soins ou une facture`} organisationName={organisation.name} currentPath="/remboursements" member={member}>
      <p>
        <a href="/remboursements">← Mes remboursements</a>
      </p>
      {problems.length ? (
        <div class="error-summary" role="alert" aria-labelledby="titre-erreurs" tabIndex={-1} autoFocus>
          <h2 id="titre-erreurs">L’envoi n’a pas abouti</h2>
          <p>Corrigez {problems.length > 1 ? `les ${problems.length} points suivants` : 'le point suivant'}, puis envoyez de nouveau :</p>
          <ul>
            {problems.map((field) => (
              <li key={field}>
                <a href={`#${field}`}>{errors[field]}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {sent ? (
        <div class="notice" role="status">
          <p>
            <strong>Nous avons bien reçu votre envoi le {formatFrenchDate(sent.receivedOn)}.</strong> Il apparaît dans vos remboursements avec l’état « Reçu » ;
            nos services le traitent et vous verrez ensuite la part de la Sécurité sociale et celle de la mutuelle.
          </p>
          <p>
            <a href={`/remboursements/${sent.lineId}`}>Voir cet envoi dans mes remboursements</a>
          </p>
        </div>
      ) : null}
      <h1>Envoyer une feuille de soins ou une facture</h1>
      <p>
        La plupart de vos soins nous arrivent seuls : l’Assurance Maladie nous transmet vos remboursements par <strong>télétransmission</strong> (liaison NOEMIE),
        sans démarche de votre part. Dans quelques cas, c’est à vous de nous envoyer les justificatifs.
      </p>

      <section class="panel" aria-labelledby="titre-quand">
        <h2 id="titre-quand">Quand nous envoyer vos justificatifs ?</h2>
        <ul>
          <li>
            <strong>Soins reçus à l’étranger</strong> : l’Assurance Maladie ne nous transmet rien.
          </li>
          <li>
            <strong>Professionnel non conventionné</strong> (ou soins que la Sécurité sociale ne rembourse pas, comme certaines médecines douces couvertes par votre
            contrat) : il n’y a pas de télétransmission.
          </li>
          <li>
            <strong>Feuille de soins papier</strong> : le professionnel vous a remis une feuille de soins papier (sans carte Vitale, par exemple).
          </li>
          <li>
            <strong>Télétransmission non active</strong> pour la personne soignée : tant que la liaison NOEMIE n’est pas en place (nouvel adhérent, changement de
            caisse), vos remboursements ne nous arrivent pas seuls.
          </li>
        </ul>
      </section>

      <section class="panel" aria-labelledby="titre-quoi">
        <h2 id="titre-quoi">Que faut-il envoyer ?</h2>
        <ul>
          <li>
            <strong>Feuille de soins papier</strong> : envoyez-la d’abord à votre caisse d’Assurance Maladie. Quand elle vous a remboursé, joignez ici le{' '}
            <strong>décompte de l’Assurance Maladie</strong> (téléchargeable sur votre compte ameli) et, s’il y a un dépassement, la facture.
          </li>
          <li>
            <strong>Facture acquittée</strong> : pour un professionnel non conventionné ou des soins non remboursés par la Sécurité sociale, la facture doit porter le
            nom de la personne soignée, la date, la nature des soins, le montant payé et la mention « acquittée ».
          </li>
          <li>
            <strong>Soins à l’étranger</strong> : remplissez le formulaire <strong>S3125 « Soins reçus à l’étranger »</strong> (cerfa n° 12267) et envoyez-le à votre
            caisse avec les factures ; joignez ensuite ici son décompte et les factures (traduites si possible).
          </li>
        </ul>
        <p>
          Les formulaires de l’Assurance Maladie : <a href="https://www.ameli.fr/assure/formulaires">formulaires sur ameli.fr</a> ·{' '}
          <a href="https://www.ameli.fr/assure/droits-demarches/europe-international">soins à l’étranger sur ameli.fr</a>.
        </p>
      </section>

      <section class="panel" aria-labelledby="titre-envoi">
        <h2 id="titre-envoi">Votre envoi</h2>
        <p>Tous les champs sont obligatoires, sauf ceux marqués « facultatif ».</p>
        <form method="post" action="/remboursements/papier" enctype="multipart/form-data" novalidate>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <div class={fieldClass('beneficiaire')}>
            <label for="beneficiaire">Personne soignée</label>
            <FieldError id="beneficiaire" error={errors.beneficiaire} />
            <select id="beneficiaire" name="beneficiaire" required aria-invalid={invalid('beneficiaire')} aria-describedby={describedBy('beneficiaire', errors.beneficiaire, false) || undefined}>
              <option value="">Choisissez</option>
              {beneficiaries.map((b) => (
                <option value={b.id} selected={values.beneficiaire === b.id}>
                  {b.firstName}
                </option>
              ))}
            </select>
          </div>
          <div class={fieldClass('date_soins')}>
            <label for="date_soins">Date des soins</label>
            <p class="hint" id="date_soins-aide">
              Au format JJ/MM/AAAA, par exemple 12/03/2026. Soins des deux dernières années seulement.
            </p>
            <FieldError id="date_soins" error={errors.date_soins} />
            <input type="date" id="date_soins" name="date_soins" value={values.date_soins} max={today} required aria-invalid={invalid('date_soins')} aria-describedby={describedBy('date_soins', errors.date_soins)} />
          </div>
          <div class={fieldClass('nature')}>
            <label for="nature">Type de soins</label>
            <FieldError id="nature" error={errors.nature} />
            <select id="nature" name="nature" required aria-invalid={invalid('nature')} aria-describedby={describedBy('nature', errors.nature, false) || undefined}>
              <option value="">Choisissez</option>
              {familyOptions.map((f) => (
                <option value={f.value} selected={values.nature === f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
          <div class={fieldClass('montant')}>
            <label for="montant">Montant payé (en euros)</label>
            <p class="hint" id="montant-aide">
              Le total que vous avez réglé, par exemple 1 234,56.
            </p>
            <FieldError id="montant" error={errors.montant} />
            <input type="text" id="montant" name="montant" value={values.montant} inputMode="decimal" autocomplete="off" maxLength={20} required aria-invalid={invalid('montant')} aria-describedby={describedBy('montant', errors.montant)} />
          </div>
          <div class={fieldClass('professionnel')}>
            <label for="professionnel">Professionnel ou établissement (facultatif)</label>
            <FieldError id="professionnel" error={errors.professionnel} />
            <input type="text" id="professionnel" name="professionnel" value={values.professionnel} maxLength={PAPER_CLAIM_LIMITS.providerMaxChars} autocomplete="off" aria-invalid={invalid('professionnel')} aria-describedby={describedBy('professionnel', errors.professionnel, false) || undefined} />
          </div>
          <div class={fieldClass('commentaire')}>
            <label for="commentaire">Commentaire (facultatif)</label>
            <p class="hint" id="commentaire-aide">
              Ce qui peut nous aider : pays des soins, motif, précisions sur les documents. {PAPER_CLAIM_LIMITS.commentMaxChars} caractères au plus.
            </p>
            <FieldError id="commentaire" error={errors.commentaire} />
            <textarea id="commentaire" name="commentaire" rows={4} maxLength={PAPER_CLAIM_LIMITS.commentMaxChars} aria-invalid={invalid('commentaire')} aria-describedby={describedBy('commentaire', errors.commentaire)}>
              {values.commentaire}
            </textarea>
          </div>
          <div class={fieldClass('fichiers')}>
            <label for="fichiers">Documents</label>
            <p class="hint" id="fichiers-aide">
              PDF, photo JPEG ou image PNG ; {limits.maxFiles} documents au plus, {megabytes(limits.maxFileBytes)} chacun. Les photos sont enregistrées sans leurs
              métadonnées (lieu, appareil).{errors.fichiers || problems.length ? ' Choisissez de nouveau vos documents : le navigateur ne les garde pas après une erreur.' : ''}
            </p>
            <FieldError id="fichiers" error={errors.fichiers} />
            <input type="file" id="fichiers" name="fichiers" multiple required accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" aria-invalid={invalid('fichiers')} aria-describedby={describedBy('fichiers', errors.fichiers)} />
          </div>
          <p>
            <button type="submit" class="button">
              Envoyer
            </button>
          </p>
        </form>
      </section>
      <p>
        Une question ? Appelez-nous au {organisation.phone} (appel non surtaxé).
      </p>
    </Layout>
  );
}
