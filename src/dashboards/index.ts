export { dashboardRoutes, type DashboardRoutesOptions } from './routes.js';
export { DashboardStore, unwrapDashboard, DashboardValidationError, DashboardConflictError, type DashboardEntry, type ProvisioningProblem } from './store.js';
