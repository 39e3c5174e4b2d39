// A terminal command's network: nothing but a proxy that judges each destination with the policy.
import type { ToolsConfig } from '../../config/index.js';
import { sandboxPrefix, type SandboxStatus } from '../index.js';
import { judgeDestination, type DestinationGrant } from './destination.js';
import { startNetworkProxy, type NetworkProxy } from './proxy.js';

export { startNetworkProxy, type NetworkProxy } from './proxy.js';
export { isNearAddress, judgeDestination, type DestinationGrant } from './destination.js';

/** The proxy for one command the policy (or a person) let reach the network; close it when the command ends. */
export function startCommandProxy(grant: DestinationGrant): Promise<NetworkProxy> {
  return startNetworkProxy((host, port) => judgeDestination(grant, host, port));
}

/** The argv that runs `bash -c command` in the sandbox's empty network namespace, with the proxy's forwarder started first. */
export function proxiedSandboxArgv(
  status: SandboxStatus,
  tools: Pick<ToolsConfig, 'workspace' | 'home' | 'projectDir' | 'policyPath'>,
  proxy: NetworkProxy,
): string[] {
  return [
    ...sandboxPrefix(status, tools, { network: false, binds: proxy.sandbox.binds }),
    ...proxy.sandbox.launcher,
    'bash',
    '-c',
  ];
}
