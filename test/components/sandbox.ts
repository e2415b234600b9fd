// Drives the sandbox that web-test-runner.config.mjs starts (simulator, agent, endpoint).
import { executeServerCommand } from '@web/test-runner-commands';

export type { CallScript } from '../../src/sandbox/huawei-simulator.ts';
import type { CallScript } from '../../src/sandbox/huawei-simulator.ts';

export async function endpoint(): Promise<string> {
  const info = (await executeServerCommand('sandbox-info')) as { endpoint: string } | undefined;
  if (!info) throw new Error('the sandbox plugin is not running');
  return info.endpoint;
}

export const scriptNextCall = (script: CallScript) => executeServerCommand('sim-script', script);
export const failNext = (path: string, fault: unknown, times = 1) =>
  executeServerCommand('sim-fail-next', { path, fault, times });
export const agentHangup = () => executeServerCommand('sim-agent-hangup');
export const simCount = (path: string) => executeServerCommand('sim-count', { path }) as Promise<number>;
export const agentStats = () =>
  executeServerCommand('agent-stats') as Promise<
    { callsAnswered: number; activeCalls: number; calls: Array<{
      packetsReceived: number;
      meanLevel: number;
      endedBy: string | null;
      reinvites: number;
      lastOffer: { iceRestart: boolean; candidates: number } | null;
    }> } | undefined
  >;
export const simCalls = () => executeServerCommand('sim-calls') as Promise<Array<{ status: string }> | undefined>;
export const agentUrl = () => executeServerCommand('agent-url') as Promise<string | undefined>;
/** Cuts the callers' WebSockets at the sandbox gateway; `refuseMs` keeps it away that long. */
export const dropGateway = (refuseMs = 0) => executeServerCommand('drop-gateway', { refuseMs }) as Promise<number>;
/** A token endpoint like the sandbox's whose readiness probe addresses are all dead. */
export const deadProbeEndpoint = () => executeServerCommand('dead-probe-endpoint') as Promise<string>;
/**
 * A token endpoint that is not ours (hostile or broken): each route answers what `script` says
 * (`{ session?, calls?, events?, hangup?: { status, body } }`), valid defaults otherwise.
 */
export const hostileEndpoint = (script: Record<string, { status: number; body?: unknown }> = {}) =>
  executeServerCommand('hostile-endpoint', script) as Promise<string>;
