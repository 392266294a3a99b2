/**
 * `@trellis/admission`: a Kubernetes validating admission webhook that checks Trellis configs —
 * machine-controller-manager `MachineClass`es, Gardener `Infrastructure` and `BackupEntry`
 * provider configs, Trellis `MachinePool`s — with the installed provider's own validation.
 *
 * ```ts
 * const server = await startAdmissionServer({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
 * ```
 *
 * @packageDocumentation
 */
export {
  AdmissionRequestError,
  type AdmissionResponse,
  type AdmissionReviewAnswer,
  type AdmissionReviewOptions,
  reviewAdmission,
} from './admission-review.js';
export {
  type AdmissionServer,
  type AdmissionServerOptions,
  startAdmissionServer,
} from './admission-server.js';
export { ADMISSION_KINDS, type AdmissionTarget, admissionTargetOf } from './admission-targets.js';
