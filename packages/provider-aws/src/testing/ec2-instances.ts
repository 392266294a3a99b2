import { applyFilters, paginate } from './ec2-describe.js';
import { ec2Error, notFoundError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeInstance, FakeReservation } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE } from './ec2-handler.js';
import { instanceFilterValues, instanceStateXml, instanceXml } from './ec2-instance-xml.js';
import { type RunInstancesLimits, runInstances } from './ec2-run-instances.js';
import type { XmlObject } from './ec2-xml.js';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

function checkInstanceIds(ids: string[]): void {
  const malformed = ids.find((id) => !INSTANCE_ID.test(id));
  if (malformed !== undefined) throw ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
}

function reservationXml(
  state: Ec2FakeState,
  reservation: FakeReservation,
  instances: FakeInstance[],
  region: string,
): XmlObject {
  return {
    reservationId: reservation.reservationId,
    ownerId: FAKE_ACCOUNT_ID,
    groupSet: [],
    instancesSet: instances.map((instance) => instanceXml(state, instance, region)),
  };
}

/** The instance actions: RunInstances, DescribeInstances, TerminateInstances. */
export function instanceHandlers(limits: RunInstancesLimits): Record<string, ActionHandler> {
  return {
    RunInstances(context) {
      const { state, region } = context;
      const reservation = runInstances(context, limits);
      const instances = reservation.instanceIds
        .map((id) => state.instances.get(id))
        .filter((instance): instance is FakeInstance => instance !== undefined);
      return reservationXml(state, reservation, instances, region);
    },

    DescribeInstances({ params, state, region }) {
      const ids = params.strings('InstanceId');
      checkInstanceIds(ids);
      let instances: FakeInstance[];
      if (ids.length > 0) {
        const missing = ids.filter((id) => !state.instances.has(id));
        if (missing.length > 0) throw notFoundError(missing);
        instances = [...new Set(ids)].map((id) => state.instances.get(id)!);
      } else {
        instances = [...state.instances.values()];
      }
      instances = applyFilters(instances, params.filters(), (instance, name) =>
        instanceFilterValues(state, instance, name),
      );
      const page = paginate(instances, params, { idsGiven: ids.length > 0 });
      const byReservation = new Map<string, FakeInstance[]>();
      for (const instance of page.items) {
        const group = byReservation.get(instance.reservationId) ?? [];
        group.push(instance);
        byReservation.set(instance.reservationId, group);
      }
      return {
        reservationSet: [...byReservation].map(([reservationId, members]) =>
          reservationXml(
            state,
            state.reservations.get(reservationId) ?? { reservationId, instanceIds: [] },
            members,
            region,
          ),
        ),
        nextToken: page.nextToken,
      };
    },

    ModifyInstanceAttribute({ params, state }) {
      const instanceId = params.required('InstanceId');
      checkInstanceIds([instanceId]);
      const instance = state.instances.get(instanceId);
      if (!instance || instance.state === 'terminated') throw notFoundError([instanceId]);
      const sourceDestCheck = params.child('SourceDestCheck')?.bool('Value');
      if (sourceDestCheck !== undefined) instance.sourceDestCheck = sourceDestCheck;
      const groupIds = params.strings('GroupId');
      if (groupIds.length > 0) {
        const missing = groupIds.filter((id) => !state.securityGroups.has(id));
        if (missing.length > 0) throw notFoundError(missing);
        instance.securityGroups = groupIds.map((groupId) => ({
          groupId,
          groupName: state.securityGroups.get(groupId)!.groupName,
        }));
      }
      return RETURN_TRUE;
    },

    TerminateInstances({ params, state }) {
      const ids = params.strings('InstanceId');
      if (ids.length === 0)
        throw ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
      checkInstanceIds(ids);
      const missing = ids.filter((id) => !state.instances.has(id));
      if (missing.length > 0) throw notFoundError(missing);
      const now = Date.now();
      return {
        instancesSet: [...new Set(ids)].map((id) => {
          const instance = state.instances.get(id)!;
          const previous = instance.state;
          if (previous !== 'terminated' && previous !== 'shutting-down') {
            instance.state = 'shutting-down';
            instance.terminationRequestedAtMs = now;
            instance.stateTransitionReason = `User initiated (${new Date(now).toISOString()})`;
          }
          return {
            instanceId: id,
            currentState: instanceStateXml(instance.state),
            previousState: instanceStateXml(previous),
          };
        }),
      };
    },
  };
}
