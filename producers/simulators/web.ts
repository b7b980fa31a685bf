/**
 * The web simulator: the access log of a web shop. Human clients (from residential, mobile and office IP
 * ranges) request Zipf-distributed paths with a diurnal rhythm; crawler bots (from cloud ranges) crawl
 * steadily around the clock. Anomalies: a 5xx burst on one endpoint, a slow endpoint (response time
 * x10), and a bot flood from one new address.
 */
import { BaseSimulator, BusyKeys, type PlannedAnomaly } from './base';
import { TIME, WEB_TRAFFIC, type DiurnalCurve } from './diurnal';
import { Weighted, Zipf, logNormal, round } from './distributions';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES } from './geo';
import {
  readCommonOptions,
  readTraffic,
  type CommonSimulatorOptions,
  type OptionReader,
  type TrafficShape,
} from './options';
import { Random } from './random';
import { PlannedRecords, PoissonTraffic, SteadyTraffic, arrivals, type Process, type Scheduler } from './scheduler';
import { SIMULATOR_TOPICS } from './topics';
import type { SimulatedRecord } from './types';

export const WEB_ANOMALY_KINDS = ['error_burst', 'slow_endpoint', 'bot_flood'] as const;
export type WebAnomalyKind = (typeof WEB_ANOMALY_KINDS)[number];

export interface WebSimulatorOptions extends CommonSimulatorOptions {
  /** Requests per second (humans and crawlers): averaged over a simulated day, or at every moment with traffic 'steady'. Default 20. */
  eventsPerSecond?: number;
  /** 'daily' (default): people follow the daily curve, arrivals are Poisson; 'steady': eventsPerSecond at every moment. */
  traffic?: TrafficShape;
  /** Distinct human clients (browsers), each with its own IP address. Default 2000. */
  clients?: number;
  /** Registered users; about a third of the clients are signed in as one. Default 500. */
  users?: number;
  /** Distinct paths of the site. Default 60. */
  paths?: number;
  /** Zipf exponent of path popularity: higher concentrates requests on the top paths. Default 1.1. */
  pathSkew?: number;
  /** Crawler bots. Default 12. */
  bots?: number;
  /** Share of requests that come from crawler bots (they do not follow the diurnal curve). Default 0.08. */
  botShare?: number;
  /** IP ranges in the reference data (ref.ip-ranges). Default 48. */
  ipRanges?: number;
}

export type WebAccessLog = {
  event_id: string;
  ts: number;
  client_ip: string;
  user: string | null;
  method: HttpMethod;
  path: string;
  status: number;
  bytes: number;
  referrer: string | null;
  user_agent: string;
  response_time_ms: number;
  is_bot: boolean;
};

export type IpRange = { cidr: string; start_ip: string; end_ip: string; country: string; asn: number; as_org: string };

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
type PathKind = 'page' | 'static' | 'api';
type RangeKind = 'residential' | 'mobile' | 'office' | 'cloud';

interface SitePath {
  path: string;
  kind: PathKind;
  methods: Weighted<HttpMethod>;
  bytesMedian: number;
  timeMedianMs: number;
}

interface Range {
  record: IpRange;
  kind: RangeKind;
  first: number;
  size: number;
}

interface Client {
  ip: string;
  userAgent: string;
  user: string | null;
  isBot: boolean;
}

const SITE = 'https://shop.example.com';

const BROWSERS = new Weighted<string>([
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    34,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    22,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    16,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    12,
  ],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', 9],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
    7,
  ],
]);

const CRAWLERS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)',
  'Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)',
] as const;

const SCRAPERS = [
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  'curl/8.5.0',
  'Scrapy/2.11.0 (+https://scrapy.org)',
  'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
] as const;

const EXTERNAL_REFERRERS = [
  'https://www.google.com/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://t.co/',
  'https://www.facebook.com/',
  'https://news.ycombinator.com/',
] as const;

const only = (method: HttpMethod) => new Weighted<HttpMethod>([[method, 1]]);
const GET_MOSTLY = new Weighted<HttpMethod>([
  ['GET', 97],
  ['HEAD', 2],
  ['OPTIONS', 1],
]);

