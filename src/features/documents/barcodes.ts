/** The AMC DataMatrix as a grid of modules (bwip-js), drawn as vectors by the PDF and as an SVG path by the HTML view. */
import bwipjs from 'bwip-js';

export type Modules = { modules: boolean[]; columns: number; rows: number };

/** Square ECC 200 DataMatrix of `payload` (domain.md §5.1 text, ASCII). */
export function dataMatrixModules(payload: string): Modules {
  const [symbol] = bwipjs.raw('datamatrix', payload, {}) as { pixs: number[]; pixx: number; pixy: number }[];
  if (!symbol) throw new Error('DataMatrix: no symbol');
  return { modules: symbol.pixs.map((p) => p === 1), columns: symbol.pixx, rows: symbol.pixy };
}

/** An inline SVG of the modules, with a two-module quiet zone; `label` is its accessible name. */
export function dataMatrixSvg(payload: string, label: string): string {
  const { modules, columns, rows } = dataMatrixModules(payload);
  const path = modules.map((dark, i) => (dark ? `M${(i % columns) + 2} ${Math.floor(i / columns) + 2}h1v1h-1z` : '')).join('');
  const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${columns + 4} ${rows + 4}" width="${(columns + 4) * 4}" height="${(rows + 4) * 4}" role="img" aria-label="${escaped}"><rect width="100%" height="100%" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
