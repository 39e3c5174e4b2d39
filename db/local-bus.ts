// In-process fan-out of bus messages by run id: what every bus delivers to this process's subscribers.
import { EventEmitter } from 'node:events';
import type { BusMessage } from '../core/run-story/events.js';

export interface EventBus {
  publish(message: BusMessage): void;
  subscribe(runId: string, listener: (message: BusMessage) => void): () => void;
}

export class LocalBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  publish(message: BusMessage): void {
    this.emitter.emit(message.runId, message);
  }
  subscribe(runId: string, listener: (message: BusMessage) => void): () => void {
    this.emitter.on(runId, listener);
    return () => this.emitter.off(runId, listener);
  }
}