/** The site's paths, most popular first (popularity is Zipf over this order). */
function sitePaths(count: number, rng: Random): SitePath[] {
  const page = (path: string, bytesMedian = 24_000, timeMedianMs = 60): SitePath => ({
    path,
    kind: 'page',
    methods: GET_MOSTLY,
    bytesMedian,
    timeMedianMs,
  });
  const asset = (path: string, bytesMedian: number): SitePath => ({
    path,
    kind: 'static',
    methods: only('GET'),
    bytesMedian,
    timeMedianMs: 4,
  });
  const api = (path: string, methods: Weighted<HttpMethod>, bytesMedian = 2_000, timeMedianMs = 45): SitePath => ({
    path,
    kind: 'api',
    methods,
    bytesMedian,
    timeMedianMs,
  });
  const base: SitePath[] = [
    page('/', 32_000, 50),
    asset('/static/app.js', 180_000),
    asset('/static/app.css', 45_000),
    api('/api/products', GET_MOSTLY, 6_000, 40),
    page('/products', 28_000, 70),
    api(
      '/api/cart',
      new Weighted<HttpMethod>([
        ['GET', 55],
        ['POST', 30],
        ['PATCH', 8],
        ['DELETE', 7],
      ]),
      1_500,
      35,
    ),
    page('/search', 26_000, 140),
    api('/api/search', GET_MOSTLY, 5_000, 120),
    asset('/favicon.ico', 4_300),
    api('/api/recommendations', GET_MOSTLY, 3_500, 90),
    page('/cart', 18_000, 55),
    page('/login', 12_000, 40),
    api(
      '/api/session',
      new Weighted<HttpMethod>([
        ['POST', 70],
        ['GET', 20],
        ['DELETE', 10],
      ]),
      600,
      80,
    ),
    page('/checkout', 20_000, 90),
    api(
      '/api/checkout',
      new Weighted<HttpMethod>([
        ['POST', 85],
        ['PUT', 15],
      ]),
      1_200,
      280,
    ),
    page('/account', 16_000, 60),
    api(
      '/api/orders',
      new Weighted<HttpMethod>([
        ['GET', 80],
        ['POST', 20],
      ]),
      2_500,
      70,
    ),
    page('/orders', 17_000, 65),
    asset('/static/logo.svg', 6_000),
    page('/help', 14_000, 45),
    asset('/robots.txt', 300),
    asset('/sitemap.xml', 40_000),
    page('/about', 11_000, 40),
    page('/contact', 9_000, 40),
    api('/api/health', only('GET'), 60, 3),
  ];
  const out = base.slice(0, count);
  const productIds = rng.shuffle(Array.from({ length: 9000 }, (_, i) => 1000 + i));
  for (let i = 0; out.length < count; i++) {
    if (i % 4 === 3) out.push(page(`/blog/post-${100 + i}`, 21_000, 55));
    else out.push(page(`/products/${productIds[i % productIds.length] as number}`, 30_000, 75));
  }
  return out;
}

const STATUS: Record<PathKind, Weighted<number>> = {
  static: new Weighted<number>([
    [200, 67],
    [304, 30],
    [404, 2.4],
    [500, 0.3],
    [503, 0.3],
  ]),
  page: new Weighted<number>([
    [200, 93],
    [301, 1],
    [302, 2],
    [404, 2.5],
    [403, 0.5],
    [500, 0.5],
    [502, 0.2],
    [503, 0.2],
    [504, 0.1],
  ]),
  api: new Weighted<number>([
    [200, 90],
    [201, 3],
    [400, 2],
    [401, 1.5],
    [404, 1.5],
    [409, 0.5],
    [500, 0.8],
    [502, 0.3],
    [503, 0.3],
    [504, 0.1],
  ]),
};
const CRAWLER_STATUS = new Weighted<number>([
  [200, 94],
  [301, 2],
  [404, 4],
]);
const SERVER_ERRORS = new Weighted<number>([
  [500, 40],
  [502, 20],
  [503, 30],
  [504, 10],
]);
const FLOOD_STATUS = new Weighted<number>([
  [200, 82],
  [404, 6],
  [429, 12],
]);

