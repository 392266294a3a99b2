import type { InfrastructureState, InfrastructureStatus } from '@trellis/core';
import { formatTable } from '../output-format.js';

/** Formats an infrastructure status and the resources of its state as text tables. */
export function formatInfraStatus(
  summary: {
    cluster: string;
    region: string;
    provider: string;
    stateFile: string;
    status?: InfrastructureStatus;
  },
  state: InfrastructureState,
): string {
  const { status } = summary;
  const facts: [string, unknown][] = [
    ['cluster', summary.cluster],
    ['region', summary.region],
    ['provider', summary.provider],
    ['state file', summary.stateFile],
    ['reconciled', status ? 'yes' : 'no (incomplete: run trellis infra reconcile)'],
  ];
  if (status) {
    facts.push(
      ['network', status.networkId],
      ['security groups', status.securityGroupIds],
      ['egress addresses', status.egressAddresses],
      ['identity', status.identity],
      ['key name', status.keyName],
    );
  }
  let text = formatTable(facts, [
    { header: 'FIELD', value: (fact) => fact[0] },
    { header: 'VALUE', value: (fact) => fact[1] },
  ]);
  if (status && status.subnets.length > 0) {
    text += `\n${formatTable(status.subnets, [
      { header: 'ZONE', value: (subnet) => subnet.zone },
      { header: 'NODES', value: (subnet) => subnet.nodes },
      { header: 'PUBLIC', value: (subnet) => subnet.public },
      { header: 'INTERNAL', value: (subnet) => subnet.internal },
    ])}`;
  }
  const resources = Object.entries(state.resources);
  if (resources.length > 0) {
    text += `\n${formatTable(resources, [
      { header: 'RESOURCE', value: ([key]) => key },
      { header: 'KIND', value: ([, resource]) => resource.kind },
      { header: 'ID', value: ([, resource]) => resource.id },
      { header: 'MANAGED', value: ([, resource]) => resource.managed !== false },
    ])}`;
  }
  return text;
}
