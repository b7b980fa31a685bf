/**
 * The finance simulator: card and account transactions of a bank's customers. Accounts live in a home
 * country and city; they pay at merchants (Zipf popularity) over four channels with log-normal amounts
 * per merchant category, in the local currency, following a daily rhythm. Anomalies are fraud patterns:
 * card testing, velocity, and impossible travel.
 */
import { BaseSimulator, BusyKeys, type PlannedAnomaly } from './base';
import { PAYMENTS, TIME } from './diurnal';
import { Weighted, Zipf, logNormal, round } from './distributions';
import {
  COUNTRIES,
  FIRST_NAMES,
  LAST_NAMES,
  MINOR_DIGITS,
  PER_EUR,
  countryOf,
  distanceKm,
  type City,
  type Country,
  type CurrencyCode,
} from './geo';
import {
  readCommonOptions,
  readTraffic,
  type CommonSimulatorOptions,
  type OptionReader,
  type TrafficShape,
} from './options';
import { Random } from './random';
import { PlannedRecords, PoissonTraffic, SteadyTraffic, type Scheduler } from './scheduler';
import { SIMULATOR_TOPICS } from './topics';
import type { SimulatedRecord } from './types';

export const FINANCE_ANOMALY_KINDS = ['card_testing', 'velocity', 'impossible_travel'] as const;
export type FinanceAnomalyKind = (typeof FINANCE_ANOMALY_KINDS)[number];

export interface FinanceSimulatorOptions extends CommonSimulatorOptions {
  /** Transactions per second: averaged over a simulated day, or at every moment with traffic 'steady'. Default 10. */
  eventsPerSecond?: number;
  /** 'daily' (default): the daily curve of card payments, Poisson arrivals; 'steady': eventsPerSecond at every moment. */
  traffic?: TrafficShape;
  /** Customer accounts (ref.accounts). Default 5000. */
  accounts?: number;
  /** Merchants, ATM operators and transfer providers. Default 400. */
  merchants?: number;
}

export type Channel = 'card_present' | 'online' | 'atm' | 'transfer';

export type FinancialTransaction = {
  event_id: string;
  ts: number;
  account_id: string;
  merchant_id: string;
  merchant_category: string;
  amount: number;
  currency: CurrencyCode;
  channel: Channel;
  country: string;
  city: string;
  lat: number;
  lon: number;
};

export type AccountRecord = {
  account_id: string;
  customer_id: string;
  customer_name: string;
  home_country: string;
  risk_level: 'low' | 'medium' | 'high';
  opened_ts: number;
};

interface Category {
  name: string;
  channels: readonly Channel[];
  /** Median amount in euro and the sigma of the log-normal. */
  median: number;
  sigma: number;
  /** Share of merchants in this category. */
  weight: number;
}

const CATEGORIES: readonly Category[] = [
  { name: 'grocery', channels: ['card_present', 'online'], median: 32, sigma: 0.7, weight: 22 },
  { name: 'restaurant', channels: ['card_present'], median: 28, sigma: 0.6, weight: 18 },
  { name: 'fuel', channels: ['card_present'], median: 55, sigma: 0.4, weight: 8 },
  { name: 'pharmacy', channels: ['card_present'], median: 18, sigma: 0.6, weight: 6 },
  { name: 'retail', channels: ['card_present', 'online'], median: 60, sigma: 0.8, weight: 16 },
  { name: 'electronics', channels: ['card_present', 'online'], median: 180, sigma: 0.9, weight: 6 },
  { name: 'travel', channels: ['online'], median: 320, sigma: 0.8, weight: 5 },
  { name: 'digital_services', channels: ['online'], median: 12, sigma: 0.6, weight: 8 },
  { name: 'atm', channels: ['atm'], median: 100, sigma: 0.6, weight: 7 },
  { name: 'transfer', channels: ['transfer'], median: 250, sigma: 1.1, weight: 4 },
];

const CHANNELS = new Weighted<Channel>([
  ['card_present', 55],
  ['online', 30],
  ['atm', 8],
  ['transfer', 7],
]);