/** First octets never used: 0, private, shared, loopback, link-local, documentation, multicast and above. */
const RESERVED_FIRST_OCTETS = new Set([0, 10, 100, 127, 169, 172, 192, 198, 203]);

const ORGS: Record<RangeKind, readonly string[]> = {
  residential: [
    'Polder Fibre',
    'Rheinkabel',
    'Lumière Télécom',
    'Meseta Net',
    'Tevere Fibra',
    'Thames Broadband',
    'Alpenkabel',
    'Liberty Cable',
    'Maple Net',
    'Sakura Hikari',
    'Southern Cross Broadband',
  ],
  mobile: ['Noordzee Mobiel', 'Funkwelle Mobil', 'Azur Mobile', 'Atlas Wireless', 'Kiwami Mobile'],
  office: ['Example Logistics Ltd', 'Acme Retail Group', 'Contoso Holdings', 'Fabrikam Engineering'],
  cloud: ['Nimbus Cloud', 'Stratus Hosting', 'Cumulus Compute', 'Cirrus Servers'],
};

/** Addresses in a /24 block. */
const BLOCK_SIZE = 256;

export const ipToInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
export const intToIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

function ipRanges(count: number, rng: Random): Range[] {
  const kinds = new Weighted<RangeKind>([
    ['residential', 50],
    ['mobile', 20],
    ['office', 10],
    ['cloud', 20],
  ]);
  const countries = new Weighted(COUNTRIES.map((c) => [c.code, c.weight] as const));
  // No range is smaller than a /24, so every /24 block belongs to one range (ref.ip-blocks).
  const prefixes: Record<RangeKind, readonly [number, number]> = {
    residential: [14, 18],
    mobile: [15, 18],
    office: [22, 24],
    cloud: [18, 22],
  };
  const ranges: Range[] = [];
  // Every kind at least once, so clients and bots always have a range to come from.
  const plan: RangeKind[] = ['residential', 'mobile', 'office', 'cloud'];
  while (plan.length < count) plan.push(kinds.sample(rng));
  for (const [i, kind] of plan.entries()) {
    const orgIndex = rng.int(0, ORGS[kind].length - 1);
    const org = ORGS[kind][orgIndex] as string;
    const asn = 64512 + ['residential', 'mobile', 'office', 'cloud'].indexOf(kind) * 100 + orgIndex;
    const [low, high] = prefixes[kind];
    const prefix = rng.int(low, high);
    const size = 2 ** (32 - prefix);
    let first = 0;
    for (let tries = 0; ; tries++) {
      let octet: number;
      do octet = rng.int(1, 223);
      while (RESERVED_FIRST_OCTETS.has(octet));
      first = octet * 2 ** 24 + Math.floor((rng.next() * 2 ** 24) / size) * size;
      if (!ranges.some((r) => first < r.first + r.size && r.first < first + size)) break;
      if (tries > 1000) throw new Error(`cannot place IP range ${i}`);
    }
    const country = kind === 'cloud' ? rng.pick(['US', 'DE', 'NL', 'GB', 'JP', 'AU']) : countries.sample(rng);
    ranges.push({
      kind,
      first,
      size,
      record: {
        cidr: `${intToIp(first)}/${prefix}`,
        start_ip: intToIp(first),
        end_ip: intToIp(first + size - 1),
        country,
        asn,
        as_org: org,
      },
    });
  }
  return ranges;
}

/** A host address inside the range (not its first or last address). */
function hostIn(range: Range, rng: Random): string {
  return intToIp(range.first + 1 + Math.floor(rng.next() * (range.size - 2)));
}

function username(rng: Random, n: number): string {
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  return `${ascii(rng.pick(FIRST_NAMES))}.${ascii(rng.pick(LAST_NAMES))}${n % 100}`;
}

