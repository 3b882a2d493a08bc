/**
 * « Mes coordonnées » (issue 8): what the household and each beneficiary have on file, and the use cases that change
 * phones, postal addresses and where letters go. The page /profil, its forms and /api/v1/profile/* call these. Every
 * change keeps the history (a new row, the old one gets replaced_at) and is recorded (audit + member_event).
 * Access: the member of the session only; another household's address or beneficiary is NOT_FOUND (AC-02).
 */
import { currentAddresses, currentEmail, currentPhones, insertAddress, replacePhone, type AddressRecord, type PhoneRecord } from '../../db/repositories/contacts.ts';
import type { Queryable } from '../../db/database.ts';
import { parsePostalAddress, type PostalAddressErrors, type PostalAddressInput } from '../../domain/identity/contact.ts';
import { formatPhone, parsePhone } from '../../domain/identity/phone.ts';
import { AppError, type FieldErrors } from '../../platform/errors.ts';
import { pendingEmailChange } from './email-change.ts';
import { beneficiaryOfHousehold, recordStep, type ProfileDeps } from './profile-common.ts';

/** A household keeps at most this many current postal addresses (the home and, say, a second residence or a PO box). */
export const MAX_HOUSEHOLD_ADDRESSES = 3;

export type PhonesView = { mobile: string | null; landline: string | null };
export type AddressView = AddressRecord & { mailing: boolean };
export type EmailView = { address: string; verified: boolean };
export type PendingEmailView = { address: string; expiresAt: Date };

export type BeneficiaryContacts = {
  id: string;
  firstName: string;
  lastName: string;
  relationship: 'SPOUSE' | 'CHILD' | 'OTHER';
  /** Their own details where they differ from the household's; null = the household's. */
  email: EmailView | null;
  pendingEmail: PendingEmailView | null;
  phones: PhonesView;
  address: AddressRecord | null;
};

export type ContactDetails = {
  member: { firstName: string; lastName: string; memberNumber: string };
  email: EmailView | null;
  pendingEmail: PendingEmailView | null;
  phones: PhonesView;
  addresses: AddressView[];
  mailingAddressId: string | null;
  beneficiaries: BeneficiaryContacts[];
};

function phonesOf(phones: PhoneRecord[], beneficiaryId: string | null): PhonesView {
  const of = (kind: 'MOBILE' | 'LANDLINE') => phones.find((p) => p.beneficiaryId === beneficiaryId && p.kind === kind)?.e164 ?? null;
  return { mobile: of('MOBILE'), landline: of('LANDLINE') };
}

export async function getContactDetails(deps: Pick<ProfileDeps, 'db' | 'keys'>, memberId: string, now: Date): Promise<ContactDetails> {
  const { db, keys } = deps;
  const key = keys.dataEncryptionKey;
  const { rows } = await db.query<{ id: string; relationship: 'SELF' | 'SPOUSE' | 'CHILD' | 'OTHER'; first_name: string; last_name: string; member_number: string; mailing_address_id: string | null }>(
    `SELECT b.id, b.relationship, b.first_name, b.last_name, m.member_number, m.mailing_address_id
       FROM member m JOIN beneficiary b ON b.member_id = m.id
      WHERE m.id = $1 ORDER BY b.relationship = 'SELF' DESC, b.relationship = 'SPOUSE' DESC, b.birth_date, b.first_name`,
    [memberId],
  );
  const self = rows.find((r) => r.relationship === 'SELF');
  if (!self) throw new AppError('NOT_FOUND');
  const [phones, addresses] = await Promise.all([currentPhones(db, key, memberId), currentAddresses(db, memberId)]);
  const emailOf = async (beneficiaryId: string | null) => {
    const [email, pending] = await Promise.all([currentEmail(db, key, memberId, { beneficiaryId }), pendingEmailChange(db, key, memberId, beneficiaryId, now)]);
    return { email: email ? { address: email.address, verified: email.verifiedAt !== null } : null, pending };
  };
  const household = await emailOf(null);
  const mailing = self.mailing_address_id;
  const beneficiaries: BeneficiaryContacts[] = [];
  for (const b of rows.filter((r) => r.relationship !== 'SELF')) {
    const own = await emailOf(b.id);
    beneficiaries.push({
      id: b.id, firstName: b.first_name, lastName: b.last_name, relationship: b.relationship as BeneficiaryContacts['relationship'],
      email: own.email, pendingEmail: own.pending, phones: phonesOf(phones, b.id), address: addresses.find((a) => a.beneficiaryId === b.id) ?? null,
    });
  }
  return {
    member: { firstName: self.first_name, lastName: self.last_name, memberNumber: self.member_number },
    email: household.email,
    pendingEmail: household.pending,
    phones: phonesOf(phones, null),
    addresses: addresses.filter((a) => a.beneficiaryId === null).map((a) => ({ ...a, mailing: a.id === mailing })),
    mailingAddressId: mailing,
    beneficiaries,
  };
}

