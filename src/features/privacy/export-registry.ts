/**
 * What the RGPD export holds (issue 8, docs/decisions/016-personal-data-export.md): one section per table that refers
 * to the household (the member, its beneficiaries, and the rows that hang from them). Every column of such a table is
 * either exported, with a French label, or left out with its reason — secrets (code hashes, token digests, blind
 * indexes), the sealed bytes of files, internal routing. A test checks that every table reachable by foreign keys from
 * member or beneficiary has a section here and that every one of its columns is listed, so that a table or a column
 * added later fails the test until someone decides what the member gets of it.
 *
 * Columns ending in _enc are AES-256-GCM sealed: they are decrypted and exported under their name without the suffix
 * (nir_enc → nir). `where` selects the household's rows of alias `t`, with $1 the member id; it is code, never input.
 */

export type ExportSection = {
  table: string;
  /** The file names in the archive: <file>.csv, and the key in donnees.json. */
  file: string;
  title: string;
  where: string;
  orderBy: string;
  columns: Record<string, string>;
  omitted: Record<string, string>;
};

const BENEFICIARIES = '(SELECT id FROM beneficiary WHERE member_id = $1)';
const CLAIM_LINES = `(SELECT c.id FROM claim_line c WHERE c.beneficiary_id IN ${BENEFICIARIES})`;
const OF_MEMBER = 't.member_id = $1';

const SECRET = 'secret d’authentification (empreinte) : jamais exporté';
const BLIND_INDEX = 'index de recherche chiffré (empreinte) : sans valeur hors du système';
const CLEARED_AT_START = 'ancienne colonne en clair, vidée au démarrage : la valeur est exportée depuis sa version chiffrée';

