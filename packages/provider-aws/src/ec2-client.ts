import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsClients } from './aws-settings.js';

/** The provider's EC2 client (loads `@aws-sdk/client-ec2`: import this only where EC2 is called). */
export function ec2Client(clients: AwsClients): EC2Client {
  return clients.client('ec2', (config) => new EC2Client(config));
}
