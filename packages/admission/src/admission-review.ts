import {
  type FieldIssue,
  loadProvider,
  type ProviderDefinition,
  TrellisError,
  type TrellisProvider,
} from '@trellis/core';
import { ADMISSION_KINDS, admissionTargetOf } from './admission-targets.js';

/** The `response` of an `admission.k8s.io/v1` `AdmissionReview`. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: {
    readonly code: number;
    readonly reason: 'Invalid' | 'BadRequest' | 'Forbidden';
    readonly message: string;
    readonly details?: {
      readonly causes: ReadonlyArray<{
        readonly type: 'FieldValueInvalid';
        readonly field: string;
        readonly message: string;
      }>;
    };
  };
}

/** An `admission.k8s.io/v1` `AdmissionReview` answer. */
export interface AdmissionReviewAnswer {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

/** A body that is no `AdmissionReview` at all: the server answers it with 400. */
export class AdmissionRequestError extends Error {}

/** Options of {@link reviewAdmission}. */
export interface AdmissionReviewOptions {
  /**
   * A provider's schemas and update rules by type. @default the `providerDefinition` of the
   * installed `@trellis/provider-<type>` package
   */
  readonly providerOf?: (
    type: string,
  ) => Promise<Pick<ProviderDefinition, 'schemas' | 'checkInfrastructureConfigUpdate'>>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const installedProvider = (type: string) => loadProvider(type, (specifier) => import(specifier));

const join = (base: string, path: string) => (path ? `${base}.${path}`.replace(/\.\[/g, '[') : base);

function denied(
  uid: string,
  code: number,
  reason: 'Invalid' | 'BadRequest' | 'Forbidden',
  message: string,
  issues: FieldIssue[] = [],
): AdmissionResponse {
  return {
    uid,
    allowed: false,
    status: {
      code,
      reason,
      message: issues.length
        ? `${message}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`
        : message,
      ...(issues.length
        ? {
            details: {
              causes: issues.map((issue) => ({
                type: 'FieldValueInvalid' as const,
                field: issue.path,
                message: issue.message,
              })),
            },
          }
        : {}),
    },
  };
}

/**
 * Answers one `admission.k8s.io/v1` `AdmissionReview` for a kind Trellis knows (MCM's `MachineClass`,
 * Gardener's `Infrastructure` and `BackupEntry`, Trellis' `MachinePool`): allowed when the provider's
 * own schema accepts the config, else denied with every problem's field path (in the object) in
 * `status.message` and `status.details.causes[]`. On update the provider type may not change, and
 * an infrastructure config keeps what the provider's update rules keep (Gardener's immutable fields).
 * Deletes are allowed. An unknown kind, a provider that is not installed and an object without a
 * provider are denied with a message saying so. Throws {@link AdmissionRequestError} only for a body
 * that is no `AdmissionReview` (no `request.uid` to answer).
 */
export async function reviewAdmission(
  body: unknown,
  options: AdmissionReviewOptions = {},
): Promise<AdmissionReviewAnswer> {
  const answer = (response: AdmissionResponse): AdmissionReviewAnswer => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response,
  });
  if (!isObject(body) || body.kind !== 'AdmissionReview' || !isObject(body.request)) {
    throw new AdmissionRequestError('the body is not an AdmissionReview with a request');
  }
  if (body.apiVersion !== 'admission.k8s.io/v1') {
    throw new AdmissionRequestError(
      `AdmissionReview ${String(body.apiVersion)} is not served: use admission.k8s.io/v1`,
    );
  }
  const request = body.request;
  if (typeof request.uid !== 'string' || request.uid === '')
    throw new AdmissionRequestError('request.uid is missing');
  const uid = request.uid;
  const operation = String(request.operation ?? '');
  if (operation === 'DELETE' || operation === 'CONNECT') return answer({ uid, allowed: true });
  const kind = isObject(request.kind) ? request.kind : {};
  const group = String(kind.group ?? '');
  const name = String(kind.kind ?? '');
  const target = admissionTargetOf(group, name, request.object);
  if (!target) {
    return answer(
      denied(
        uid,
        400,
        'BadRequest',
        `this webhook validates ${ADMISSION_KINDS.join(', ')}; not ${group}/${name}`,
      ),
    );
  }
  if (!isObject(request.object)) return answer(denied(uid, 400, 'BadRequest', 'request.object is missing'));
  if (!target.provider) {
    return answer(
      denied(uid, 422, 'Invalid', `${group}/${name} is invalid`, [
        { path: target.providerField, message: 'is required' },
      ]),
    );
  }
  if (operation === 'UPDATE' && isObject(request.oldObject)) {
    const previous = admissionTargetOf(group, name, request.oldObject);
    if (previous?.provider && previous.provider !== target.provider) {
      return answer(
        denied(uid, 422, 'Invalid', `${group}/${name} is invalid`, [
          { path: target.providerField, message: `is immutable (was "${previous.provider}")` },
        ]),
      );
    }
  }
  let definition: Pick<ProviderDefinition, 'schemas' | 'checkInfrastructureConfigUpdate'>;
  let schemas: TrellisProvider['schemas'];
  try {
    definition = await (options.providerOf ?? installedProvider)(target.provider);
    if (!definition.schemas)
      throw new TrellisError({ code: 'Unimplemented', message: 'it publishes no config schemas' });
    schemas = definition.schemas;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return answer(
      denied(uid, 422, 'Invalid', `${group}/${name} is invalid`, [
        {
          path: target.providerField,
          message: `provider "${target.provider}" cannot be checked here: ${message}`,
        },
      ]),
    );
  }
  const schema = schemas[target.schema];
  const result = schema.validate(target.config);
  const invalid = (issues: readonly FieldIssue[]) =>
    answer(
      denied(
        uid,
        422,
        'Invalid',
        `${group}/${name} is invalid (${schema.name})`,
        issues.map((issue) => ({ path: join(target.configField, issue.path), message: issue.message })),
      ),
    );
  if (!result.success) return invalid(result.issues);
  // On update, the provider's rules for what may change (infrastructure: Gardener's immutable fields).
  if (
    operation === 'UPDATE' &&
    target.schema === 'infrastructureConfig' &&
    definition.checkInfrastructureConfigUpdate
  ) {
    const before = schema.validate(admissionTargetOf(group, name, request.oldObject)?.config);
    if (before.success) {
      const changes = definition.checkInfrastructureConfigUpdate(before.data, result.data);
      if (changes.length > 0) return invalid(changes);
    }
  }
  return answer({ uid, allowed: true });
}
