export { AwsApi, type AwsApiCallOptions, type AwsApiOptions } from './aws-api.js';
export { type AwsErrorContext, awsErrorCode, redactSecrets, toTrellisError } from './aws-errors.js';
export {
  AwsRateLimiter,
  type AwsRateLimits,
  EC2_DEFAULT_RATE_LIMITS,
  type RateLimitCharge,
  TokenBucket,
  type TokenBucketLimit,
} from './aws-rate-limiter.js';
export {
  AwsClients,
  type AwsCredentialsProvider,
  type AwsProviderContext,
  type AwsProviderSettings,
  type AwsStaticCredentials,
  awsProviderSettingsSchema,
  createAwsProviderContext,
  type ResolvedAwsProviderSettings,
  resolveAwsProviderSettings,
} from './aws-settings.js';