export const EXPORT_SECTIONS: ExportSection[] = [
  {
    table: 'member', file: 'adherent', title: 'Mon adhésion', where: 't.id = $1', orderBy: 't.id',
    columns: {
      id: 'Identifiant', member_number: 'Numéro d’adhérent', nir_enc: 'Numéro de Sécurité sociale', nir_provisional: 'Numéro provisoire',
      status: 'Statut', mailing_address_id: 'Adresse d’envoi des courriers', created_at: 'Créée le', updated_at: 'Modifiée le',
    },
    omitted: { organisation_id: 'la mutuelle elle-même', nir_hmac: BLIND_INDEX },
  },
  {
    table: 'beneficiary', file: 'beneficiaires', title: 'Les personnes couvertes', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', relationship: 'Lien', last_name: 'Nom', first_name: 'Prénom', sex: 'Sexe', birth_date: 'Date de naissance',
      birth_rank: 'Rang de naissance', insured_nir_enc: 'Numéro de Sécurité sociale de l’assuré', own_nir_enc: 'Numéro de Sécurité sociale personnel',
      amo_scheme: 'Régime obligatoire', amo_fund: 'Caisse', created_at: 'Ajoutée le',
    },
    omitted: { insured_nir_hmac: BLIND_INDEX, own_nir_hmac: BLIND_INDEX },
  },
  {
    table: 'contract', file: 'contrats', title: 'Mes contrats', where: OF_MEMBER, orderBy: 't.start_date, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', contract_number: 'Numéro de contrat', kind: 'Type', employer_name: 'Employeur', employer_siret: 'SIRET de l’employeur',
      product_id: 'Garantie', responsable: 'Contrat responsable', start_date: 'Début', end_date: 'Fin', sepa_mandate_ref: 'Référence du mandat SEPA',
      signed_at: 'Signé le', created_at: 'Créé le', madelin: 'Contrat Madelin',
    },
    omitted: {},
  },
  {
    table: 'contract_beneficiary', file: 'contrats-beneficiaires', title: 'Qui chaque contrat couvre', where: `t.beneficiary_id IN ${BENEFICIARIES}`, orderBy: 't.contract_id, t.beneficiary_id, t.start_date',
    columns: { contract_id: 'Contrat', beneficiary_id: 'Personne couverte', start_date: 'Début', end_date: 'Fin' },
    omitted: {},
  },
  {
    table: 'rights_period', file: 'droits', title: 'Mes droits (contrat, CSS, ex-ACS)', where: `t.beneficiary_id IN ${BENEFICIARIES}`, orderBy: 't.start_date, t.id',
    columns: { id: 'Identifiant', beneficiary_id: 'Personne couverte', contract_id: 'Contrat', kind: 'Nature', start_date: 'Début', end_date: 'Fin', created_at: 'Enregistré le' },
    omitted: {},
  },
  {
    table: 'contribution', file: 'cotisations', title: 'Mes cotisations', where: 't.contract_id IN (SELECT id FROM contract WHERE member_id = $1)', orderBy: 't.period_start, t.id',
    columns: { id: 'Identifiant', contract_id: 'Contrat', period_start: 'Début de période', period_end: 'Fin de période', amount_cents: 'Montant (centimes)', due_date: 'Échéance', status: 'Statut', paid_on: 'Payée le' },
    omitted: {},
  },
  {
    table: 'email_address', file: 'emails', title: 'Mes adresses email (et leur historique)', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', beneficiary_id: 'Personne', address_enc: 'Adresse', verified_at: 'Vérifiée le', last_confirmed_at: 'Confirmée le', created_at: 'Enregistrée le', replaced_at: 'Remplacée le' },
    omitted: { address: CLEARED_AT_START, address_hmac: BLIND_INDEX },
  },
  {
    table: 'phone_number', file: 'telephones', title: 'Mes numéros de téléphone (et leur historique)', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', beneficiary_id: 'Personne', kind: 'Type', e164_enc: 'Numéro', created_at: 'Enregistré le', replaced_at: 'Remplacé le' },
    omitted: { e164: CLEARED_AT_START },
  },
  {
    table: 'postal_address', file: 'adresses', title: 'Mes adresses postales (et leur historique)', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', beneficiary_id: 'Personne', recipient: 'Destinataire', street_number: 'Numéro', street: 'Voie', complement: 'Complément',
      postal_code: 'Code postal', city: 'Commune', country: 'Pays', label: 'Nom donné à l’adresse', created_at: 'Enregistrée le', replaced_at: 'Remplacée le',
    },
    omitted: {},
  },
  {
    table: 'bank_account', file: 'comptes-bancaires', title: 'Mes coordonnées bancaires (IBAN en clair)', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', iban_enc: 'IBAN', iban_last4: 'Fin de l’IBAN', iban_masked: 'IBAN masqué', country: 'Pays', bic: 'BIC', holder_name: 'Titulaire',
      status: 'Statut', effective_at: 'Utilisé à partir du', created_at: 'Enregistré le', replaced_at: 'Remplacé le',
    },
    omitted: { iban_hmac: BLIND_INDEX },
  },
  {
    table: 'bank_account_change', file: 'changements-iban', title: 'Mes demandes de changement de coordonnées bancaires', where: OF_MEMBER, orderBy: 't.requested_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', status: 'Statut', iban_enc: 'IBAN demandé', iban_masked: 'IBAN masqué', country: 'Pays', bic: 'BIC', holder_name: 'Titulaire',
      code_channel: 'Code de confirmation envoyé par', rib_file_id: 'RIB joint', previous_account_id: 'Compte précédent', bank_account_id: 'Compte créé',
      review_reasons: 'Motifs d’examen par un conseiller', requested_at: 'Demandée le', confirmed_at: 'Confirmée le', effective_at: 'En vigueur à partir du',
      ended_at: 'Terminée le', end_reason: 'Motif de fin',
    },
    omitted: { iban_hmac: BLIND_INDEX, payload_hash: 'empreinte des coordonnées confirmées (contrôle interne)', cancel_code_hash: SECRET },
  },
  {
    table: 'email_change', file: 'changements-email', title: 'Mes demandes de changement d’adresse email', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', beneficiary_id: 'Personne', address_enc: 'Nouvelle adresse', created_at: 'Demandée le', expires_at: 'Lien valable jusqu’au',
      confirmed_at: 'Confirmée le', voided_at: 'Annulée le', email_address_id: 'Adresse enregistrée',
    },
    omitted: { address_hmac: BLIND_INDEX, token_hash: SECRET },
  },
  {
    table: 'advisor_review', file: 'examens-conseiller', title: 'Demandes examinées par un conseiller', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', kind: 'Nature', subject_id: 'Demande examinée', reasons: 'Motifs', status: 'Statut', created_at: 'Créée le',
      decided_at: 'Décidée le', decided_by: 'Décidée par',
    },
    omitted: {},
  },
  {
    table: 'noemie_link', file: 'teletransmission', title: 'Télétransmission avec l’Assurance Maladie', where: `t.beneficiary_id IN ${BENEFICIARIES}`, orderBy: 't.beneficiary_id',
    columns: { beneficiary_id: 'Personne couverte', status: 'Statut', amo_fund: 'Caisse', since: 'Depuis le', updated_at: 'Mis à jour le' },
    omitted: {},
  },
  {
    table: 'statement', file: 'decomptes', title: 'Mes décomptes', where: OF_MEMBER, orderBy: 't.liquidation_date, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', source: 'Origine', statement_number: 'Numéro de décompte', liquidation_date: 'Date de liquidation', received_at: 'Reçu le',
      amo_payee: 'Payé par l’Assurance Maladie à', amo_paid_on: 'Payé par l’Assurance Maladie le',
    },
    omitted: { batch_id: 'lot de télétransmission de la mutuelle (fichier interne)' },
  },
  {
    table: 'claim_line', file: 'remboursements', title: 'Mes remboursements, acte par acte', where: `t.beneficiary_id IN ${BENEFICIARIES}`, orderBy: 't.care_date, t.id',
    columns: {
      source: 'Origine',
      id: 'Identifiant', statement_id: 'Décompte', member_id: 'Adhésion', beneficiary_id: 'Personne soignée', line_number: 'Ligne', care_date: 'Date des soins', care_end_date: 'Fin des soins',
      family: 'Famille de soins', act_code: 'Code de l’acte', basket: 'Panier 100 % Santé', provider_name: 'Professionnel de santé', provider_id: 'Identifiant du professionnel',
      quantity: 'Quantité', pathway: 'Parcours de soins', optam: 'Médecin OPTAM', price_cap_cents: 'Prix limite (centimes)', charged_cents: 'Dépense (centimes)',
      base_cents: 'Base de remboursement (centimes)', amo_rate_bp: 'Taux Assurance Maladie (points de base)', amo_cents: 'Part Assurance Maladie (centimes)',
      flat_fee_cents: 'Participation forfaitaire (centimes)', deductible_cents: 'Franchise (centimes)', amo_net_cents: 'Versé par l’Assurance Maladie (centimes)',
      amc_cents: 'Part mutuelle (centimes)', remaining_cents: 'Reste à charge (centimes)', third_party_payment: 'Tiers payant', rule: 'Règle appliquée',
      explanation: 'Explication', explanation_steps: 'Étapes du calcul', status: 'Statut', rejection_reason: 'Motif de rejet', paid_at: 'Payé le', payment_id: 'Virement',
      received_at: 'Reçu le', liquidated_at: 'Calculé le', settled_at: 'Réglé le', created_at: 'Enregistré le',
    },
    omitted: {},
  },
  {
    table: 'claim_line_status', file: 'remboursements-suivi', title: 'Le suivi de mes remboursements', where: `t.claim_line_id IN ${CLAIM_LINES}`, orderBy: 't.changed_at, t.id',
    columns: { id: 'Identifiant', claim_line_id: 'Remboursement', status: 'Statut', changed_at: 'Le', reason: 'Motif' },
    omitted: {},
  },
  {
    table: 'unmatched_claim_line', file: 'remboursements-rapproches', title: 'Lignes reçues avant d’être rattachées à mon dossier', where: `t.claim_line_id IN ${CLAIM_LINES}`, orderBy: 't.received_at, t.id',
    columns: {
      id: 'Identifiant', statement_number: 'Numéro de décompte', line_number: 'Ligne', insured_nir_enc: 'Numéro de Sécurité sociale reçu', birth_date: 'Date de naissance reçue',
      birth_rank: 'Rang de naissance reçu', care_date: 'Date des soins', charged_cents: 'Dépense (centimes)', record: 'Données reçues', received_at: 'Reçue le',
      resolved_at: 'Rattachée le', claim_line_id: 'Remboursement',
    },
    omitted: { batch_id: 'lot de télétransmission de la mutuelle (fichier interne)', insured_nir_hmac: BLIND_INDEX },
  },
  {
    table: 'payment', file: 'virements', title: 'Mes virements', where: OF_MEMBER, orderBy: 't.payment_date, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', bank_account_id: 'Compte crédité', payment_date: 'Date', amount_cents: 'Montant (centimes)', end_to_end_id: 'Référence du virement', created_at: 'Enregistré le' },
    omitted: { payment_file_id: 'fichier bancaire de la mutuelle, qui groupe les virements de tous les adhérents' },
  },
  {
    table: 'paper_claim', file: 'feuilles-de-soins', title: 'Les feuilles de soins que j’ai envoyées', where: OF_MEMBER, orderBy: 't.received_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', beneficiary_id: 'Personne soignée', statement_id: 'Décompte', claim_line_id: 'Remboursement', care_date: 'Date des soins',
      family: 'Famille de soins', charged_cents: 'Dépense (centimes)', provider_name: 'Professionnel de santé', comment: 'Commentaire', received_at: 'Reçue le',
    },
    omitted: {},
  },
  {
    table: 'paper_claim_file', file: 'feuilles-de-soins-fichiers', title: 'Les fichiers joints à mes feuilles de soins', where: 't.paper_claim_id IN (SELECT id FROM paper_claim WHERE member_id = $1)', orderBy: 't.paper_claim_id, t.position',
    columns: { paper_claim_id: 'Feuille de soins', stored_file_id: 'Fichier', position: 'Ordre' },
    omitted: {},
  },
  {
    table: 'stored_file', file: 'fichiers-envoyes', title: 'Les fichiers que j’ai envoyés (liste)', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', original_name: 'Nom du fichier', media_type: 'Format', size_bytes: 'Taille (octets)', sha256: 'Empreinte SHA-256 du fichier', created_at: 'Envoyé le' },
    omitted: { sealed: 'le contenu chiffré du fichier : la liste suffit, le fichier reste consultable dans votre espace' },
  },
  {
    table: 'member_document', file: 'documents', title: 'Mes documents (liste)', where: OF_MEMBER, orderBy: 't.issued_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', kind: 'Document', scope: 'Portée (année, contrat)', version: 'Version', verification_code: 'Code de vérification imprimé', issued_at: 'Émis le' },
    omitted: { facts_enc: 'le contenu du document : téléchargez-le dans « Mes documents »', facts_hash: 'empreinte technique du contenu' },
  },
  {
    table: 'letter', file: 'courriers', title: 'Les courriers que la mutuelle m’a envoyés (liste)', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant', member_id: 'Adhésion', kind: 'Nature', status: 'Statut', recipient_address: 'Adresse imprimée', created_at: 'Demandé le', generated_at: 'Produit le',
      printed_at: 'Imprimé le', cancelled_at: 'Annulé le',
    },
    omitted: { content_enc: 'peut contenir un code d’activation (secret) ; effacé dès que le PDF est produit', file_name: 'nom de fichier interne', idempotency_key: 'clé technique interne' },
  },
  {
    table: 'member_event', file: 'evenements', title: 'Les événements de mon dossier (nouveaux remboursements, documents…)', where: OF_MEMBER, orderBy: 't.occurred_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', kind: 'Événement', subject_type: 'Objet', subject_id: 'Identifiant de l’objet', occurred_at: 'Le' },
    omitted: {},
  },
  {
    table: 'notification_preference', file: 'preferences-notifications', title: 'Mes préférences de notification', where: OF_MEMBER, orderBy: 't.member_id',
    columns: {
      member_id: 'Adhésion', payments_email: 'Email : remboursements', documents_email: 'Email : documents', requests_email: 'Email : demandes', messages_email: 'Email : messages',
      daily_digest: 'Résumé quotidien', updated_at: 'Modifiées le',
    },
    omitted: {},
  },
  {
    table: 'member_credential', file: 'code-acces', title: 'Mon code d’accès (dates seulement)', where: OF_MEMBER, orderBy: 't.member_id',
    columns: {
      member_id: 'Adhésion', code_set_at: 'Choisi le', consecutive_failures: 'Erreurs consécutives', last_failure_at: 'Dernière erreur', last_success_at: 'Dernière connexion réussie',
      locked_until: 'Bloqué jusqu’au', locked_until_reset: 'Bloqué jusqu’à un nouveau code', locked_at: 'Bloqué le', updated_at: 'Mis à jour le',
    },
    omitted: { code_hash: SECRET },
  },
  {
    table: 'beneficiary_credential', file: 'code-acces-beneficiaires', title: 'Codes d’accès personnels des personnes couvertes (dates seulement)', where: `t.beneficiary_id IN ${BENEFICIARIES}`, orderBy: 't.beneficiary_id',
    columns: {
      beneficiary_id: 'Personne', code_set_at: 'Choisi le', consecutive_failures: 'Erreurs consécutives', last_failure_at: 'Dernière erreur', last_success_at: 'Dernière connexion réussie',
      locked_until: 'Bloqué jusqu’au', locked_until_reset: 'Bloqué jusqu’à un nouveau code', locked_at: 'Bloqué le', updated_at: 'Mis à jour le',
    },
    omitted: { code_hash: SECRET },
  },
  {
    table: 'session', file: 'sessions', title: 'Mes sessions (connexions ouvertes récemment)', where: `t.kind = 'member' AND t.subject_id = $1`, orderBy: 't.created_at, t.public_id',
    columns: {
      public_id: 'Identifiant', beneficiary_id: 'Connexion personnelle de', created_at: 'Ouverte le', last_seen_at: 'Dernière activité', absolute_expires_at: 'Fin au plus tard',
      ip: 'Adresse IP', user_agent: 'Navigateur (tel que transmis)', email_check_skipped_at: 'Vérification de l’email reportée le',
    },
    omitted: { id_hash: SECRET, kind: 'toujours « adhérent » ici', subject_id: 'l’adhésion (voir adherent)' },
  },
  {
    table: 'login_attempt', file: 'tentatives-connexion', title: 'Les tentatives de connexion des deux derniers jours', where: `(t.member_id = $1 OR t.beneficiary_id IN ${BENEFICIARIES})`, orderBy: 't.attempted_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', beneficiary_id: 'Connexion personnelle de', ip: 'Adresse IP', outcome: 'Résultat', attempted_at: 'Le', decided_at: 'Décidé le' },
    omitted: { nir_hmac: BLIND_INDEX },
  },
  {
    table: 'recovery_attempt', file: 'demandes-code-oublie', title: 'Les demandes de code oublié et d’activation', where: OF_MEMBER, orderBy: 't.attempted_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', kind: 'Nature', ip: 'Adresse IP', outcome: 'Résultat', attempted_at: 'Le' },
    omitted: { nir_hmac: BLIND_INDEX },
  },
  {
    table: 'trusted_device', file: 'appareils', title: 'Mes appareils de confiance', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', user_agent_label: 'Appareil', created_at: 'Ajouté le', last_used_at: 'Dernière utilisation', expires_at: 'Expire le', revoked_at: 'Retiré le' },
    omitted: { token_hash: SECRET },
  },
  {
    table: 'webauthn_credential', file: 'cles-d-acces', title: 'Mes clés d’accès', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: {
      id: 'Identifiant de la clé', member_id: 'Adhésion', counter: 'Compteur', transports: 'Moyens de connexion', label: 'Appareil', created_at: 'Ajoutée le', last_used_at: 'Dernière utilisation',
      revoked_at: 'Retirée le', backed_up: 'Sauvegardée', device_type: 'Type',
    },
    omitted: { public_key: 'clé publique binaire, sans intérêt hors de la vérification' },
  },
  {
    table: 'webauthn_challenge', file: 'cles-d-acces-defis', title: 'Les ajouts de clé d’accès commencés', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', purpose: 'Nature', member_id: 'Adhésion', ip: 'Adresse IP', created_at: 'Le', expires_at: 'Expire le', used_at: 'Utilisé le' },
    omitted: { challenge: 'valeur aléatoire à usage unique', bound_to: SECRET },
  },
  {
    table: 'one_time_code', file: 'codes-de-confirmation', title: 'Les codes de confirmation envoyés', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', purpose: 'Nature', member_id: 'Adhésion', created_at: 'Envoyé le', expires_at: 'Expire le', attempts: 'Essais', max_attempts: 'Essais permis', used_at: 'Utilisé le' },
    omitted: { code_hash: SECRET, bound_to: SECRET },
  },
  {
    table: 'reset_token', file: 'liens-code-oublie', title: 'Les liens « code oublié » envoyés', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', created_at: 'Envoyé le', expires_at: 'Expire le', used_at: 'Utilisé le', voided_at: 'Annulé le' },
    omitted: { token_hash: SECRET },
  },
  {
    table: 'activation_code', file: 'codes-activation', title: 'Les codes d’activation envoyés par courrier', where: OF_MEMBER, orderBy: 't.created_at, t.id',
    columns: { id: 'Identifiant', member_id: 'Adhésion', created_at: 'Envoyé le', expires_at: 'Expire le', wrong_attempts: 'Essais erronés', used_at: 'Utilisé le', voided_at: 'Annulé le' },
    omitted: { code_hash: SECRET },
  },
];
