/** Finance: transactions and amounts per merchant and account, from agg.finance.*. */
import type { DashboardDefinition } from './dashboard';
import { INFLUX } from './datasources';
import { influx, measurement } from './queries';
import { stat, table, timeseries } from './panels';

const MERCHANT_1M = measurement('agg.finance.merchant-1m');
const ACCOUNT_5M = measurement('agg.finance.account-5m');

export const finance: DashboardDefinition = {
  uid: 'sluice-finance',
  title: 'Sluice / Finance',
  description:
    'Card and account transactions per merchant and account (Flink windows agg.finance.merchant-1m and agg.finance.account-5m).',
  tags: ['finance'],
  alertsOf: [
    'agg.finance.account-1m',
    'agg.finance.account-5m',
    'agg.finance.merchant-1m',
    'agg.finance.merchant-5m',
    'patterns.card-testing',
  ],
  rows: [
    {
      title: 'Volume',
      panels: [
        stat({
          title: 'Transactions per minute',
          description: 'All merchants and currencies, last complete minute.',
          datasource: INFLUX,
          targets: [
            influx(`SELECT sum("transactions") FROM ${MERCHANT_1M} WHERE $timeFilter GROUP BY time(1m) fill(none)`),
          ],
        }),
        timeseries({
          title: 'Amount per minute by currency',
          description: 'Sum of the amounts per currency (not converted).',
          datasource: INFLUX,
          width: 18,
          targets: [
            influx(
              `SELECT sum("amount_total") FROM ${MERCHANT_1M} WHERE $timeFilter GROUP BY time(1m), "currency" fill(none)`,
            ),
          ],
        }),
      ],
    },
    {
      title: 'Merchants and accounts',
      panels: [
        table({
          title: 'Top merchants',
          description: 'Transactions, accounts and amounts per merchant and currency over the range.',
          datasource: INFLUX,
          width: 12,
          targets: [
            influx(
              `SELECT sum("transactions") AS "transactions", sum("amount_total") AS "amount", max("amount_max") AS "largest" FROM ${MERCHANT_1M} WHERE $timeFilter GROUP BY "merchant_id", "currency"`,
              'A',
              'table',
            ),
          ],
        }),
        timeseries({
          title: 'Busiest accounts (transactions in 5 minutes)',
          description: 'Accounts with the most transactions in a hopping five-minute window: velocity.',
          datasource: INFLUX,
          width: 12,
          targets: [
            influx(
              `SELECT max("transactions") FROM ${ACCOUNT_5M} WHERE $timeFilter GROUP BY time(1m), "account_id" fill(none) SLIMIT 10`,
            ),
          ],
        }),
      ],
    },
  ],
};
