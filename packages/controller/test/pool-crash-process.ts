// One controller process of the crash test: reconciles a pool until it converges (printing
// "converged") or until it is killed. Runs the built packages.
import { reconcileMachinePool } from '@trellis/controller';
import { createAwsProvider } from '@trellis/provider-aws';
import { createLocalProvider } from '@trellis/provider-local';

const options = JSON.parse(process.argv[2]!) as {
  provider: 'local' | 'aws';
  stateDirectory?: string;
  endpoint?: string;
  spec: unknown;
  replicas: number;
  /** Pause between the machines of a scale-up, so a kill lands in the middle of one. */
  slow?: boolean;
};
const provider =
  options.provider === 'local'
    ? createLocalProvider({ stateDirectory: options.stateDirectory! }).machines
    : createAwsProvider({
        region: 'eu-west-1',
        endpoint: options.endpoint!,
        credentials: { accessKeyId: 'AKIDTRELLISFAKE', secretAccessKey: 'trellis-fake-secret' },
      }).machines;
const pool = {
  name: 'crash',
  cluster: 'crash-test',
  replicas: options.replicas,
  machineClass: options.spec,
  userData: 'exec sleep 300',
};
// Slow: every create waits a little first, so a kill lands in the middle of a scale-up.
const machines = options.slow
  ? {
      ...provider,
      listMachines: provider.listMachines.bind(provider),
      getMachine: provider.getMachine.bind(provider),
      deleteMachine: provider.deleteMachine.bind(provider),
      createMachine: async (request: never, callOptions?: { signal?: AbortSignal }) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return provider.createMachine(request, callOptions);
      },
    }
  : provider;
let last = '';
for (;;) {
  const status = await reconcileMachinePool(machines as never, pool).catch((error: unknown) => {
    console.log(`error ${String((error as Error).message).split('\n')[0]}`);
    return undefined;
  });
  if (status?.converged) break;
  // Each new state of a pool that has not converged, for the test to show when it never does.
  const seen = JSON.stringify(status?.machines.map((machine) => `${machine.name}:${machine.phase}`));
  if (status && seen !== last) console.log(`status ${seen}`);
  last = seen;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log('converged');
process.exit(0);
