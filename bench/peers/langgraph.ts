// LangGraph.js: a StateGraph of N nodes with the SQLite checkpointer, durability `sync` (each step's checkpoint is
// written before the next step runs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fakeStep, peer, type Engine } from './engine.js';

// The little of LangGraph's API this uses (it is loaded from outside node_modules, without its types).
interface Graph {
  addNode(name: string, run: () => Promise<{ text: string }>): Graph;
  addEdge(from: string, to: string): Graph;
  compile(o: { checkpointer: unknown }): Compiled;
}
interface Compiled {
  invoke(
    input: { text: string },
    config: { configurable: { thread_id: string }; durability: 'sync' },
  ): Promise<unknown>;
}
interface LangGraph {
  StateGraph: new (state: unknown) => Graph;
  Annotation: (() => unknown) & { Root(fields: Record<string, unknown>): unknown };
  START: string;
  END: string;
}

export async function startLangGraph(fakeUrl: string): Promise<Engine> {
  const { StateGraph, Annotation, START, END } = await peer<LangGraph>('@langchain/langgraph');
  const { SqliteSaver } = await peer<{ SqliteSaver: { fromConnString(file: string): unknown } }>(
    '@langchain/langgraph-checkpoint-sqlite',
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peers-langgraph-'));
  const saver = SqliteSaver.fromConnString(path.join(dir, 'checkpoints.db'));
  const step = fakeStep(fakeUrl);
  const State = Annotation.Root({ text: Annotation() });
  const graphs = new Map<number, Compiled>();
  const graphOf = (steps: number): Compiled => {
    if (!graphs.has(steps)) {
      let g = new StateGraph(State);
      for (let i = 0; i < steps; i++) g = g.addNode(`s${i}`, async () => ({ text: await step() }));
      g = g.addEdge(START, 's0');
      for (let i = 1; i < steps; i++) g = g.addEdge(`s${i - 1}`, `s${i}`);
      graphs.set(steps, g.addEdge(`s${steps - 1}`, END).compile({ checkpointer: saver }));
    }
    return graphs.get(steps)!;
  };
  let n = 0;
  return {
    name: 'langgraph',
    durability: 'LangGraph.js 1.7 + SQLite checkpointer (durability sync)',
    async chain(steps) {
      await graphOf(steps).invoke({ text: 'bench' }, { configurable: { thread_id: `t${n++}` }, durability: 'sync' });
    },
    async close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
