/** An error the fake answers in the cloud's own error shape (EC2 or IAM). */
export class FakeApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'FakeApiError';
    this.code = code;
    this.status = status;
  }
}

/** HTTP status EC2 uses for an error code. */
export function ec2StatusOf(code: string): number {
  if (code === 'RequestLimitExceeded' || code === 'Unavailable' || code === 'ServiceUnavailable') return 503;
  if (code === 'InternalError' || code === 'InternalFailure') return 500;
  return 400;
}

/** An EC2 error with EC2's status for its code. */
export function ec2Error(code: string, message: string): FakeApiError {
  return new FakeApiError(code, message, ec2StatusOf(code));
}

export function missingParameter(name: string): FakeApiError {
  return ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
}

export function invalidParameterValue(message: string): FakeApiError {
  return ec2Error('InvalidParameterValue', message);
}

export function dependencyViolation(message: string): FakeApiError {
  return ec2Error('DependencyViolation', message);
}

/** EC2's NotFound code for each resource id prefix. */
const NOT_FOUND_CODES: Record<string, [code: string, noun: string]> = {
  i: ['InvalidInstanceID.NotFound', 'instance ID'],
  vpc: ['InvalidVpcID.NotFound', 'vpc ID'],
  subnet: ['InvalidSubnetID.NotFound', 'subnet ID'],
  igw: ['InvalidInternetGatewayID.NotFound', 'internetGateway ID'],
  dopt: ['InvalidDhcpOptionID.NotFound', 'dhcpOption ID'],
  eipalloc: ['InvalidAllocationID.NotFound', 'allocation ID'],
  nat: ['NatGatewayNotFound', 'NAT gateway ID'],
  rtb: ['InvalidRouteTableID.NotFound', 'route table ID'],
  rtbassoc: ['InvalidAssociationID.NotFound', 'association ID'],
  sg: ['InvalidGroup.NotFound', 'security group'],
  key: ['InvalidKeyPair.NotFound', 'key pair'],
  vpce: ['InvalidVpcEndpointId.NotFound', 'VPC endpoint'],
  vol: ['InvalidVolume.NotFound', 'volume'],
  eni: ['InvalidNetworkInterfaceID.NotFound', 'network interface ID'],
};

/** The NotFound error EC2 answers for missing ids of one kind (by the prefix of the first id). */
export function notFoundError(ids: string[]): FakeApiError {
  const prefix = ids[0]?.split('-')[0] ?? '';
  const [code, noun] = NOT_FOUND_CODES[prefix] ?? ['InvalidID', 'resource ID'];
  const quoted = ids.join(', ');
  return ec2Error(
    code,
    ids.length === 1 ? `The ${noun} '${quoted}' does not exist` : `The ${noun}s '${quoted}' do not exist`,
  );
}
