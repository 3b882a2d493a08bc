/** Public surface of the coverage engine. */
export { aidLabel, aids, basketLabel, baskets, familyLabel, families, pathways, type Aid, type Basket, type Family, type Pathway } from './families.ts';
export { liquidate } from './engine.ts';
export { parseLiquidationInput, parseProduct, type InputError } from './input.ts';
export { inForce, regulatoryParameters, type Dated, type ParameterSet } from './parameters.ts';
export { findReferenceProduct, referenceProducts } from './products.ts';
export * from './types.ts';
