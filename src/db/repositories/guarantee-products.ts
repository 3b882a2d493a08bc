import { parseProduct, type Product } from '../../domain/coverage/index.ts';
import type { Queryable } from '../database.ts';

/**
 * The guarantee products of the members' mutuelles, each with every stored version of its tableau de garanties,
 * by product code, checked by the engine's schema (a table that does not parse is a bug: it throws). Shared by the
 * import (liquidation) and the member's counters.
 */
export async function loadProducts(db: Queryable, memberIds: readonly string[]): Promise<Map<string, Product>> {
  const { rows } = await db.query<{ code: string; name: string; responsable: boolean; guarantees: unknown }>(
    `SELECT gp.code, gp.name, gp.responsable, v.guarantees
       FROM guarantee_product gp JOIN guarantee_table_version v ON v.product_id = gp.id
      WHERE gp.organisation_id IN (SELECT organisation_id FROM member WHERE id = ANY($1::uuid[]))
      ORDER BY gp.code, v.version`,
    [memberIds],
  );
  const drafts = new Map<string, { code: string; label: string; responsible: boolean; versions: unknown[] }>();
  for (const row of rows) {
    const draft = drafts.get(row.code) ?? { code: row.code, label: row.name, responsible: row.responsable, versions: [] };
    draft.versions.push(row.guarantees);
    drafts.set(row.code, draft);
  }
  const products = new Map<string, Product>();
  for (const [code, draft] of drafts) {
    const parsed = parseProduct(draft);
    if (!parsed.ok) throw new Error(`Stored guarantee table of product ${code} is invalid at ${parsed.error.field}: ${parsed.error.message}`);
    products.set(code, parsed.value);
  }
  return products;
}
