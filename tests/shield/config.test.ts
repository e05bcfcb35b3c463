import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from '../../runtime/env.js';
import { defaultShieldConfig, SHIELD_DEFAULTS, shieldConfigFromEnv } from '../../gateway/shield/index.js';

const NAMES = ['erp', 'oms', 'wms', 'carrier', 'returns'];

describe('shieldConfigFromEnv', () => {
  it('should give the ERP its own defaults and the others the shared ones', () => {
    const configs = shieldConfigFromEnv({}, NAMES);
    expect(Object.keys(configs)).toEqual(NAMES);
    expect(configs.erp).toEqual({ ...SHIELD_DEFAULTS, ratePerSecond: 25, burst: 10, maxConcurrency: 8, maxQueue: 32 });
    expect(configs.oms).toEqual(SHIELD_DEFAULTS);
    expect(configs.erp).toEqual(defaultShieldConfig('erp'));
    expect(SHIELD_DEFAULTS).toMatchObject({
      ratePerSecond: 500,
      maxConcurrency: 64,
      timeoutMs: 2000,
      retries: 2,
      breakerFailures: 5,
      breakerCooldownMs: 5000,
    });
  });

  it('should read SHIELD_<NAME>_* first, then SHIELD_DEFAULT_*, then the built-in default', () => {
    const configs = shieldConfigFromEnv(
      {
        SHIELD_ERP_RATE_PER_SECOND: '25',
        SHIELD_DEFAULT_RATE_PER_SECOND: '300',
        SHIELD_DEFAULT_TIMEOUT_MS: '1500',
        SHIELD_WMS_TIMEOUT_MS: '800',
        SHIELD_CARRIER_RETRIES: '0',
        SHIELD_RETURNS_RETRY_BUDGET_RATIO: '0.2',
      },
      NAMES,
    );
    expect(configs.erp).toMatchObject({ ratePerSecond: 25, burst: 10, timeoutMs: 1500 });
    expect(configs.oms).toMatchObject({ ratePerSecond: 300, timeoutMs: 1500 });
    expect(configs.wms).toMatchObject({ ratePerSecond: 300, timeoutMs: 800 });
    expect(configs.carrier).toMatchObject({ retries: 0 });
    expect(configs.returns).toMatchObject({ retryBudgetRatio: 0.2 });
  });

  it('should name every bad value in one ConfigError, typos included', () => {
    let error: unknown;
    try {
      shieldConfigFromEnv(
        {
          SHIELD_ERP_BURST: '2.5',
          SHIELD_DEFAULT_TIMEOUT_MS: 'soon',
          SHIELD_OMS_RETRY_BASE_MS: '2000',
          SHIELD_ERP_RATE: '10',
          SHIELD_BILLING_RETRIES: '1',
        },
        NAMES,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        'SHIELD_ERP_BURST must be an integer from 1 to 1000000; received "2.5"',
        'SHIELD_DEFAULT_TIMEOUT_MS must be an integer from 1 to 600000; received "soon"',
        'SHIELD_OMS_RETRY_MAX_MS must be at least its RETRY_BASE_MS (2000); received 1000',
        expect.stringMatching(
          /^SHIELD_BILLING_RETRIES is not a shield setting; expected SHIELD_<DEFAULT\|ERP\|OMS\|WMS\|CARRIER\|RETURNS>_</,
        ),
        expect.stringMatching(/^SHIELD_ERP_RATE is not a shield setting/),
      ]),
    );
  });

  it('should add its problems to a given EnvReader instead of throwing', () => {
    const reader = new EnvReader({ SHIELD_ERP_RETRIES: '99' });
    const configs = shieldConfigFromEnv({ SHIELD_ERP_RETRIES: '99' }, ['erp'], reader);
    expect(configs.erp?.retries).toBe(2);
    expect(reader.problems).toEqual(['SHIELD_ERP_RETRIES must be an integer from 0 to 10; received "99"']);
    expect(() => reader.done()).toThrow(ConfigError);
  });
});
