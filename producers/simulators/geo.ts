/** The small world the simulators share: countries with their currency, cities and a weight. */

export type CurrencyCode = 'EUR' | 'USD' | 'GBP' | 'JPY' | 'CHF' | 'AUD' | 'CAD';

export interface City {
  name: string;
  country: string;
  lat: number;
  lon: number;
}

export interface Country {
  /** ISO 3166-1 alpha-2. */
  code: string;
  currency: CurrencyCode;
  /** Relative share of customers, web clients and sites. */
  weight: number;
  cities: readonly City[];
}

function country(
  code: string,
  currency: CurrencyCode,
  weight: number,
  cities: ReadonlyArray<[string, number, number]>,
): Country {
  return { code, currency, weight, cities: cities.map(([name, lat, lon]) => ({ name, country: code, lat, lon })) };
}

export const COUNTRIES: readonly Country[] = [
  country('NL', 'EUR', 10, [
    ['Amsterdam', 52.3676, 4.9041],
    ['Rotterdam', 51.9244, 4.4777],
    ['Utrecht', 52.0907, 5.1214],
  ]),
  country('DE', 'EUR', 14, [
    ['Berlin', 52.52, 13.405],
    ['Munich', 48.1351, 11.582],
    ['Hamburg', 53.5511, 9.9937],
  ]),
  country('FR', 'EUR', 10, [
    ['Paris', 48.8566, 2.3522],
    ['Lyon', 45.764, 4.8357],
    ['Marseille', 43.2965, 5.3698],
  ]),
  country('ES', 'EUR', 6, [
    ['Madrid', 40.4168, -3.7038],
    ['Barcelona', 41.3874, 2.1686],
  ]),
  country('IT', 'EUR', 6, [
    ['Rome', 41.9028, 12.4964],
    ['Milan', 45.4642, 9.19],
  ]),
  country('GB', 'GBP', 10, [
    ['London', 51.5074, -0.1278],
    ['Manchester', 53.4808, -2.2426],
    ['Edinburgh', 55.9533, -3.1883],
  ]),
  country('CH', 'CHF', 3, [
    ['Zurich', 47.3769, 8.5417],
    ['Geneva', 46.2044, 6.1432],
  ]),
  country('US', 'USD', 20, [
    ['New York', 40.7128, -74.006],
    ['Chicago', 41.8781, -87.6298],
    ['San Francisco', 37.7749, -122.4194],
    ['Austin', 30.2672, -97.7431],
  ]),
  country('CA', 'CAD', 5, [
    ['Toronto', 43.6532, -79.3832],
    ['Vancouver', 49.2827, -123.1207],
  ]),
  country('JP', 'JPY', 8, [
    ['Tokyo', 35.6762, 139.6503],
    ['Osaka', 34.6937, 135.5023],
  ]),
  country('AU', 'AUD', 5, [
    ['Sydney', -33.8688, 151.2093],
    ['Melbourne', -37.8136, 144.9631],
  ]),
];

export function countryOf(code: string): Country {
  const found = COUNTRIES.find((c) => c.code === code);
  if (!found) throw new RangeError(`unknown country ${code}`);
  return found;
}

/** Units of each currency per euro (fixed, round numbers: the simulation needs plausible, not current, rates). */
export const PER_EUR: Readonly<Record<CurrencyCode, number>> = {
  EUR: 1,
  USD: 1.08,
  GBP: 0.85,
  JPY: 160,
  CHF: 0.95,
  AUD: 1.65,
  CAD: 1.47,
};

/** Decimals of each currency's minor unit. */
export const MINOR_DIGITS: Readonly<Record<CurrencyCode, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  JPY: 0,
  CHF: 2,
  AUD: 2,
  CAD: 2,
};

/** Great-circle distance in km (haversine). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export const FIRST_NAMES = [
  'Emma',
  'Liam',
  'Sophie',
  'Noah',
  'Julia',
  'Lucas',
  'Mila',
  'Daan',
  'Anna',
  'Finn',
  'Lena',
  'Jonas',
  'Chloé',
  'Hugo',
  'Lucía',
  'Mateo',
  'Giulia',
  'Marco',
  'Olivia',
  'Oliver',
  'Amelia',
  'Harry',
  'Yuki',
  'Haruto',
  'Sakura',
  'Ava',
  'Ethan',
  'Mia',
  'James',
  'Charlotte',
  'Leon',
  'Nora',
  'Elias',
  'Ines',
  'Samuel',
  'Zoe',
  'Arthur',
  'Ruby',
  'Jack',
  'Isla',
] as const;

export const LAST_NAMES = [
  'de Vries',
  'Jansen',
  'Bakker',
  'Müller',
  'Schmidt',
  'Schneider',
  'Martin',
  'Bernard',
  'Dubois',
  'García',
  'Fernández',
  'Rossi',
  'Russo',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Johnson',
  'Miller',
  'Davis',
  'Tanaka',
  'Suzuki',
  'Sato',
  'Wilson',
  'Thompson',
  'Tremblay',
  'Roy',
  'Nguyen',
  'Kelly',
  'Weber',
  'Visser',
  'Moreau',
  'Romano',
  'Evans',
  'Walker',
] as const;