/** Card testing: the tiny payments stay below this many euro, the purchase after them is above the other (in the account's currency). */
const CARD_TEST_SMALL_MAX_EUR = 2;
const CARD_TEST_LARGE_MIN_EUR = 800;

interface Merchant {
  id: string;
  category: Category;
  /** Where the merchant is registered; a chain has branches in every city of it. */
  country: string;
}

interface Account {
  record: AccountRecord;
  country: Country;
  city: City;
}

export function readFinanceOptions(reader: OptionReader) {
  const common = readCommonOptions(reader, FINANCE_ANOMALY_KINDS);
  return {
    ...common,
    eventsPerSecond: reader.number('eventsPerSecond', {
      default: 10,
      above: 0,
      max: 100_000,
      example: 'eventsPerSecond: 10',
    }),
    traffic: readTraffic(reader),
    accounts: reader.number('accounts', {
      default: 5000,
      min: 10,
      max: 10_000_000,
      integer: true,
      example: 'accounts: 5000',
    }),
    merchants: reader.number('merchants', {
      default: 400,
      min: CATEGORIES.length * COUNTRIES.length,
      max: 1_000_000,
      integer: true,
      example: 'merchants: 400',
    }),
  };
}

export type ResolvedFinanceOptions = ReturnType<typeof readFinanceOptions>;

function toCurrency(eur: number, currency: CurrencyCode): number {
  return round(eur * PER_EUR[currency], MINOR_DIGITS[currency]);
}

/** Cash comes in round amounts: multiples of 10 (1000 for yen). */
function cash(eur: number, currency: CurrencyCode): number {
  const step = currency === 'JPY' ? 1000 : 10;
  return Math.max(step, Math.round((eur * PER_EUR[currency]) / step) * step);
}

function fullName(rng: Random): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

export class FinanceSimulator extends BaseSimulator {
  readonly source = 'finance' as const;
  private readonly topic = SIMULATOR_TOPICS.finance.events;
  private readonly accounts: Account[];
  private readonly activity: Weighted<Account>;
  /** Merchants by "category/country", each list in popularity order with its Zipf. */
  private readonly merchants = new Map<string, { list: Merchant[]; zipf: Zipf }>();
  private readonly categoriesByChannel: Map<Channel, Weighted<Category>>;
  private readonly busy = new BusyKeys();

  constructor(private readonly options: ResolvedFinanceOptions) {
    const rng = new Random(options.seed).derive('finance');
    super(rng, options.anomalyRate, options.anomalyKinds);
    const world = rng.derive('world');
    const countries = new Weighted(COUNTRIES.map((c) => [c, c.weight] as const));
    const risk = new Weighted<AccountRecord['risk_level']>([
      ['low', 80],
      ['medium', 15],
      ['high', 5],
    ]);
    const opened = [Date.UTC(2012, 0, 1), Date.UTC(2025, 0, 1)] as const;
    let customers = 0;
    this.accounts = [];
    for (let i = 0; i < options.accounts; i++) {
      const previous = this.accounts[this.accounts.length - 1];
      // About one customer in six has a second account.
      const sameCustomer = previous !== undefined && world.chance(0.15);
      const country = sameCustomer ? previous.country : countries.sample(world);
      if (!sameCustomer) customers++;
      this.accounts.push({
        country,
        city: sameCustomer ? previous.city : world.pick(country.cities),
        record: {
          account_id: `acc-${String(i + 1).padStart(6, '0')}`,
          customer_id: sameCustomer ? previous.record.customer_id : `cust-${String(customers).padStart(6, '0')}`,
          customer_name: sameCustomer ? previous.record.customer_name : fullName(world),
          home_country: country.code,
          risk_level: risk.sample(world),
          opened_ts: Math.floor(world.float(opened[0], opened[1])),
        },
      });
    }
    // Some customers pay far more often than others.
    this.activity = new Weighted(this.accounts.map((a) => [a, logNormal(world, 1, 0.6)] as const));

    // Every category has at least one merchant in every country; the rest are spread by country weight.
    const categories = new Weighted(CATEGORIES.map((c) => [c, c.weight] as const));
    const all: Merchant[] = [];
    for (const category of CATEGORIES)
      for (const country of COUNTRIES) all.push({ id: '', category, country: country.code });
    while (all.length < options.merchants)
      all.push({ id: '', category: categories.sample(world), country: countries.sample(world).code });
    world.shuffle(all).forEach((m, i) => {
      m.id = `mrc-${String(i + 1).padStart(5, '0')}`;
      const key = `${m.category.name}/${m.country}`;
      const entry = this.merchants.get(key) ?? { list: [], zipf: new Zipf(1, 1) };
      entry.list.push(m);
      this.merchants.set(key, entry);
    });
    for (const entry of this.merchants.values()) entry.zipf = new Zipf(entry.list.length, 1);
    this.categoriesByChannel = new Map(
      (['card_present', 'online', 'atm', 'transfer'] as const).map((channel) => [
        channel,
        new Weighted(CATEGORIES.filter((c) => c.channels.includes(channel)).map((c) => [c, c.weight] as const)),
      ]),
    );
  }

