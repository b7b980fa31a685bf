/** Every dashboard Sluice provisions, in the order Grafana lists them. */
import type { DashboardDefinition } from './dashboard';
import { finance } from './finance';
import { iotFleet } from './iot';
import { platformOverview } from './platform';
import { publicData } from './public-data';
import { webTraffic } from './web';

export const DASHBOARDS: DashboardDefinition[] = [platformOverview, webTraffic, iotFleet, finance, publicData];
export { buildDashboard } from './dashboard';