export const formatPhoneOrNull = (e164: string | null) => (e164 ? formatPhone(e164) : null);

async function checkedBeneficiary(q: Queryable, memberId: string, beneficiaryId: string | null): Promise<string | null> {
  if (beneficiaryId === null) return null;
  const b = await beneficiaryOfHousehold(q, memberId, beneficiaryId);
  if (!b) throw new AppError('NOT_FOUND');
  return b.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Phones.

export type PhonesInput = { memberId: string; beneficiaryId: string | null; mobile: string; landline: string; now: Date; ip: string };

/** Sets both phones of the household or a beneficiary; an empty field removes that number. */
export async function updatePhones(deps: Pick<ProfileDeps, 'db' | 'keys'>, input: PhonesInput): Promise<{ changed: boolean }> {
  const beneficiaryId = await checkedBeneficiary(deps.db, input.memberId, input.beneficiaryId);
  const errors: FieldErrors = {};
  const read = (typed: string, kind: 'MOBILE' | 'LANDLINE', field: string): string | null => {
    if (typed.trim() === '') return null;
    const parsed = parsePhone(typed, kind);
    if (parsed.ok) return parsed.value.e164;
    errors[field] = parsed.error.message;
    return null;
  };
  const mobile = read(input.mobile, 'MOBILE', 'mobile');
  const landline = read(input.landline, 'LANDLINE', 'fixe');
  if (Object.keys(errors).length > 0) throw new AppError('VALIDATION', undefined, errors);
  return deps.db.transaction(async (tx) => {
    const key = deps.keys.dataEncryptionKey;
    const changedKinds: string[] = [];
    for (const [kind, e164] of [['MOBILE', mobile], ['LANDLINE', landline]] as const) {
      if (await replacePhone(tx, key, { memberId: input.memberId, beneficiaryId, kind, e164, at: input.now })) changedKinds.push(kind);
    }
    if (changedKinds.length > 0) {
      await recordStep(tx, {
        at: input.now, ip: input.ip, actor: { type: 'member', id: input.memberId }, memberId: input.memberId, action: 'profile.phone.changed',
        details: { kinds: changedKinds, ...(beneficiaryId ? { beneficiaryId } : {}) }, event: { kind: 'PHONE_CHANGED' },
      });
    }
    return { changed: changedKinds.length > 0 };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Postal addresses.

export type AddressFormFields = PostalAddressInput & { label: string };

/** Form field names of the address form, in the order of the page (error summary, API `fields`). */
export const ADDRESS_FIELDS: Record<keyof AddressFormFields, string> = {
  label: 'libelle', recipient: 'destinataire', streetNumber: 'numero', street: 'voie', complement: 'complement', postalCode: 'code_postal', city: 'commune', country: 'pays',
};

function addressErrors(errors: PostalAddressErrors & { label?: string }): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [ADDRESS_FIELDS[k as keyof AddressFormFields], v as string]));
}

export type SaveAddressInput = {
  memberId: string;
  /** The address replaced (its current row), or null for a new one. */
  addressId: string | null;
  /** A beneficiary's own address (one at most), or null for the household's. */
  beneficiaryId: string | null;
  fields: AddressFormFields;
  now: Date;
  ip: string;
};

/**
 * Adds or changes an address. A change is a new row (the old one keeps its history with replaced_at); when the old row
 * was the mailing address the new one becomes it. The household's first address becomes the mailing address.
 */
export async function saveAddress(deps: Pick<ProfileDeps, 'db'>, input: SaveAddressInput): Promise<{ addressId: string }> {
  const beneficiaryId = await checkedBeneficiary(deps.db, input.memberId, input.beneficiaryId);
  const label = input.fields.label.replace(/\s+/g, ' ').trim();
  const parsed = parsePostalAddress(input.fields);
  const errors: PostalAddressErrors & { label?: string } = parsed.ok ? {} : { ...parsed.error };
  if (label.length > 40 || /\p{Cc}/u.test(input.fields.label)) errors.label = '40 caractères au plus, sur une ligne.';
  if (!parsed.ok || Object.keys(errors).length > 0) throw new AppError('VALIDATION', undefined, addressErrors(errors));
  const value = parsed.value;
  return deps.db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM member WHERE id = $1 FOR UPDATE', [input.memberId]);
    const { rows: member } = await tx.query<{ mailing_address_id: string | null; first_name: string; last_name: string }>(
      `SELECT m.mailing_address_id, b.first_name, b.last_name FROM member m JOIN beneficiary b ON b.member_id = m.id AND b.relationship = 'SELF' WHERE m.id = $1`,
      [input.memberId],
    );
    const current = (await currentAddresses(tx, input.memberId)).filter((a) => a.beneficiaryId === beneficiaryId);
    let replaced: AddressRecord | null = null;
    if (input.addressId) {
      replaced = current.find((a) => a.id === input.addressId) ?? null;
      if (!replaced) throw new AppError('NOT_FOUND');
    } else if (beneficiaryId && current.length > 0) {
      replaced = current[0]!;
    } else if (!beneficiaryId && current.length >= MAX_HOUSEHOLD_ADDRESSES) {
      throw new AppError('CONFLICT', `Vous pouvez garder ${MAX_HOUSEHOLD_ADDRESSES} adresses au plus : modifiez ou supprimez l’une d’elles.`);
    }
    if (replaced) await tx.query('UPDATE postal_address SET replaced_at = $2 WHERE id = $1', [replaced.id, input.now]);
    const self = member[0]!;
    const recipient = value.recipient || `${self.first_name} ${self.last_name.toUpperCase()}`;
    const addressId = await insertAddress(tx, input.memberId, { ...value, recipient, beneficiaryId, label: label || null }, input.now);
    const becomesMailing = !beneficiaryId && (self.mailing_address_id === null || self.mailing_address_id === replaced?.id);
    if (becomesMailing) await tx.query('UPDATE member SET mailing_address_id = $2, updated_at = $3 WHERE id = $1', [input.memberId, addressId, input.now]);
    await recordStep(tx, {
      at: input.now, ip: input.ip, actor: { type: 'member', id: input.memberId }, memberId: input.memberId,
      action: replaced ? 'profile.address.changed' : 'profile.address.added',
      details: { addressId, ...(replaced ? { replacedId: replaced.id } : {}), ...(beneficiaryId ? { beneficiaryId } : {}), mailing: becomesMailing, country: value.country },
      event: { kind: 'ADDRESS_CHANGED', subjectType: 'postal_address', subjectId: addressId },
    });
    return { addressId };
  });
}

