declare module 'virtual:partner-operations' {
  /** The partner client's operations of operations/manifest.json (see vite.config.ts). */
  const manifest: {
    format: 'apollo-persisted-query-manifest';
    version: 1;
    operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
  };
  export default manifest;
}
