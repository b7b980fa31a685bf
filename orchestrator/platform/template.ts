/** Renders a template from the repo: `{{name}}` placeholders, every one required. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';

export const TEMPLATE_DIR = join(repoRoot(), 'orchestrator', 'platform', 'templates');

export function renderTemplate(text: string, values: Record<string, string | number>, source = 'template'): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${source}: no value for {{${key}}}`);
    return String(value);
  });
}

export function renderTemplateFile(relativePath: string, values: Record<string, string | number>): string {
  return renderTemplate(readFileSync(join(TEMPLATE_DIR, relativePath), 'utf8'), values, relativePath);
}
