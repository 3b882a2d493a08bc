import type { Feature } from '../platform/http/server.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { authApiRoutes } from './auth/api-routes.ts';
import { loginRoutes } from './auth/login-routes.ts';
import { passkeyRoutes } from './auth/passkey-routes.ts';
import { recoveryRoutes } from './auth/recovery-routes.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { devMailboxRoutes } from './dev-mailbox/routes.ts';
import { documentRoutes } from './documents/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { homeRoutes } from './home/routes.ts';
import { paperClaimRoutes } from './paper-claims/routes.ts';
import { profileApiRoutes } from './profile/api-routes.ts';
import { profileRoutes } from './profile/routes.ts';
import { reimbursementExportRoutes } from './reimbursements/export-routes.ts';
import { reimbursementRoutes } from './reimbursements/routes.ts';
import { reimbursementSummaryRoutes } from './reimbursements/summary-routes.ts';
import { verificationRoutes } from './verification/routes.ts';
import { privacyApiRoutes } from './privacy/api-routes.ts';
import { privacyRoutes } from './privacy/routes.ts';
import { securityApiRoutes } from './security-settings/api-routes.ts';
import { securitySettingsRoutes } from './security-settings/routes.ts';

/** Every capability's routes, in one list: the server registers exactly these. */
export const features: Feature[] = [healthRoutes, homeRoutes, loginRoutes(), passkeyRoutes, recoveryRoutes, authApiRoutes(), apiDocsRoutes, dashboardRoutes, reimbursementRoutes, reimbursementExportRoutes, reimbursementSummaryRoutes, documentRoutes, paperClaimRoutes, profileRoutes, profileApiRoutes, securitySettingsRoutes, securityApiRoutes, privacyRoutes, privacyApiRoutes, verificationRoutes, devMailboxRoutes];