  /** The accounts (ref.accounts), keyed by account id. */
  referenceData(at = 0): SimulatedRecord[] {
    return this.accounts.map((a) => ({
      topic: SIMULATOR_TOPICS.finance.reference[0]!,
      key: a.record.account_id,
      value: { ...a.record },
      timestamp: at,
    }));
  }

  expectedRate(t: number): number {
    const { eventsPerSecond, traffic } = this.options;
    return traffic === 'steady' ? eventsPerSecond : eventsPerSecond * PAYMENTS.at(t);
  }

  protected start(origin: number, scheduler: Scheduler): void {
    const rng = this.rng.derive('payments');
    const { eventsPerSecond, traffic } = this.options;
    const emit = (t: number, out: SimulatedRecord[]) => out.push(this.payment(t, rng, this.activity.sample(rng)));
    scheduler.add(
      traffic === 'steady'
        ? new SteadyTraffic(rng, origin, eventsPerSecond, emit)
        : new PoissonTraffic(rng, origin, eventsPerSecond, PAYMENTS, emit),
    );
  }

  private merchant(rng: Random, category: Category, country: string): Merchant {
    const entry = this.merchants.get(`${category.name}/${country}`) as { list: Merchant[]; zipf: Zipf };
    return entry.list[entry.zipf.sample(rng)] as Merchant;
  }

  /** An ordinary transaction of `account` at `t`; `channel` and `category` may be imposed. */
  private payment(
    t: number,
    rng: Random,
    account: Account,
    channel = CHANNELS.sample(rng),
    category?: Category,
    amountEur?: number,
  ): SimulatedRecord {
    const cat = category ?? (this.categoriesByChannel.get(channel) as Weighted<Category>).sample(rng);
    // Online purchases are sometimes from a merchant abroad; everything else happens at home.
    const merchantCountry = channel === 'online' && rng.chance(0.25) ? rng.pick(COUNTRIES).code : account.country.code;
    const merchant = this.merchant(rng, cat, merchantCountry);
    const currency = channel === 'online' ? countryOf(merchantCountry).currency : account.country.currency;
    // Customers pay where they live: at a branch in their home city, or online from home.
    return this.transaction(
      t,
      rng,
      account,
      merchant,
      channel,
      currency,
      amountEur ?? logNormal(rng, cat.median, cat.sigma),
      account.city,
    );
  }

  private transaction(
    t: number,
    rng: Random,
    account: Account,
    merchant: Merchant,
    channel: Channel,
    currency: CurrencyCode,
    amountEur: number,
    place: City,
  ): SimulatedRecord {
    const value: FinancialTransaction = {
      event_id: rng.uuid(),
      ts: t,
      account_id: account.record.account_id,
      merchant_id: merchant.id,
      merchant_category: merchant.category.name,
      amount:
        channel === 'atm'
          ? cash(amountEur, currency)
          : Math.max(toCurrency(amountEur, currency), currency === 'JPY' ? 1 : 0.01),
      currency,
      channel,
      country: place.country,
      city: place.name,
      // Within a few km of the city centre.
      lat: round(place.lat + rng.float(-0.03, 0.03), 5),
      lon: round(place.lon + rng.float(-0.03, 0.03), 5),
    };
    return { topic: this.topic, key: account.record.account_id, value, timestamp: t };
  }

