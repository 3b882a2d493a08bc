import type { Queryable } from '../database.ts';

export type Organisation = {
  id: string;
  name: string;
  amcNumber: string;
  addressLine1: string;
  addressLine2: string | null;
  postalCode: string;
  city: string;
  phone: string;
  professionalPhone: string | null;
  email: string | null;
};

export type NewOrganisation = Omit<Organisation, 'id'>;

const COLUMNS = `id, name, amc_number AS "amcNumber", address_line1 AS "addressLine1", address_line2 AS "addressLine2",
  postal_code AS "postalCode", city, phone, professional_phone AS "professionalPhone", email`;

/** The portal serves one mutuelle: the first organisation created. */
export async function findOrganisation(db: Queryable): Promise<Organisation | null> {
  const { rows } = await db.query<Organisation>(`SELECT ${COLUMNS} FROM organisation ORDER BY created_at LIMIT 1`);
  return rows[0] ?? null;
}

export async function insertOrganisation(db: Queryable, o: NewOrganisation): Promise<Organisation> {
  const { rows } = await db.query<Organisation>(
    `INSERT INTO organisation (name, amc_number, address_line1, address_line2, postal_code, city, phone, professional_phone, email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [o.name, o.amcNumber, o.addressLine1, o.addressLine2, o.postalCode, o.city, o.phone, o.professionalPhone, o.email],
  );
  return rows[0]!;
}
