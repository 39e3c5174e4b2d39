// The one configuration: built from an environment object at the edge, bad values named.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../config/index.js';
import { failureMessage, failureType } from '../../core/failures.js';
import { cutOffReason } from '../../activities/llm/model-call.js';

describe('configuration', () => {
  it('has defaults for everything and resolves paths against the working directory', () => {
    const c = configFromEnv({}, '/work/p');
    expect(c.paths.dir).toBe('/work/p/.vloop');
    expect(c.db).toEqual({ dialect: 'sqlite', url: '/work/p/.vloop/harness.db' });
    expect(c.api).toMatchObject({ host: '127.0.0.1', port: 8000 });
    expect(c.temporal).toMatchObject({
      address: undefined,
      namespace: 'default',
      taskQueue: 'harness',
      devPort: 7233,
      uiUrl: 'http://127.0.0.1:8233',
    });
    expect(c.tools).toMatchObject({ workspace: '/work/p', policyPath: '/work/p/.vloop/policy.json' });
  });

  it('takes every variable it knows', () => {
    const c = configFromEnv(
      {
        VLOOP_PROJECT_DIR: 'proj',
        HARNESS_PORT: '9001',
        VLOOP_DB_URL: 'postgres://u@h/db',
        TOOLS_POLICY_PATH: 'pol.json',
        HARNESS_WORKSPACE: 'ws',
        LOCAL_MODEL_PATH: 'm.gguf',
        TEMPORAL_ADDRESS: 'tc:7233',
      },
      '/w',
    );
    expect(c.paths.dir).toBe(path.join('/w', 'proj'));
    expect(c.api.port).toBe(9001);
    expect(c.db).toEqual({ dialect: 'postgres', url: 'postgres://u@h/db' });
    expect(c.tools).toMatchObject({ policyPath: '/w/pol.json', workspace: '/w/ws' });
    expect(c.models.localModelPath).toBe('/w/m.gguf');
    expect(c.temporal.address).toBe('tc:7233');
  });

  it('hands tools a safe subset of the environment, never its secrets', () => {
    const c = configFromEnv(
      { PATH: '/bin', HOME: '/h', OPENAI_API_KEY: 'sk-secret-123456', SOME_TOKEN: 'tok-123456' },
      '/w',
    );
    expect(c.tools.env).toEqual({ PATH: '/bin', HOME: '/h' });
  });

  it('names every bad value', () => {
    const bad = () => configFromEnv({ HARNESS_PORT: 'eighty', VLOOP_DB_URL: 'mysql://x', LM_PROVIDER: 'acme' }, '/w');
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /HARNESS_PORT: must be a port number[\s\S]*VLOOP_DB_URL: must be empty, sqlite:<path> or postgres[\s\S]*LM_PROVIDER/,
    );
  });
});

describe('failure reasons', () => {
  it('digs to the innermost message and type', () => {
    const inner = Object.assign(new Error("provider 'p' (openai at http://x, model m): Connection error."), {
      type: 'ProviderError',
    });
    const activity = Object.assign(new Error('Activity task failed'), { cause: inner });
    const child = Object.assign(new Error('Child Workflow execution failed'), { cause: activity });
    expect(failureMessage(child)).toBe("provider 'p' (openai at http://x, model m): Connection error.");
    expect(failureType(child)).toBe('ProviderError');
  });

  it('says when a reply was cut off at the token limit', () => {
    expect(cutOffReason({ finishReason: 'length' }, 20)).toBe('the reply was cut off at maxTokens 20');
    expect(cutOffReason({ finishReason: 'stop' }, 20)).toBeUndefined();
  });
});