  protected plan(kind: string, t: number, rng: Random, scheduler: Scheduler): PlannedAnomaly | undefined {
    const id = this.busy.find(t, () => rng.pick(this.accounts).record.account_id);
    if (id === undefined) return undefined;
    const account = this.accounts.find((a) => a.record.account_id === id) as Account;
    const category = (name: string) => CATEGORIES.find((c) => c.name === name) as Category;
    const records: SimulatedRecord[] = [];
    let detail: Record<string, unknown>;
    switch (kind as FinanceAnomalyKind) {
      case 'card_testing': {
        // A stolen card is tried with a few tiny online payments, then used for one large purchase.
        const small = rng.int(3, 8);
        const currency = account.country.currency;
        let ts = t;
        for (let i = 0; i < small; i++) {
          if (i > 0) ts += rng.int(5, 40) * TIME.SECOND_MS;
          const merchant = this.merchant(rng, category('digital_services'), rng.pick(COUNTRIES).code);
          records.push(
            this.transaction(
              ts,
              rng,
              account,
              merchant,
              'online',
              currency,
              rng.float(0.5, CARD_TEST_SMALL_MAX_EUR),
              account.city,
            ),
          );
        }
        ts += rng.int(30, 180) * TIME.SECOND_MS;
        const large = rng.float(CARD_TEST_LARGE_MIN_EUR, 2500);
        records.push(
          this.transaction(
            ts,
            rng,
            account,
            this.merchant(rng, category('electronics'), account.country.code),
            'online',
            currency,
            large,
            account.city,
          ),
        );
        detail = {
          small_count: small,
          small_max: toCurrency(CARD_TEST_SMALL_MAX_EUR, currency),
          large_amount: (records[records.length - 1]?.value as FinancialTransaction).amount,
          currency,
        };
        break;
      }
      case 'velocity': {
        // Many ordinary-looking payments in a few minutes.
        const count = rng.int(15, 40);
        const span = Math.round(rng.float(2, 8) * TIME.MINUTE_MS);
        const times = Array.from({ length: count }, (_, i) => (i === 0 ? t : t + rng.int(1, span))).sort(
          (a, b) => a - b,
        );
        for (const ts of times)
          records.push(this.payment(ts, rng, account, rng.chance(0.6) ? 'online' : 'card_present'));
        detail = { count, span_ms: (times[times.length - 1] as number) - t };
        break;
      }
      case 'impossible_travel': {
        // A card payment at home, then one in a city thousands of km away within the hour.
        const first = this.payment(t, rng, account, 'card_present');
        const from = first.value as FinancialTransaction;
        const far = COUNTRIES.filter((c) => c.code !== account.country.code)
          .flatMap((c) => c.cities)
          .filter((c) => distanceKm(from, c) >= 3000);
        const to = rng.pick(far);
        const minutes = rng.int(10, 55);
        const second = t + minutes * TIME.MINUTE_MS + rng.int(0, 59) * TIME.SECOND_MS;
        const merchant = this.merchant(
          rng,
          rng.pick([category('retail'), category('electronics'), category('restaurant')]),
          to.country,
        );
        const away = this.transaction(
          second,
          rng,
          account,
          merchant,
          'card_present',
          countryOf(to.country).currency,
          logNormal(rng, merchant.category.median, merchant.category.sigma),
          to,
        );
        records.push(first, away);
        const a = first.value as FinancialTransaction;
        const b = away.value as FinancialTransaction;
        const km = Math.round(distanceKm(a, b));
        detail = {
          from_country: a.country,
          from_city: a.city,
          to_country: b.country,
          to_city: b.city,
          distance_km: km,
          speed_kmh: Math.round(km / ((second - t) / TIME.HOUR_MS)),
        };
        break;
      }
      default:
        return undefined;
    }
    scheduler.add(new PlannedRecords(records));
    const start = records[0]?.timestamp as number;
    const end = Math.max(...records.map((r) => r.timestamp));
    this.busy.hold(id, end, 60 * TIME.MINUTE_MS);
    return { kind, key: id, keyField: 'account_id', start, end, detail };
  }
}