export function readWebOptions(reader: OptionReader) {
  const common = readCommonOptions(reader, WEB_ANOMALY_KINDS);
  const options = {
    ...common,
    eventsPerSecond: reader.number('eventsPerSecond', {
      default: 20,
      above: 0,
      max: 100_000,
      example: 'eventsPerSecond: 20',
    }),
    clients: reader.number('clients', {
      default: 2000,
      min: 1,
      max: 1_000_000,
      integer: true,
      example: 'clients: 2000',
    }),
    users: reader.number('users', { default: 500, min: 0, max: 1_000_000, integer: true, example: 'users: 500' }),
    paths: reader.number('paths', { default: 60, min: 10, max: 10_000, integer: true, example: 'paths: 60' }),
    pathSkew: reader.number('pathSkew', { default: 1.1, above: 0, max: 5, example: 'pathSkew: 1.1' }),
    bots: reader.number('bots', { default: 12, min: 0, max: 10_000, integer: true, example: 'bots: 12' }),
    botShare: reader.number('botShare', { default: 0.08, min: 0, max: 0.9, example: 'botShare: 0.08' }),
    traffic: readTraffic(reader),
    ipRanges: reader.number('ipRanges', { default: 48, min: 4, max: 4096, integer: true, example: 'ipRanges: 48' }),
  };
  if (options.bots === 0 && options.botShare > 0 && reader.problems.length === 0) {
    reader.problem(
      'botShare',
      `is ${options.botShare} but bots is 0, so no crawler could send that share`,
      'set bots to at least 1, or botShare to 0',
    );
  }
  return options;
}

export type ResolvedWebOptions = ReturnType<typeof readWebOptions>;

export class WebSimulator extends BaseSimulator {
  readonly source = 'web' as const;
  private readonly topic = SIMULATOR_TOPICS.web.events;
  private readonly paths: SitePath[];
  private readonly popularity: Zipf;
  private readonly ranges: Range[];
  private readonly clients: Client[];
  private readonly clientActivity: Zipf;
  private readonly crawlers: Client[];
  private readonly busy = new BusyKeys();
  /** Anomalies acting on the paths: the status and response time of every request to them. */
  private readonly pathEffects = new Map<
    string,
    { kind: 'error_burst' | 'slow_endpoint'; start: number; end: number }
  >();
  private readonly usedIps = new Set<string>();

  constructor(private readonly options: ResolvedWebOptions) {
    const rng = new Random(options.seed).derive('web');
    super(rng, options.anomalyRate, options.anomalyKinds);
    const world = rng.derive('world');
    this.paths = sitePaths(options.paths, world);
    this.popularity = new Zipf(this.paths.length, options.pathSkew);
    this.ranges = ipRanges(options.ipRanges, world);
    const users = Array.from({ length: options.users }, (_, i) => username(world, i));
    const humanRanges = new Weighted(
      this.ranges
        .filter((r) => r.kind !== 'cloud')
        .map((r) => [r, r.kind === 'office' ? 1 : r.kind === 'mobile' ? 2 : 3] as const),
    );
    const cloud = this.ranges.filter((r) => r.kind === 'cloud');
    this.clients = Array.from({ length: options.clients }, () => ({
      ip: hostIn(humanRanges.sample(world), world),
      userAgent: BROWSERS.sample(world),
      user: users.length > 0 && world.chance(0.35) ? world.pick(users) : null,
      isBot: false,
    }));
    this.clientActivity = new Zipf(this.clients.length, 0.7);
    this.crawlers = Array.from({ length: options.bots }, () => ({
      ip: hostIn(world.pick(cloud), world),
      userAgent: world.pick(CRAWLERS),
      user: null,
      isBot: true,
    }));
    for (const client of [...this.clients, ...this.crawlers]) this.usedIps.add(client.ip);
  }

