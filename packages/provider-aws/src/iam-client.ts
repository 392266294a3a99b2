import { IAMClient } from '@aws-sdk/client-iam';
import type { AwsClients } from './aws-settings.js';

/** The provider's IAM client (a global service, signed for the provider's region partition). */
export function iamClient(clients: AwsClients): IAMClient {
  return clients.client('iam', (config) => new IAMClient(config));
}
