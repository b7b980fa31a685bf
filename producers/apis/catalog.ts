/** Every API Sluice ingests, by the name `sluice ingest <api>` and `ingestors.<api>` in the spec use. */
import type { IngestorsSpec } from '../../lib/spec';
import { alphaVantage } from './alphavantage/ingestor';
import { facebook } from './facebook/ingestor';
import type { ApiModule, ApiName } from './framework/types';
import { googleMaps } from './google-maps/ingestor';
import { openMeteo } from './open-meteo/ingestor';
import { openAq } from './openaq/ingestor';
import { tomTom } from './tomtom/ingestor';
import { weatherApi } from './weatherapi/ingestor';
import { x } from './x/stream';
import { yahoo } from './yahoo/ingestor';

type Modules = { [Name in ApiName]: ApiModule<NonNullable<IngestorsSpec[Name]>> };

export const API_MODULES: Readonly<Modules> = {
  openaq: openAq,
  tomtom: tomTom,
  weatherapi: weatherApi,
  'open-meteo': openMeteo,
  alphavantage: alphaVantage,
  yahoo,
  'google-maps': googleMaps,
  x,
  facebook,
};
