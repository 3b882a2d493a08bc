/** Path and query schemas of the paper-claim routes. */
import { z } from 'zod';

export const fileParams = z.strictObject({ id: z.uuid() });
/** After a sending, the form page says it was received (the line's id). */
export const sentQuery = z.strictObject({ envoye: z.uuid().optional() });
