// Datasets as a path names them: loaded once per request by id or name; the list, create and delete, and an example's delete.
import type { z } from 'zod';
import * as ds from '../../db/repositories/datasets.js';
import type { AppContext } from '../context.js';
import type { datasetBody } from './evals.js';

export type Dataset = ds.DatasetRow;

/** The dataset a path names, by id or name (a 404 when there is none). */
export function loadDataset(ctx: AppContext, idOrName: string): Promise<Dataset> {
  return ds.getDataset(ctx.store, idOrName);
}

export function listDatasets(ctx: AppContext) {
  return ds.listDatasets(ctx.store);
}

export function createDataset(ctx: AppContext, d: z.infer<typeof datasetBody>) {
  return ds.createDataset(ctx.store, d);
}

export function deleteDataset(ctx: AppContext, d: Dataset): Promise<void> {
  return ds.deleteDataset(ctx.store, d.id);
}

/** One example out of the dataset (a 404 when the dataset has no such example). */
export function deleteExample(ctx: AppContext, d: Dataset, exampleId: string): Promise<void> {
  return ds.deleteExample(ctx.store, d.id, exampleId);
}
