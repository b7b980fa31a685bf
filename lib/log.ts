/**
 * Structured logs: one JSON object per line when SLUICE_LOG_FORMAT=json (for machines), a short readable
 * line otherwise (for people). Every line names what it is about (`resource`, `component`).
 * Values of keys that look like secrets are masked, so a careless field cannot leak a password.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|credential|jaas/i;

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'text';
  write?: (line: string) => void;
}

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_KEY.test(key) ? '***' : value;
  return out;
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const level = options.level ?? (process.env.SLUICE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const format = options.format ?? (process.env.SLUICE_LOG_FORMAT === 'json' ? 'json' : 'text');
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threshold = LEVELS[level] ?? LEVELS.info;

  const emit = (lvl: LogLevel, message: string, fields: LogFields = {}): void => {
    if (LEVELS[lvl] < threshold) return;
    const all = redact({ ...bound, ...fields });
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: message, ...all }));
      return;
    }
    const subject = all.resource ?? all.component;
    const rest = Object.entries(all)
      .filter(([k]) => k !== 'resource' && k !== 'component')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    const prefix = lvl === 'info' ? '' : `${lvl.toUpperCase()} `;
    write(`${prefix}${subject ? `${String(subject)}: ` : ''}${message}${rest.length ? `  ${rest.join(' ')}` : ''}`);
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

export const log = createLogger();
