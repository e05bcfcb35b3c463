import { describe, expect, it } from 'vitest';
import { createStatusStore } from '../../gateway/tracker/store.js';
import { loadStoreConfig, StoreConfigError } from '../../store/index.js';

describe('store configuration', () => {
  it('should refuse the distributed mode (REDIS_URL) without DATABASE_URL, saying what to set', () => {
    expect(() => loadStoreConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(StoreConfigError);
    expect(() => loadStoreConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /DATABASE_URL is required in the distributed mode.*Set DATABASE_URL=postgres:/,
    );
    // The gateway's tracker store refuses too, at once (start-up fails before serving).
    expect(() => createStatusStore({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/DATABASE_URL is required/);
  });

  it('should default to embedded PGlite in .data/pglite and validate DATABASE_URL and STORE_SCHEMA without echoing a password', () => {
    expect(loadStoreConfig({})).toEqual({
      databaseUrl: null,
      dataDir: '.data/pglite',
      schema: 'public',
      pgliteThread: true,
    });
    expect(
      loadStoreConfig({
        DATABASE_URL: 'postgres://u@h:5432/db',
        REDIS_URL: 'redis://x',
        DATA_DIR: '/tmp/x',
        STORE_SCHEMA: 'ovg',
      }),
    ).toEqual({ databaseUrl: 'postgres://u@h:5432/db', dataDir: '/tmp/x', schema: 'ovg', pgliteThread: true });
    let message = '';
    try {
      loadStoreConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL: expected postgres:\/\//);
    expect(message).not.toContain('hunter2');
    expect(() => loadStoreConfig({ STORE_SCHEMA: 'Drop Table' })).toThrow(
      /STORE_SCHEMA: expected a lower-case SQL identifier/,
    );
  });

  it('should run PGlite on its own thread unless PGLITE_THREAD is off, and refuse any other value', () => {
    expect(loadStoreConfig({}).pgliteThread).toBe(true);
    expect(loadStoreConfig({ PGLITE_THREAD: ' ON ' }).pgliteThread).toBe(true);
    expect(loadStoreConfig({ PGLITE_THREAD: 'off' }).pgliteThread).toBe(false);
    expect(loadStoreConfig({ PGLITE_THREAD: '0' }).pgliteThread).toBe(false);
    expect(() => loadStoreConfig({ PGLITE_THREAD: 'maybe' })).toThrow(/PGLITE_THREAD: expected on or off/);
  });
});
