import pino from 'pino';
import type { LogLevel } from '../config/config';

export type Logger = pino.Logger;

/** JSON logs; credentials are redacted wherever they appear in a logged object. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'apiKey', 'key', 'password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
