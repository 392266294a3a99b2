import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type FieldIssue,
  formatFieldPath,
  invalidArgument,
  notFound,
  TrellisError,
  toFieldIssues,
  z,
} from '@trellis/core';
import { parseDocument } from 'yaml';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const section = () => z.record(z.string(), z.unknown());

/**
 * The schema of the `trellis` config file (JSON or YAML). The provider's own schemas validate the
 * `providerSettings`, `machineClass`, `infrastructure` and `backup` sections.
 */
export const trellisConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference, ignored'),
    provider: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must be a provider type name such as local or aws')
      .optional()
      .describe('Provider type name; the package is @trellis/provider-<type>. --provider overrides it.'),
    providerSettings: section().optional().describe('Settings passed to the provider factory.'),
    cluster: z
      .string()
      .max(63, 'must be at most 63 characters')
      .regex(DNS1123_LABEL, "must be a DNS-1123 label: lower case letters, digits and '-'")
      .optional()
      .describe('Cluster name (DNS-1123 label). --cluster overrides it.'),
    region: z.string().min(1).optional().describe('Cloud region. --region overrides it.'),
    machineClass: section().optional().describe("The provider's machine class spec for new machines."),
    infrastructure: section().optional().describe("The provider's infrastructure config."),
    backup: section().optional().describe("The provider's backup store config."),
    stateFile: z
      .string()
      .min(1)
      .optional()
      .describe('Where infra state is kept. @default .trellis/infra-<cluster>.json'),
  })
  .describe('Trellis CLI config file');

/** A validated config file (sections not yet checked against the provider's schemas). */
export type TrellisConfig = z.output<typeof trellisConfigSchema>;

/** The files looked for in the working directory when `--config` is not given. */
export const DEFAULT_CONFIG_FILES = ['trellis.yaml', 'trellis.yml', 'trellis.json'] as const;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function parseText(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalidArgument(`config file ${file} is not valid JSON`, [
        { path: '', message: (error as Error).message },
      ]);
    }
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const issues: FieldIssue[] = document.errors.map((error) => ({
      path: '',
      message: error.message.split('\n')[0] ?? error.code,
    }));
    throw invalidArgument(`config file ${file} is not valid YAML`, issues);
  }
  return document.toJS() ?? {};
}

/** Reads, parses and validates a config file; the field paths of every problem are reported. */
export async function readConfigFile(file: string, cwd: string): Promise<TrellisConfig> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) throw notFound(`config file ${file} does not exist`, { cause: error });
    throw new TrellisError({ code: 'Internal', message: `cannot read config file ${file}`, cause: error });
  }
  return validateConfig(parseText(text, file), file);
}

/** Validates a parsed config object against {@link trellisConfigSchema}. */
export function validateConfig(input: unknown, file: string): TrellisConfig {
  const result = trellisConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code !== 'unrecognized_keys') return toFieldIssues(new z.ZodError([issue]));
    const known = Object.keys(trellisConfigSchema.shape).filter((key) => key !== '$schema');
    const parent = formatFieldPath(issue.path);
    return issue.keys.map((key) => ({
      path: parent ? `${parent}.${key}` : key,
      message: `unknown field (known fields: ${known.join(', ')})`,
    }));
  });
  throw invalidArgument(`invalid config file ${file}`, issues);
}

/**
 * Loads the config: the given file (which must exist), else the first of
 * {@link DEFAULT_CONFIG_FILES} in `cwd`, else an empty config.
 */
export async function loadConfig(
  file: string | undefined,
  cwd: string,
): Promise<{ config: TrellisConfig; file: string | undefined }> {
  if (file) return { config: await readConfigFile(file, cwd), file };
  for (const candidate of DEFAULT_CONFIG_FILES) {
    if (!existsSync(resolve(cwd, candidate))) continue;
    return { config: await readConfigFile(candidate, cwd), file: candidate };
  }
  return { config: {}, file: undefined };
}