/** Removes a household address (not the mailing one, never the last) or a beneficiary's own address. */
export async function removeAddress(deps: Pick<ProfileDeps, 'db'>, input: { memberId: string; addressId: string; now: Date; ip: string }): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM member WHERE id = $1 FOR UPDATE', [input.memberId]);
    const all = await currentAddresses(tx, input.memberId);
    const address = all.find((a) => a.id === input.addressId);
    if (!address) throw new AppError('NOT_FOUND');
    const { rows } = await tx.query<{ mailing_address_id: string | null }>('SELECT mailing_address_id FROM member WHERE id = $1', [input.memberId]);
    if (address.id === rows[0]!.mailing_address_id) {
      throw new AppError('CONFLICT', 'Cette adresse reçoit vos courriers : choisissez d’abord une autre adresse pour les courriers.');
    }
    if (address.beneficiaryId === null && all.filter((a) => a.beneficiaryId === null).length <= 1) {
      throw new AppError('CONFLICT', 'Gardez au moins une adresse postale : modifiez-la plutôt que de la supprimer.');
    }
    await tx.query('UPDATE postal_address SET replaced_at = $2 WHERE id = $1', [address.id, input.now]);
    await recordStep(tx, {
      at: input.now, ip: input.ip, actor: { type: 'member', id: input.memberId }, memberId: input.memberId, action: 'profile.address.removed',
      details: { addressId: address.id, ...(address.beneficiaryId ? { beneficiaryId: address.beneficiaryId } : {}) },
      event: { kind: 'ADDRESS_CHANGED', subjectType: 'postal_address', subjectId: address.id },
    });
  });
}

/** Chooses which of the household's current addresses letters go to (member.mailing_address_id, read by queueLetter). */
export async function chooseMailingAddress(deps: Pick<ProfileDeps, 'db'>, input: { memberId: string; addressId: string; now: Date; ip: string }): Promise<{ changed: boolean }> {
  return deps.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ mailing_address_id: string | null }>('SELECT mailing_address_id FROM member WHERE id = $1 FOR UPDATE', [input.memberId]);
    const address = (await currentAddresses(tx, input.memberId)).find((a) => a.id === input.addressId && a.beneficiaryId === null);
    if (!rows[0] || !address) throw new AppError('NOT_FOUND');
    if (rows[0].mailing_address_id === address.id) return { changed: false };
    await tx.query('UPDATE member SET mailing_address_id = $2, updated_at = $3 WHERE id = $1', [input.memberId, address.id, input.now]);
    await recordStep(tx, {
      at: input.now, ip: input.ip, actor: { type: 'member', id: input.memberId }, memberId: input.memberId, action: 'profile.mailing_address.chosen',
      details: { addressId: address.id, previousId: rows[0].mailing_address_id }, event: { kind: 'MAILING_ADDRESS_CHANGED' },
    });
    return { changed: true };
  });
}
