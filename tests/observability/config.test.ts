/** The observability settings are typed and validated at start-up like every other. */
import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../../gateway/config.js';

describe('observability configuration', () => {
  it('should leave the metrics port off unless METRICS_PORT is set, and read it as a port', () => {
    expect(gatewayConfigFromEnv({}).metricsPort).toBeUndefined();
    expect(gatewayConfigFromEnv({ METRICS_PORT: '9400' }).metricsPort).toBe(9400);
  });

  it('should refuse a METRICS_PORT that is not a port, saying what arrived', () => {
    expect(() => gatewayConfigFromEnv({ METRICS_PORT: 'metrics' })).toThrow(
      /METRICS_PORT must be an integer from 0 to 65535; received "metrics"/,
    );
    expect(() => gatewayConfigFromEnv({ METRICS_PORT: '70000' })).toThrow(
      /METRICS_PORT must be an integer from 0 to 65535; received "70000"/,
    );
  });
});

describe('trace export configuration', () => {
  it('should export nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and refuse one that is not an http(s) URL', async () => {
    const { otlpEndpoint } = await import('../../runtime/telemetry.js');
    expect(otlpEndpoint({})).toBeUndefined();
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('http://127.0.0.1:4318');
    expect(() => otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL such as http:\/\/127.0.0.1:4318; received "collector:4318"/,
    );
  });
});
