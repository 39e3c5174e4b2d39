import { Model } from 'objection';

export class ProviderRow extends Model {
  static override tableName = 'providers';
  static override jsonAttributes = ['options'];
  id!: string;
  name!: string;
  type!: 'openai' | 'anthropic' | 'ollama' | 'local';
  baseUrl!: string | null;
  apiKeyEnc!: string | null;
  defaultModel!: string | null;
  options!: Record<string, unknown> | null;
  createdAt!: string;
  updatedAt!: string;
}
