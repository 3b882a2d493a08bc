/** What every page shows of the mutuelle (loaded once at start-up: it changes with a new release of the demo or a restart). */
export type PageContext = { organisation: { name: string; phone: string; amcNumber: string } };

export const DEFAULT_PAGE_CONTEXT: PageContext = { organisation: { name: 'Votre mutuelle', phone: '01 00 00 00 00', amcNumber: '' } };
