// OpenTelemetry for one process: off unless an OTLP endpoint is configured. Spans (Temporal's
// interceptors, the API's, the GenAI ones) go through one batch processor whose exporter scrubs
// every secret first; metrics go out on a timer. Nothing here runs, or costs anything, when off.
import { metrics, trace } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ExportResult } from '@opentelemetry/core';
import type { TelemetryConfig } from '../config/index.js';
import { redact, redactText } from '../core/redact.js';
import type { SecretSet } from '../core/secrets.js';

export interface Telemetry {
  resource: Resource;
  /** The processor workflow spans reach through the worker's exporter sink. */
  spanProcessor: BatchSpanProcessor;
  captureContent: boolean;
  /** Export what is pending (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A span as exported: name, attributes, events and status message scrubbed of every known secret. */
function scrub(span: ReadableSpan, secrets: readonly string[]): ReadableSpan {
  return Object.create(span, {
    name: { value: redactText(span.name, secrets) },
    attributes: { value: redact(span.attributes, secrets) },
    events: {
      value: span.events.map((e) => ({
        ...e,
        name: redactText(e.name, secrets),
        ...(e.attributes ? { attributes: redact(e.attributes, secrets) } : {}),
      })),
    },
    status: {
      value: { ...span.status, ...(span.status.message ? { message: redactText(span.status.message, secrets) } : {}) },
    },
  }) as ReadableSpan;
}

class ScrubbingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly secrets: SecretSet,
  ) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const list = this.secrets.list();
    this.inner.export(
      spans.map((s) => scrub(s, list)),
      done,
    );
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The version this process reports as service.version. */
const VERSION = '0.1.0';

/**
 * Start exporting, or do nothing (undefined) when no OTLP endpoint is configured.
 * @example const telemetry = startTelemetry(config.telemetry, processSecrets);
 */
export function startTelemetry(t: TelemetryConfig, secrets: SecretSet): Telemetry | undefined {
  if (!t.tracesUrl && !t.metricsUrl) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: t.serviceName, [ATTR_SERVICE_VERSION]: VERSION });
  const options = (url: string) => ({ url, headers: t.headers });
  const spanExporter = t.tracesUrl
    ? t.protocol === 'http/json'
      ? new JsonTraces(options(t.tracesUrl))
      : new ProtoTraces(options(t.tracesUrl))
    : undefined;
  const spanProcessor = new BatchSpanProcessor(
    spanExporter
      ? new ScrubbingExporter(spanExporter, secrets)
      : { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} },
    { scheduledDelayMillis: 500 },
  );
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Sets the global tracer, the AsyncLocalStorage context manager and W3C trace-context propagation.
  tracerProvider.register();
  let meterProvider: MeterProvider | undefined;
  if (t.metricsUrl) {
    const exporter =
      t.protocol === 'http/json' ? new JsonMetrics(options(t.metricsUrl)) : new ProtoMetrics(options(t.metricsUrl));
    meterProvider = new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 5000 })],
    });
    metrics.setGlobalMeterProvider(meterProvider);
  }
  return {
    resource,
    spanProcessor,
    captureContent: t.captureContent,
    async flush() {
      await tracerProvider.forceFlush();
      await meterProvider?.forceFlush();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider?.shutdown();
      // The next start in this process (tests) registers afresh.
      trace.disable();
      metrics.disable();
    },
  };
}
