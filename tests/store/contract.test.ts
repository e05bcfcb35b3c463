import { afterAll } from 'vitest';
import { openStore } from '../../store/index.js';
import { databaseUrl, describePostgres, dropSchema, uniqueSchema } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

storeContract('PGlite', (opts) => openStore({ databaseUrl: null, dataDir: '', schema: 'public' }, opts), {
  memory: true,
});

await describePostgres('PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });
  storeContract(
    'PostgreSQL',
    (opts) => {
      const schema = uniqueSchema();
      schemas.push(schema);
      return openStore({ databaseUrl: databaseUrl(), dataDir: '', schema }, opts);
    },
    {
      memory: false,
      openSame: (opts) => openStore({ databaseUrl: databaseUrl(), dataDir: '', schema: schemas.at(-1)! }, opts),
    },
  );
});