  /**
   * The IP ranges (ref.ip-ranges, keyed by CIDR), then every /24 block of each range (ref.ip-blocks,
   * keyed by block): a stream finds an address's range by its block with an equality join.
   */
  referenceData(at = 0): SimulatedRecord[] {
    const [rangesTopic, blocksTopic] = SIMULATOR_TOPICS.web.reference as [string, string];
    const ranges = this.ranges.map((r) => ({
      topic: rangesTopic,
      key: r.record.cidr,
      value: { ...r.record } as Record<string, unknown>,
      timestamp: at,
    }));
    const blocks = this.ranges.flatMap((r) => {
      const { cidr, country, asn, as_org } = r.record;
      return Array.from({ length: r.size / BLOCK_SIZE }, (_, i) => {
        const block = `${intToIp(r.first + i * BLOCK_SIZE)}/24`;
        return {
          topic: blocksTopic,
          key: block,
          value: { block, cidr, country, asn, as_org } as Record<string, unknown>,
          timestamp: at,
        };
      });
    });
    return [...ranges, ...blocks];
  }

  expectedRate(t: number): number {
    const { eventsPerSecond, botShare, traffic } = this.options;
    const bots = this.crawlers.length > 0 ? eventsPerSecond * botShare : 0;
    const people = eventsPerSecond * (1 - botShare);
    return (traffic === 'steady' ? people : people * WEB_TRAFFIC.at(t)) + bots; // crawlers ignore the time of day
  }

  protected start(origin: number, scheduler: Scheduler): void {
    const { eventsPerSecond, botShare, traffic } = this.options;
    const stream = (
      rng: Random,
      perSecond: number,
      curve: DiurnalCurve | undefined,
      emit: (t: number, out: SimulatedRecord[]) => void,
    ): Process =>
      traffic === 'steady'
        ? new SteadyTraffic(rng, origin, perSecond, emit)
        : new PoissonTraffic(rng, origin, perSecond, curve, emit);
    const humans = this.rng.derive('humans');
    scheduler.add(
      stream(humans, eventsPerSecond * (1 - botShare), WEB_TRAFFIC, (t, out) => out.push(this.human(t, humans))),
    );
    if (this.crawlers.length > 0 && botShare > 0) {
      const crawl = this.rng.derive('crawlers');
      const activity = new Zipf(this.crawlers.length, 1);
      scheduler.add(
        stream(crawl, eventsPerSecond * botShare, undefined, (t, out) => {
          const bot = this.crawlers[activity.sample(crawl)] as Client;
          const path = crawl.pick(this.paths);
          out.push(
            this.request(t, crawl, bot, path, crawl.chance(0.05) ? 'HEAD' : 'GET', CRAWLER_STATUS.sample(crawl), null),
          );
        }),
      );
    }
  }

  private human(t: number, rng: Random): SimulatedRecord {
    const client = this.clients[this.clientActivity.sample(rng)] as Client;
    const path = this.paths[this.popularity.sample(rng)] as SitePath;
    const method = path.methods.sample(rng);
    let status = STATUS[path.kind].sample(rng);
    if (status === 201 && method === 'GET') status = 200;
    if (status === 401 && client.user !== null) status = 403;
    const referrer = rng.chance(0.4)
      ? null
      : rng.chance(0.7)
        ? `${SITE}${(this.paths[this.popularity.sample(rng)] as SitePath).path}`
        : rng.pick(EXTERNAL_REFERRERS);
    return this.request(t, rng, client, path, method, status, referrer);
  }

  private request(
    t: number,
    rng: Random,
    client: Client,
    path: SitePath,
    method: HttpMethod,
    status: number,
    referrer: string | null,
    responseFactor = 1,
  ): SimulatedRecord {
    // Drawn for every request, so the normal traffic draws the same numbers with or without anomalies.
    const failing = rng.chance(0.85);
    const serverError = SERVER_ERRORS.sample(rng);
    const effect = this.pathEffects.get(path.path);
    let factor = responseFactor;
    if (effect && t >= effect.start && t <= effect.end) {
      if (effect.kind === 'error_burst' && failing) status = serverError;
      if (effect.kind === 'slow_endpoint') factor *= 10;
    }
    const bytes =
      status === 304 || method === 'HEAD' || method === 'OPTIONS'
        ? 0
        : status >= 300
          ? Math.round(logNormal(rng, 320, 0.3))
          : Math.round(logNormal(rng, path.bytesMedian, 0.5));
    const value: WebAccessLog = {
      event_id: rng.uuid(),
      ts: t,
      client_ip: client.ip,
      user: client.user,
      method,
      path: path.path,
      status,
      bytes,
      referrer,
      user_agent: client.userAgent,
      response_time_ms: round(logNormal(rng, path.timeMedianMs, 0.45) * factor, 2),
      is_bot: client.isBot,
    };
    return { topic: this.topic, key: client.ip, value, timestamp: t };
  }

