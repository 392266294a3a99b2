import { defineConfigSchema, z } from '@trellis/core';
import { LOCAL_PROVIDER } from './local-settings.js';

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The zod schema of the local machine class provider spec. */
export const localMachineClassSchema = z.strictObject({
  /** Reported as the machine type. @default 'local' */
  machineType: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be lower case letters, digits, "-" and "."')
    .max(63)
    .default('local'),
  /** Reported as the machine's zone, e.g. a zone name of the local infrastructure. */
  zone: z.string().min(1, 'must not be empty').max(63).optional(),
  /** Extra environment variables for the user data script. */
  environment: z
    .record(z.string(), z.string())
    .superRefine((environment, context) => {
      for (const name of Object.keys(environment)) {
        if (!ENVIRONMENT_NAME.test(name)) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `"${name}" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)`,
          });
        }
      }
    })
    .optional(),
});

/**
 * The local machine class provider spec: `{ machineType?: string, zone?: string,
 * environment?: Record<string, string> }`. The machine runs the request's `userData` with `/bin/sh`.
 */
export type LocalMachineClass = z.input<typeof localMachineClassSchema>;

/** The machine class with defaults applied. */
export type ParsedMachineClass = z.output<typeof localMachineClassSchema>;

/** The local machine class as a config schema (validation with field paths, JSON Schema). */
export const localMachineClass = defineConfigSchema('local machine class', localMachineClassSchema, {
  provider: LOCAL_PROVIDER,
});

/** What the state directory records for one machine (`machines/<cluster>/<name>/machine.json`). */
export const machineRecordSchema = z.object({
  version: z.literal('v1'),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  name: z.string().min(1),
  cluster: z.string().min(1),
  machineType: z.string(),
  zone: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  createdAt: z.iso.datetime(),
  /** Absent while the process is being started (or when its creator died before recording it). */
  pid: z.number().int().positive().optional(),
  startTime: z.string().optional(),
  /**
   * The process creating the machine. While no pid is recorded, the machine is Pending as long as
   * its creator lives; once the creator is gone (killed mid-create), the create is over and the
   * machine is reported Terminated, so a controller replaces it instead of waiting forever.
   */
  creator: z.object({ pid: z.number().int().positive(), startTime: z.string().optional() }).optional(),
  deletionStartedAt: z.iso.datetime().optional(),
});

/** One machine's persisted record. */
export type MachineRecord = z.output<typeof machineRecordSchema>;
