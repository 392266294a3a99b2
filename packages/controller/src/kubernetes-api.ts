import type { KubeConfig } from '@kubernetes/client-node';
import { type ErrorCode, TrellisError } from '@trellis/core';

/** Where a Kubernetes client finds its cluster: a loaded `KubeConfig`, a kubeconfig file, or the default. */
export type KubeConfigSource = KubeConfig | { readonly file: string } | { readonly yaml: string };

/** `@kubernetes/client-node`, loaded on first use (it is large, and only Kubernetes sources need it). */
export const loadKubernetesClient = () => import('@kubernetes/client-node');

/**
 * A `KubeConfig` from a source, or from the default places (`KUBECONFIG`, `~/.kube/config`, the
 * in-cluster service account) when none is given.
 */
export async function resolveKubeConfig(source: KubeConfigSource | undefined): Promise<KubeConfig> {
  const kubernetes = await loadKubernetesClient();
  if (source instanceof kubernetes.KubeConfig) return source;
  const config = new kubernetes.KubeConfig();
  if (!source) config.loadFromDefault();
  else if ('file' in source) config.loadFromFile(source.file);
  else if ('yaml' in source) config.loadFromString(source.yaml);
  else return source as KubeConfig;
  if (!config.getCurrentCluster())
    throw new TrellisError({
      code: 'InvalidArgument',
      message: 'the kubeconfig names no current cluster (set KUBECONFIG or pass kubeConfig)',
    });
  return config;
}

const CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'InvalidArgument',
  401: 'Unauthenticated',
  403: 'PermissionDenied',
  404: 'NotFound',
  409: 'AlreadyExists',
  410: 'OutOfRange',
  415: 'InvalidArgument',
  422: 'InvalidArgument',
  429: 'Throttled',
  500: 'Internal',
  503: 'Unavailable',
  504: 'DeadlineExceeded',
};

/** The HTTP status of a failed Kubernetes call (`ApiException.code`, a watch error's `statusCode`). */
export function kubeStatusCode(error: unknown): number | undefined {
  const candidate = error as { code?: unknown; statusCode?: unknown } | null;
  const code = typeof candidate?.code === 'number' ? candidate.code : candidate?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * A failed Kubernetes call as a TrellisError: the code from the HTTP status (409, a create's
 * `AlreadyExists` or an update's conflict, is `AlreadyExists`; callers that expect a conflict check
 * {@link kubeStatusCode} first), the message from the `metav1.Status` the server answered — never
 * the request, so no token reaches a log.
 */
export function kubeError(error: unknown, operation: string): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const status = kubeStatusCode(error);
  let message: string | undefined;
  const body = (error as { body?: unknown } | null)?.body;
  try {
    const parsed = typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
    const text = (parsed as { message?: unknown } | null)?.message;
    if (typeof text === 'string') message = text;
  } catch {
    // not JSON: fall back to the status
  }
  const code: ErrorCode =
    status === undefined ? 'Unavailable' : (CODES[status] ?? (status >= 500 ? 'Unavailable' : 'Internal'));
  return new TrellisError({
    code,
    operation,
    message: `${operation}: ${message ?? (status ? `HTTP ${status}` : String((error as Error)?.message ?? error))}`,
    cause: error,
  });
}