  protected plan(kind: string, t: number, rng: Random, scheduler: Scheduler): PlannedAnomaly | undefined {
    switch (kind as WebAnomalyKind) {
      case 'error_burst':
      case 'slow_endpoint':
        return this.planPathAnomaly(kind as 'error_burst' | 'slow_endpoint', t, rng, scheduler);
      case 'bot_flood':
        return this.planBotFlood(t, rng, scheduler);
    }
  }

  /** An endpoint fails (5xx) or slows down (x10) for a few minutes; clients retrying add requests to it. */
  private planPathAnomaly(
    kind: 'error_burst' | 'slow_endpoint',
    t: number,
    rng: Random,
    scheduler: Scheduler,
  ): PlannedAnomaly | undefined {
    const candidates = this.paths.slice(0, 16).filter((p) => p.kind !== 'static');
    const path = this.busy.find(t, () => rng.pick(candidates).path);
    if (path === undefined) return undefined;
    const sitePath = this.paths.find((p) => p.path === path) as SitePath;
    const start = t;
    const end = t + Math.round(rng.float(2, kind === 'error_burst' ? 8 : 12) * TIME.MINUTE_MS);
    this.pathEffects.set(path, { kind, start, end });
    this.busy.hold(path, end, 10 * TIME.MINUTE_MS);
    // Retries: a steady trickle of extra requests, so the anomaly shows even on a quiet path.
    const retryRate = kind === 'error_burst' ? 0.5 : 0.2;
    const retries = arrivals(rng, start, end, retryRate, 5).map((ts) => {
      const client = this.clients[this.clientActivity.sample(rng)] as Client;
      return this.request(ts, rng, client, sitePath, sitePath.methods.sample(rng), 200, `${SITE}${path}`);
    });
    scheduler.add(new PlannedRecords(retries));
    return {
      kind,
      key: path,
      keyField: 'path',
      start,
      end,
      detail: kind === 'error_burst' ? { path, error_share: 0.85 } : { path, factor: 10 },
    };
  }

  /** One new address floods the site with scraping requests: tens per second for a few minutes. */
  private planBotFlood(t: number, rng: Random, scheduler: Scheduler): PlannedAnomaly | undefined {
    const cloud = this.ranges.filter((r) => r.kind === 'cloud');
    let ip = hostIn(rng.pick(cloud), rng);
    while (this.usedIps.has(ip)) ip = hostIn(rng.pick(cloud), rng);
    this.usedIps.add(ip);
    const bot: Client = {
      ip,
      userAgent: rng.chance(0.3) ? BROWSERS.sample(rng) : rng.pick(SCRAPERS),
      user: null,
      isBot: true,
    };
    const perSecond = round(rng.float(15, 40), 1);
    const times = arrivals(rng, t, t + Math.round(rng.float(2, 6) * TIME.MINUTE_MS), perSecond, 50);
    const records = times.map((ts) => {
      const path = rng.pick(this.paths);
      return this.request(ts, rng, bot, path, 'GET', FLOOD_STATUS.sample(rng), null, 0.8);
    });
    scheduler.add(new PlannedRecords(records));
    const start = times[0] as number;
    const end = times[times.length - 1] as number;
    this.busy.hold(ip, end, 0);
    return {
      kind: 'bot_flood',
      key: ip,
      keyField: 'client_ip',
      start,
      end,
      detail: { client_ip: ip, user_agent: bot.userAgent, requests: records.length, rate_per_s: perSecond },
    };
  }
}
