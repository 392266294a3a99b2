import { S3Client } from '@aws-sdk/client-s3';
import type { AwsClients } from './aws-settings.js';

/** The provider's S3 client (loads `@aws-sdk/client-s3`: import this only where S3 is called). */
export function s3Client(clients: AwsClients): S3Client {
  return clients.client('s3', (config) => new S3Client(config));
}
